// SPDX-License-Identifier: Apache-2.0
/* memop: Xen memory_op sub-ops as a guest issues them. */
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/guestmem.h"
#include "../../hv/core/memop.h"
#include "../../hv/core/staticmem.h"
#include "../common/testlib.h"
#include "mm_fixture.h"

static struct plan plan;
static struct mm mm;
static struct domain_mem dm[3];

#define BASE   0x40000000ull
#define PFN(a) ((a) >> PAGE_SHIFT)
#define D1     (BASE + 64 * MiB)  /* domU1 static direct-mapped, 16 MiB */
#define D2     (BASE + 128 * MiB) /* domU2 static at GUEST_RAM0, 8 MiB */

static void setup(void)
{
	fx_reset(&plan);
	fx_ram(&plan, BASE, 256 * MiB);
	struct plan_domain *d1 = fx_domain(&plan, "domU1", 0, true);
	fx_bank(d1, D1, 16 * MiB);
	struct plan_domain *d2 = fx_domain(&plan, "domU2", 0, false);
	fx_bank(d2, D2, 8 * MiB);
	fx_domain(&plan, "domU3", 8 * 1024, false);
	memset(dm, 0, sizeof(dm));
	CHECK_EQ(mm_init(&mm, &plan), 0);
	for (unsigned int i = 0; i < 3; i++)
		CHECK_EQ(dommem_create(&dm[i], &mm, &plan.domains[i], i + 1), 0);
}

/* Guest addresses of the argument and the frame list: each domain's first pages. */
static uint64_t arg_ipa(const struct domain_mem *d)
{
	return d->cfg->direct_map ? ipa_addr(d->cfg->banks[0].ipa) : GUEST_RAM0_BASE;
}

static long reservation(struct domain_mem *d, unsigned int op, const uint64_t *gfns, uint64_t nr,
                        uint32_t order, uint32_t flags, uint16_t domid)
{
	uint8_t r[XMR_SIZE] = {0};
	uint64_t list = arg_ipa(d) + PAGE_SIZE;
	memcpy(r + XMR_EXTENT_START, &list, 8);
	memcpy(r + XMR_NR_EXTENTS, &nr, 8);
	memcpy(r + XMR_EXTENT_ORDER, &order, 4);
	memcpy(r + XMR_MEM_FLAGS, &flags, 4);
	memcpy(r + XMR_DOMID, &domid, 2);
	CHECK_EQ(guestmem_write(d, ipa_init(arg_ipa(d)), r, sizeof(r)), 0);
	if (gfns && nr)
		CHECK_EQ(guestmem_write(d, ipa_init(list), gfns, nr * 8), 0);
	return memop_dispatch(d, op, ipa_init(arg_ipa(d)));
}

static long remove_gpfn(struct domain_mem *d, uint64_t gpfn, uint16_t domid)
{
	uint8_t r[XRFP_SIZE] = {0};
	memcpy(r + XRFP_DOMID, &domid, 2);
	memcpy(r + XRFP_GPFN, &gpfn, 8);
	CHECK_EQ(guestmem_write(d, ipa_init(arg_ipa(d)), r, sizeof(r)), 0);
	return memop_dispatch(d, XENMEM_remove_from_physmap, ipa_init(arg_ipa(d)));
}

static long reservation_value(struct domain_mem *d, unsigned int op, uint16_t domid)
{
	CHECK_EQ(guestmem_write(d, ipa_init(arg_ipa(d)), &domid, 2), 0);
	return memop_dispatch(d, op, ipa_init(arg_ipa(d)));
}

static bool mapped(const struct domain_mem *d, uint64_t gfn, uint64_t *pfn)
{
	pa_t pa;
	if (!p2m_lookup(&d->p2m, ipa_init(gfn << PAGE_SHIFT), &pa, NULL))
		return false;
	*pfn = pa_addr(pa) >> PAGE_SHIFT;
	return true;
}

/* No page of any static bank is in the buddy's free lists. */
static bool no_static_in_buddy(void)
{
	for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++)
		for (uint64_t p = buddy_first(&mm.buddy, o); p != BUDDY_NONE;
		     p = buddy_next(&mm.buddy, p))
			for (unsigned int d = 0; d < plan.nr_domains; d++)
				for (unsigned int b = 0;
				     plan.domains[d].is_static && b < plan.domains[d].nr_banks; b++)
					if (ranges_overlap(
					        p, 1ull << o,
					        PFN(pa_addr(plan.domains[d].banks[b].pa)),
					        PFN(plan.domains[d].banks[b].size)))
						return false;
	return true;
}

TEST(q8_balloon_out_static_goes_to_reserve)
{
	setup();
	uint64_t g[4] = {PFN(D1) + 100, PFN(D1) + 101, PFN(D1) + 300, PFN(D1) + 511};
	uint64_t pfn;
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation, g, 4, 0, 0, DOMID_SELF), 4);
	for (int i = 0; i < 4; i++) {
		CHECK(!mapped(&dm[0], g[i], &pfn));
		struct page_state st;
		CHECK(pgstate_get(&mm.ps, g[i], &st));
		CHECK_EQ(st.state, PG_FREE);
		CHECK_EQ(st.flags, PG_STATIC | PG_NEEDS_SCRUB);
		CHECK_EQ(st.owner, 1);
	}
	CHECK_EQ(staticmem_reserve_pages(&mm.ps, 1), 4);
	CHECK_EQ(dm[0].tot_pages, PFN(16 * MiB) - 4);
	CHECK(no_static_in_buddy());
	CHECK_EQ(reservation_value(&dm[0], XENMEM_current_reservation, DOMID_SELF),
	         PFN(16 * MiB) - 4);
	CHECK_EQ(reservation_value(&dm[0], XENMEM_maximum_reservation, 1), PFN(16 * MiB));
	/* remove_from_physmap takes the same path. */
	CHECK_EQ(remove_gpfn(&dm[0], PFN(D1) + 7, DOMID_SELF), 0);
	CHECK_EQ(remove_gpfn(&dm[0], PFN(D1) + 7, DOMID_SELF), -HV_ENOENT);
	CHECK_EQ(staticmem_reserve_pages(&mm.ps, 1), 5);
	CHECK(pgstate_check(&mm.ps));
}

TEST(q9a_balloon_in_reuses_the_same_static_page_zeroed)
{
	setup();
	uint64_t gfn = PFN(GUEST_RAM0_BASE) + 1000, before, after;
	CHECK(mapped(&dm[1], gfn, &before));
	memset(arch_phys_to_virt(pa_init(before << PAGE_SHIFT)), 0x99, PAGE_SIZE);
	CHECK_EQ(reservation(&dm[1], XENMEM_decrease_reservation, &gfn, 1, 0, 0, DOMID_SELF), 1);
	CHECK_EQ(reservation(&dm[1], XENMEM_populate_physmap, &gfn, 1, 0, 0, DOMID_SELF), 1);
	CHECK(mapped(&dm[1], gfn, &after));
	CHECK_EQ(after, before);
	const uint8_t *m = arch_phys_to_virt(pa_init(after << PAGE_SHIFT));
	CHECK(m[0] == 0 && m[PAGE_SIZE - 1] == 0);
	/* A 2 MiB extent out and back in, at another (free) guest address. */
	uint64_t g2 = PFN(GUEST_RAM0_BASE) + 1024, g3 = PFN(GUEST_RAM0_BASE) + 4096;
	CHECK_EQ(reservation(&dm[1], XENMEM_decrease_reservation, &g2, 1, 9, 0, DOMID_SELF), 1);
	CHECK_EQ(reservation(&dm[1], XENMEM_populate_physmap, &g3, 1, 9, 0, DOMID_SELF), 1);
	CHECK(mapped(&dm[1], g3 + 511, &after));
	CHECK_EQ(after, PFN(D2) + 1024 + 511);
	CHECK_EQ(dm[1].tot_pages, PFN(8 * MiB));
}

TEST(q9b_static_domain_never_gets_heap_pages)
{
	setup();
	uint64_t buddy = mm.buddy.free_pages;
	uint64_t gfn = PFN(GUEST_RAM0_BASE) + 5000;
	CHECK_EQ(reservation(&dm[1], XENMEM_increase_reservation, &gfn, 1, 0, 0, DOMID_SELF),
	         -HV_EPERM);
	/* Its reserve is empty: populate gets nothing, not a heap page. */
	CHECK_EQ(reservation(&dm[1], XENMEM_populate_physmap, &gfn, 1, 0, 0, DOMID_SELF), 0);
	CHECK_EQ(mm.buddy.free_pages, buddy);
	CHECK_EQ(dm[1].tot_pages, PFN(8 * MiB));
	/* A heap domain is not offered increase_reservation either. */
	CHECK_EQ(reservation(&dm[2], XENMEM_increase_reservation, &gfn, 1, 0, 0, DOMID_SELF),
	         -HV_ENOSYS);
}

TEST(q9b_direct_map_populates_only_gfn_equals_mfn)
{
	setup();
	uint64_t g = PFN(D1) + 2048, other = PFN(BASE + 200 * MiB), pfn;
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation, &g, 1, 0, 0, DOMID_SELF), 1);
	/* Outside its banks: refused even though the reserve has a page. */
	CHECK_EQ(reservation(&dm[0], XENMEM_populate_physmap, &other, 1, 0, 0, DOMID_SELF), 0);
	uint64_t gr0 = PFN(GUEST_RAM0_BASE) + 10;
	CHECK_EQ(reservation(&dm[0], XENMEM_populate_physmap, &gr0, 1, 0, 0, DOMID_SELF), 0);
	/* Another domain's static frame. */
	uint64_t d2 = PFN(D2);
	CHECK_EQ(reservation(&dm[0], XENMEM_populate_physmap, &d2, 1, 0, 0, DOMID_SELF), 0);
	CHECK_EQ(reservation(&dm[0], XENMEM_populate_physmap, &g, 1, 0, 0, DOMID_SELF), 1);
	CHECK(mapped(&dm[0], g, &pfn));
	CHECK_EQ(pfn, g);
	/* Already mapped: the extent fails. */
	CHECK_EQ(reservation(&dm[0], XENMEM_populate_physmap, &g, 1, 0, 0, DOMID_SELF), 0);
}

TEST(memop_heap_domain_balloons_through_the_buddy)
{
	setup();
	uint64_t gfn = PFN(GUEST_RAM0_BASE) + 17, pfn;
	CHECK(mapped(&dm[2], gfn, &pfn));
	memset(arch_phys_to_virt(pa_init(pfn << PAGE_SHIFT)), 0x33, PAGE_SIZE);
	uint64_t buddy = mm.buddy.free_pages;
	CHECK_EQ(reservation(&dm[2], XENMEM_decrease_reservation, &gfn, 1, 0, 0, DOMID_SELF), 1);
	CHECK(mm.buddy.free_pages >= buddy + 1 - 2); /* page back; a block split may take tables */
	struct page_state st;
	CHECK(pgstate_get(&mm.ps, pfn, &st));
	CHECK_EQ(st.state, PG_FREE);
	CHECK_EQ(st.flags, PG_HEAP);
	const uint8_t *m = arch_phys_to_virt(pa_init(pfn << PAGE_SHIFT));
	CHECK(m[64] == 0 && m[PAGE_SIZE - 1] == 0); /* scrubbed (the header aside) */
	/* Back in: one page, up to the configured size and no further. */
	CHECK_EQ(reservation(&dm[2], XENMEM_populate_physmap, &gfn, 1, 0, 0, DOMID_SELF), 1);
	uint64_t more = PFN(GUEST_RAM1_BASE);
	CHECK_EQ(reservation(&dm[2], XENMEM_populate_physmap, &more, 1, 0, 0, DOMID_SELF), 0);
	CHECK_EQ(dm[2].tot_pages, PFN(8 * MiB));
}

TEST(memop_bad_arguments_change_nothing)
{
	setup();
	/* A device mapping (an emulated UART page) for the pointer check below. */
	CHECK_EQ(p2m_map_range(&dm[0].p2m, ipa_init(GUEST_PL011_BASE), pa_init(0x09000000),
	                       PAGE_SIZE, P2M_DEVICE_RW),
	         0);
	static struct page_state copy[4096];
	uint32_t n = mm.ps.nr;
	memcpy(copy, mm.ps.ext, n * sizeof(copy[0]));
	uint64_t g = PFN(D1) + 20;
	/* Foreign domain, order too large, flags, count overflow. */
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation, &g, 1, 0, 0, 2), -HV_EPERM);
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation, &g, 1, 19, 0, DOMID_SELF),
	         -HV_EINVAL);
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation, &g, 1, 0, 1, DOMID_SELF),
	         -HV_EINVAL);
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation, NULL, UINT64_MAX / 4, 0, 0,
	                     DOMID_SELF),
	         -HV_EINVAL);
	/* A frame list running past the domain's memory. */
	CHECK_EQ(
	    reservation(&dm[0], XENMEM_decrease_reservation, NULL, 1ull << 30, 0, 0, DOMID_SELF),
	    -HV_EFAULT);
	/* Misaligned, unmapped, not the caller's (its argument page is fine). */
	uint64_t mis = PFN(D1) + 3, unm = PFN(BASE + 200 * MiB), foreign = PFN(D2);
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation, &mis, 1, 1, 0, DOMID_SELF), 0);
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation, &unm, 1, 0, 0, DOMID_SELF), 0);
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation, &foreign, 1, 0, 0, DOMID_SELF),
	         0);
	CHECK_EQ(remove_gpfn(&dm[0], PFN(D1), 3), -HV_EPERM);
	CHECK_EQ(remove_gpfn(&dm[0], UINT64_MAX, DOMID_SELF), -HV_ENOENT);
	/* Argument pointers that are not the caller's RAM. */
	CHECK_EQ(memop_dispatch(&dm[0], XENMEM_decrease_reservation, ipa_init(BASE)), -HV_EFAULT);
	CHECK_EQ(memop_dispatch(&dm[0], XENMEM_current_reservation, ipa_init(UINT64_MAX)),
	         -HV_EFAULT);
	CHECK_EQ(memop_dispatch(&dm[0], XENMEM_current_reservation, ipa_init(D1 + 16 * MiB - 1)),
	         -HV_EFAULT); /* straddles the end of RAM */
	CHECK_EQ(memop_dispatch(&dm[0], XENMEM_maximum_reservation, ipa_init(GUEST_PL011_BASE)),
	         -HV_EFAULT);
	CHECK_EQ(memop_dispatch(&dm[0], 7, ipa_init(D1)), -HV_ENOSYS);
	CHECK_EQ(mm.ps.nr, n);
	CHECK(memcmp(copy, mm.ps.ext, n * sizeof(copy[0])) == 0);
	CHECK_EQ(dm[0].tot_pages, PFN(16 * MiB));
}

/*
 * A huge populate is refused by the reserve check before any per-frame
 * work: the range is all mapped but one frame, so a scan would find
 * -HV_EEXIST; the reserve (one page) is checked first.
 */
TEST(populate_checks_the_reserve_before_scanning_frames)
{
	setup();
	uint64_t g = PFN(GUEST_RAM0_BASE) + 100, pfn;
	CHECK_EQ(reservation(&dm[1], XENMEM_decrease_reservation, &g, 1, 0, 0, DOMID_SELF), 1);
	CHECK_EQ(staticmem_reserve_pages(&mm.ps, 2), 1);
	CHECK_EQ(dommem_populate(&dm[1], PFN(GUEST_RAM0_BASE), 11), -HV_ENOMEM);
	CHECK_EQ(dommem_populate(&dm[2], PFN(GUEST_RAM0_BASE), 18), -HV_ENOMEM); /* heap, at max */
	CHECK(!mapped(&dm[1], g, &pfn));
	CHECK_EQ(dommem_populate(&dm[1], g, 0), 0); /* the one page it may take */
	CHECK(mapped(&dm[1], g, &pfn));
}

/*
 * Page-state extents are budgeted per domain: one domain punching
 * single-page holes fills its own budget and then gets -HV_ENOMEM; the
 * other domains' ballooning and re-creation are untouched (they used to
 * fail once the shared table was full).
 */
TEST(one_domains_holes_never_fill_the_table_for_another)
{
	setup();
	uint64_t pfn, holes = 0;
	long rc = 0;
	for (uint64_t k = 2; k < PFN(16 * MiB) && rc == 0; k += 2) {
		rc = remove_gpfn(&dm[0], PFN(D1) + k, DOMID_SELF);
		holes += rc == 0;
	}
	CHECK_EQ(rc, -HV_ENOMEM);
	CHECK(holes > 4);
	CHECK(pgstate_owner_room(&mm.ps, 1) < 16);
	CHECK(pgstate_room(&mm.ps) >= 64); /* the table itself is far from full */
	/* The neighbour balloons out and in, and is re-created, as if alone. */
	uint64_t g = PFN(GUEST_RAM0_BASE) + 300;
	CHECK_EQ(remove_gpfn(&dm[1], g, DOMID_SELF), 0);
	CHECK_EQ(reservation(&dm[1], XENMEM_populate_physmap, &g, 1, 0, 0, DOMID_SELF), 1);
	CHECK(mapped(&dm[1], g, &pfn));
	CHECK_EQ(dommem_recreate(&dm[1]), 0);
	/* And the domain that ran out can still be destroyed and re-created. */
	CHECK_EQ(dommem_recreate(&dm[0]), 0);
	CHECK_EQ(dm[0].tot_pages, PFN(16 * MiB));
	CHECK(pgstate_check(&mm.ps));
}

TEST(memop_stops_at_the_first_failing_extent)
{
	setup();
	uint64_t g[3] = {PFN(D1) + 40, PFN(D2), PFN(D1) + 41}, pfn;
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation, g, 3, 0, 0, DOMID_SELF), 1);
	CHECK(!mapped(&dm[0], g[0], &pfn));
	CHECK(mapped(&dm[0], g[2], &pfn));
	/* Continuation encoding: start at extent 2. */
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation | (2ul << MEMOP_EXTENT_SHIFT), g,
	                     3, 0, 0, DOMID_SELF),
	         3);
	CHECK(!mapped(&dm[0], g[2], &pfn));
	/* The frame list in a page the first extent removes: stop after it. */
	uint64_t self[2] = {PFN(D1) + 1, PFN(D1) + 42};
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation, self, 2, 0, 0, DOMID_SELF), 1);
	CHECK(mapped(&dm[0], PFN(D1) + 42, &pfn));
}

TEST(q7_guest_cannot_reach_other_domains_memory)
{
	setup();
	/* domU2 names domU1. */
	uint64_t g = PFN(D1) + 5;
	CHECK_EQ(reservation(&dm[1], XENMEM_decrease_reservation, &g, 1, 0, 0, 1), -HV_EPERM);
	CHECK_EQ(remove_gpfn(&dm[1], g, 1), -HV_EPERM);
	/* domU1 balloons a page out: it waits in domU1's reserve... */
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation, &g, 1, 0, 0, DOMID_SELF), 1);
	/* ...and domU2 (non-direct, reserve empty) cannot get it, at any address. */
	uint64_t gd2[2] = {PFN(GUEST_RAM0_BASE + 64 * MiB), PFN(D1) + 5};
	CHECK_EQ(reservation(&dm[1], XENMEM_populate_physmap, gd2, 2, 0, 0, DOMID_SELF), 0);
	/* Nor can the heap domain. */
	CHECK_EQ(reservation(&dm[2], XENMEM_decrease_reservation, &gd2[1], 1, 0, 0, DOMID_SELF), 0);
	CHECK_EQ(staticmem_reserve_pages(&mm.ps, 1), 1);
	CHECK_EQ(dm[1].tot_pages, PFN(8 * MiB));
	CHECK_EQ(dm[2].tot_pages, PFN(8 * MiB));
}

TEST(q10_a_referenced_page_cannot_be_ballooned_out)
{
	setup();
	/* A grant mapping (not implemented) would hold a second reference. */
	uint64_t g = PFN(D1) + 77, pfn;
	struct page_state st;
	CHECK(pgstate_get(&mm.ps, g, &st));
	st.refcount = 2;
	CHECK_EQ(pgstate_set(&mm.ps, g, 1, &st, 0, false), 0);
	CHECK_EQ(reservation(&dm[0], XENMEM_decrease_reservation, &g, 1, 0, 0, DOMID_SELF), 0);
	CHECK_EQ(remove_gpfn(&dm[0], g, DOMID_SELF), -HV_EINVAL);
	CHECK(mapped(&dm[0], g, &pfn));
	CHECK_EQ(dm[0].tot_pages, PFN(16 * MiB));
}

int main(void)
{
	RUN(q8_balloon_out_static_goes_to_reserve);
	RUN(q9a_balloon_in_reuses_the_same_static_page_zeroed);
	RUN(q9b_static_domain_never_gets_heap_pages);
	RUN(q9b_direct_map_populates_only_gfn_equals_mfn);
	RUN(memop_heap_domain_balloons_through_the_buddy);
	RUN(memop_bad_arguments_change_nothing);
	RUN(memop_stops_at_the_first_failing_extent);
	RUN(populate_checks_the_reserve_before_scanning_frames);
	RUN(one_domains_holes_never_fill_the_table_for_another);
	RUN(q7_guest_cannot_reach_other_domains_memory);
	RUN(q10_a_referenced_page_cannot_be_ballooned_out);
	return tl_finish();
}
