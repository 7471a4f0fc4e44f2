/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hypercalls (Xen's arm64 ABI: HVC #0xEA1, number in x16, arguments in
 * x0..x4, result in x0). Arch-independent: the arch layer decodes the
 * trap and calls hypercall_dispatch().
 */
#ifndef BULKHEAD_CORE_HYPERCALL_H
#define BULKHEAD_CORE_HYPERCALL_H

#include "domain.h"

#define HYPERCALL_CONSOLE_IO 18
#define CONSOLEIO_WRITE      0

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
