/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A page source for tests: pages of simulated RAM handed out first-fit,
 * with allocation counting, failure injection and poisoning (pages are
 * handed out full of garbage, so a caller that forgets to zero them is
 * caught; freed pages are poisoned again, so a use after free shows).
 * Misuse (double free, wrong order, foreign page) aborts.
 */
#ifndef BULKHEAD_TESTS_TPAGES_H
#define BULKHEAD_TESTS_TPAGES_H

#include "../../hv/core/p2m.h"

struct tpages {
	uint64_t base, npages;
	uint8_t *order_at; /* order of the allocation starting at a page, TP_FREE or TP_INSIDE */
	uint64_t allocs, frees, live; /* calls, calls, pages currently out */
	uint64_t peak;                /* maximum of live */
	long fail_after;              /* allocations left before failing; -1: never */
	uint64_t failures;            /* allocations refused */
	uint64_t untouched;           /* frees of pages never written: taken for nothing */
	uint64_t lowest_free;         /* search hint */
};

/** Simulate RAM at [base, base + npages pages) and serve pages from it. */
void tpages_init(struct tpages *tp, uint64_t base, uint64_t npages);
/** Forget the pool (the simulated RAM stays until host_ram_reset()). */
void tpages_fini(struct tpages *tp);
/** The struct p2m_page_source that draws from @tp. */
struct p2m_page_source tpages_source(struct tpages *tp);
/** Whether @pa is the first page of a live allocation. */
bool tpages_is_live(const struct tpages *tp, uint64_t pa);

#endif
