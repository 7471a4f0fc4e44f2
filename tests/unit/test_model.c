// SPDX-License-Identifier: Apache-2.0
/*
 * Randomized model test of the memory core.
 *
 * Thousands of seeded random sequences of domain create, destroy,
 * re-create, balloon out (decrease_reservation, remove_from_physmap),
 * balloon in (populate_physmap) and hypervisor heap allocations, over a
 * static direct-mapped, a static non-direct-mapped and a heap-backed
 * domain. After every step the core is compared with a model kept here
 * per page, and each stage-2 is read back with the independent walker
 * tests/common/s2walk.
 *
 *   build/tests/test_model            default run (MODEL_SEQS sequences)
 *   build/tests/test_model SEED       replay one failing sequence, verbose
 *   MODEL_SEQS=N MODEL_SEED=S         more sequences / another first seed
 */
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/guestmem.h"
#include "../../hv/core/memop.h"
#include "../../hv/core/staticmem.h"
#include "../common/s2walk.h"
#include "../common/testlib.h"
#include "mm_fixture.h"

#define BASE   0x40000000ull
#define RAM    (16 * MiB)
#define NPAGES (RAM / PAGE_SIZE)
#define PFN(a) ((a) >> PAGE_SHIFT)
#define NDOM   3
#define STEPS  40

enum mkind { M_HEAP, M_HVTEST, M_RESERVE, M_OWNED };

static struct plan plan;
static struct mm mm;
static struct domain_mem dm[NDOM];

/* The model: per host page, what it is and (when owned) where the guest sees it. */
struct mpage {
	uint8_t kind, slot;
	bool is_static;
	uint64_t gfn;
};
static struct mpage m[NPAGES];
static bool live[NDOM];
static uint64_t hv_pages[64], hv_order[64];
static unsigned int nhv;

static uint64_t stat_out, stat_in, stat_refused, stat_enomem;
static uint64_t rng;
static bool verbose;
static char failure[256];

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t pick(uint64_t n)
{
	return n ? rnd() % n : 0;
}

#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond) && failure[0] == 0)                                                    \
			snprintf(failure, sizeof(failure), __VA_ARGS__);                           \
	} while (0)

static uint64_t idx(uint64_t pfn)
{
	return pfn - PFN(BASE);
}

/* Spots of a page the tests write and check (plus whole pages now and then). */
static const unsigned int spots[] = {0, 8, 2048, PAGE_SIZE - 8};

static void board(void)
{
	static bool mapped_once;
	memset(&plan, 0, sizeof(plan));
	if (!mapped_once) { /* keep the simulated RAM across sequences: mmap is slow */
		host_ram_reset();
		mapped_once = host_ram_add(BASE, RAM) != NULL;
	}
	fx_ram_nomap(&plan, BASE, RAM);
	struct plan_domain *d0 = fx_domain(&plan, "direct", 0, true);
	fx_bank(d0, BASE + 2 * MiB, 1 * MiB);
	fx_bank(d0, BASE + 4 * MiB, 512 * KiB);
	struct plan_domain *d1 = fx_domain(&plan, "packed", 0, false);
	fx_bank(d1, BASE + 6 * MiB, 512 * KiB);
	fx_bank(d1, BASE + 8 * MiB, 1 * MiB);
	fx_domain(&plan, "heap", 1024, false);
	/* Static memory holds whatever the last boot left. */
	for (uint64_t a = BASE + 2 * MiB; a < BASE + 10 * MiB; a += PAGE_SIZE)
		for (unsigned int k = 0; k < ARRAY_SIZE(spots); k++)
			*(uint8_t *)arch_phys_to_virt(pa_init(a + spots[k])) = 0xd1;
	memset(dm, 0, sizeof(dm));
	memset(live, 0, sizeof(live));
	nhv = 0;
	for (uint64_t i = 0; i < NPAGES; i++)
		m[i] = (struct mpage){.kind = M_HEAP};
	for (unsigned int d = 0; d < 2; d++)
		for (unsigned int b = 0; b < plan.domains[d].nr_banks; b++) {
			const struct plan_bank *bk = &plan.domains[d].banks[b];
			for (uint64_t p = PFN(pa_addr(bk->pa)); p < PFN(pa_addr(bk->pa) + bk->size);
			     p++)
				m[idx(p)] = (struct mpage){
				    .kind = M_RESERVE, .slot = (uint8_t)d, .is_static = true};
		}
}

/* Guest frames of the argument and of the frame list: never ballooned. */
static uint64_t arg_gfn(unsigned int d)
{
	return d == 0 ? PFN(ipa_addr(plan.domains[0].banks[0].ipa)) : PFN(GUEST_RAM0_BASE);
}

static bool is_arg(unsigned int d, uint64_t gfn)
{
	return gfn == arg_gfn(d) || gfn == arg_gfn(d) + 1;
}

static long model_owned_pages(unsigned int d)
{
	long n = 0;
	for (uint64_t i = 0; i < NPAGES; i++)
		n += m[i].kind == M_OWNED && m[i].slot == d;
	return n;
}

/* The page the model says is at gfn in domain d, or -1. */
static long model_lookup(unsigned int d, uint64_t gfn)
{
	for (uint64_t i = 0; i < NPAGES; i++)
		if (m[i].kind == M_OWNED && m[i].slot == d && m[i].gfn == gfn)
			return (long)i;
	return -1;
}

/* A page just handed to a guest must read zero; then the guest writes to it. */
static void take_page(unsigned int d, uint64_t pfn, uint64_t gfn)
{
	static const uint8_t zero[PAGE_SIZE];
	uint8_t *p = arch_phys_to_virt(pa_init(pfn << PAGE_SHIFT));
	bool clean = (pfn % 8 != 0) || memcmp(p, zero, PAGE_SIZE) == 0;
	for (unsigned int k = 0; k < ARRAY_SIZE(spots); k++) {
		clean = clean && p[spots[k]] == 0;
		p[spots[k]] = (uint8_t)(0xa0 + d);
	}
	EXPECT(clean, "page 0x%llx given to %u unscrubbed", (unsigned long long)pfn, d);
	m[idx(pfn)].kind = M_OWNED;
	m[idx(pfn)].slot = (uint8_t)d;
	m[idx(pfn)].gfn = gfn;
}

static void give_back(uint64_t i)
{
	m[i].kind = m[i].is_static ? M_RESERVE : M_HEAP;
}

/* Learn pages the buddy chose for domain d (only heap pages may appear). */
static void learn_heap_pages(unsigned int d)
{
	static struct s2w_range r[4096];
	size_t n = 0;
	struct s2w_stats st;
	s2walk_ranges(p2m_vtcr(&dm[d].p2m, 40), p2m_vttbr(&dm[d].p2m), r, 4096, &n, &st);
	for (size_t k = 0; k < n && k < 4096; k++)
		for (uint64_t o = 0; o < r[k].size; o += PAGE_SIZE) {
			uint64_t pfn = PFN(r[k].pa + o), gfn = PFN(r[k].ipa + o);
			if (pfn < PFN(BASE) || idx(pfn) >= NPAGES) {
				EXPECT(0, "domain %u maps non-RAM 0x%llx", d,
				       (unsigned long long)pfn);
				continue;
			}
			if (m[idx(pfn)].kind == M_OWNED && m[idx(pfn)].slot == d)
				continue;
			EXPECT(m[idx(pfn)].kind == M_HEAP && !m[idx(pfn)].is_static,
			       "domain %u got page 0x%llx that was not free heap", d,
			       (unsigned long long)pfn);
			take_page(d, pfn, gfn);
		}
}

static void op_create(unsigned int d)
{
	int rc = dommem_create(&dm[d], &mm, &plan.domains[d], d + 1);
	if (live[d]) {
		EXPECT(rc == -HV_EBUSY, "second create of %u: %d", d, rc);
		return;
	}
	EXPECT(rc == 0, "create %u: %d", d, rc);
	if (rc)
		return;
	live[d] = true;
	const struct plan_domain *cfg = &plan.domains[d];
	for (unsigned int b = 0; cfg->is_static && b < cfg->nr_banks; b++)
		for (uint64_t o = 0; o < cfg->banks[b].size; o += PAGE_SIZE)
			take_page(d, PFN(pa_addr(cfg->banks[b].pa) + o),
			          PFN(ipa_addr(cfg->banks[b].ipa) + o));
	if (!cfg->is_static)
		learn_heap_pages(d);
}

static void op_destroy(unsigned int d)
{
	dommem_destroy(&dm[d]);
	if (!live[d])
		return;
	live[d] = false;
	for (uint64_t i = 0; i < NPAGES; i++)
		if (m[i].kind == M_OWNED && m[i].slot == d)
			give_back(i);
}

static long reservation(unsigned int d, unsigned int op, const uint64_t *gfns, uint64_t nr,
                        uint32_t order)
{
	uint8_t r[XMR_SIZE] = {0};
	uint64_t arg = arg_gfn(d) << PAGE_SHIFT, list = arg + PAGE_SIZE;
	uint16_t self = DOMID_SELF;
	memcpy(r + XMR_EXTENT_START, &list, 8);
	memcpy(r + XMR_NR_EXTENTS, &nr, 8);
	memcpy(r + XMR_EXTENT_ORDER, &order, 4);
	memcpy(r + XMR_DOMID, &self, 2);
	EXPECT(guestmem_write(&dm[d], ipa_init(arg), r, sizeof(r)) == 0, "arg page of %u", d);
	EXPECT(guestmem_write(&dm[d], ipa_init(list), gfns, nr * 8) == 0, "list page of %u", d);
	return memop_dispatch(&dm[d], op, ipa_init(arg));
}

/* Would the model remove extent [gfn, gfn+2^order) of domain d? */
static bool removable(unsigned int d, uint64_t gfn, unsigned int order)
{
	uint64_t n = 1ull << order;
	if (gfn & (n - 1))
		return false;
	for (uint64_t k = 0; k < n; k++)
		if (model_lookup(d, gfn + k) < 0)
			return false;
	return true;
}

static uint64_t random_owned_gfn(unsigned int d)
{
	for (int tries = 0; tries < 50; tries++) {
		uint64_t i = pick(NPAGES);
		if (m[i].kind == M_OWNED && m[i].slot == d && !is_arg(d, m[i].gfn))
			return m[i].gfn;
	}
	return PFN(GUEST_RAM0_BASE) + 4096 + pick(64); /* unmapped */
}

static void op_decrease(unsigned int d, bool remove_op)
{
	uint64_t g[4];
	unsigned int nr = remove_op ? 1 : 1 + (unsigned int)pick(4);
	unsigned int order = remove_op ? 0 : (pick(4) == 0 ? 1 : 0);
	for (unsigned int k = 0; k < nr; k++) {
		g[k] = random_owned_gfn(d);
		if (order)
			g[k] &= ~1ull;
		if (is_arg(d, g[k]))
			g[k] = PFN(GUEST_RAM0_BASE) + 8192; /* unmapped instead */
	}
	long rc;
	if (remove_op) {
		uint8_t r[XRFP_SIZE] = {0};
		uint16_t self = DOMID_SELF;
		memcpy(r + XRFP_DOMID, &self, 2);
		memcpy(r + XRFP_GPFN, &g[0], 8);
		guestmem_write(&dm[d], ipa_init(arg_gfn(d) << PAGE_SHIFT), r, sizeof(r));
		rc = memop_dispatch(&dm[d], XENMEM_remove_from_physmap,
		                    ipa_init(arg_gfn(d) << PAGE_SHIFT));
	} else {
		rc = reservation(d, XENMEM_decrease_reservation, g, nr, order);
	}
	long done = 0;
	for (unsigned int k = 0; k < nr; k++) {
		if (!removable(d, g[k], order))
			break;
		bool stopped = remove_op ? rc == -HV_ENOMEM : rc < (long)k + 1;
		if (stopped) {
			/*
			 * Allowed only when the domain's page-state budget (or the
			 * table) is nearly spent.
			 */
			EXPECT(pgstate_owner_room(&mm.ps, (uint16_t)(d + 1)) < 16,
			       "decrease %u stopped at %ld of %u", d, rc, nr);
			stat_enomem++;
			break;
		}
		for (uint64_t j = 0; j < (1ull << order); j++)
			give_back((uint64_t)model_lookup(d, g[k] + j));
		done = k + 1;
	}
	stat_out += (uint64_t)done;
	stat_refused += done < (long)nr;
	if (remove_op)
		EXPECT(done ? rc == 0 : rc < 0, "remove_from_physmap %u: %ld", d, rc);
	else
		EXPECT(rc == done, "decrease %u: %ld, model %ld", d, rc, done);
}

/* The frame the plan puts at gfn for static domain d, if any. */
static long planned(unsigned int d, uint64_t gfn)
{
	const struct plan_domain *cfg = &plan.domains[d];
	for (unsigned int b = 0; b < cfg->nr_banks; b++) {
		uint64_t ipa = PFN(ipa_addr(cfg->banks[b].ipa)), n = PFN(cfg->banks[b].size);
		if (gfn >= ipa && gfn < ipa + n)
			return (long)(PFN(pa_addr(cfg->banks[b].pa)) + gfn - ipa);
	}
	return -1;
}

static bool in_reserve(unsigned int d, uint64_t pfn, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++)
		if (m[idx(pfn + k)].kind != M_RESERVE || m[idx(pfn + k)].slot != d)
			return false;
	return true;
}

/* Lowest run of n pages free in d's reserve: the documented fallback. */
static long lowest_run(unsigned int d, uint64_t n)
{
	for (uint64_t i = 0; i + n <= NPAGES; i++)
		if (in_reserve(d, PFN(BASE) + i, n))
			return (long)(PFN(BASE) + i);
	return -1;
}

static void op_populate(unsigned int d)
{
	const struct plan_domain *cfg = &plan.domains[d];
	unsigned int order = pick(4) == 0 ? 1 : 0;
	uint64_t n = 1ull << order, gfn;
	/* Mostly a frame the domain had; sometimes one it never had. */
	gfn = PFN(GUEST_RAM0_BASE) + 2048 + pick(256);
	for (int tries = 0; tries < 8 && pick(5); tries++) {
		if (cfg->is_static) {
			uint64_t i = pick(NPAGES);
			if (m[i].kind != M_RESERVE || m[i].slot != d)
				continue;
			for (unsigned int b = 0; b < cfg->nr_banks; b++) {
				uint64_t p = PFN(BASE) + i, pa = PFN(pa_addr(cfg->banks[b].pa));
				if (p >= pa && p < pa + PFN(cfg->banks[b].size))
					gfn = p - pa + PFN(ipa_addr(cfg->banks[b].ipa));
			}
			break;
		}
		uint64_t g = PFN(GUEST_RAM0_BASE) + pick(PFN(cfg->memory_kib * KiB));
		if (model_lookup(d, g) < 0) {
			gfn = g;
			break;
		}
	}
	gfn &= ~(n - 1);
	long rc = reservation(d, XENMEM_populate_physmap, &gfn, 1, order);
	if (rc == 1)
		stat_in++;
	else
		stat_refused++;

	/* The model's verdict. */
	bool free_gfns = true;
	for (uint64_t k = 0; k < n; k++)
		free_gfns = free_gfns && model_lookup(d, gfn + k) < 0;
	long pfn = -1;
	if (free_gfns && cfg->is_static) {
		long p = planned(d, gfn);
		if (p >= 0 && planned(d, gfn + n - 1) == p + (long)n - 1 &&
		    in_reserve(d, (uint64_t)p, n))
			pfn = p;
		else if (!cfg->direct_map && gfn + n <= PFN(GUEST_RAM0_BASE + GUEST_RAM0_SIZE))
			pfn = lowest_run(d, n);
		EXPECT(rc == (pfn >= 0), "populate %u gfn 0x%llx order %u: %ld, model pfn %ld", d,
		       (unsigned long long)gfn, order, rc, pfn);
		if (rc == 1 && pfn >= 0) {
			pa_t pa;
			EXPECT(p2m_lookup(&dm[d].p2m, ipa_init(gfn << PAGE_SHIFT), &pa, NULL) &&
			           PFN(pa_addr(pa)) == (uint64_t)pfn,
			       "populate %u mapped the wrong page", d);
			for (uint64_t k = 0; k < n; k++)
				take_page(d, (uint64_t)pfn + k, gfn + k);
		}
	} else if (free_gfns) {
		bool fits = model_owned_pages(d) + (long)n <= (long)(cfg->memory_kib / 4);
		EXPECT(rc == fits, "populate heap %u: %ld, model %d", d, rc, fits);
		if (rc == 1)
			learn_heap_pages(d);
	} else {
		EXPECT(rc == 0, "populate %u over a mapped frame: %ld", d, rc);
	}
}

static void op_heap(void)
{
	if (nhv && (nhv == 64 || pick(2))) {
		unsigned int k = (unsigned int)pick(nhv);
		EXPECT(mm_free_pages(&mm, pa_init(hv_pages[k] << PAGE_SHIFT),
		                     (unsigned int)hv_order[k]) == 0,
		       "heap free");
		for (uint64_t j = 0; j < (1ull << hv_order[k]); j++)
			m[idx(hv_pages[k] + j)].kind = M_HEAP;
		hv_pages[k] = hv_pages[--nhv];
		hv_order[k] = hv_order[nhv];
		return;
	}
	unsigned int order = (unsigned int)pick(4);
	pa_t pa;
	if (mm_alloc_pages(&mm, order, &pa))
		return;
	uint64_t p = PFN(pa_addr(pa));
	for (uint64_t j = 0; j < (1ull << order); j++) {
		EXPECT(m[idx(p + j)].kind == M_HEAP && !m[idx(p + j)].is_static,
		       "heap gave page 0x%llx that was not free", (unsigned long long)(p + j));
		m[idx(p + j)].kind = M_HVTEST;
	}
	hv_pages[nhv] = p;
	hv_order[nhv++] = order;
}

/* Compare everything with the model. */
static void check_all(void)
{
	EXPECT(pgstate_check(&mm.ps), "page-state table inconsistent");
	/* Every page: one owner or free, as the model says. */
	for (uint32_t e = 0; e < mm.ps.nr; e++) {
		const struct page_state *x = &mm.ps.ext[e];
		for (uint64_t p = x->pfn; p < x->pfn + x->count; p++) {
			const struct mpage *y = &m[idx(p)];
			bool ok;
			switch (y->kind) {
			case M_OWNED:
				ok = x->state == PG_INUSE && x->owner == y->slot + 1 &&
				     x->refcount == 1 && !!(x->flags & PG_STATIC) == y->is_static;
				break;
			case M_RESERVE:
				ok = x->state == PG_FREE && x->owner == y->slot + 1 &&
				     (x->flags & ~PG_NEEDS_SCRUB) == PG_STATIC;
				break;
			case M_HVTEST:
				ok = x->state == PG_INUSE && x->owner == PG_OWNER_HV;
				break;
			default: /* free heap, or a stage-2 table or the page-state table */
				ok = x->flags == PG_HEAP &&
				     (x->state == PG_FREE ||
				      (x->state == PG_INUSE && x->owner == PG_OWNER_HV));
			}
			EXPECT(ok,
			       "page 0x%llx: model kind %u slot %u, core state %u owner 0x%x flags "
			       "0x%x",
			       (unsigned long long)p, y->kind, y->slot, x->state, x->owner,
			       x->flags);
			if (!ok)
				return;
		}
	}
	/* The buddy's free lists hold only free heap pages, never static ones. */
	uint64_t listed = 0, free_heap = 0;
	for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++)
		for (uint64_t p = buddy_first(&mm.buddy, o); p != BUDDY_NONE;
		     p = buddy_next(&mm.buddy, p)) {
			for (uint64_t j = 0; j < (1ull << o); j++) {
				const struct mpage *y = &m[idx(p + j)];
				EXPECT(!y->is_static && y->kind == M_HEAP,
				       "buddy lists page 0x%llx (kind %u static %d)",
				       (unsigned long long)(p + j), y->kind, y->is_static);
			}
			listed += 1ull << o;
		}
	for (uint32_t e = 0; e < mm.ps.nr; e++)
		if (mm.ps.ext[e].state == PG_FREE && mm.ps.ext[e].flags == PG_HEAP)
			free_heap += mm.ps.ext[e].count;
	EXPECT(listed == free_heap && listed == mm.buddy.free_pages,
	       "buddy lists %llu pages, page state says %llu free", (unsigned long long)listed,
	       (unsigned long long)free_heap);
	/* Each stage-2 maps exactly the domain's pages at the model's addresses. */
	for (unsigned int d = 0; d < NDOM; d++) {
		if (!live[d])
			continue;
		static struct s2w_range r[4096];
		size_t n = 0;
		struct s2w_stats st;
		EXPECT(s2walk_ranges(p2m_vtcr(&dm[d].p2m, 40), p2m_vttbr(&dm[d].p2m), r, 4096, &n,
		                     &st) == S2W_OK &&
		           st.bad == 0 && n <= 4096,
		       "stage-2 of %u unreadable", d);
		long mapped = 0;
		for (size_t k = 0; k < n && k < 4096; k++) {
			EXPECT(r[k].kind == S2W_NORMAL_RW, "domain %u: non-RAM mapping", d);
			for (uint64_t o = 0; o < r[k].size; o += PAGE_SIZE) {
				uint64_t pfn = PFN(r[k].pa + o);
				bool ok = pfn >= PFN(BASE) && idx(pfn) < NPAGES &&
				          m[idx(pfn)].kind == M_OWNED && m[idx(pfn)].slot == d &&
				          m[idx(pfn)].gfn == PFN(r[k].ipa + o);
				EXPECT(ok, "domain %u maps gfn 0x%llx to 0x%llx, not in the model",
				       d, (unsigned long long)PFN(r[k].ipa + o),
				       (unsigned long long)pfn);
				mapped++;
			}
		}
		long owned = model_owned_pages(d);
		EXPECT(mapped == owned, "domain %u maps %ld pages, model %ld", d, mapped, owned);
		/* current_reservation agrees. */
		uint16_t self = DOMID_SELF;
		ipa_t arg = ipa_init(arg_gfn(d) << PAGE_SHIFT);
		guestmem_write(&dm[d], arg, &self, 2);
		long cur = memop_dispatch(&dm[d], XENMEM_current_reservation, arg);
		EXPECT(cur == owned, "current_reservation of %u: %ld, model %ld", d, cur, owned);
	}
}

static const char *const op_names[] = {"create", "destroy",  "recreate", "decrease",
                                       "remove", "populate", "heap"};

static bool run_sequence(uint64_t seed)
{
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	failure[0] = 0;
	board();
	if (mm_init(&mm, &plan)) {
		snprintf(failure, sizeof(failure), "mm_init: %s", mm.error);
		return false;
	}
	for (unsigned int d = 0; d < NDOM; d++)
		op_create(d);
	check_all();
	for (int step = 0; step < STEPS && !failure[0]; step++) {
		/* Weights: mostly ballooning, now and then a lifecycle change. */
		static const unsigned int weights[] = {0, 2, 3, 8, 3, 10, 3};
		unsigned int d = (unsigned int)pick(NDOM), op = 0, w = (unsigned int)pick(29);
		while (w >= weights[op]) {
			w -= weights[op];
			op++;
		}
		if (!live[d] && op != 6)
			op = 0;
		if (verbose)
			printf("  step %d: %s domain %u\n", step, op_names[op], d);
		switch (op) {
		case 0:
			op_create(d);
			break;
		case 1:
			op_destroy(d);
			break;
		case 2:
			op_destroy(d);
			op_create(d);
			break;
		case 3:
			op_decrease(d, false);
			break;
		case 4:
			op_decrease(d, true);
			break;
		case 5:
			op_populate(d);
			break;
		default:
			op_heap();
		}
		check_all();
		if (failure[0])
			printf("  seed %llu step %d (%s domain %u): %s\n", (unsigned long long)seed,
			       step, op_names[op], d, failure);
	}
	/* Tear down: every domain destroyed, all heap back, reserves whole. */
	for (unsigned int d = 0; d < NDOM && !failure[0]; d++)
		op_destroy(d);
	if (!failure[0]) {
		check_all();
		for (unsigned int d = 0; d < 2; d++)
			EXPECT(staticmem_reserve_pages(&mm.ps, d + 1) == PFN(1536 * KiB),
			       "reserve of %u not whole after destroy", d);
		if (failure[0])
			printf("  seed %llu teardown: %s\n", (unsigned long long)seed, failure);
	}
	return failure[0] == 0;
}

static uint64_t first_seed = 1, nseqs = 1000;

TEST(model_random_sequences)
{
	for (uint64_t s = first_seed; s < first_seed + nseqs; s++) {
		if (!run_sequence(s)) {
			printf("  replay: build/tests/test_model %llu\n", (unsigned long long)s);
			CHECK(!"model mismatch");
			return;
		}
	}
	printf("  %llu sequences: %llu extents ballooned out, %llu in, %llu refused"
	       " (%llu for a full page-state table)\n",
	       (unsigned long long)nseqs, (unsigned long long)stat_out, (unsigned long long)stat_in,
	       (unsigned long long)stat_refused, (unsigned long long)stat_enomem);
}

int main(int argc, char **argv)
{
	if (getenv("MODEL_SEED"))
		first_seed = strtoull(getenv("MODEL_SEED"), NULL, 0);
	if (getenv("MODEL_SEQS"))
		nseqs = strtoull(getenv("MODEL_SEQS"), NULL, 0);
	if (argc > 1) {
		first_seed = strtoull(argv[1], NULL, 0);
		nseqs = 1;
		verbose = true;
	}
	RUN(model_random_sequences);
	return tl_finish();
}
