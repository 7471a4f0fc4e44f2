/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The memory hypercall (Xen's memory_op, number 12) for one domain:
 * sub-ops with Xen's meaning, argument layout and error codes.
 *
 * Sub-op in the low 6 bits of @cmd; the bits above are the extent to
 * start from (Xen's continuation encoding; Bulkhead never preempts, but a
 * guest may still pass it). Reservation ops return the number of extents
 * done, counting from 0: they stop at the first extent that fails, which
 * is left unchanged, as is everything after it.
 */
#ifndef BULKHEAD_CORE_MEMOP_H
#define BULKHEAD_CORE_MEMOP_H

#include "../public/bulkhead_abi.h"
#include "dommem.h"

/*
 * Sub-op numbers (XENMEM_*), DOMID_SELF and the argument layouts (XMR_*,
 * XRFP_* byte offsets) are the guest ABI: public/bulkhead_abi.h.
 */

#define MEMOP_CMD_MASK     0x3fu
#define MEMOP_EXTENT_SHIFT 6

/* Largest extent order a guest may ask for (1 GiB). */
#define MEMOP_MAX_ORDER 18

/**
 * memop_dispatch() - run memory_op sub-op @cmd for the calling domain.
 * @dm:  the caller (a domain may only name itself: DOMID_SELF or its id).
 * @arg: guest-physical address of the sub-op's argument.
 *
 * - increase_reservation: -HV_EPERM for a static domain (Q9, balloon-in: it never
 *   gets heap pages); -HV_ENOSYS otherwise (every Bulkhead guest is
 *   auto-translated: pages come with a mapping, via populate_physmap).
 * - decrease_reservation: each extent is 2^order guest frames, aligned,
 *   all mapped RAM of the caller; they leave the stage-2 and go through
 *   mm_release() (static: the domain's reserve; heap: scrubbed to the buddy).
 * - populate_physmap: each extent is 2^order unmapped guest frames inside
 *   the guest RAM windows (any address of the domain's own banks when
 *   direct-mapped). A static domain is served only from its reserve: the
 *   frame the plan puts there if free (always so when direct-mapped, where
 *   gfn must equal mfn), else the lowest free run of its reserve; any order
 *   the reserve can satisfy. A heap domain gets zeroed buddy pages up to
 *   its configured size.
 * - current_reservation / maximum_reservation: arg is a u16 domid; return
 *   the pages held / configured.
 * - remove_from_physmap: like decreasing one order-0 extent; 0 or error.
 * Return: extents done, a value, 0, or -HV_EFAULT (argument not readable),
 * -HV_EPERM (foreign domain), -HV_EINVAL (bad order, flags or count),
 * -HV_ENOENT (frame not mapped), -HV_ENOMEM, -HV_ENOSYS (unknown sub-op).
 */
long memop_dispatch(struct domain_mem *dm, unsigned long cmd, ipa_t arg);

#endif
