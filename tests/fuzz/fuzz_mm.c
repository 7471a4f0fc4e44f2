// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer drive of the memory core: domain create / destroy / re-create,
 * raw memory_op hypercalls with fuzzed arguments, and hypervisor heap
 * allocations, on a small board with a direct-mapped static, a packed
 * static and a heap-backed domain. After every operation the invariants
 * are checked against the plan and the stage-2 tables (read with s2walk):
 * pages have one owner, static pages stay bound to their domain and never
 * reach the buddy, each stage-2 maps only its domain's pages, counts add up.
 *
 * Input: 8 bytes per operation:
 *   [0] op  [1] domain  [2..5] frame (offset into the domain's RAM, or raw)
 *   [6] order / count  [7] extra (domid, flags, pointer variants)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/guestmem.h"
#include "../../hv/core/memop.h"
#include "../../hv/core/staticmem.h"
#include "../../hv/host/host_arch.h"
#include "../common/s2walk.h"

#define BASE   0x40000000ull
#define RAM    (16 * MiB)
#define NDOM   3
#define PFN(a) ((a) >> PAGE_SHIFT)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct plan plan;
static struct mm mm;
static struct domain_mem dm[NDOM];

static void fail(const char *what, unsigned long long a, unsigned long long b)
{
	fprintf(stderr, "fuzz_mm: %s (0x%llx, 0x%llx)\n", what, a, b);
	abort();
}

static void bank(struct plan_domain *d, uint64_t pa, uint64_t size)
{
	uint64_t ipa = GUEST_RAM0_BASE;
	for (unsigned int i = 0; i < d->nr_banks; i++)
		ipa += d->banks[i].size;
	d->banks[d->nr_banks++] = (struct plan_bank){
	    .pa = pa_init(pa),
	    .ipa = d->direct_map ? ipa_from_pa_direct(pa_init(pa)) : ipa_init(ipa),
	    .size = size};
	d->is_static = true;
	d->memory_kib += size / KiB;
}

static void board(void)
{
	static bool ram;
	if (!ram) {
		host_ram_reset();
		ram = host_ram_add(BASE, RAM) != NULL;
	}
	memset(&plan, 0, sizeof(plan));
	plan.nr_ram = 1;
	plan.ram[0] = (struct plan_range){BASE, RAM};
	plan.nr_domains = NDOM;
	plan.domains[0].direct_map = true;
	bank(&plan.domains[0], BASE + 2 * MiB, 1 * MiB);
	bank(&plan.domains[0], BASE + 4 * MiB, 512 * KiB);
	bank(&plan.domains[1], BASE + 6 * MiB, 512 * KiB);
	bank(&plan.domains[1], BASE + 8 * MiB, 1 * MiB);
	plan.domains[2].memory_kib = 1024;
	for (unsigned int d = 0; d < NDOM; d++)
		snprintf(plan.domains[d].node, sizeof(plan.domains[d].node), "/chosen/dom%u", d);
	memset(dm, 0, sizeof(dm));
}

/* Which domain (index) a static page is bound to, by the plan; -1 when not static. */
static int static_domain(uint64_t pfn)
{
	for (unsigned int d = 0; d < NDOM; d++)
		for (unsigned int b = 0; plan.domains[d].is_static && b < plan.domains[d].nr_banks;
		     b++) {
			const struct plan_bank *bk = &plan.domains[d].banks[b];
			if (pfn >= PFN(pa_addr(bk->pa)) && pfn < PFN(pa_addr(bk->pa) + bk->size))
				return (int)d;
		}
	return -1;
}

static bool static_overlap(uint64_t pfn, uint64_t count)
{
	for (unsigned int d = 0; d < NDOM; d++)
		for (unsigned int b = 0; plan.domains[d].is_static && b < plan.domains[d].nr_banks;
		     b++)
			if (ranges_overlap(pfn, count, PFN(pa_addr(plan.domains[d].banks[b].pa)),
			                   PFN(plan.domains[d].banks[b].size)))
				return true;
	return false;
}

static void check(void)
{
	if (!pgstate_check(&mm.ps))
		fail("page-state table inconsistent", mm.ps.nr, 0);
	/* Stage-2 budgets: what the heap keeps is exactly what they have not used. */
	uint64_t promised = 0;
	for (unsigned int d = 0; d < NDOM; d++) {
		if (dm[d].table_limit && dommem_tables_held(&dm[d]) > dm[d].table_limit)
			fail("domain holds more tables than its budget", d,
			     dommem_tables_held(&dm[d]));
		if (dm[d].table_limit)
			promised += dm[d].table_limit - dommem_tables_held(&dm[d]);
	}
	if (promised != mm.reserved_pages || mm.buddy.free_pages < mm.reserved_pages)
		fail("stage-2 budget accounting", promised, mm.reserved_pages);
	uint64_t owned[NDOM] = {0}, free_heap = 0, listed = 0;
	for (uint32_t i = 0; i < mm.ps.nr; i++) {
		const struct page_state *e = &mm.ps.ext[i];
		int s = static_domain(e->pfn);
		if (static_domain(e->pfn + e->count - 1) != s)
			fail("extent spans static and other memory", e->pfn, e->count);
		if (s >= 0 &&
		    (!(e->flags & PG_STATIC) || e->owner != s + 1 || e->state == PG_UNUSABLE))
			fail("static page lost its domain", e->pfn, e->owner);
		if (s < 0 && (e->flags & PG_STATIC))
			fail("non-static page marked static", e->pfn, 0);
		if (e->state == PG_INUSE && e->owner >= 1 && e->owner <= NDOM)
			owned[e->owner - 1] += e->count;
		if (e->state == PG_FREE && e->flags == PG_HEAP)
			free_heap += e->count;
	}
	for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++)
		for (uint64_t p = buddy_first(&mm.buddy, o); p != BUDDY_NONE;
		     p = buddy_next(&mm.buddy, p)) {
			struct page_state st;
			if (!pgstate_get(&mm.ps, p, &st) || st.state != PG_FREE ||
			    st.flags != PG_HEAP || st.pfn + st.count < p + (1ull << o) ||
			    static_overlap(p, 1ull << o))
				fail("buddy lists a page that is not free heap", p, o);
			listed += 1ull << o;
		}
	if (listed != free_heap || listed != mm.buddy.free_pages)
		fail("buddy count", listed, free_heap);
	for (unsigned int d = 0; d < NDOM; d++) {
		if (!dm[d].live) {
			if (owned[d])
				fail("dead domain owns pages", d, owned[d]);
			continue;
		}
		static struct s2w_range r[4096];
		size_t n = 0;
		struct s2w_stats st;
		if (s2walk_ranges(p2m_vtcr(&dm[d].p2m, 40), p2m_vttbr(&dm[d].p2m), r, 4096, &n,
		                  &st) != S2W_OK ||
		    st.bad || n > 4096)
			fail("stage-2 unreadable", d, n);
		uint64_t mapped = 0;
		for (size_t k = 0; k < n; k++) {
			if (r[k].kind == S2W_DEVICE_RW)
				continue;
			if (plan.domains[d].direct_map && r[k].pa != r[k].ipa)
				fail("direct-mapped domain with gfn != mfn", d, r[k].ipa);
			/* Extent by extent: every page in use by this domain. */
			for (uint64_t p = PFN(r[k].pa); p < PFN(r[k].pa + r[k].size);) {
				struct page_state ps;
				if (!pgstate_get(&mm.ps, p, &ps) || ps.state != PG_INUSE ||
				    ps.owner != d + 1)
					fail("stage-2 maps a page the domain does not own", d, p);
				p = ps.pfn + ps.count;
			}
			mapped += PFN(r[k].size);
		}
		if (mapped != owned[d] || mapped != dm[d].tot_pages)
			fail("domain page count", mapped, owned[d]);
	}
}

static uint64_t arg_ipa(unsigned int d)
{
	return d == 0 ? ipa_addr(plan.domains[0].banks[0].ipa) : GUEST_RAM0_BASE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pa_t hv[32];
	static unsigned int hv_order[32];
	unsigned int nhv = 0;

	board();
	if (mm_init(&mm, &plan))
		fail("mm_init", 0, 0);
	for (unsigned int d = 0; d < NDOM; d++)
		if (dommem_create(&dm[d], &mm, &plan.domains[d], d + 1))
			fail("initial create", d, 0);
	check();
	for (size_t off = 0; off + 8 <= size; off += 8) {
		const uint8_t *b = data + off;
		unsigned int op = b[0] % 10, d = b[1] % NDOM;
		uint32_t raw = (uint32_t)(b[2] | b[3] << 8 | b[4] << 16 | (uint32_t)b[5] << 24);
		/* Mostly frames of the domain's RAM, sometimes anything. */
		uint64_t gfn = (b[7] & 0x80) ? raw : PFN(arg_ipa(d)) + (raw % 1024);
		uint32_t order = b[6] & 0x80 ? b[6] : b[6] % 3;
		uint16_t domid = (b[7] & 0x40) ? (uint16_t)(b[7] & 7) : DOMID_SELF;
		ipa_t arg = ipa_init(arg_ipa(d));
		if (b[7] & 0x20) /* a pointer anywhere */
			arg = ipa_init((uint64_t)raw << (b[6] & 15));
		switch (op) {
		case 0:
			dommem_create(&dm[d], &mm, &plan.domains[d], d + 1);
			break;
		case 1:
			dommem_destroy(&dm[d]);
			break;
		case 2:
			if (dm[d].live)
				dommem_recreate(&dm[d]);
			break;
		case 3:
		case 4:
		case 5: { /* decrease, populate, increase */
			static const unsigned int ops[] = {XENMEM_decrease_reservation,
			                                   XENMEM_populate_physmap,
			                                   XENMEM_increase_reservation};
			if (!dm[d].live)
				break;
			uint8_t r[XMR_SIZE] = {0};
			uint64_t list = arg_ipa(d) + PAGE_SIZE, nr = 1 + (b[6] >> 5);
			uint32_t flags = (b[7] & 0x10) ? 1 : 0;
			memcpy(r + XMR_EXTENT_START, &list, 8);
			memcpy(r + XMR_NR_EXTENTS, &nr, 8);
			memcpy(r + XMR_EXTENT_ORDER, &order, 4);
			memcpy(r + XMR_MEM_FLAGS, &flags, 4);
			memcpy(r + XMR_DOMID, &domid, 2);
			uint64_t g[8];
			for (uint64_t k = 0; k < nr; k++)
				g[k] = gfn + k * (1ull << (order & 31));
			/* The domain may have ballooned its argument pages out. */
			if (guestmem_write(&dm[d], ipa_init(arg_ipa(d)), r, sizeof(r)) == 0 &&
			    guestmem_write(&dm[d], ipa_init(list), g, nr * 8) == 0) {
				long rc = memop_dispatch(&dm[d], ops[op - 3], arg);
				if (rc > (long)nr)
					fail("more extents than asked", (unsigned long long)rc, nr);
			}
			break;
		}
		case 6: {
			if (!dm[d].live)
				break;
			uint8_t r[XRFP_SIZE] = {0};
			memcpy(r + XRFP_DOMID, &domid, 2);
			memcpy(r + XRFP_GPFN, &gfn, 8);
			if (guestmem_write(&dm[d], ipa_init(arg_ipa(d)), r, sizeof(r)) == 0)
				memop_dispatch(&dm[d], XENMEM_remove_from_physmap, arg);
			break;
		}
		case 7:
			if (dm[d].live) {
				long rc = memop_dispatch(&dm[d], b[6] & 0x3f, arg);
				(void)rc;
			}
			break;
		case 8:
			if (nhv < 32 && mm_alloc_pages(&mm, b[6] % 5, &hv[nhv]) == 0)
				hv_order[nhv++] = b[6] % 5;
			break;
		default:
			if (nhv) {
				unsigned int k = raw % nhv;
				if (mm_free_pages(&mm, hv[k], hv_order[k]))
					fail("heap free", pa_addr(hv[k]), hv_order[k]);
				hv[k] = hv[--nhv];
				hv_order[k] = hv_order[nhv];
			}
		}
		check();
	}
	for (unsigned int d = 0; d < NDOM; d++)
		dommem_destroy(&dm[d]);
	while (nhv) {
		nhv--;
		if (mm_free_pages(&mm, hv[nhv], hv_order[nhv]))
			fail("heap free at end", pa_addr(hv[nhv]), 0);
	}
	check();
	for (unsigned int d = 0; d < 2; d++)
		if (staticmem_reserve_pages(&mm.ps, d + 1) != PFN(1536 * KiB))
			fail("reserve not whole after destroy", d,
			     staticmem_reserve_pages(&mm.ps, d + 1));
	return 0;
}
