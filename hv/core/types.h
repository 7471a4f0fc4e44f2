/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Basic types of the core.
 *
 * Host-physical and guest-physical addresses are distinct struct types so
 * that passing one where the other is expected is a compile error: a
 * direct-mapped domain makes the two numerically equal, which is exactly
 * when a mix-up would go unnoticed in testing.
 *
 * They reach from the boot plan to the traps: a domain's static banks,
 * passthrough registers and emulated device bases (plan.h), the host GIC
 * and UART the plan reads, the kernel entry, DT address and vCPU entry
 * (domain.h), stage 2, and the faulting IPA that the arm64 traps hand to
 * the vPL011, the vGIC and domain_crash_fault(). Plain host facts (RAM
 * banks, reserved memory, the heap, modules: struct plan_range) stay
 * uint64_t: nothing turns them into guest addresses. Frame numbers
 * (pfn, gfn) stay uint64_t too.
 *
 * A host address becomes a guest one in exactly one way:
 * ipa_from_pa_direct(), for a direct-mapped domain only. plan_build()
 * uses it to fill the guest side of such a domain, so users of the plan
 * read the typed ipa fields and never choose between host and guest.
 */
#ifndef BULKHEAD_CORE_TYPES_H
#define BULKHEAD_CORE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** A host-physical address. */
typedef struct {
	uint64_t val;
} pa_t;

/** A guest-physical (intermediate physical) address. */
typedef struct {
	uint64_t val;
} ipa_t;

static inline pa_t pa_init(uint64_t v)
{
	return (pa_t){v};
}

static inline uint64_t pa_addr(pa_t p)
{
	return p.val;
}

static inline ipa_t ipa_init(uint64_t v)
{
	return (ipa_t){v};
}

static inline uint64_t ipa_addr(ipa_t p)
{
	return p.val;
}

/** @p + @off; the caller guarantees no wrap (offsets inside checked ranges). */
static inline pa_t pa_add(pa_t p, uint64_t off)
{
	return (pa_t){p.val + off};
}

/** @p + @off; the caller guarantees no wrap (offsets inside checked ranges). */
static inline ipa_t ipa_add(ipa_t p, uint64_t off)
{
	return (ipa_t){p.val + off};
}

/**
 * ipa_from_pa_direct() - the guest address at which a direct-mapped domain
 * sees host address @p: the same number.
 *
 * Only for a direct-mapped domain, where the plan guarantees guest ==
 * host (plan_build() checks it and fills the guest side with this). The
 * one conversion from a host address to a guest one: any other place
 * that needs a guest address reads a typed ipa_t field of the plan.
 */
static inline ipa_t ipa_from_pa_direct(pa_t p)
{
	return (ipa_t){p.val};
}

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ull << PAGE_SHIFT)
#define PAGE_MASK  (PAGE_SIZE - 1)

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline bool is_aligned(uint64_t v, uint64_t align)
{
	return (v & (align - 1)) == 0;
}

static inline uint64_t align_down(uint64_t v, uint64_t align)
{
	return v & ~(align - 1);
}

/** Round up; the caller guarantees no overflow (checked ranges only). */
static inline uint64_t align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

/** True when [base, base+size) is non-empty and does not wrap. */
static inline bool range_valid(uint64_t base, uint64_t size)
{
	return size != 0 && base + size - 1 >= base;
}

/** Overlap of [a, a+as) and [b, b+bs); both ranges valid. */
static inline bool ranges_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a <= b + bs - 1 && b <= a + as - 1;
}

#endif
