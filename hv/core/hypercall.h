/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hypercalls (Xen's arm64 ABI: HVC #HVC_IMM_XEN, number in x16, arguments
 * in x0..x4, result in x0; numbers in public/bulkhead_abi.h).
 * Arch-independent: the arch layer decodes the trap and calls
 * hypercall_dispatch().
 */
#ifndef BULKHEAD_CORE_HYPERCALL_H
#define BULKHEAD_CORE_HYPERCALL_H

#include "../public/bulkhead_abi.h"
#include "domain.h"
#include "errno.h"

/* Core results reach the guest unchanged: HV_E* must be Xen's numbers. */
_Static_assert(HV_EPERM == XEN_EPERM && HV_ENOENT == XEN_ENOENT && HV_ENOMEM == XEN_ENOMEM &&
                   HV_EFAULT == XEN_EFAULT && HV_EBUSY == XEN_EBUSY && HV_EEXIST == XEN_EEXIST &&
                   HV_ENODEV == XEN_ENODEV && HV_EINVAL == XEN_EINVAL && HV_ENOSPC == XEN_ENOSPC &&
                   HV_ERANGE == XEN_ERANGE && HV_ENOSYS == XEN_ENOSYS,
               "hv/core/errno.h differs from the guest ABI's XEN_E*");

/* Longest console_io write accepted at once (Xen's guests write less). */
#define CONSOLEIO_MAX 4096

/**
 * hypercall_dispatch() - run hypercall @nr for domain @d.
 * @args: x0..x4 of the calling vCPU.
 * Return: the value for x0: >= 0 on success, -HV_E* on error
 * (-HV_ENOSYS for an unknown call, -HV_EFAULT for a bad guest pointer).
 */
int64_t hypercall_dispatch(struct domain *d, uint64_t nr, const uint64_t args[5]);

#endif
