/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Error codes returned by core functions, as negative values.
 *
 * The numbers are Xen's public errno values, so a hypercall can return a
 * core result to the guest unchanged. The HV_ prefix keeps them apart
 * from the host C library's <errno.h> in the hosted build.
 */
#ifndef BULKHEAD_CORE_ERRNO_H
#define BULKHEAD_CORE_ERRNO_H

#define HV_EPERM  1
#define HV_ENOENT 2
#define HV_ENOMEM 12
#define HV_EFAULT 14
#define HV_EBUSY  16
#define HV_EEXIST 17
#define HV_ENODEV 19
#define HV_EINVAL 22
#define HV_ENOSPC 28
#define HV_ERANGE 34
#define HV_ENOSYS 38

#endif
