// SPDX-License-Identifier: Apache-2.0
/* buddy: allocation, merging and its boundaries, set up through mm_init. */
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/mm.h"
#include "../common/testlib.h"
#include "mm_fixture.h"

static struct plan plan;
static struct mm mm;

#define BASE 0x40000000ull

/* Every block in the free lists: aligned, free heap pages, inside a bank. */
static uint64_t walk_free_lists(void)
{
	uint64_t total = 0;
	for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++) {
		for (uint64_t p = buddy_first(&mm.buddy, o); p != BUDDY_NONE;
		     p = buddy_next(&mm.buddy, p)) {
			CHECK_EQ(p & ((1ull << o) - 1), 0);
			int bank = pgstate_bank(&mm.ps, p);
			CHECK(bank >= 0);
			CHECK_EQ(pgstate_bank(&mm.ps, p + (1ull << o) - 1), bank);
			for (uint64_t q = p; q < p + (1ull << o);) {
				struct page_state st;
				CHECK(pgstate_get(&mm.ps, q, &st));
				CHECK_EQ(st.state, PG_FREE);
				CHECK_EQ(st.flags, PG_HEAP);
				q = st.pfn + st.count;
			}
			total += 1ull << o;
		}
	}
	return total;
}

TEST(buddy_gets_all_unclaimed_ram_and_merges_fully)
{
	fx_reset(&plan);
	fx_ram(&plan, BASE, 64 * MiB);
	CHECK_EQ(mm_init(&mm, &plan), 0);
	uint64_t heap = mm.buddy.free_pages;
	CHECK_EQ(heap + mm.meta_pages, 64 * MiB / PAGE_SIZE);
	CHECK_EQ(walk_free_lists(), heap);
	/* Take every page one by one, then give them back in address order. */
	static uint64_t got[16384];
	uint64_t n = 0, p;
	while (buddy_alloc(&mm.buddy, 0, PG_OWNER_HV, &p) == 0)
		got[n++] = p;
	CHECK_EQ(n, heap);
	CHECK_EQ(mm.buddy.free_pages, 0);
	for (uint64_t i = 0; i < n; i++)
		for (uint64_t j = i; j > 0 && got[j - 1] > got[j]; j--) {
			uint64_t t = got[j];
			got[j] = got[j - 1];
			got[j - 1] = t;
		}
	for (uint64_t i = 0; i < n; i++)
		CHECK_EQ(mm_free_pages(&mm, pa_init(got[i] << PAGE_SHIFT), 0), 0);
	CHECK_EQ(mm.buddy.free_pages, heap);
	CHECK_EQ(walk_free_lists(), heap);
	/* Fully merged: 16 MiB (order 12) blocks are back where the heap allows. */
	CHECK(buddy_first(&mm.buddy, 12) != BUDDY_NONE);
	CHECK(pgstate_check(&mm.ps));
}

TEST(buddy_never_merges_across_a_bank_boundary)
{
	fx_reset(&plan);
	/* Two contiguous 2 MiB banks: one 4 MiB block would span both. */
	fx_ram(&plan, BASE, 2 * MiB);
	fx_ram(&plan, BASE + 2 * MiB, 2 * MiB);
	fx_ram(&plan, BASE + 64 * MiB, 4 * MiB); /* holds the page-state table */
	CHECK_EQ(mm_init(&mm, &plan), 0);
	CHECK_EQ(buddy_first(&mm.buddy, 10), BUDDY_NONE); /* no 4 MiB block */
	uint64_t p, q;
	CHECK_EQ(buddy_alloc(&mm.buddy, 9, PG_OWNER_HV, &p), 0);
	CHECK_EQ(buddy_alloc(&mm.buddy, 9, PG_OWNER_HV, &q), 0);
	CHECK_EQ(mm_free_pages(&mm, pa_init(p << PAGE_SHIFT), 9), 0);
	CHECK_EQ(mm_free_pages(&mm, pa_init(q << PAGE_SHIFT), 9), 0);
	CHECK_EQ(buddy_first(&mm.buddy, 10), BUDDY_NONE);
	walk_free_lists();
}

TEST(q1_buddy_never_merges_across_or_returns_a_static_page)
{
	fx_reset(&plan);
	fx_ram(&plan, BASE, 8 * MiB);
	struct plan_domain *d = fx_domain(&plan, "domU1", 0, false);
	fx_bank(d, BASE + 4 * MiB + 5 * PAGE_SIZE, PAGE_SIZE); /* one static page */
	CHECK_EQ(mm_init(&mm, &plan), 0);
	uint64_t spfn = (BASE + 4 * MiB + 5 * PAGE_SIZE) >> PAGE_SHIFT, p;
	walk_free_lists();
	while (buddy_alloc(&mm.buddy, 0, PG_OWNER_HV, &p) == 0)
		CHECK(p != spfn);
	struct page_state st;
	CHECK(pgstate_get(&mm.ps, spfn, &st));
	CHECK_EQ(st.state, PG_FREE);
	CHECK_EQ(st.flags, PG_STATIC | PG_NEEDS_SCRUB);
	CHECK_EQ(st.owner, 1); /* domain 1 */
	/* The buddy refuses a static page outright. */
	CHECK_EQ(buddy_free_range(&mm.buddy, spfn, 1, false), -HV_EINVAL);
}

TEST(buddy_ignores_a_forged_header_in_an_owned_page)
{
	fx_reset(&plan);
	fx_ram(&plan, BASE, 8 * MiB);
	CHECK_EQ(mm_init(&mm, &plan), 0);
	uint64_t a;
	CHECK_EQ(buddy_alloc(&mm.buddy, 1, 3, &a), 0); /* two pages of a guest */
	/* The guest writes what looks like a listed free header... */
	uint64_t *g = arch_phys_to_virt(pa_init(a << PAGE_SHIFT));
	g[0] = 0x6275646479667265ull;
	g[1] = 1ull << 32; /* order 0, listed */
	/* ...then gives back the page next to it. */
	CHECK_EQ(mm_release(&mm, 3, a + 1, 1, false), 0);
	struct page_state st;
	CHECK(pgstate_get(&mm.ps, a, &st));
	CHECK_EQ(st.state, PG_INUSE);
	CHECK_EQ(st.owner, 3);
	uint64_t p;
	while (buddy_alloc(&mm.buddy, 0, PG_OWNER_HV, &p) == 0)
		CHECK(p != a);
}

TEST(buddy_random_alloc_free_matches_oracle)
{
	fx_reset(&plan);
	fx_ram(&plan, BASE, 16 * MiB);
	CHECK_EQ(mm_init(&mm, &plan), 0);
	uint64_t base = BASE >> PAGE_SHIFT, heap = mm.buddy.free_pages;
	static uint8_t used[4096];
	static struct {
		uint64_t pfn;
		unsigned int order;
	} live[2000];
	unsigned int nlive = 0, enomem = 0;
	memset(used, 0, sizeof(used));
	srand(11);
	for (int step = 0; step < 20000; step++) {
		if (nlive < 2000 && rand() % 2) {
			unsigned int o = (unsigned int)(rand() % 6);
			uint64_t p;
			if (buddy_alloc(&mm.buddy, o, PG_OWNER_HV, &p))
				continue;
			CHECK_EQ(p & ((1ull << o) - 1), 0);
			for (uint64_t q = p; q < p + (1ull << o); q++) {
				CHECK_EQ(used[q - base], 0);
				used[q - base] = 1;
			}
			live[nlive].pfn = p;
			live[nlive++].order = o;
		} else if (nlive) {
			unsigned int i = (unsigned int)rand() % nlive;
			int rc =
			    mm_free_pages(&mm, pa_init(live[i].pfn << PAGE_SHIFT), live[i].order);
			if (rc == -HV_ENOMEM) { /* page-state table full: nothing changed */
				struct page_state st;
				CHECK(pgstate_get(&mm.ps, live[i].pfn, &st));
				CHECK_EQ(st.state, PG_INUSE);
				enomem++;
				continue;
			}
			CHECK_EQ(rc, 0);
			for (uint64_t q = live[i].pfn; q < live[i].pfn + (1ull << live[i].order);
			     q++)
				used[q - base] = 0;
			live[i] = live[--nlive];
		}
	}
	CHECK(enomem > 0); /* the test did reach a full table */
	/* In address order, freeing never needs room. */
	for (unsigned int i = 0; i < nlive; i++)
		for (unsigned int j = i; j > 0 && live[j - 1].pfn > live[j].pfn; j--) {
			__typeof__(live[0]) t = live[j];
			live[j] = live[j - 1];
			live[j - 1] = t;
		}
	for (unsigned int i = 0; i < nlive; i++)
		CHECK_EQ(mm_free_pages(&mm, pa_init(live[i].pfn << PAGE_SHIFT), live[i].order), 0);
	CHECK_EQ(mm.buddy.free_pages, heap);
	CHECK_EQ(walk_free_lists(), heap);
	CHECK(pgstate_check(&mm.ps));
	/* Freeing what is not allocated is refused. */
	CHECK_EQ(mm_free_pages(&mm, pa_init(BASE), 0), -HV_EINVAL);
}

int main(void)
{
	RUN(buddy_gets_all_unclaimed_ram_and_merges_fully);
	RUN(buddy_never_merges_across_a_bank_boundary);
	RUN(q1_buddy_never_merges_across_or_returns_a_static_page);
	RUN(buddy_ignores_a_forged_header_in_an_owned_page);
	RUN(buddy_random_alloc_free_matches_oracle);
	return tl_finish();
}
