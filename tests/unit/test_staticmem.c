// SPDX-License-Identifier: Apache-2.0
/* staticmem and mm_init: carving, reserves, acquire checks, the free path. */
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/mm.h"
#include "../../hv/core/staticmem.h"
#include "../common/testlib.h"
#include "mm_fixture.h"

static struct plan plan;
static struct mm mm;

#define BASE   0x40000000ull
#define PFN(a) ((a) >> PAGE_SHIFT)

/* RAM 64 MiB; domU1 static 8 MiB at +16 MiB in two banks; domU2 heap. */
static void two_domains(void)
{
	fx_reset(&plan);
	fx_ram(&plan, BASE, 64 * MiB);
	plan.hv_image = (struct plan_range){BASE + 2 * MiB, 2 * MiB};
	plan.dtb = (struct plan_range){BASE + 8 * MiB, 0x1800};
	struct plan_domain *d1 = fx_domain(&plan, "domU1", 0, true);
	fx_bank(d1, BASE + 16 * MiB, 4 * MiB);
	fx_bank(d1, BASE + 24 * MiB, 4 * MiB);
	d1->nr_modules = 1;
	d1->modules[0].range = (struct plan_range){BASE + 40 * MiB, 3 * MiB + 5};
	fx_domain(&plan, "domU2", 16 * 1024, false);
}

static struct page_state at(uint64_t addr)
{
	struct page_state st = {0};
	CHECK(pgstate_get(&mm.ps, PFN(addr), &st));
	return st;
}

TEST(q1_static_memory_is_carved_before_the_boot_allocator)
{
	two_domains();
	CHECK_EQ(mm_init(&mm, &plan), 0);
	CHECK(pgstate_check(&mm.ps));
	/* Static, image, DTB and module are not heap; the table is not in them. */
	CHECK_EQ(at(BASE + 16 * MiB).flags, PG_STATIC | PG_NEEDS_SCRUB);
	CHECK_EQ(at(BASE + 16 * MiB).state, PG_FREE);
	CHECK_EQ(at(BASE + 16 * MiB).owner, 1);
	CHECK_EQ(at(BASE + 2 * MiB).state, PG_UNUSABLE);
	CHECK_EQ(at(BASE + 8 * MiB + 0x1000).state, PG_UNUSABLE);
	CHECK_EQ(at(BASE + 43 * MiB).state, PG_UNUSABLE); /* module's last partial page */
	CHECK(mm.meta_pfn + mm.meta_pages <= PFN(BASE + 64 * MiB));
	for (uint64_t p = mm.meta_pfn; p < mm.meta_pfn + mm.meta_pages; p++) {
		struct page_state st;
		CHECK(pgstate_get(&mm.ps, p, &st));
		CHECK_EQ(st.owner, PG_OWNER_HV);
		CHECK_EQ(st.flags, PG_HEAP);
	}
	/* Heap = RAM - static - image - DTB - module. */
	uint64_t heap = 64 * MiB - 8 * MiB - 2 * MiB - 2 * PAGE_SIZE - (3 * MiB + PAGE_SIZE);
	CHECK_EQ(mm.buddy.free_pages + mm.meta_pages, heap / PAGE_SIZE);
}

static void expect_refused(int want, const char *needle)
{
	int rc = mm_init(&mm, &plan);
	CHECK_EQ(rc, want);
	if (rc != want)
		printf("  expected refusal: %s\n", needle);
	CHECK(strstr(mm.error, needle) != NULL);
	if (strstr(mm.error, needle) == NULL)
		printf("  error was: %s\n", mm.error);
}

TEST(mm_init_refuses_static_memory_claimed_twice_or_overlapping)
{
	two_domains();
	fx_bank(&plan.domains[1], BASE + 26 * MiB, 2 * MiB); /* inside domU1's bank 1 */
	expect_refused(-HV_EEXIST, "xen,static-mem bank");
	CHECK(strstr(mm.error, "claimed twice") != NULL);

	two_domains();
	fx_bank(&plan.domains[0], BASE + 17 * MiB, PAGE_SIZE); /* its own bank again */
	expect_refused(-HV_EEXIST, "claimed twice");

	two_domains();
	fx_bank(&plan.domains[1], BASE + 3 * MiB, 2 * MiB);
	expect_refused(-HV_EEXIST, "the hypervisor image");

	two_domains();
	fx_bank(&plan.domains[1], BASE + 8 * MiB, 2 * MiB);
	expect_refused(-HV_EEXIST, "the device tree blob");

	two_domains();
	fx_bank(&plan.domains[1], BASE + 42 * MiB, 2 * MiB);
	expect_refused(-HV_EEXIST, "a boot module");

	two_domains();
	plan.reserved[plan.nr_reserved++].range = (struct plan_range){BASE + 30 * MiB, 8 * MiB};
	fx_bank(&plan.domains[1], BASE + 32 * MiB, 2 * MiB);
	expect_refused(-HV_EEXIST, "reserved memory");

	two_domains();
	plan.has_static_heap = true;
	plan.heap[plan.nr_heap++] = (struct plan_range){BASE + 19 * MiB, 2 * MiB};
	expect_refused(-HV_EEXIST, "the static heap");

	two_domains();
	fx_bank(&plan.domains[1], BASE + 32 * MiB + 0x800, 2 * MiB);
	expect_refused(-HV_EINVAL, "not page-aligned");

	two_domains();
	fx_bank(&plan.domains[1], BASE + 63 * MiB, 2 * MiB); /* runs off RAM */
	expect_refused(-HV_EINVAL, "xen,static-mem bank 0");
}

TEST(q6_static_heap_alone_feeds_the_heap)
{
	two_domains();
	plan.has_static_heap = true;
	plan.heap[plan.nr_heap++] = (struct plan_range){BASE + 48 * MiB, 8 * MiB};
	CHECK_EQ(mm_init(&mm, &plan), 0);
	CHECK_EQ(mm.buddy.free_pages + mm.meta_pages, 8 * MiB / PAGE_SIZE);
	/* RAM that is neither static nor heap stays unused. */
	CHECK_EQ(at(BASE + 32 * MiB).state, PG_UNUSABLE);
	CHECK_EQ(at(BASE).state, PG_UNUSABLE);
	uint64_t p;
	while (buddy_alloc(&mm.buddy, 0, PG_OWNER_HV, &p) == 0)
		CHECK(p >= PFN(BASE + 48 * MiB) && p < PFN(BASE + 56 * MiB));
	CHECK(mm.meta_pfn >= PFN(BASE + 48 * MiB));
}

static bool table_equal(const struct page_state *copy, uint32_t n)
{
	return n == mm.ps.nr && memcmp(copy, mm.ps.ext, n * sizeof(*copy)) == 0;
}

TEST(q2_marker_routes_the_free_and_the_owner_names_the_domain)
{
	two_domains();
	CHECK_EQ(mm_init(&mm, &plan), 0);
	uint64_t p = PFN(BASE + 24 * MiB), buddy = mm.buddy.free_pages;
	CHECK_EQ(staticmem_acquire(&mm.ps, 1, p, 16, true), 0);
	/* The free path is not told where the pages came from: the marker decides. */
	CHECK_EQ(mm_release(&mm, 1, p, 16, false), 0);
	CHECK_EQ(mm.buddy.free_pages, buddy);
	CHECK_EQ(at(BASE + 24 * MiB).flags & PG_STATIC, PG_STATIC);
	/* The marker alone does not say whose: the owner (domain id) does. */
	CHECK_EQ(staticmem_acquire(&mm.ps, 2, p, 16, true), -HV_EPERM);
	CHECK_EQ(staticmem_acquire(&mm.ps, 1, p, 16, true), 0);
}

TEST(q4_acquire_checks_every_page_and_changes_nothing_on_failure)
{
	two_domains();
	CHECK_EQ(mm_init(&mm, &plan), 0);
	static struct page_state copy[4096];
	uint32_t n = mm.ps.nr;
	memcpy(copy, mm.ps.ext, n * sizeof(*copy));
	uint64_t b0 = PFN(BASE + 16 * MiB), cnt = PFN(4 * MiB);
	/* Another domain's memory. */
	CHECK_EQ(staticmem_acquire(&mm.ps, 2, b0, cnt, true), -HV_EPERM);
	/* A range that runs into the heap (not static). */
	CHECK_EQ(staticmem_acquire(&mm.ps, 1, b0 + cnt - 1, 2, true), -HV_EPERM);
	/* Not RAM. */
	CHECK_EQ(staticmem_acquire(&mm.ps, 1, PFN(BASE + 64 * MiB), 1, true), -HV_EINVAL);
	CHECK(table_equal(copy, n));

	/* A referenced page in the middle. */
	struct page_state st = at(BASE + 18 * MiB);
	st.refcount = 1;
	CHECK_EQ(pgstate_set(&mm.ps, PFN(BASE + 18 * MiB), 1, &st, 0, false), 0);
	memcpy(copy, mm.ps.ext, mm.ps.nr * sizeof(*copy));
	n = mm.ps.nr;
	CHECK_EQ(staticmem_acquire(&mm.ps, 1, b0, cnt, true), -HV_EBUSY);
	CHECK(table_equal(copy, n));
	st.refcount = 0;
	st.flags |= 0x80; /* an unknown flag */
	CHECK_EQ(pgstate_set(&mm.ps, PFN(BASE + 18 * MiB), 1, &st, 0, false), 0);
	CHECK_EQ(staticmem_acquire(&mm.ps, 1, b0, cnt, true), -HV_EINVAL);
	st.flags = PG_STATIC;
	CHECK_EQ(pgstate_set(&mm.ps, PFN(BASE + 18 * MiB), 1, &st, 0, false), 0);

	/* In use already: the second acquire fails. */
	CHECK_EQ(staticmem_acquire(&mm.ps, 1, b0, cnt, true), 0);
	CHECK_EQ(staticmem_acquire(&mm.ps, 1, b0, 1, true), -HV_EBUSY);
	CHECK(pgstate_check(&mm.ps));
}

TEST(q8_release_sends_static_to_reserve_and_heap_to_buddy)
{
	two_domains();
	CHECK_EQ(mm_init(&mm, &plan), 0);
	uint64_t b0 = PFN(BASE + 16 * MiB), cnt = PFN(4 * MiB);
	CHECK_EQ(staticmem_acquire(&mm.ps, 1, b0, cnt, true), 0);
	uint64_t buddy_before = mm.buddy.free_pages;
	uint64_t resv_before = staticmem_reserve_pages(&mm.ps, 1);
	CHECK_EQ(mm_release(&mm, 1, b0 + 10, 5, false), 0);
	CHECK_EQ(mm.buddy.free_pages, buddy_before);
	CHECK_EQ(staticmem_reserve_pages(&mm.ps, 1), resv_before + 5);
	struct page_state st;
	CHECK(pgstate_get(&mm.ps, b0 + 12, &st));
	CHECK_EQ(st.state, PG_FREE);
	CHECK_EQ(st.flags, PG_STATIC | PG_NEEDS_SCRUB);
	CHECK_EQ(st.owner, 1);
	/* Releasing again, or for another owner, is refused. */
	CHECK_EQ(mm_release(&mm, 1, b0 + 10, 1, false), -HV_EINVAL);
	CHECK_EQ(mm_release(&mm, 2, b0 + 20, 1, false), -HV_EINVAL);
	/* A heap page of domain 1: scrubbed, then to the buddy. */
	uint64_t h;
	CHECK_EQ(mm_alloc_guest_pages(&mm, 1, 2, &h), 0);
	memset(arch_phys_to_virt(pa_init(h << PAGE_SHIFT)), 0xa5, 4 * PAGE_SIZE);
	buddy_before = mm.buddy.free_pages;
	uint64_t scrubbed = host_scrubbed_bytes;
	CHECK_EQ(mm_release(&mm, 1, h, 4, false), 0);
	CHECK_EQ(mm.buddy.free_pages, buddy_before + 4);
	CHECK_EQ(host_scrubbed_bytes - scrubbed, 4 * PAGE_SIZE);
	const uint8_t *m = arch_phys_to_virt(pa_init((h + 1) << PAGE_SHIFT));
	CHECK(m[0] == 0 && m[PAGE_SIZE - 1] == 0);
}

TEST(q12_reacquired_static_pages_are_zero)
{
	two_domains();
	CHECK_EQ(mm_init(&mm, &plan), 0);
	uint64_t b0 = PFN(BASE + 24 * MiB), cnt = PFN(4 * MiB);
	uint8_t *m = arch_phys_to_virt(pa_init(b0 << PAGE_SHIFT));
	memset(m, 0x5a, 4 * MiB); /* left over from the last boot */
	CHECK_EQ(staticmem_acquire(&mm.ps, 1, b0, cnt, true), 0);
	CHECK(m[0] == 0 && m[4 * MiB - 1] == 0);
	memset(m, 0x77, 4 * MiB); /* the guest's secrets */
	CHECK_EQ(mm_release(&mm, 1, b0, cnt, false), 0);
	/* Deferred: acquire without scrub keeps the mark; scrub clears it. */
	CHECK_EQ(staticmem_acquire(&mm.ps, 1, b0, cnt, false), 0);
	CHECK_EQ(at(BASE + 24 * MiB).flags, PG_STATIC | PG_NEEDS_SCRUB);
	CHECK_EQ(staticmem_scrub(&mm.ps, b0, cnt), 0);
	CHECK_EQ(at(BASE + 24 * MiB).flags, PG_STATIC);
	CHECK(m[0] == 0 && m[12345] == 0 && m[4 * MiB - 1] == 0);
	CHECK(pgstate_check(&mm.ps));
}

TEST(staticmem_find_free_spans_extents_of_one_domain)
{
	two_domains();
	CHECK_EQ(mm_init(&mm, &plan), 0);
	uint64_t b0 = PFN(BASE + 16 * MiB), p;
	CHECK_EQ(staticmem_acquire(&mm.ps, 1, b0, 512, false), 0);
	CHECK_EQ(staticmem_scrub(&mm.ps, b0 + 3, 2), 0);
	CHECK_EQ(staticmem_scrub(&mm.ps, PFN(BASE + 25 * MiB), 7), 0); /* splits the extent */
	CHECK(staticmem_find_free(&mm.ps, 1, 1024, &p));               /* the second bank, whole */
	CHECK_EQ(p, PFN(BASE + 24 * MiB));
	CHECK(!staticmem_find_free(&mm.ps, 1, 1025, &p));
	CHECK(!staticmem_find_free(&mm.ps, 2, 1, &p));
	CHECK_EQ(mm_release(&mm, 1, b0 + 100, 2, false), 0);
	CHECK(staticmem_find_free(&mm.ps, 1, 2, &p));
	CHECK_EQ(p, b0 + 100);
}

TEST(metadata_is_at_most_64_kib_per_gib_of_static_memory)
{
	fx_reset(&plan);
	fx_ram_nomap(&plan, BASE, 4 * GiB);
	host_ram_add(BASE + 4 * GiB - 64 * MiB, 64 * MiB); /* where the table goes */
	plan.has_static_heap = true;
	plan.heap[plan.nr_heap++] = (struct plan_range){BASE + 4 * GiB - 64 * MiB, 64 * MiB};
	struct plan_domain *d = fx_domain(&plan, "big", 0, true);
	fx_bank(d, BASE, 3 * GiB);
	CHECK_EQ(mm_init(&mm, &plan), 0);
	CHECK(mm_metadata_bytes(&mm) <= 3 * 64 * KiB);
}

int main(void)
{
	RUN(q1_static_memory_is_carved_before_the_boot_allocator);
	RUN(mm_init_refuses_static_memory_claimed_twice_or_overlapping);
	RUN(q6_static_heap_alone_feeds_the_heap);
	RUN(q2_marker_routes_the_free_and_the_owner_names_the_domain);
	RUN(q4_acquire_checks_every_page_and_changes_nothing_on_failure);
	RUN(q8_release_sends_static_to_reserve_and_heap_to_buddy);
	RUN(q12_reacquired_static_pages_are_zero);
	RUN(staticmem_find_free_spans_extents_of_one_domain);
	RUN(metadata_is_at_most_64_kib_per_gib_of_static_memory);
	return tl_finish();
}
