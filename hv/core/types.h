/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Basic types of the core.
 *
 * Host-physical and guest-physical addresses are distinct struct types so
 * that passing one where the other is expected is a compile error: a
 * direct-mapped domain makes the two numerically equal, which is exactly
 * when a mix-up would go unnoticed in testing.
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
