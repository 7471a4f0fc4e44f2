// SPDX-License-Identifier: Apache-2.0
/* pgstate: the extent table against a per-page oracle. */
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/pgstate.h"
#include "../common/testlib.h"

/* Three banks: two contiguous (a merge must stop between them), one apart. */
static const uint64_t bank_pfn[] = {100, 164, 300};
static const uint64_t bank_cnt[] = {64, 36, 50};
#define NB 3

static struct page_state storage[64];
static struct page_state oracle[400]; /* indexed by pfn */

static bool is_ram(uint64_t pfn)
{
	for (int b = 0; b < NB; b++)
		if (pfn >= bank_pfn[b] && pfn < bank_pfn[b] + bank_cnt[b])
			return true;
	return false;
}

static void init(struct pgstate *ps, uint32_t cap)
{
	CHECK_EQ(pgstate_init(ps, storage, cap, 4, bank_pfn, bank_cnt, NB), 0);
	for (uint64_t p = 0; p < 400; p++)
		oracle[p] = (struct page_state){.owner = PG_OWNER_NONE, .state = PG_UNUSABLE};
}

static bool matches(const struct pgstate *ps)
{
	for (uint64_t p = 0; p < 400; p++) {
		struct page_state st;
		bool got = pgstate_get(ps, p, &st);
		if (got != is_ram(p))
			return false;
		if (got && (st.state != oracle[p].state || st.owner != oracle[p].owner ||
		            st.flags != oracle[p].flags || st.refcount != oracle[p].refcount))
			return false;
	}
	return pgstate_check(ps);
}

TEST(pgstate_random_sets_match_per_page_oracle)
{
	struct pgstate ps;
	srand(1);
	for (int round = 0; round < 200; round++) {
		init(&ps, 64);
		for (int step = 0; step < 100; step++) {
			uint64_t pfn = 90 + (uint64_t)(rand() % 280),
			         count = 1 + (uint64_t)(rand() % 40);
			struct page_state v = {.state = (uint8_t)(rand() % 3),
			                       .owner = (uint16_t)(rand() % 3),
			                       .refcount = (uint32_t)(rand() % 2),
			                       .flags = (uint8_t)(rand() % 8)};
			uint8_t keep = (uint8_t)(rand() % 2 ? PG_NEEDS_SCRUB : 0);
			bool all_ram = true;
			for (uint64_t p = pfn; p < pfn + count; p++)
				all_ram = all_ram && is_ram(p);
			uint32_t before = ps.nr;
			int rc = pgstate_set(&ps, pfn, count, &v, keep, false);
			if (!all_ram) {
				CHECK_EQ(rc, -HV_EINVAL);
			} else if (rc == -HV_ENOMEM) {
				CHECK(before + 2 > ps.cap - ps.spare);
			} else {
				CHECK_EQ(rc, 0);
				for (uint64_t p = pfn; p < pfn + count; p++) {
					uint8_t f = (uint8_t)((oracle[p].flags & keep) | v.flags);
					oracle[p] = v;
					oracle[p].flags = f;
				}
			}
			CHECK(matches(&ps));
		}
	}
}

TEST(pgstate_never_merges_across_contiguous_banks)
{
	struct pgstate ps;
	init(&ps, 64);
	struct page_state v = {.state = PG_FREE, .owner = 1, .flags = PG_HEAP};
	CHECK_EQ(pgstate_set(&ps, 100, 100, &v, 0, false), 0);
	struct page_state a, b;
	CHECK(pgstate_get(&ps, 163, &a));
	CHECK(pgstate_get(&ps, 164, &b));
	CHECK_EQ(a.pfn + a.count, 164);
	CHECK_EQ(b.pfn, 164);
	CHECK(pgstate_check(&ps));
}

TEST(pgstate_full_table_refuses_and_changes_nothing)
{
	struct pgstate ps;
	init(&ps, 12); /* 3 banks + 4 spare: 5 extents of room */
	struct page_state v = {.state = PG_INUSE, .owner = 2, .refcount = 1, .flags = PG_HEAP};
	int rc = 0;
	uint64_t p = 101;
	while ((rc = pgstate_set(&ps, p, 1, &v, 0, false)) == 0)
		p += 2;
	CHECK_EQ(rc, -HV_ENOMEM);
	struct page_state copy[12];
	uint32_t n = ps.nr;
	memcpy(copy, storage, sizeof(copy));
	CHECK_EQ(pgstate_set(&ps, p, 1, &v, 0, false), -HV_ENOMEM);
	CHECK_EQ(ps.nr, n);
	CHECK(memcmp(copy, storage, sizeof(copy)) == 0);
	/* A forced change may use the spare. */
	CHECK_EQ(pgstate_set(&ps, p, 1, &v, 0, true), 0);
	CHECK(pgstate_check(&ps));
}

TEST(pgstate_refuses_holes_and_wrap)
{
	struct pgstate ps;
	init(&ps, 64);
	struct page_state v = {.state = PG_FREE};
	CHECK_EQ(pgstate_set(&ps, 190, 20, &v, 0, false), -HV_EINVAL); /* gap 200..299 */
	CHECK_EQ(pgstate_set(&ps, 100, 0, &v, 0, false), -HV_EINVAL);
	CHECK_EQ(pgstate_set(&ps, UINT64_MAX - 2, 10, &v, 0, false), -HV_EINVAL);
	CHECK_EQ(pgstate_set(&ps, 100, 100, &v, 0, false), 0); /* contiguous banks are fine */
	CHECK(pgstate_check(&ps));
}

int main(void)
{
	RUN(pgstate_random_sets_match_per_page_oracle);
	RUN(pgstate_never_merges_across_contiguous_banks);
	RUN(pgstate_full_table_refuses_and_changes_nothing);
	RUN(pgstate_refuses_holes_and_wrap);
	return tl_finish();
}
