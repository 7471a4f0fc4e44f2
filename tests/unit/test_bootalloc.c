// SPDX-License-Identifier: Apache-2.0
/* bootalloc: carving and allocation against a per-page oracle. */
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/bootalloc.h"
#include "../../hv/core/errno.h"
#include "../common/testlib.h"

static struct bootalloc b;

TEST(bootalloc_carve_splits_and_trims)
{
	bootalloc_init(&b);
	CHECK_EQ(bootalloc_add(&b, 100, 100), 0);
	CHECK_EQ(bootalloc_add(&b, 150, 10), -HV_EINVAL); /* overlaps */
	CHECK_EQ(bootalloc_carve(&b, 120, 10), 0);        /* hole */
	CHECK_EQ(bootalloc_carve(&b, 90, 15), 0);         /* front */
	CHECK_EQ(bootalloc_carve(&b, 190, 50), 0);        /* tail */
	CHECK_EQ(b.nr, 2);
	CHECK_EQ(b.free[0].pfn, 105);
	CHECK_EQ(b.free[0].count, 15);
	CHECK_EQ(b.free[1].pfn, 130);
	CHECK_EQ(b.free[1].count, 60);
	CHECK_EQ(bootalloc_free_pages(&b), 75);
}

TEST(bootalloc_allocates_aligned_from_the_top)
{
	bootalloc_init(&b);
	CHECK_EQ(bootalloc_add(&b, 100, 100), 0);
	uint64_t p;
	CHECK_EQ(bootalloc_alloc(&b, 10, 16, &p), 0);
	CHECK_EQ(p, 176); /* highest 16-aligned start with 10 pages below 200 */
	CHECK_EQ(bootalloc_free_pages(&b), 90);
	CHECK_EQ(bootalloc_alloc(&b, 1000, 1, &p), -HV_ENOMEM);
	CHECK_EQ(bootalloc_alloc(&b, 1, 3, &p), -HV_EINVAL);
}

TEST(bootalloc_refuses_carving_after_first_allocation)
{
	bootalloc_init(&b);
	CHECK_EQ(bootalloc_add(&b, 0, 64), 0);
	uint64_t p;
	CHECK_EQ(bootalloc_alloc(&b, 1, 1, &p), 0);
	CHECK_EQ(bootalloc_carve(&b, 0, 1), -HV_EINVAL);
	CHECK_EQ(bootalloc_add(&b, 100, 1), -HV_EINVAL);
	bootalloc_retire(&b);
	CHECK_EQ(bootalloc_alloc(&b, 1, 1, &p), -HV_EINVAL);
}

TEST(bootalloc_never_hands_out_carved_or_twice)
{
	static uint8_t state[1024]; /* 0 not given, 1 free, 2 carved, 3 allocated */
	srand(7);
	for (int round = 0; round < 300; round++) {
		bootalloc_init(&b);
		memset(state, 0, sizeof(state));
		for (int i = 0; i < 4; i++) {
			uint64_t s = (uint64_t)i * 256 + (uint64_t)(rand() % 64);
			uint64_t n = 1 + (uint64_t)(rand() % 180);
			CHECK_EQ(bootalloc_add(&b, s, n), 0);
			memset(&state[s], 1, n);
		}
		for (int i = 0; i < 10; i++) {
			uint64_t s = (uint64_t)(rand() % 1000), n = 1 + (uint64_t)(rand() % 24);
			CHECK_EQ(bootalloc_carve(&b, s, n), 0);
			for (uint64_t p = s; p < s + n; p++)
				if (state[p] == 1)
					state[p] = 2;
		}
		uint64_t p;
		for (;;) {
			uint64_t n = 1 + (uint64_t)(rand() % 8), align = 1ull << (rand() % 4);
			if (bootalloc_alloc(&b, n, align, &p))
				break;
			CHECK(p % align == 0);
			for (uint64_t q = p; q < p + n; q++) {
				CHECK_EQ(state[q], 1);
				state[q] = 3;
			}
		}
		uint64_t left = 0;
		for (int q = 0; q < 1024; q++)
			left += state[q] == 1;
		CHECK_EQ(bootalloc_free_pages(&b), left);
	}
}

int main(void)
{
	RUN(bootalloc_carve_splits_and_trims);
	RUN(bootalloc_allocates_aligned_from_the_top);
	RUN(bootalloc_refuses_carving_after_first_allocation);
	RUN(bootalloc_never_hands_out_carved_or_twice);
	return tl_finish();
}
