/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boot allocator: page ranges for the hypervisor before the buddy
 * heap exists (the page-state table itself lives in its first allocation).
 *
 * It is given the heap's candidate ranges, then every range that may never
 * be allocated (static memory, image, DTB, reserved memory, modules) is
 * carved out, all before the first allocation: once it has started,
 * carving is refused. What is left at the end is handed to the buddy.
 */
#ifndef BULKHEAD_CORE_BOOTALLOC_H
#define BULKHEAD_CORE_BOOTALLOC_H

#include "types.h"

#define BOOTALLOC_MAX_RANGES 384

struct bootalloc {
	unsigned int nr;
	bool started; /* an allocation was made: no more carving */
	bool retired; /* handed over to the buddy: no more allocations */
	struct {
		uint64_t pfn, count;
	} free[BOOTALLOC_MAX_RANGES]; /* sorted, disjoint, non-adjacent */
};

/** bootalloc_init() - an empty allocator. */
void bootalloc_init(struct bootalloc *b);

/**
 * bootalloc_add() - give pages [pfn, pfn+count) to the allocator.
 * Return: 0, -HV_EINVAL (empty, wraps, overlaps a range already given, or
 * after the first allocation), -HV_ENOSPC (too many ranges).
 */
int bootalloc_add(struct bootalloc *b, uint64_t pfn, uint64_t count);

/**
 * bootalloc_carve() - remove pages [pfn, pfn+count) wherever they are free.
 * Only before the first allocation, so a carved page can never have been
 * handed out. Return: 0, -HV_EINVAL (after the first allocation),
 * -HV_ENOSPC (the split needs a range slot that is not there).
 */
int bootalloc_carve(struct bootalloc *b, uint64_t pfn, uint64_t count);

/**
 * bootalloc_alloc() - @count contiguous pages aligned to @align pages
 * (a power of two), taken from the highest free range that fits.
 * Return: 0 and *pfn, -HV_ENOMEM, -HV_EINVAL (retired or bad arguments).
 */
int bootalloc_alloc(struct bootalloc *b, uint64_t count, uint64_t align, uint64_t *pfn);

/** bootalloc_free_pages() - pages still free. */
uint64_t bootalloc_free_pages(const struct bootalloc *b);

/** bootalloc_retire() - no more allocations; the free ranges go to the buddy. */
void bootalloc_retire(struct bootalloc *b);

#endif
