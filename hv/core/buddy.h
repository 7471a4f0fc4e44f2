/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The buddy allocator: the runtime heap, for hypervisor data (stage-2
 * tables) and for the memory of domains without static memory.
 *
 * Free blocks are 2^order pages aligned to their size. The free lists are
 * linked through a small header written into the first page of each free
 * block (via arch_phys_to_virt), so the buddy costs no metadata of its own.
 * Whether a block is free is decided by the page-state table, never by the
 * in-band header alone: a guest may have written anything into a page it
 * owned, so a header counts only on a page pgstate says is free heap.
 *
 * Two blocks merge only when both are free heap pages of the same RAM bank.
 * Static pages are never free heap pages, so no block ever spans one.
 */
#ifndef BULKHEAD_CORE_BUDDY_H
#define BULKHEAD_CORE_BUDDY_H

#include "pgstate.h"

#define BUDDY_MAX_ORDER 18 /* 1 GiB */
#define BUDDY_NONE      UINT64_MAX

struct buddy {
	struct pgstate *ps;
	uint64_t head[BUDDY_MAX_ORDER + 1]; /* first free block (pfn) of each order */
	uint64_t free_pages;
};

/** buddy_init() - an empty heap over the page-state table @ps. */
void buddy_init(struct buddy *b, struct pgstate *ps);

/**
 * buddy_alloc() - take 2^@order pages aligned to their size.
 * @owner: recorded in the page state (PG_OWNER_HV or a domain id).
 * Pages come back unscrubbed: callers that hand them to a guest scrub.
 * Return: 0 and *pfn, -HV_EINVAL (order too large), -HV_ENOMEM.
 */
int buddy_alloc(struct buddy *b, unsigned int order, uint16_t owner, uint64_t *pfn);

/**
 * buddy_free_range() - put pages [pfn, pfn+count) back, merging buddies.
 * @force: may use the page-state table's spare capacity.
 *
 * Every page must be a heap page in use (PG_INUSE, PG_HEAP, not static);
 * anything else is refused with -HV_EINVAL and nothing changes. Only
 * mm_release() calls this (Q8, where freeing is decided: the one free path decides).
 * Return: 0, -HV_EINVAL, -HV_ENOMEM (page-state table full; nothing changed).
 */
int buddy_free_range(struct buddy *b, uint64_t pfn, uint64_t count, bool force);

/** buddy_first() - first free block of @order, or BUDDY_NONE (for checks). */
uint64_t buddy_first(const struct buddy *b, unsigned int order);

/** buddy_next() - free block after @pfn in its list, or BUDDY_NONE. */
uint64_t buddy_next(const struct buddy *b, uint64_t pfn);

#endif
