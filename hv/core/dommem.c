// SPDX-License-Identifier: Apache-2.0
/* Domain memory lifecycle: see dommem.h. */
#include "dommem.h"

#include "arch.h"
#include "errno.h"
#include "staticmem.h"

/* Frames of a populate above which the reserve is checked before the scan. */
#define POPULATE_SCAN_CHECKED 64

/* Page-state room kept back for stage-2 table frees during an unmap. */
#define UNMAP_ROOM_MARGIN 4

/*
 * Stage-2 tables are charged to the domain: once its budget is set (first
 * creation), every table comes from what the heap promised it and no
 * more than the budget is ever held.
 */
static int table_alloc(void *ctx, unsigned int order, pa_t *pages)
{
	struct domain_mem *dm = ctx;

	if (!dm->table_limit)
		return mm_alloc_pages(dm->mm, order, pages);
	/* A table the domain freed before, kept for it (p2m zeroes it). */
	if (order == 0 && dm->free_tables) {
		*pages = pa_init(dm->free_tables << PAGE_SHIFT);
		dm->free_tables = *(uint64_t *)arch_phys_to_virt(*pages);
		dm->nr_free_tables--;
		return 0;
	}
	if (order > 0 && dm->spare_root_pages == (1ull << order)) {
		*pages = dm->spare_root;
		dm->spare_root_pages = 0;
		return 0;
	}
	if (dommem_tables_held(dm) + (1ull << order) > dm->table_limit)
		return -HV_ENOMEM;
	return mm_alloc_reserved_pages(dm->mm, order, pages);
}

/*
 * Once the budget is set, a freed table stays the domain's: on its own
 * free list (the root aside), never back in the buddy. So tearing a
 * stage 2 down changes no page state and needs no memory (a table freed
 * to the buddy could split an extent of tables allocated together), and
 * the next life rebuilds from the same pages.
 */
static void table_free(void *ctx, pa_t pages, unsigned int order)
{
	struct domain_mem *dm = ctx;

	if (dm->table_limit && order == 0) {
		*(uint64_t *)arch_phys_to_virt(pages) = dm->free_tables;
		dm->free_tables = pa_addr(pages) >> PAGE_SHIFT;
		dm->nr_free_tables++;
		return;
	}
	if (dm->table_limit && dm->spare_root_pages == 0) {
		dm->spare_root = pages;
		dm->spare_root_pages = 1ull << order;
		return;
	}
	/* Before the budget (a first creation rolled back): back to the heap. */
	if (mm_release(dm->mm, PG_OWNER_HV, pa_addr(pages) >> PAGE_SHIFT, 1ull << order, true))
		dm->table_leaks++;
	else if (dm->table_limit)
		mm_unreserve_return(dm->mm, 1ull << order); /* still the domain's */
}

uint64_t dommem_tables_held(const struct domain_mem *dm)
{
	return dm->p2m.table_pages + dm->nr_free_tables + dm->spare_root_pages;
}

/* First creation: the budget is what was built plus headroom, or the plan's. */
static int set_table_budget(struct domain_mem *dm)
{
	uint64_t used = dm->p2m.table_pages;
	uint64_t limit = dm->cfg->p2m_mem_mb ? (uint64_t)dm->cfg->p2m_mem_mb * (MiB / PAGE_SIZE)
	                                     : used + DOMMEM_P2M_HEADROOM_PAGES;

	if (limit < used) /* the plan's figure is below the initial stage 2 */
		limit = used;
	int rc = mm_reserve(dm->mm, limit - used);
	if (rc == 0)
		dm->table_limit = limit;
	return rc;
}

static unsigned int ipa_bits_for(const struct plan_domain *cfg)
{
	uint64_t top = 0;
	unsigned int bits = DOMMEM_MIN_IPA_BITS;

	for (unsigned int i = 0; cfg->is_static && i < cfg->nr_banks; i++) {
		uint64_t ipa = ipa_addr(cfg->banks[i].ipa);
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
		if (e->state != PG_INUSE || e->owner != dm->domid) {
			i++;
			continue;
		}
		uint64_t next = e->pfn + e->count;
		if (mm_release(dm->mm, dm->domid, e->pfn, e->count, true))
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

/* Does anything still belong to the domain (a live incarnation)? */
static bool domid_busy(const struct pgstate *ps, uint16_t domid)
{
	for (uint32_t i = 0; i < ps->nr; i++)
		if (ps->ext[i].state == PG_INUSE && ps->ext[i].owner == domid)
			return true;
	return false;
}

/*
 * Map @count pages at host frame @pfn, just taken for the domain, at guest
 * frame @gfn. On failure they go back through the one free path, never
 * mapped and so never seen. The one acquire -> map -> roll back step of
 * creation and of balloon-in (dommem_populate).
 */
static inline int map_taken(struct domain_mem *dm, uint64_t gfn, uint64_t pfn, uint64_t count)
{
	int rc = p2m_map_range(&dm->p2m, ipa_init(gfn << PAGE_SHIFT), pa_init(pfn << PAGE_SHIFT),
	                       count * PAGE_SIZE, P2M_RAM_RW);
	if (rc) {
		mm_release(dm->mm, dm->domid, pfn, count, true);
		return rc;
	}
	dm->tot_pages += count;
	return 0;
}

/*
 * Q13, what static memory is for: static memory is for what needs the same physical pages every
 * boot (certification, a fast RAM region, DMA without an IOMMU on a direct-mapped domain): the
 * banks come from the plan, never from an allocator. A domain that merely needs "some memory" is a
 * heap domain.
 */
/* Pages are taken still marked for scrub: dommem_create() zeroes them after. */
static int create_static(struct domain_mem *dm)
{
	const struct plan_domain *cfg = dm->cfg;
	int rc = 0;

	for (unsigned int i = 0; i < cfg->nr_banks && rc == 0; i++) {
		const struct plan_bank *b = &cfg->banks[i];
		uint64_t pfn = pa_addr(b->pa) >> PAGE_SHIFT, n = b->size >> PAGE_SHIFT;
		if (!is_aligned(pa_addr(b->pa) | ipa_addr(b->ipa) | b->size, PAGE_SIZE) || n == 0)
			return -HV_EINVAL;
		rc = staticmem_acquire(&dm->mm->ps, dm->domid, pfn, n, false);
		if (rc == 0)
			rc = map_taken(dm, ipa_addr(b->ipa) >> PAGE_SHIFT, pfn, n);
	}
	return rc; /* on failure the caller releases the banks taken so far */
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
		while ((rc = mm_alloc_guest_pages(dm->mm, dm->domid, o, &pfn)) == -HV_ENOMEM &&
		       o > 0)
			o--;
		if (rc == 0)
			rc = map_taken(dm, ipa, pfn, 1ull << o);
		if (rc)
			return rc;
		ipa += 1ull << o;
		left -= 1ull << o;
	}
	return 0;
}

static int create(struct domain_mem *dm, struct mm *mm, const struct plan_domain *cfg,
                  unsigned int domid)
{
	uint64_t max_pages = 0;

	/* Everything is checked before dm is touched: dm may be a live domain. */
	if (dm->live)
		return -HV_EBUSY;
	if (domid == 0 || domid > PLAN_MAX_DOMAINS ||
	    (cfg->is_static && cfg->nr_banks > PLAN_MAX_STATIC_BANKS))
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
	/* A second incarnation of a live domain would free the first one's pages. */
	if (domid_busy(&mm->ps, (uint16_t)domid))
		return -HV_EBUSY;
	dm->mm = mm;
	dm->cfg = cfg;
	dm->domid = (uint16_t)domid;
	dm->tot_pages = 0;
	dm->max_pages = max_pages;
	dm->table_leaks = 0;
	const struct p2m_page_source src = {.alloc = table_alloc, .free = table_free, .ctx = dm};
	int rc = p2m_init(&dm->p2m, ipa_bits_for(cfg), dm->domid, &src);
	if (rc)
		return rc;
	rc = cfg->is_static ? create_static(dm) : create_heap(dm);
	if (rc == 0 && !dm->table_limit)
		rc = set_table_budget(dm);
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

/* The host frame mapped at guest frame gfn, when it is RAM. */
static int ram_frame(const struct domain_mem *dm, uint64_t gfn, uint64_t *pfn)
{
	pa_t pa;
	enum p2m_type type;

	if (gfn >> (dm->p2m.ipa_bits - PAGE_SHIFT) ||
	    !p2m_lookup(&dm->p2m, ipa_init(gfn << PAGE_SHIFT), &pa, &type))
		return -HV_ENOENT;
	if (type != P2M_RAM_RW)
		return -HV_EINVAL;
	*pfn = pa_addr(pa) >> PAGE_SHIFT;
	return 0;
}

int dommem_remove(struct domain_mem *dm, uint64_t gfn, uint64_t count)
{
	if (!dm->live)
		return -HV_EINVAL;
	uint64_t first = 0, prev = 0, runs = 0, ok_lo = 1, ok_hi = 0;

	if (count == 0 || (gfn & (count - 1)))
		return -HV_EINVAL;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t pfn;
		int rc = ram_frame(dm, gfn + i, &pfn);
		if (rc)
			return rc;
		/*
		 * Owned by the caller with no other reference. Q10, PV devices: PV devices
		 * (grant tables, shared pages; not implemented) would let another
		 * domain hold a reference on a page; such a page is refused here
		 * and by staticmem_acquire, and when it is finally freed it still
		 * goes through mm_release(): PV changes who may hold a page, not
		 * where a freed page goes.
		 */
		if (pfn < ok_lo || pfn >= ok_hi) {
			struct page_state st;
			if (!pgstate_get(&dm->mm->ps, pfn, &st) || st.state != PG_INUSE ||
			    st.owner != dm->domid || st.refcount != 1)
				return -HV_EINVAL;
			ok_lo = st.pfn;
			ok_hi = st.pfn + st.count;
		}
		if (i == 0)
			first = pfn;
		if (i == 0 || pfn != prev + 1)
			runs++;
		prev = pfn;
	}
	/* Each run's release splits at most two extents per kind. */
	if (pgstate_owner_room(&dm->mm->ps, dm->domid) < 4 * runs + UNMAP_ROOM_MARGIN)
		return -HV_ENOMEM;
	for (uint64_t i = 0; i < count;) {
		uint64_t pfn = first, n = count, next;
		if (runs > 1) { /* find this run again */
			ram_frame(dm, gfn + i, &pfn);
			n = 1;
			while (i + n < count && ram_frame(dm, gfn + i + n, &next) == 0 &&
			       next == pfn + n)
				n++;
		}
		/* Unmap first (and flush): the page is unreachable before it is freed. */
		int rc =
		    p2m_unmap_range(&dm->p2m, ipa_init((gfn + i) << PAGE_SHIFT), n * PAGE_SIZE);
		if (rc)
			return rc; /* a split needed a table page: this run is untouched */
		/* Q8, where freeing is decided: the one free path decides where each page goes. */
		/*
		 * The pages are unreachable now: the release must not be refused
		 * (that would leak them), and the room for it was checked above.
		 */
		if (mm_release(dm->mm, dm->domid, pfn, n, true))
			return -HV_ENOMEM; /* validated and forced: not reached */
		dm->tot_pages -= n;
		i += n;
	}
	return 0;
}

/* Guest RAM windows of a non-direct-mapped domain, in frames. */
static bool in_guest_ram(uint64_t gfn, uint64_t count)
{
	uint64_t r0 = GUEST_RAM0_BASE >> PAGE_SHIFT, r0n = GUEST_RAM0_SIZE >> PAGE_SHIFT;
	uint64_t r1 = GUEST_RAM1_BASE >> PAGE_SHIFT, r1n = GUEST_RAM1_SIZE >> PAGE_SHIFT;
	return (gfn >= r0 && gfn - r0 <= r0n - count) || (gfn >= r1 && gfn - r1 <= r1n - count);
}

/* The host frame the plan puts at gfn for a static domain, if it does. */
static bool planned_frame(const struct plan_domain *cfg, uint64_t gfn, uint64_t count,
                          uint64_t *pfn)
{
	for (unsigned int i = 0; i < cfg->nr_banks; i++) {
		const struct plan_bank *b = &cfg->banks[i];
		uint64_t first = ipa_addr(b->ipa) >> PAGE_SHIFT;
		uint64_t n = b->size >> PAGE_SHIFT;
		if (gfn >= first && gfn - first <= n - count && count <= n) {
			*pfn = (pa_addr(b->pa) >> PAGE_SHIFT) + (gfn - first);
			return true;
		}
	}
	return false;
}

int dommem_populate(struct domain_mem *dm, uint64_t gfn, unsigned int order)
{
	if (!dm->live)
		return -HV_EINVAL;
	const struct plan_domain *cfg = dm->cfg;
	uint64_t count = 1ull << order, pfn;
	int rc;

	if ((gfn & (count - 1)) || ((gfn + count - 1) >> (dm->p2m.ipa_bits - PAGE_SHIFT)))
		return -HV_EINVAL;
	if (cfg->direct_map) {
		/* Q9(b), balloon-in: gfn must equal mfn, and the frame be in the own reserve. */
		if (!planned_frame(cfg, gfn, count, &pfn))
			return -HV_EINVAL;
	} else if (!in_guest_ram(gfn, count)) {
		return -HV_EINVAL;
	}
	/*
	 * What the domain may still take is checked before the per-frame scan
	 * below when that scan is long: an order-18 request by a domain with
	 * no such reserve must cost O(extents), not 2^18 lookups. (A small
	 * request fails as cheaply in the acquire below.)
	 */
	if (count > POPULATE_SCAN_CHECKED &&
	    (cfg->is_static ? staticmem_reserve_pages(&dm->mm->ps, dm->domid) < count
	                    : dm->tot_pages + count > dm->max_pages))
		return -HV_ENOMEM;
	for (uint64_t i = 0; i < count; i++) {
		pa_t pa;
		if (p2m_lookup(&dm->p2m, ipa_init((gfn + i) << PAGE_SHIFT), &pa, NULL))
			return -HV_EEXIST;
	}
	if (cfg->is_static) {
		/*
		 * Q9(a), balloon-in: the page the plan puts at this frame is reused when it
		 * is in the reserve; else any free run of the reserve. Never
		 * the buddy.
		 */
		rc = -HV_ENOMEM;
		if (planned_frame(cfg, gfn, count, &pfn))
			rc = staticmem_acquire(&dm->mm->ps, dm->domid, pfn, count, true);
		if (rc && !cfg->direct_map &&
		    staticmem_find_free(&dm->mm->ps, dm->domid, count, &pfn))
			rc = staticmem_acquire(&dm->mm->ps, dm->domid, pfn, count, true);
	} else {
		if (dm->tot_pages + count > dm->max_pages)
			return -HV_ENOMEM;
		rc = mm_alloc_guest_pages(dm->mm, dm->domid, order, &pfn);
	}
	if (rc)
		return rc;
	return map_taken(dm, gfn, pfn, count);
}

int dommem_create(struct domain_mem *dm, struct mm *mm, const struct plan_domain *cfg,
                  unsigned int domid)
{
	int rc = create(dm, mm, cfg, domid);
	if (rc == 0)
		dommem_scrub(dm);
	return rc;
}

int dommem_create_unscrubbed(struct domain_mem *dm, struct mm *mm, const struct plan_domain *cfg,
                             unsigned int domid)
{
	return create(dm, mm, cfg, domid);
}

int dommem_scrub(struct domain_mem *dm)
{
	const struct plan_domain *cfg = dm->cfg;
	int rc = 0;

	for (unsigned int i = 0; cfg->is_static && i < cfg->nr_banks; i++) {
		int r = staticmem_scrub(&dm->mm->ps, pa_addr(cfg->banks[i].pa) >> PAGE_SHIFT,
		                        cfg->banks[i].size >> PAGE_SHIFT);
		if (r && !rc)
			rc = r;
	}
	return rc;
}

void dommem_destroy(struct domain_mem *dm)
{
	if (!dm->live)
		return;
	/* The stage-2 goes first (and the TLB with it): nothing maps the pages. */
	p2m_destroy(&dm->p2m);
	/* Q11, a destroyed domain's pages: static pages go to the domain's reserve, which outlives
	 * dm. */
	release_all(dm);
	dm->live = false;
	dm->tot_pages = 0;
}

int dommem_recreate(struct domain_mem *dm)
{
	struct mm *mm = dm->mm;
	const struct plan_domain *cfg = dm->cfg;
	unsigned int domid = dm->domid;

	dommem_destroy(dm);
	/* Q12, re-create on the same pages: the domain id, not dm, binds the pages: the same ones
	 * come back. */
	return dommem_create(dm, mm, cfg, domid);
}
