// SPDX-License-Identifier: Apache-2.0
/* dommem: domain create, destroy and re-create, checked with s2walk. */
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/dommem.h"
#include "../../hv/core/errno.h"
#include "../../hv/core/staticmem.h"
#include "../common/s2walk.h"
#include "../common/testlib.h"
#include "mm_fixture.h"

static struct plan plan;
static struct mm mm;
static struct domain_mem dm[3];

#define BASE   0x40000000ull
#define PFN(a) ((a) >> PAGE_SHIFT)

/* domU1: static direct-mapped, two banks; domU2: static at GUEST_RAM0; domU3: heap. */
static void setup(void)
{
	fx_reset(&plan);
	fx_ram(&plan, BASE, 256 * MiB);
	struct plan_domain *d1 = fx_domain(&plan, "domU1", 0, true);
	fx_bank(d1, BASE + 64 * MiB, 16 * MiB);
	fx_bank(d1, BASE + 96 * MiB, 8 * MiB);
	struct plan_domain *d2 = fx_domain(&plan, "domU2", 0, false);
	fx_bank(d2, BASE + 128 * MiB, 6 * MiB);
	fx_bank(d2, BASE + 140 * MiB, 2 * MiB);
	fx_domain(&plan, "domU3", 16 * 1024, false);
	memset(dm, 0, sizeof(dm));
	CHECK_EQ(mm_init(&mm, &plan), 0);
}

static size_t s2ranges(const struct domain_mem *d, struct s2w_range *out, size_t cap)
{
	size_t n = 0;
	struct s2w_stats st;
	CHECK_EQ(s2walk_ranges(p2m_vtcr(&d->p2m, 40), p2m_vttbr(&d->p2m), out, cap, &n, &st),
	         S2W_OK);
	CHECK_EQ(st.bad, 0);
	CHECK_EQ(st.tables, d->p2m.table_pages);
	return n;
}

static uint64_t owned_pages(uint16_t domid)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < mm.ps.nr; i++)
		if (mm.ps.ext[i].state == PG_INUSE && mm.ps.ext[i].owner == domid)
			n += mm.ps.ext[i].count;
	return n;
}

TEST(dommem_static_direct_map_maps_banks_at_host_addresses)
{
	setup();
	CHECK_EQ(dommem_create(&dm[0], &mm, &plan.domains[0], 1), 0);
	struct s2w_range r[8];
	CHECK_EQ(s2ranges(&dm[0], r, 8), 2);
	CHECK_EQ(r[0].ipa, BASE + 64 * MiB);
	CHECK_EQ(r[0].pa, BASE + 64 * MiB);
	CHECK_EQ(r[0].size, 16 * MiB);
	CHECK_EQ(r[0].kind, S2W_NORMAL_RW);
	CHECK_EQ(r[1].ipa, BASE + 96 * MiB);
	CHECK_EQ(r[1].pa, BASE + 96 * MiB);
	CHECK_EQ(r[1].size, 8 * MiB);
	CHECK_EQ(dm[0].tot_pages, PFN(24 * MiB));
	CHECK_EQ(owned_pages(1), PFN(24 * MiB));
	CHECK_EQ(staticmem_reserve_pages(&mm.ps, 1), 0);
	struct page_state st;
	CHECK(pgstate_get(&mm.ps, PFN(BASE + 100 * MiB), &st));
	CHECK_EQ(st.flags, PG_STATIC); /* scrubbed */
	CHECK(pgstate_check(&mm.ps));
}

TEST(dommem_static_packs_banks_at_guest_ram0)
{
	setup();
	CHECK_EQ(dommem_create(&dm[1], &mm, &plan.domains[1], 2), 0);
	struct s2w_range r[8];
	CHECK_EQ(s2ranges(&dm[1], r, 8), 2);
	CHECK_EQ(r[0].ipa, GUEST_RAM0_BASE);
	CHECK_EQ(r[0].pa, BASE + 128 * MiB);
	CHECK_EQ(r[0].size, 6 * MiB);
	CHECK_EQ(r[1].ipa, GUEST_RAM0_BASE + 6 * MiB);
	CHECK_EQ(r[1].pa, BASE + 140 * MiB);
	CHECK_EQ(r[1].size, 2 * MiB);
}

TEST(dommem_heap_domain_gets_zeroed_buddy_pages_at_guest_ram0)
{
	setup();
	/* Dirty the heap first: a heap domain must not see it. */
	uint64_t p;
	CHECK_EQ(buddy_alloc(&mm.buddy, 13, PG_OWNER_HV, &p), 0);
	memset(arch_phys_to_virt(pa_init(p << PAGE_SHIFT)), 0xee, 32 * MiB);
	CHECK_EQ(mm_free_pages(&mm, pa_init(p << PAGE_SHIFT), 13), 0);
	uint64_t before = mm.buddy.free_pages;
	CHECK_EQ(dommem_create(&dm[2], &mm, &plan.domains[2], 3), 0);
	struct s2w_range r[64];
	size_t n = s2ranges(&dm[2], r, 64);
	uint64_t ipa = GUEST_RAM0_BASE;
	for (size_t i = 0; i < n; i++) {
		CHECK_EQ(r[i].ipa, ipa);
		ipa += r[i].size;
		for (uint64_t a = r[i].pa; a < r[i].pa + r[i].size; a += PAGE_SIZE) {
			struct page_state st;
			CHECK(pgstate_get(&mm.ps, PFN(a), &st));
			CHECK_EQ(st.owner, 3);
			CHECK_EQ(st.flags, PG_HEAP);
			const uint8_t *m = arch_phys_to_virt(pa_init(a));
			CHECK(m[0] == 0 && m[PAGE_SIZE - 1] == 0);
		}
	}
	CHECK_EQ(ipa, GUEST_RAM0_BASE + 16 * MiB);
	CHECK_EQ(dm[2].tot_pages, PFN(16 * MiB));
	CHECK_EQ(before - mm.buddy.free_pages, PFN(16 * MiB) + dm[2].p2m.table_pages);
	dommem_destroy(&dm[2]);
	/* Its pages are back; its tables stay its own for the next life. */
	CHECK_EQ(dm[2].p2m.table_pages, 0);
	CHECK_EQ(mm.buddy.free_pages, before - dommem_tables_held(&dm[2]));
	CHECK_EQ(owned_pages(3), 0);
}

TEST(q11_destroy_returns_static_pages_to_the_domain_reserve)
{
	setup();
	uint64_t buddy = mm.buddy.free_pages;
	CHECK_EQ(dommem_create(&dm[0], &mm, &plan.domains[0], 1), 0);
	CHECK(mm.buddy.free_pages < buddy); /* stage-2 tables */
	uint64_t flushes = host_tlb_flushes, hv_pages = owned_pages(PG_OWNER_HV);
	dommem_destroy(&dm[0]);
	/* Tearing the stage 2 down gives no table back to the heap: no page
	 * state of the hypervisor's changes, so it needs no page-state room. */
	CHECK_EQ(owned_pages(PG_OWNER_HV), hv_pages);
	CHECK(host_tlb_flushes > flushes);
	/* Tables kept for the domain's next life; no static page added. */
	CHECK_EQ(mm.buddy.free_pages, buddy - dommem_tables_held(&dm[0]));
	CHECK(dm[0].nr_free_tables > 0);
	CHECK_EQ(owned_pages(1), 0);
	CHECK_EQ(staticmem_reserve_pages(&mm.ps, 1), PFN(24 * MiB));
	struct page_state st;
	CHECK(pgstate_get(&mm.ps, PFN(BASE + 64 * MiB), &st));
	CHECK_EQ(st.state, PG_FREE);
	CHECK_EQ(st.flags, PG_STATIC | PG_NEEDS_SCRUB);
	CHECK_EQ(st.owner, 1);
	CHECK(!dm[0].live);
	dommem_destroy(&dm[0]); /* twice is harmless */
	CHECK(pgstate_check(&mm.ps));
}

TEST(q12_recreate_gets_the_same_pages_zeroed)
{
	setup();
	CHECK_EQ(dommem_create(&dm[1], &mm, &plan.domains[1], 2), 0);
	struct s2w_range a[8], b[8];
	size_t na = s2ranges(&dm[1], a, 8);
	uint8_t *m = arch_phys_to_virt(pa_init(BASE + 128 * MiB));
	memset(m, 0x42, 6 * MiB); /* the guest's data */
	uint64_t scrubbed = host_scrubbed_bytes;
	CHECK_EQ(dommem_recreate(&dm[1]), 0);
	CHECK_EQ(host_scrubbed_bytes - scrubbed, 8 * MiB);
	CHECK_EQ(s2ranges(&dm[1], b, 8), na);
	CHECK(memcmp(a, b, na * sizeof(a[0])) == 0);
	CHECK(m[0] == 0 && m[3 * MiB] == 0 && m[6 * MiB - 1] == 0);
}

TEST(q4_create_rolls_back_when_a_static_page_is_not_free)
{
	setup();
	/* Someone holds a reference to one page of the second bank. */
	struct page_state st;
	CHECK(pgstate_get(&mm.ps, PFN(BASE + 100 * MiB), &st));
	st.refcount = 1;
	CHECK_EQ(pgstate_set(&mm.ps, PFN(BASE + 100 * MiB), 1, &st, 0, false), 0);
	uint64_t buddy = mm.buddy.free_pages;
	CHECK_EQ(dommem_create(&dm[0], &mm, &plan.domains[0], 1), -HV_EBUSY);
	CHECK(!dm[0].live);
	CHECK_EQ(owned_pages(1), 0);
	CHECK_EQ(mm.buddy.free_pages, buddy);
	CHECK_EQ(staticmem_reserve_pages(&mm.ps, 1), PFN(24 * MiB));
	/* A heap domain larger than the heap: ENOMEM, all given back. */
	plan.domains[2].memory_kib = 512 * 1024;
	CHECK_EQ(dommem_create(&dm[2], &mm, &plan.domains[2], 3), -HV_ENOMEM);
	CHECK_EQ(mm.buddy.free_pages, buddy);
	CHECK_EQ(owned_pages(3), 0);
	CHECK(pgstate_check(&mm.ps));
}

TEST(dommem_refuses_a_second_incarnation_of_a_live_domain)
{
	setup();
	CHECK_EQ(dommem_create(&dm[2], &mm, &plan.domains[2], 3), 0);
	static struct domain_mem other;
	CHECK_EQ(dommem_create(&other, &mm, &plan.domains[2], 3), -HV_EBUSY);
	CHECK_EQ(owned_pages(3), PFN(16 * MiB));
	CHECK_EQ(dommem_create(&other, &mm, &plan.domains[0], 1), 0);
}

TEST(q3_the_reserve_outlives_the_domain_structure)
{
	setup();
	CHECK_EQ(dommem_create(&dm[0], &mm, &plan.domains[0], 1), 0);
	dommem_destroy(&dm[0]);
	memset(&dm[0], 0, sizeof(dm[0])); /* the domain structure is gone */
	CHECK_EQ(staticmem_reserve_pages(&mm.ps, 1), PFN(24 * MiB));
	CHECK_EQ(staticmem_reserve_pages(&mm.ps, 2), PFN(8 * MiB));
	/* Another domain cannot take them; the right one can. */
	CHECK_EQ(staticmem_acquire(&mm.ps, 2, PFN(BASE + 64 * MiB), 1, true), -HV_EPERM);
	CHECK_EQ(dommem_create(&dm[0], &mm, &plan.domains[0], 1), 0);
}

TEST(q5_static_heap_feeds_tables_and_heap_domains)
{
	fx_reset(&plan);
	memset(dm, 0, sizeof(dm));
	fx_ram(&plan, BASE, 256 * MiB);
	plan.has_static_heap = true;
	plan.heap[plan.nr_heap++] = (struct plan_range){BASE + 192 * MiB, 32 * MiB};
	struct plan_domain *d1 = fx_domain(&plan, "domU1", 0, true);
	fx_bank(d1, BASE + 64 * MiB, 16 * MiB);
	fx_domain(&plan, "domU2", 8 * 1024, false);
	CHECK_EQ(mm_init(&mm, &plan), 0);
	CHECK_EQ(dommem_create(&dm[0], &mm, &plan.domains[0], 1), 0);
	CHECK_EQ(dommem_create(&dm[1], &mm, &plan.domains[1], 2), 0);
	/* Every heap page in use (tables of both, RAM of domU2) is in the static heap. */
	for (uint32_t i = 0; i < mm.ps.nr; i++) {
		const struct page_state *e = &mm.ps.ext[i];
		if (e->flags & PG_HEAP) {
			CHECK(e->pfn >= PFN(BASE + 192 * MiB));
			CHECK(e->pfn + e->count <= PFN(BASE + 224 * MiB));
		}
	}
	CHECK_EQ(owned_pages(2), PFN(8 * MiB));
}

TEST(q13_static_domains_get_the_same_pages_every_boot)
{
	struct s2w_range a[8], b[8];
	setup();
	CHECK_EQ(dommem_create(&dm[1], &mm, &plan.domains[1], 2), 0);
	size_t na = s2ranges(&dm[1], a, 8);
	/* A "reboot" with other domains started first. */
	setup();
	CHECK_EQ(dommem_create(&dm[2], &mm, &plan.domains[2], 3), 0);
	CHECK_EQ(dommem_create(&dm[0], &mm, &plan.domains[0], 1), 0);
	CHECK_EQ(dommem_create(&dm[1], &mm, &plan.domains[1], 2), 0);
	CHECK_EQ(s2ranges(&dm[1], b, 8), na);
	CHECK(memcmp(a, b, na * sizeof(a[0])) == 0);
}

/* The pages every domain's budget still promises, from the domains' side. */
static uint64_t promised(unsigned int n)
{
	uint64_t sum = 0;
	for (unsigned int i = 0; i < n; i++)
		sum += dm[i].table_limit - dommem_tables_held(&dm[i]);
	return sum;
}

/*
 * Stage-2 tables are charged to the domain (Xen's XSA-409 class): a guest
 * that balloons out one page of every 2 MiB block makes the hypervisor
 * split blocks, one table each, until its own budget is spent; then that
 * domain alone gets -HV_ENOMEM. What the budget promised stays out of
 * everybody else's reach, so the other domain's calls and this domain's
 * reboot still find their tables.
 */
TEST(stage2_tables_are_charged_to_the_domain)
{
	fx_reset(&plan);
	fx_ram(&plan, BASE, 256 * MiB);
	struct plan_domain *d1 = fx_domain(&plan, "domU1", 0, true);
	fx_bank(d1, BASE + 64 * MiB, 64 * MiB); /* 32 blocks of 2 MiB */
	fx_domain(&plan, "domU2", 8 * 1024, false);
	memset(dm, 0, sizeof(dm));
	CHECK_EQ(mm_init(&mm, &plan), 0);
	CHECK_EQ(dommem_create(&dm[0], &mm, &plan.domains[0], 1), 0);
	uint64_t initial = dm[0].p2m.table_pages;
	CHECK_EQ(dm[0].table_limit, initial + DOMMEM_P2M_HEADROOM_PAGES);
	CHECK_EQ(dommem_create(&dm[1], &mm, &plan.domains[1], 2), 0);
	CHECK_EQ(mm.reserved_pages, promised(2));

	int rc = 0;
	unsigned int splits = 0;
	for (unsigned int k = 0; k < 32 && rc == 0; k++) {
		rc = dommem_remove(&dm[0], PFN(BASE + 64 * MiB) + k * 512, 1);
		splits += rc == 0;
	}
	CHECK_EQ(rc, -HV_ENOMEM);
	CHECK_EQ(splits, DOMMEM_P2M_HEADROOM_PAGES);
	CHECK_EQ(dommem_tables_held(&dm[0]), dm[0].table_limit);
	pa_t pa;
	CHECK(p2m_lookup(&dm[0].p2m, ipa_init(BASE + 64 * MiB + splits * 2 * MiB), &pa, NULL));
	CHECK_EQ(mm.reserved_pages, promised(2));

	/* The neighbour's own ballooning still has its whole budget. */
	CHECK_EQ(dommem_remove(&dm[1], PFN(GUEST_RAM0_BASE) + 5, 1), 0);
	CHECK_EQ(dommem_populate(&dm[1], PFN(GUEST_RAM0_BASE) + 5, 0), 0);
	/* Nothing else may take promised pages, not even a heap domain's. */
	uint64_t pfn;
	while (mm_alloc_guest_pages(&mm, 2, 0, &pfn) == 0)
		;
	CHECK(mm.buddy.free_pages >= mm.reserved_pages);
	/* The reboot rebuilds its stage 2 from its budget. */
	CHECK_EQ(dommem_recreate(&dm[0]), 0);
	CHECK_EQ(dm[0].p2m.table_pages, initial);
	CHECK_EQ(dm[0].tot_pages, PFN(64 * MiB));
	CHECK_EQ(mm.reserved_pages, promised(2));
}

/* xen,domain-p2m-mem-mb sets the budget (never below the initial stage 2). */
TEST(p2m_mem_mb_sets_the_budget)
{
	setup();
	plan.domains[0].p2m_mem_mb = 1;
	CHECK_EQ(dommem_create(&dm[0], &mm, &plan.domains[0], 1), 0);
	CHECK_EQ(dm[0].table_limit, MiB / PAGE_SIZE);
	CHECK_EQ(mm.reserved_pages, MiB / PAGE_SIZE - dm[0].p2m.table_pages);
	/* A budget the heap cannot promise fails the creation, nothing kept. */
	plan.domains[1].p2m_mem_mb = 1024;
	uint64_t free_before = mm.buddy.free_pages;
	CHECK_EQ(dommem_create(&dm[1], &mm, &plan.domains[1], 2), -HV_ENOMEM);
	CHECK(!dm[1].live);
	CHECK_EQ(mm.buddy.free_pages, free_before);
	CHECK_EQ(mm.reserved_pages, MiB / PAGE_SIZE - dm[0].p2m.table_pages);
}

int main(void)
{
	RUN(dommem_static_direct_map_maps_banks_at_host_addresses);
	RUN(dommem_static_packs_banks_at_guest_ram0);
	RUN(dommem_heap_domain_gets_zeroed_buddy_pages_at_guest_ram0);
	RUN(q11_destroy_returns_static_pages_to_the_domain_reserve);
	RUN(q12_recreate_gets_the_same_pages_zeroed);
	RUN(q4_create_rolls_back_when_a_static_page_is_not_free);
	RUN(dommem_refuses_a_second_incarnation_of_a_live_domain);
	RUN(q3_the_reserve_outlives_the_domain_structure);
	RUN(q5_static_heap_feeds_tables_and_heap_domains);
	RUN(q13_static_domains_get_the_same_pages_every_boot);
	RUN(stage2_tables_are_charged_to_the_domain);
	RUN(p2m_mem_mb_sets_the_budget);
	return tl_finish();
}
