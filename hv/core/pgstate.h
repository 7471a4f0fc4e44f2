/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Page state of every RAM page, kept as a sorted array of extents.
 *
 * An extent is a run of contiguous pages inside one RAM bank that share
 * state, owner, flags and reference count. A per-page structure would cost
 * megabytes per GiB; extents cost 24 bytes per run, and a domain's static
 * bank is one run, so creating or destroying a domain touches O(extents),
 * never O(pages).
 *
 * The array has a capacity fixed at init (storage from the boot allocator).
 * Each change splits at most two extents; a change that would not fit
 * fails with -HV_ENOMEM before touching anything. A small spare part of the
 * capacity is kept for paths that must not fail (domain destroy).
 */
#ifndef BULKHEAD_CORE_PGSTATE_H
#define BULKHEAD_CORE_PGSTATE_H

#include "types.h"

enum pg_state {
	PG_FREE = 0,     /* in the buddy (heap) or in a domain's reserve (static) */
	PG_INUSE = 1,    /* owned by a domain or by the hypervisor */
	PG_UNUSABLE = 2, /* RAM no allocator may use: image, DTB, reserved, modules, unused */
};

/*
 * Flags.
 *
 * Q2, why a marker, whose page: no allocator ever sees a static page, yet the marker is needed
 * because the free paths are shared: a page leaving a domain (balloon
 * out, remove_from_physmap, destroy) comes through mm_release(), which
 * must tell where it goes without knowing where it came from. PG_STATIC
 * says "back to a reserve, never the buddy"; which reserve is said by the
 * owner field (the domain id), not by the marker.
 */
#define PG_STATIC      0x01u /* static memory (Xen's PGC_static): never in any allocator */
#define PG_NEEDS_SCRUB 0x02u /* content of a previous user may remain: zero before use */
#define PG_HEAP        0x04u /* belongs to the heap pool (boot allocator, then buddy) */

/* Owners. A domain owner is its domain id (1.., plan order). */
#define PG_OWNER_NONE 0xffffu
#define PG_OWNER_HV   0xfffeu

/** One extent: pages [pfn, pfn+count) in the same state. */
struct page_state {
	uint64_t pfn;
	uint64_t count;
	uint32_t refcount;
	/*
	 * For a static page: the domain it is bound to, whether free (in the
	 * domain's reserve) or in use. For a heap page: the user, or NONE.
	 */
	uint16_t owner;
	uint8_t state; /* enum pg_state */
	uint8_t flags; /* PG_* */
};

#define PGSTATE_MAX_BANKS 16

/*
 * Owners 1..PGSTATE_MAX_OWNERS (domain ids) may have an extent budget:
 * how many extents they may own. A static domain's ballooning splits only
 * its own extents (free and in use are both owned by it), so with each
 * budget within the capacity no domain can fill the table for another.
 */
#define PGSTATE_MAX_OWNERS 16

struct pgstate {
	struct page_state *ext;
	uint32_t nr, cap;
	uint32_t spare;                          /* extents only 'force' changes may use */
	uint32_t owned[PGSTATE_MAX_OWNERS + 1];  /* extents each domain owns */
	uint32_t budget[PGSTATE_MAX_OWNERS + 1]; /* most it may own; 0: no budget */
	unsigned int nr_banks;
	struct {
		uint64_t pfn, count;
	} banks[PGSTATE_MAX_BANKS]; /* RAM banks, sorted */
};

/**
 * pgstate_init() - cover every RAM bank with one PG_UNUSABLE extent.
 * @ps:       the table.
 * @storage:  room for @cap extents.
 * @cap:      capacity; at least @nr_banks + @spare.
 * @spare:    capacity reserved for forced changes.
 * @pfns:     first page of each bank, sorted, banks disjoint.
 * @counts:   pages in each bank.
 * @nr_banks: at most PGSTATE_MAX_BANKS.
 * Return: 0 or -HV_EINVAL.
 */
int pgstate_init(struct pgstate *ps, struct page_state *storage, uint32_t cap, uint32_t spare,
                 const uint64_t *pfns, const uint64_t *counts, unsigned int nr_banks);

/**
 * pgstate_set() - give pages [pfn, pfn+count) the state, owner, refcount
 * and flags of @val (its pfn and count are ignored).
 * @keep:  flags kept from the current state of each page (OR-ed with @val's).
 * @force: may use the spare capacity, and no extent budget applies.
 *
 * The range must be RAM. Neighbours with equal state are merged.
 * Return: 0, -HV_EINVAL (not RAM, empty or wrapping), -HV_ENOMEM (no room,
 * or the domain it is done for, @val's owner or else the range's, would
 * own more extents than its budget; nothing changed).
 */
int pgstate_set(struct pgstate *ps, uint64_t pfn, uint64_t count, const struct page_state *val,
                uint8_t keep, bool force);

/**
 * pgstate_get() - the extent that holds @pfn.
 * Return: false if @pfn is not RAM.
 */
bool pgstate_get(const struct pgstate *ps, uint64_t pfn, struct page_state *out);

/** pgstate_index() - index of the extent holding @pfn, or -1. */
long pgstate_index(const struct pgstate *ps, uint64_t pfn);

/** pgstate_room() - extents a non-forced change may still add. */
uint32_t pgstate_room(const struct pgstate *ps);

/**
 * pgstate_set_budget() - domain @owner (1..PGSTATE_MAX_OWNERS) may own at
 * most @extents extents after non-forced changes (0: no limit).
 */
void pgstate_set_budget(struct pgstate *ps, uint16_t owner, uint32_t extents);

/**
 * pgstate_owner_room() - extents domain @owner may still add within its
 * budget and the table's room.
 */
uint32_t pgstate_owner_room(const struct pgstate *ps, uint16_t owner);

/** pgstate_bank() - index of the RAM bank holding @pfn, or -1. */
int pgstate_bank(const struct pgstate *ps, uint64_t pfn);

/**
 * pgstate_check() - internal consistency (sorted, inside banks, covering
 * all RAM, no mergeable neighbours). Return: true when consistent.
 */
bool pgstate_check(const struct pgstate *ps);

#endif
