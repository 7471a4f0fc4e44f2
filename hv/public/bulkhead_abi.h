/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest ABI of Bulkhead: everything a guest may rely on when it calls
 * the hypervisor, in one place. The hypervisor core and the bare-metal
 * test guests both include this header, so the two sides cannot disagree.
 *
 * The numbers are Xen's (arm64) and, for PSCI/SMCCC, Arm's, so a guest
 * written for Xen works unchanged. Only the hypercalls and sub-ops that
 * Bulkhead implements are listed; any other is refused with -XEN_ENOSYS,
 * and an SMCCC function it does not implement returns PSCI_NOT_SUPPORTED.
 *
 * Plain C11, needs only <stdint.h>; usable freestanding. An assembly file
 * may include it too: the numbers are bare constants (no C suffixes), and
 * the C-only parts sit under #ifndef __ASSEMBLER__.
 */
#ifndef BULKHEAD_PUBLIC_ABI_H
#define BULKHEAD_PUBLIC_ABI_H

/*
 * Calling conventions (AArch64, from EL1):
 * - Hypercall: HVC #HVC_IMM_XEN, hypercall number in x16, arguments in
 *   x0..x4, result in x0: >= 0 on success, -XEN_E* on error.
 * - PSCI / SMCCC: HVC #HVC_IMM_SMCCC or SMC #SMC_IMM_SMCCC, function id
 *   in x0, arguments in x1..x3, result in x0.
 * Any other HVC or SMC immediate is an undefined instruction for the guest.
 */
#define HVC_IMM_XEN   0xea1
#define HVC_IMM_SMCCC 0
#define SMC_IMM_SMCCC 0

/* Hypercall numbers (x16). */
#define HYPERCALL_MEMORY_OP  12
#define HYPERCALL_CONSOLE_IO 18

/*
 * console_io: x0 = sub-op, x1 = byte count, x2 = guest address of the
 * bytes. Write returns the count; the whole buffer must be guest RAM
 * (else -XEN_EFAULT, nothing printed).
 */
#define CONSOLEIO_WRITE 0

/*
 * memory_op: x0 = cmd, x1 = guest address of the argument. The sub-op is
 * in the low 6 bits of cmd, the extent to start from in the bits above.
 */
#define XENMEM_increase_reservation 0  /* struct xen_memory_reservation */
#define XENMEM_decrease_reservation 1  /* struct xen_memory_reservation */
#define XENMEM_current_reservation  3  /* uint16_t domid */
#define XENMEM_maximum_reservation  4  /* uint16_t domid */
#define XENMEM_populate_physmap     6  /* struct xen_memory_reservation */
#define XENMEM_remove_from_physmap  15 /* struct xen_remove_from_physmap */

/* The caller itself, wherever a memory_op argument names a domain. */
#define DOMID_SELF 0x7ff0

/*
 * Argument layouts, little-endian: as byte offsets, which the hypervisor
 * decodes from a copy of the guest's bytes, and as the C structs below
 * for the guests, checked against these offsets at compile time.
 *
 * xen_memory_reservation, 32 bytes: extent_start is the guest address of
 * an array of nr_extents uint64_t guest frame numbers; each extent is
 * 2^extent_order frames; mem_flags must be 0.
 */
#define XMR_SIZE         32
#define XMR_EXTENT_START 0  /* uint64_t */
#define XMR_NR_EXTENTS   8  /* uint64_t */
#define XMR_EXTENT_ORDER 16 /* uint32_t */
#define XMR_MEM_FLAGS    20 /* uint32_t */
#define XMR_DOMID        24 /* uint16_t, then 6 bytes of padding */

/* xen_remove_from_physmap, 16 bytes: one guest frame to unmap and free. */
#define XRFP_SIZE  16
#define XRFP_DOMID 0 /* uint16_t, then 6 bytes of padding */
#define XRFP_GPFN  8 /* uint64_t */

/*
 * Error numbers: a failing hypercall returns the negated value. They are
 * Xen's public errno values.
 */
#define XEN_EPERM  1
#define XEN_ENOENT 2
#define XEN_ENOMEM 12
#define XEN_EFAULT 14
#define XEN_EBUSY  16
#define XEN_EEXIST 17
#define XEN_ENODEV 19
#define XEN_EINVAL 22
#define XEN_ENOSPC 28
#define XEN_ERANGE 34
#define XEN_ENOSYS 38

/*
 * PSCI and SMCCC function ids (x0). The 32-bit ones (0x84...) and the
 * 64-bit ones (0xc4...) are both of type unsigned int in C.
 */
#define SMCCC_VERSION         0x80000000
#define PSCI_FN32_BASE        0x84000000
#define PSCI_FN64_BASE        0xc4000000
#define PSCI_VERSION          0x84000000
#define PSCI_CPU_SUSPEND_64   0xc4000001 /* not implemented */
#define PSCI_CPU_OFF          0x84000002
#define PSCI_CPU_ON_64        0xc4000003
#define PSCI_AFFINITY_INFO_64 0xc4000004
#define PSCI_SYSTEM_OFF       0x84000008
#define PSCI_SYSTEM_RESET     0x84000009
#define PSCI_FEATURES         0x8400000a

/* What PSCI_VERSION and SMCCC_VERSION return: major << 16 | minor. */
#define PSCI_VERSION_1_1  0x10001
#define SMCCC_VERSION_1_1 0x10001

/* PSCI return codes (x0, as a signed 64-bit value). */
#define PSCI_SUCCESS          0
#define PSCI_NOT_SUPPORTED    (-1)
#define PSCI_INVALID_PARAMS   (-2)
#define PSCI_DENIED           (-3)
#define PSCI_ALREADY_ON       (-4)
#define PSCI_ON_PENDING       (-5)
#define PSCI_INTERNAL_FAILURE (-6)

/* AFFINITY_INFO results for the target vCPU. */
#define PSCI_AFFINITY_ON         0
#define PSCI_AFFINITY_OFF        1
#define PSCI_AFFINITY_ON_PENDING 2

#ifndef __ASSEMBLER__
#include <stdint.h>

/*
 * The memory_op arguments for C guests (natural alignment gives Xen's
 * arm64 layout; the padding is explicit). The hypervisor never casts
 * guest memory to these: it decodes the XMR_ and XRFP_ offsets.
 */
struct xen_memory_reservation {
	uint64_t extent_start;
	uint64_t nr_extents;
	uint32_t extent_order;
	uint32_t mem_flags;
	uint16_t domid;
	uint16_t pad[3];
};

struct xen_remove_from_physmap {
	uint16_t domid;
	uint16_t pad[3];
	uint64_t gpfn;
};

/* __builtin_offsetof (GCC, Clang): offsetof without <stddef.h>. */
#define BULKHEAD_ABI_AT(type, field, off) (__builtin_offsetof(struct type, field) == (off))

_Static_assert(sizeof(struct xen_memory_reservation) == XMR_SIZE &&
                   BULKHEAD_ABI_AT(xen_memory_reservation, extent_start, XMR_EXTENT_START) &&
                   BULKHEAD_ABI_AT(xen_memory_reservation, nr_extents, XMR_NR_EXTENTS) &&
                   BULKHEAD_ABI_AT(xen_memory_reservation, extent_order, XMR_EXTENT_ORDER) &&
                   BULKHEAD_ABI_AT(xen_memory_reservation, mem_flags, XMR_MEM_FLAGS) &&
                   BULKHEAD_ABI_AT(xen_memory_reservation, domid, XMR_DOMID),
               "struct xen_memory_reservation does not match XMR_*");
_Static_assert(sizeof(struct xen_remove_from_physmap) == XRFP_SIZE &&
                   BULKHEAD_ABI_AT(xen_remove_from_physmap, domid, XRFP_DOMID) &&
                   BULKHEAD_ABI_AT(xen_remove_from_physmap, gpfn, XRFP_GPFN),
               "struct xen_remove_from_physmap does not match XRFP_*");

#undef BULKHEAD_ABI_AT
#endif /* __ASSEMBLER__ */

#endif
