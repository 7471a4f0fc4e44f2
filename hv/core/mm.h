/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The memory core: the page-state table, the boot allocator and the buddy
 * heap, set up from the boot plan, and the one function every free goes
 * through.
 *
 * mm_init() carves every domain's static memory (and the image, the DTB,
 * reserved memory and boot modules) out of RAM before the boot allocator
 * starts; the boot allocator holds the page-state table; what it has left
 * goes to the buddy.
 */
#ifndef BULKHEAD_CORE_MM_H
#define BULKHEAD_CORE_MM_H

#include "bootalloc.h"
#include "buddy.h"
#include "pgstate.h"
#include "plan.h"

/* Spare page-state extents for changes that must not fail (destroy). */
#define MM_PGSTATE_SPARE (2 * PLAN_MAX_STATIC_BANKS + 8)
/*
 * Page-state capacity beyond the initial map: one extent per this many
 * static pages (24 KiB per GiB) and per this many heap pages (48 KiB per
 * GiB: heap pages change hands one by one, static ones by bank).
 */
#define MM_STATIC_PAGES_PER_EXTENT 256
#define MM_HEAP_PAGES_PER_EXTENT   128
/* Extents a static domain may own beyond its banks and its share above. */
#define MM_DOMAIN_EXTENTS_BASE 8

struct mm {
	const struct plan *plan;
	struct pgstate ps;
	struct bootalloc boot;
	struct buddy buddy;
	uint64_t meta_pfn, meta_pages; /* where the page-state table lives */
	/*
	 * Heap pages promised to domains for their stage-2 tables and not in
	 * use (each domain's budget, see dommem): other allocations leave
	 * them in the buddy, so a domain's tables can always be rebuilt.
	 */
	uint64_t reserved_pages;
	char error[PLAN_MESSAGE_MAX]; /* why mm_init() failed */
};

/**
 * mm_init() - set up the memory core from a validated plan.
 * @mm:   the core's state; the hypervisor keeps one for its lifetime.
 * @plan: must outlive @mm (domains are re-created from it).
 *
 * Checks again, defensively, what plan_build() already checked: static
 * banks page aligned, inside one RAM bank, claimed once, clear of the
 * static heap, reserved memory, modules, the image and the DTB. When
 * plan->has_static_heap only plan->heap feeds the heap; otherwise all RAM
 * nothing claims. Static pages start in their domain's reserve, marked
 * PG_NEEDS_SCRUB (their content is whatever the last boot left).
 * Return: 0; -HV_EINVAL or -HV_EEXIST with mm->error naming the DT node
 * and property; -HV_ENOMEM (no room for the page-state table).
 */
int mm_init(struct mm *mm, const struct plan *plan);

/**
 * mm_alloc_pages() - 2^@order pages of hypervisor data from the buddy.
 * Return: 0 and *pa, -HV_EINVAL, -HV_ENOMEM.
 */
int mm_alloc_pages(struct mm *mm, unsigned int order, pa_t *pa);

/**
 * mm_reserve() - promise @pages heap pages to a budget (mm_alloc_reserved_pages()).
 * Return: 0, or -HV_ENOMEM when the heap cannot promise that many.
 */
int mm_reserve(struct mm *mm, uint64_t pages);

/**
 * mm_alloc_reserved_pages() - mm_alloc_pages() from what mm_reserve()
 * promised; the caller accounts its budget. Give the pages back with
 * mm_free_pages() and then mm_unreserve_return() to keep them promised.
 */
int mm_alloc_reserved_pages(struct mm *mm, unsigned int order, pa_t *pa);

/** mm_unreserve_return() - freed pages of a budget are promised again. */
void mm_unreserve_return(struct mm *mm, uint64_t pages);

/** mm_free_pages() - give back what mm_alloc_pages() returned (via mm_release). */
int mm_free_pages(struct mm *mm, pa_t pa, unsigned int order);

/**
 * mm_alloc_guest_pages() - 2^@order zeroed heap pages for domain @domid.
 * Return: 0 and *pfn, -HV_EINVAL, -HV_ENOMEM.
 */
int mm_alloc_guest_pages(struct mm *mm, uint16_t domid, unsigned int order, uint64_t *pfn);

/**
 * mm_release() - free pages [pfn, pfn+count) in use by @owner.
 * @force: may use the page-state spare (destroy must not fail).
 *
 * Q8, where freeing is decided: the one free path. Every page leaving a domain or the hypervisor
 * comes here, and the static marker decides: a PG_STATIC page goes back
 * to its domain's reserve (marked for scrub), never to the buddy; a heap
 * page is scrubbed (if a domain had it) and goes to the buddy.
 * Return: 0, -HV_EINVAL (a page not in use by @owner; nothing changed),
 * -HV_ENOMEM (page-state table full; nothing changed).
 */
int mm_release(struct mm *mm, uint16_t owner, uint64_t pfn, uint64_t count, bool force);

/** mm_metadata_bytes() - memory the core uses to track RAM (table + struct mm). */
uint64_t mm_metadata_bytes(const struct mm *mm);

#endif
