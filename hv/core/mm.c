// SPDX-License-Identifier: Apache-2.0
/* Memory core set-up and the one free path: see mm.h. */
#include "mm.h"

#include "arch.h"
#include "errno.h"
#include "fmt.h"
#include "staticmem.h"

/* A range the heap may never use, in pages (rounded outwards). */
struct claim {
	uint64_t pfn, count;
};

static struct claim claim_of(uint64_t base, uint64_t size)
{
	uint64_t s = align_down(base, PAGE_SIZE) >> PAGE_SHIFT;
	uint64_t e = align_up(base + size, PAGE_SIZE) >> PAGE_SHIFT;
	return (struct claim){s, e - s};
}

static bool claims_overlap(struct claim a, struct claim b)
{
	return ranges_overlap(a.pfn, a.count, b.pfn, b.count);
}

/* RAM banks in pages, sorted; page-aligned inwards. */
static int ram_banks(struct mm *mm, uint64_t *pfn, uint64_t *count)
{
	const struct plan *plan = mm->plan;
	unsigned int n = plan->nr_ram;

	if (n == 0 || n > PGSTATE_MAX_BANKS) {
		fmt_snprintf(mm->error, sizeof(mm->error), "/memory: %u RAM banks (1..%u allowed)",
		             n, PGSTATE_MAX_BANKS);
		return -HV_EINVAL;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint64_t b = plan->ram[i].base, s = plan->ram[i].size;
		uint64_t lo = align_up(b, PAGE_SIZE), hi = align_down(b + s, PAGE_SIZE);
		if (!range_valid(b, s) || b + s > UINT64_MAX - PAGE_SIZE || hi <= lo) {
			fmt_snprintf(mm->error, sizeof(mm->error), "/memory: reg entry %u is empty",
			             i);
			return -HV_EINVAL;
		}
		/* Insertion sort: at most 16 banks. */
		unsigned int k = i;
		while (k > 0 && pfn[k - 1] > lo >> PAGE_SHIFT) {
			pfn[k] = pfn[k - 1];
			count[k] = count[k - 1];
			k--;
		}
		pfn[k] = lo >> PAGE_SHIFT;
		count[k] = (hi - lo) >> PAGE_SHIFT;
	}
	for (unsigned int i = 1; i < n; i++)
		if (pfn[i] < pfn[i - 1] + count[i - 1]) {
			fmt_snprintf(mm->error, sizeof(mm->error), "/memory: RAM banks overlap");
			return -HV_EINVAL;
		}
	return 0;
}

static bool inside_one_bank(const uint64_t *pfn, const uint64_t *count, unsigned int n,
                            struct claim c)
{
	for (unsigned int i = 0; i < n; i++)
		if (c.pfn >= pfn[i] && c.pfn + c.count <= pfn[i] + count[i])
			return true;
	return false;
}

/* Is a range given in bytes page aligned and non-empty? */
static bool page_range_ok(uint64_t base, uint64_t size)
{
	return range_valid(base, size) && is_aligned(base, PAGE_SIZE) &&
	       is_aligned(size, PAGE_SIZE) && base + size <= UINT64_MAX - PAGE_SIZE;
}

/* The first thing that static bank (d, b) overlaps, or NULL. */
static const char *static_conflict(const struct plan *plan, unsigned int d, unsigned int b)
{
	const struct plan_domain *dom = &plan->domains[d];
	struct claim c = claim_of(pa_addr(dom->banks[b].pa), dom->banks[b].size);

	for (unsigned int e = 0; e < plan->nr_domains; e++) {
		const struct plan_domain *o = &plan->domains[e];
		for (unsigned int k = 0; o->is_static && k < o->nr_banks; k++) {
			if (e == d && k == b)
				continue;
			if (claims_overlap(c, claim_of(pa_addr(o->banks[k].pa), o->banks[k].size)))
				return "another xen,static-mem bank (memory claimed twice)";
		}
		for (unsigned int k = 0; k < o->nr_modules; k++)
			if (claims_overlap(
			        c, claim_of(o->modules[k].range.base, o->modules[k].range.size)))
				return "a boot module";
	}
	if (plan->hv_image.size &&
	    claims_overlap(c, claim_of(plan->hv_image.base, plan->hv_image.size)))
		return "the hypervisor image";
	if (plan->dtb.size && claims_overlap(c, claim_of(plan->dtb.base, plan->dtb.size)))
		return "the device tree blob";
	for (unsigned int k = 0; k < plan->nr_reserved; k++)
		if (plan->reserved[k].range.size &&
		    claims_overlap(
		        c, claim_of(plan->reserved[k].range.base, plan->reserved[k].range.size)))
			return "reserved memory";
	for (unsigned int k = 0; plan->has_static_heap && k < plan->nr_heap; k++)
		if (claims_overlap(c, claim_of(plan->heap[k].base, plan->heap[k].size)))
			return "the static heap";
	return NULL;
}

static int check_static(struct mm *mm, const uint64_t *pfn, const uint64_t *count,
                        unsigned int nr_ram)
{
	const struct plan *plan = mm->plan;

	if (plan->nr_domains > PLAN_MAX_DOMAINS)
		return -HV_EINVAL;
	for (unsigned int d = 0; d < plan->nr_domains; d++) {
		const struct plan_domain *dom = &plan->domains[d];
		if (!dom->is_static)
			continue;
		if (dom->nr_banks == 0 || dom->nr_banks > PLAN_MAX_STATIC_BANKS) {
			fmt_snprintf(mm->error, sizeof(mm->error),
			             "%s: xen,static-mem has %u banks (1..%u allowed)", dom->node,
			             dom->nr_banks, PLAN_MAX_STATIC_BANKS);
			return -HV_EINVAL;
		}
		for (unsigned int b = 0; b < dom->nr_banks; b++) {
			const struct plan_bank *bk = &dom->banks[b];
			if (!page_range_ok(pa_addr(bk->pa), bk->size) ||
			    !inside_one_bank(pfn, count, nr_ram,
			                     claim_of(pa_addr(bk->pa), bk->size))) {
				fmt_snprintf(
				    mm->error, sizeof(mm->error),
				    "%s: xen,static-mem bank %u (0x%llx size 0x%llx) is not "
				    "page-aligned RAM inside one memory bank",
				    dom->node, b, (unsigned long long)pa_addr(bk->pa),
				    (unsigned long long)bk->size);
				return -HV_EINVAL;
			}
			const char *what = static_conflict(plan, d, b);
			if (what) {
				fmt_snprintf(mm->error, sizeof(mm->error),
				             "%s: xen,static-mem bank %u (0x%llx size 0x%llx) "
				             "overlaps %s",
				             dom->node, b, (unsigned long long)pa_addr(bk->pa),
				             (unsigned long long)bk->size, what);
				return -HV_EEXIST;
			}
		}
	}
	return 0;
}

/* Feed the boot allocator: candidates, then carve every claim out. */
static int feed_bootalloc(struct mm *mm, const uint64_t *pfn, const uint64_t *count,
                          unsigned int nr_ram)
{
	const struct plan *plan = mm->plan;
	struct bootalloc *b = &mm->boot;
	int rc = 0;

	bootalloc_init(b);
	if (plan->has_static_heap) {
		/* Q6, RAM outside the static heap: only the static heap feeds the heap; other RAM
		 * stays unused. */
		if (plan->nr_heap > PLAN_MAX_HEAP_RANGES)
			return -HV_EINVAL;
		for (unsigned int i = 0; i < plan->nr_heap; i++) {
			const struct plan_range *h = &plan->heap[i];
			struct claim c = claim_of(h->base, h->size);
			if (!page_range_ok(h->base, h->size) ||
			    !inside_one_bank(pfn, count, nr_ram, c) ||
			    bootalloc_add(b, c.pfn, c.count)) {
				fmt_snprintf(
				    mm->error, sizeof(mm->error),
				    "/chosen: xen,static-heap entry %u (0x%llx size 0x%llx) "
				    "is not page-aligned RAM inside one bank, or overlaps "
				    "another entry",
				    i, (unsigned long long)h->base, (unsigned long long)h->size);
				return -HV_EINVAL;
			}
		}
	} else {
		for (unsigned int i = 0; i < nr_ram && rc == 0; i++)
			rc = bootalloc_add(b, pfn[i], count[i]);
	}
	/* Q1, allocators that never see static memory: static memory is carved out before the boot
	 * allocator starts. */
	for (unsigned int d = 0; d < plan->nr_domains && rc == 0; d++) {
		const struct plan_domain *dom = &plan->domains[d];
		for (unsigned int k = 0; dom->is_static && k < dom->nr_banks && rc == 0; k++) {
			struct claim c = claim_of(pa_addr(dom->banks[k].pa), dom->banks[k].size);
			rc = bootalloc_carve(b, c.pfn, c.count);
		}
		for (unsigned int k = 0; k < dom->nr_modules && rc == 0; k++)
			if (dom->modules[k].range.size) {
				struct claim c = claim_of(dom->modules[k].range.base,
				                          dom->modules[k].range.size);
				rc = bootalloc_carve(b, c.pfn, c.count);
			}
	}
	for (unsigned int k = 0; k < plan->nr_reserved && rc == 0; k++)
		if (plan->reserved[k].range.size) {
			struct claim c =
			    claim_of(plan->reserved[k].range.base, plan->reserved[k].range.size);
			rc = bootalloc_carve(b, c.pfn, c.count);
		}
	if (rc == 0 && plan->hv_image.size) {
		struct claim c = claim_of(plan->hv_image.base, plan->hv_image.size);
		rc = bootalloc_carve(b, c.pfn, c.count);
	}
	if (rc == 0 && plan->dtb.size) {
		struct claim c = claim_of(plan->dtb.base, plan->dtb.size);
		rc = bootalloc_carve(b, c.pfn, c.count);
	}
	if (rc)
		fmt_snprintf(mm->error, sizeof(mm->error), "memory map too fragmented");
	return rc;
}

int mm_init(struct mm *mm, const struct plan *plan)
{
	uint64_t pfn[PGSTATE_MAX_BANKS], count[PGSTATE_MAX_BANKS];

	mm->plan = plan;
	mm->error[0] = '\0';
	mm->meta_pfn = mm->meta_pages = 0;
	mm->reserved_pages = 0;
	int rc = ram_banks(mm, pfn, count);
	if (rc)
		return rc;
	unsigned int nr_ram = plan->nr_ram;
	rc = check_static(mm, pfn, count, nr_ram);
	if (rc)
		return rc;
	rc = feed_bootalloc(mm, pfn, count, nr_ram);
	if (rc)
		return rc;

	/* Size the page-state table: initial extents, spare, growth. */
	uint64_t heap = bootalloc_free_pages(&mm->boot), stat = 0, claims = mm->boot.nr + nr_ram;
	for (unsigned int d = 0; d < plan->nr_domains; d++) {
		const struct plan_domain *dom = &plan->domains[d];
		claims += dom->nr_modules;
		for (unsigned int k = 0; dom->is_static && k < dom->nr_banks; k++) {
			stat += dom->banks[k].size >> PAGE_SHIFT;
			claims++;
		}
	}
	claims += plan->nr_reserved + 2;
	/*
	 * The static part (stat / MM_STATIC_PAGES_PER_EXTENT plus a base per
	 * domain) is the sum of the static domains' extent budgets below, so
	 * each can use all of its own whatever the others do.
	 */
	uint64_t cap = 2 * (2 * claims + 1) + MM_PGSTATE_SPARE + stat / MM_STATIC_PAGES_PER_EXTENT +
	               (uint64_t)MM_DOMAIN_EXTENTS_BASE * plan->nr_domains +
	               heap / MM_HEAP_PAGES_PER_EXTENT;
	if (cap > UINT32_MAX)
		return -HV_EINVAL;
	mm->meta_pages = align_up(cap * sizeof(struct page_state), PAGE_SIZE) >> PAGE_SHIFT;
	rc = bootalloc_alloc(&mm->boot, mm->meta_pages, 1, &mm->meta_pfn);
	if (rc) {
		fmt_snprintf(mm->error, sizeof(mm->error),
		             "no heap memory for the page-state table (%llu pages)",
		             (unsigned long long)mm->meta_pages);
		return -HV_ENOMEM;
	}
	struct page_state *table = arch_phys_to_virt(pa_init(mm->meta_pfn << PAGE_SHIFT));
	rc = pgstate_init(&mm->ps, table, (uint32_t)cap, MM_PGSTATE_SPARE, pfn, count, nr_ram);
	if (rc)
		return rc;

	/* Static banks: free in their domain's reserve, content unknown. */
	for (unsigned int d = 0; d < plan->nr_domains; d++) {
		const struct plan_domain *dom = &plan->domains[d];
		const struct page_state resv = {.state = PG_FREE,
		                                .owner = (uint16_t)(d + 1),
		                                .flags = PG_STATIC | PG_NEEDS_SCRUB};
		uint64_t pages = 0;
		for (unsigned int k = 0; dom->is_static && k < dom->nr_banks && rc == 0; k++) {
			struct claim c = claim_of(pa_addr(dom->banks[k].pa), dom->banks[k].size);
			rc = pgstate_set(&mm->ps, c.pfn, c.count, &resv, 0, true);
			pages += c.count;
		}
		/*
		 * Its banks (each may be cut in two by neighbours), a base, and its
		 * share of the fragmentation headroom: ballooning by one domain
		 * ends with -HV_ENOMEM to it, never with a full table for others.
		 */
		if (dom->is_static)
			pgstate_set_budget(&mm->ps, (uint16_t)(d + 1),
			                   (uint32_t)(3 * dom->nr_banks + MM_DOMAIN_EXTENTS_BASE +
			                              pages / MM_STATIC_PAGES_PER_EXTENT));
	}
	/* The heap: what the boot allocator holds, as in use by the hypervisor. */
	const struct page_state hv = {
	    .state = PG_INUSE, .owner = PG_OWNER_HV, .refcount = 1, .flags = PG_HEAP};
	if (rc == 0)
		rc = pgstate_set(&mm->ps, mm->meta_pfn, mm->meta_pages, &hv, 0, true);
	for (unsigned int i = 0; i < mm->boot.nr && rc == 0; i++)
		rc = pgstate_set(&mm->ps, mm->boot.free[i].pfn, mm->boot.free[i].count, &hv, 0,
		                 true);
	/* The boot allocator retires; its free ranges go to the buddy. */
	bootalloc_retire(&mm->boot);
	buddy_init(&mm->buddy, &mm->ps);
	for (unsigned int i = 0; i < mm->boot.nr && rc == 0; i++)
		rc = buddy_free_range(&mm->buddy, mm->boot.free[i].pfn, mm->boot.free[i].count,
		                      true);
	if (rc) {
		fmt_snprintf(mm->error, sizeof(mm->error), "page-state table too small");
		return rc;
	}
	return 0;
}

/* Heap pages an unbudgeted allocation of 2^@order may take. */
static bool unpromised(const struct mm *mm, unsigned int order)
{
	return order <= BUDDY_MAX_ORDER &&
	       mm->buddy.free_pages >= mm->reserved_pages + (1ull << order);
}

static int alloc_hv_pages(struct mm *mm, unsigned int order, pa_t *pa)
{
	uint64_t pfn;
	int rc = buddy_alloc(&mm->buddy, order, PG_OWNER_HV, &pfn);
	if (rc == 0)
		*pa = pa_init(pfn << PAGE_SHIFT);
	return rc;
}

int mm_alloc_pages(struct mm *mm, unsigned int order, pa_t *pa)
{
	if (!unpromised(mm, order))
		return order > BUDDY_MAX_ORDER ? -HV_EINVAL : -HV_ENOMEM;
	return alloc_hv_pages(mm, order, pa);
}

int mm_reserve(struct mm *mm, uint64_t pages)
{
	if (mm->buddy.free_pages < mm->reserved_pages + pages)
		return -HV_ENOMEM;
	mm->reserved_pages += pages;
	return 0;
}

int mm_alloc_reserved_pages(struct mm *mm, unsigned int order, pa_t *pa)
{
	if (order > BUDDY_MAX_ORDER || mm->reserved_pages < (1ull << order))
		return -HV_ENOMEM;
	int rc = alloc_hv_pages(mm, order, pa);
	if (rc == 0)
		mm->reserved_pages -= 1ull << order;
	return rc;
}

void mm_unreserve_return(struct mm *mm, uint64_t pages)
{
	mm->reserved_pages += pages;
}

int mm_free_pages(struct mm *mm, pa_t pa, unsigned int order)
{
	if (!is_aligned(pa_addr(pa), PAGE_SIZE) || order > BUDDY_MAX_ORDER)
		return -HV_EINVAL;
	return mm_release(mm, PG_OWNER_HV, pa_addr(pa) >> PAGE_SHIFT, 1ull << order, false);
}

/*
 * Q5, the heap the static heap feeds: one buddy serves both of Xen's heaps (the hypervisor's own
 * data and the domain heap): every page is mapped in the hypervisor on arm64, so there is nothing
 * to split. With xen,static-heap that one buddy is fed only by the static heap ranges; static
 * domain memory is something else: bound to its domain, never in the buddy.
 */
int mm_alloc_guest_pages(struct mm *mm, uint16_t domid, unsigned int order, uint64_t *pfn)
{
	if (domid == 0 || domid > PLAN_MAX_DOMAINS)
		return -HV_EINVAL;
	if (!unpromised(mm, order)) /* pages promised to stage-2 budgets stay */
		return order > BUDDY_MAX_ORDER ? -HV_EINVAL : -HV_ENOMEM;
	int rc = buddy_alloc(&mm->buddy, order, domid, pfn);
	if (rc == 0) /* The buddy holds whatever its last user left. */
		arch_scrub(pa_init(*pfn << PAGE_SHIFT), PAGE_SIZE << order);
	return rc;
}

int mm_release(struct mm *mm, uint16_t owner, uint64_t pfn, uint64_t count, bool force)
{
	uint64_t end = pfn + count;
	uint32_t runs = 0;
	bool last_static = false;

	if (count == 0 || end < pfn)
		return -HV_EINVAL;
	/* Check everything first: a refused free changes nothing. */
	for (uint64_t p = pfn; p < end;) {
		struct page_state st;
		if (!pgstate_get(&mm->ps, p, &st) || st.state != PG_INUSE || st.owner != owner ||
		    !(st.flags & (PG_STATIC | PG_HEAP)))
			return -HV_EINVAL;
		bool is_static = (st.flags & PG_STATIC) != 0;
		if (runs == 0 || is_static != last_static)
			runs++;
		last_static = is_static;
		p = st.pfn + st.count;
	}
	/* Each run's change splits at most two extents. */
	if (!force && pgstate_room(&mm->ps) < 2 * runs)
		return -HV_ENOMEM;
	for (uint64_t p = pfn; p < end;) {
		struct page_state st;
		pgstate_get(&mm->ps, p, &st);
		bool is_static = (st.flags & PG_STATIC) != 0;
		uint64_t e = p;
		/* Extend to the end of this run of the same kind. */
		while (e < end) {
			struct page_state s2;
			pgstate_get(&mm->ps, e, &s2);
			if (((s2.flags & PG_STATIC) != 0) != is_static)
				break;
			e = s2.pfn + s2.count < end ? s2.pfn + s2.count : end;
		}
		int rc;
		if (is_static) {
			/* Q8, where freeing is decided: a static page goes back to its domain's
			 * reserve, never the buddy. */
			rc = staticmem_release(&mm->ps, owner, p, e - p, force);
		} else {
			if (owner != PG_OWNER_HV)
				arch_scrub(pa_init(p << PAGE_SHIFT), (e - p) << PAGE_SHIFT);
			rc = buddy_free_range(&mm->buddy, p, e - p, force);
		}
		if (rc) /* The room was checked: only a broken table gets here. */
			arch_panic("mm_release: page-state table inconsistent");
		p = e;
	}
	return 0;
}

uint64_t mm_metadata_bytes(const struct mm *mm)
{
	return mm->meta_pages * PAGE_SIZE + sizeof(*mm);
}
