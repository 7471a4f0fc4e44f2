// SPDX-License-Identifier: Apache-2.0
/* Domain memory lifecycle: see dommem.h. */
#include "dommem.h"

#include "errno.h"
#include "staticmem.h"

static int table_alloc(void *ctx, unsigned int order, pa_t *pages)
{
	struct domain_mem *dm = ctx;
	return mm_alloc_pages(dm->mm, order, pages);
}

static void table_free(void *ctx, pa_t pages, unsigned int order)
{
	struct domain_mem *dm = ctx;
	/* Forced: freeing a table must not fail on a full page-state table. */
	if (mm_release(dm->mm, PG_OWNER_HV, pa_addr(pages) >> PAGE_SHIFT, 1ull << order, true))
		dm->table_leaks++;
}

static unsigned int ipa_bits_for(const struct plan_domain *cfg)
{
	uint64_t top = 0;
	unsigned int bits = DOMMEM_MIN_IPA_BITS;

	for (unsigned int i = 0; cfg->is_static && i < cfg->nr_banks; i++) {
		uint64_t ipa = cfg->direct_map ? cfg->banks[i].pa : cfg->banks[i].ipa;
		if (ipa + cfg->banks[i].size > top)
			top = ipa + cfg->banks[i].size;
	}
	while (bits < 48 && top > (1ull << bits))
		bits++;
	return bits;
}

/* Give back every page the domain holds (through the one free path). */
static void release_all(struct domain_mem *dm)
{
	struct pgstate *ps = &dm->mm->ps;

	for (uint32_t i = 0; i < ps->nr;) {
		const struct page_state *e = &ps->ext[i];
		if (e->state != PG_INUSE || e->owner != dm->slot) {
			i++;
			continue;
		}
		uint64_t next = e->pfn + e->count;
		if (mm_release(dm->mm, dm->slot, e->pfn, e->count, true))
			return; /* only with a corrupt table; mm_release panics first */
		long k = pgstate_index(ps, next);
		if (k < 0) { /* next is past a bank end: find the first extent above */
			k = 0;
			while ((uint32_t)k < ps->nr && ps->ext[k].pfn < next)
				k++;
		}
		i = (uint32_t)k;
	}
}

/* Does anything still belong to the slot (a live incarnation)? */
static bool slot_busy(const struct pgstate *ps, uint16_t slot)
{
	for (uint32_t i = 0; i < ps->nr; i++)
		if (ps->ext[i].state == PG_INUSE && ps->ext[i].owner == slot)
			return true;
	return false;
}

/*
 * Q13: static memory is for what needs the same physical pages every boot
 * (certification, a fast RAM region, DMA without an IOMMU on a
 * direct-mapped domain): the banks come from the plan, never from an
 * allocator. A domain that merely needs "some memory" is a heap domain.
 */
static int create_static(struct domain_mem *dm, bool scrub)
{
	const struct plan_domain *cfg = dm->cfg;
	int rc = 0;

	for (unsigned int i = 0; i < cfg->nr_banks; i++) {
		const struct plan_bank *b = &cfg->banks[i];
		if (!is_aligned(b->pa | b->ipa | b->size, PAGE_SIZE) || b->size == 0)
			return -HV_EINVAL;
		rc = staticmem_acquire(&dm->mm->ps, dm->slot, b->pa >> PAGE_SHIFT,
		                       b->size >> PAGE_SHIFT, scrub);
		if (rc)
			return rc; /* the caller releases the banks taken so far */
		dm->tot_pages += b->size >> PAGE_SHIFT;
	}
	for (unsigned int i = 0; i < cfg->nr_banks && rc == 0; i++) {
		const struct plan_bank *b = &cfg->banks[i];
		ipa_t ipa = ipa_init(cfg->direct_map ? b->pa : b->ipa);
		rc = p2m_map_range(&dm->p2m, ipa, pa_init(b->pa), b->size, P2M_RAM_RW);
	}
	return rc;
}

static int create_heap(struct domain_mem *dm)
{
	uint64_t left = dm->max_pages;
	uint64_t ipa = GUEST_RAM0_BASE >> PAGE_SHIFT,
	         win_end = ipa + (GUEST_RAM0_SIZE >> PAGE_SHIFT);

	while (left) {
		if (ipa == win_end) {
			ipa = GUEST_RAM1_BASE >> PAGE_SHIFT;
			win_end = ipa + (GUEST_RAM1_SIZE >> PAGE_SHIFT);
		}
		unsigned int o = 0;
		while (o < BUDDY_MAX_ORDER && (2ull << o) <= left &&
		       (ipa & ((2ull << o) - 1)) == 0 && ipa + (2ull << o) <= win_end)
			o++;
		uint64_t pfn;
		int rc;
		/* Fall back to smaller blocks when the heap is fragmented. */
		while ((rc = mm_alloc_guest_pages(dm->mm, dm->slot, o, &pfn)) == -HV_ENOMEM &&
		       o > 0)
			o--;
		if (rc)
			return rc;
		dm->tot_pages += 1ull << o;
		rc = p2m_map_range(&dm->p2m, ipa_init(ipa << PAGE_SHIFT),
		                   pa_init(pfn << PAGE_SHIFT), PAGE_SIZE << o, P2M_RAM_RW);
		if (rc)
			return rc;
		ipa += 1ull << o;
		left -= 1ull << o;
	}
	return 0;
}

static int create(struct domain_mem *dm, struct mm *mm, const struct plan_domain *cfg,
                  unsigned int slot, bool scrub)
{
	uint64_t max_pages = 0;

	/* Everything is checked before dm is touched: dm may be a live domain. */
	if (dm->live)
		return -HV_EBUSY;
	if (slot >= PLAN_MAX_DOMAINS || (cfg->is_static && cfg->nr_banks > PLAN_MAX_STATIC_BANKS))
		return -HV_EINVAL;
	if (cfg->is_static) {
		for (unsigned int i = 0; i < cfg->nr_banks; i++)
			max_pages += cfg->banks[i].size >> PAGE_SHIFT;
	} else {
		if (cfg->direct_map || cfg->memory_kib == 0 || cfg->memory_kib % 4 ||
		    cfg->memory_kib / 4 > (GUEST_RAM0_SIZE + GUEST_RAM1_SIZE) >> PAGE_SHIFT)
			return -HV_EINVAL;
		max_pages = cfg->memory_kib / 4;
	}
	/* A second incarnation on a live slot would free the first one's pages. */
	if (slot_busy(&mm->ps, (uint16_t)slot))
		return -HV_EBUSY;
	dm->mm = mm;
	dm->cfg = cfg;
	dm->slot = (uint16_t)slot;
	dm->domid = (uint16_t)(slot + 1);
	dm->tot_pages = 0;
	dm->max_pages = max_pages;
	dm->table_leaks = 0;
	const struct p2m_page_source src = {.alloc = table_alloc, .free = table_free, .ctx = dm};
	int rc = p2m_init(&dm->p2m, ipa_bits_for(cfg), dm->domid, &src);
	if (rc)
		return rc;
	rc = cfg->is_static ? create_static(dm, scrub) : create_heap(dm);
	if (rc) {
		/* Roll back: no mapping, every page and table given back. */
		p2m_destroy(&dm->p2m);
		release_all(dm);
		dm->tot_pages = 0;
		return rc;
	}
	dm->live = true;
	return 0;
}

int dommem_create(struct domain_mem *dm, struct mm *mm, const struct plan_domain *cfg,
                  unsigned int slot)
{
	int rc = create(dm, mm, cfg, slot, false);
	if (rc == 0)
		dommem_scrub(dm);
	return rc;
}

int dommem_create_unscrubbed(struct domain_mem *dm, struct mm *mm, const struct plan_domain *cfg,
                             unsigned int slot)
{
	return create(dm, mm, cfg, slot, false);
}

void dommem_scrub(struct domain_mem *dm)
{
	const struct plan_domain *cfg = dm->cfg;

	for (unsigned int i = 0; cfg->is_static && i < cfg->nr_banks; i++)
		staticmem_scrub(&dm->mm->ps, cfg->banks[i].pa >> PAGE_SHIFT,
		                cfg->banks[i].size >> PAGE_SHIFT);
}

void dommem_destroy(struct domain_mem *dm)
{
	if (!dm->live)
		return;
	/* The stage-2 goes first (and the TLB with it): nothing maps the pages. */
	p2m_destroy(&dm->p2m);
	/* Q11: static pages go to the slot's reserve, which outlives dm. */
	release_all(dm);
	dm->live = false;
	dm->tot_pages = 0;
}

int dommem_recreate(struct domain_mem *dm)
{
	struct mm *mm = dm->mm;
	const struct plan_domain *cfg = dm->cfg;
	unsigned int slot = dm->slot;

	dommem_destroy(dm);
	/* Q12: the slot, not dm, binds the pages: the same ones come back. */
	return dommem_create(dm, mm, cfg, slot);
}
