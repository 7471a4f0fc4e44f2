// SPDX-License-Identifier: Apache-2.0
/*
 * The boot plan: checks across nodes (plan.c checks each node alone).
 *
 * Memory rule: static ranges, boot modules and the static heap must each
 * lie inside one RAM bank and must not overlap any other claim (static
 * ranges of any domain, modules, heap, reserved memory, the DTB, the
 * hypervisor image). Reserved memory, the DTB and the hypervisor image are
 * facts of the platform, not settings, so they may overlap each other
 * (a boot loader may /memreserve/ the DTB).
 *
 * Placement rule: a valid plan also gets the placement the hypervisor
 * computes when it creates each domain (kimage_plan(): kernel, ramdisk
 * and guest DT in the domain's first RAM region), so that a kernel whose
 * Image header asks for more RAM than the domain has is refused here and
 * not at boot.
 */
#include "errno.h"
#include "fmt.h"
#include "kimage.h"
#include "plan_priv.h"

enum claim_stage { ST_STATIC, ST_MODULE, ST_HEAP, ST_RESERVED, ST_DTB, ST_HV, ST_END };

bool plan_claim_next(const struct plan *plan, struct plan_claim_iter *it, struct plan_claim *c)
{
	for (;;) {
		c->domain = -1;
		c->prop = NULL;
		c->index = -1;
		switch (it->stage) {
		case ST_STATIC:
		case ST_MODULE: {
			if (it->dom >= plan->nr_domains) {
				it->stage++;
				it->dom = it->k = 0;
				continue;
			}
			const struct plan_domain *d = &plan->domains[it->dom];
			unsigned int n = it->stage == ST_STATIC ? d->nr_static : d->nr_modules;
			if (it->k >= n) {
				it->dom++;
				it->k = 0;
				continue;
			}
			c->domain = (int)it->dom;
			if (it->stage == ST_STATIC) {
				c->kind = PLAN_KIND_STATIC;
				c->base = d->static_mem[it->k].base;
				c->size = d->static_mem[it->k].size;
				c->node = d->node;
				c->prop = "xen,static-mem";
				c->index = (int)it->k;
			} else {
				c->kind = PLAN_KIND_MODULE;
				c->base = d->modules[it->k].range.base;
				c->size = d->modules[it->k].range.size;
				c->node = d->modules[it->k].node;
				c->prop = "reg";
			}
			it->k++;
			break;
		}
		case ST_HEAP:
			if (it->k >= plan->nr_heap) {
				it->stage++;
				it->k = 0;
				continue;
			}
			c->kind = PLAN_KIND_HEAP;
			c->base = plan->heap[it->k].base;
			c->size = plan->heap[it->k].size;
			c->node = "/chosen";
			c->prop = "xen,static-heap";
			c->index = (int)it->k++;
			break;
		case ST_RESERVED:
			if (it->k >= plan->nr_reserved) {
				it->stage++;
				it->k = 0;
				continue;
			}
			c->kind = PLAN_KIND_RESERVED;
			c->base = plan->reserved[it->k].range.base;
			c->size = plan->reserved[it->k].range.size;
			c->node = plan->reserved[it->k].label;
			it->k++;
			break;
		case ST_DTB:
		case ST_HV:
			c->kind = it->stage == ST_DTB ? PLAN_KIND_DTB : PLAN_KIND_HYPERVISOR;
			c->base = it->stage == ST_DTB ? plan->dtb.base : plan->hv_image.base;
			c->size = it->stage == ST_DTB ? plan->dtb.size : plan->hv_image.size;
			c->node = it->stage == ST_DTB ? "the host DTB" : "the hypervisor image";
			it->stage++;
			break;
		default:
			return false;
		}
		if (range_valid(c->base, c->size))
			return true;
	}
}

void plan_claim_label(const struct plan_claim *c, char *buf, size_t size)
{
	if (!c->prop)
		fmt_snprintf(buf, size, "%s", c->node);
	else if (c->index < 0)
		fmt_snprintf(buf, size, "%s %s", c->node, c->prop);
	else
		fmt_snprintf(buf, size, "%s %s[%d]", c->node, c->prop, c->index);
}

/* "NODE: PROP[i] RANGE", the start of every message about a claim. */
static void claim_subject(const struct plan_claim *c, char *buf, size_t size)
{
	char rt[48];

	plan_range_text(rt, sizeof(rt), c->base, c->size);
	if (c->index < 0)
		fmt_snprintf(buf, size, "%s: %s %s", c->node, c->prop ? c->prop : "", rt);
	else
		fmt_snprintf(buf, size, "%s: %s[%d] %s", c->node, c->prop, c->index, rt);
}

static bool is_setting(enum plan_kind k)
{
	return k == PLAN_KIND_STATIC || k == PLAN_KIND_MODULE || k == PLAN_KIND_HEAP;
}

static void check_in_ram(struct plan *plan, const struct plan_claim *c, const char *subject)
{
	uint64_t last = c->base + c->size - 1;

	for (unsigned int i = 0; i < plan->nr_ram; i++) {
		const struct plan_range *b = &plan->ram[i];
		uint64_t blast = b->base + b->size - 1;
		if (c->base >= b->base && c->base <= blast) {
			if (last > blast) {
				char rt[48];
				plan_range_text(rt, sizeof(rt), b->base, b->size);
				plan_error(plan, "%s crosses the end of RAM bank %s", subject, rt);
			}
			return;
		}
	}
	plan_error(plan, "%s is outside RAM", subject);
}

static bool inside_one_bank(const struct plan *plan, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < plan->nr_ram; i++)
		if (base >= plan->ram[i].base && size <= plan->ram[i].size &&
		    base - plan->ram[i].base <= plan->ram[i].size - size)
			return true;
	return false;
}

static void check_claims(struct plan *plan)
{
	struct plan_claim_iter it = {0};
	struct plan_claim a, b;
	char subject[PLAN_MESSAGE_MAX], label[PLAN_PATH_MAX];

	while (plan_claim_next(plan, &it, &a)) {
		if (a.kind == PLAN_KIND_HYPERVISOR || a.kind == PLAN_KIND_DTB) {
			/* Facts given to plan_build(): wrong only if the caller guessed. */
			if (plan->nr_ram && !inside_one_bank(plan, a.base, a.size)) {
				char rt[48];
				plan_range_text(rt, sizeof(rt), a.base, a.size);
				plan_warn(plan, "%s %s is not inside one RAM bank", a.node, rt);
			}
			continue;
		}
		if (!is_setting(a.kind))
			continue;
		claim_subject(&a, subject, sizeof(subject));
		check_in_ram(plan, &a, subject);
		struct plan_claim_iter jt = it;
		while (plan_claim_next(plan, &jt, &b)) {
			if (!ranges_overlap(a.base, a.size, b.base, b.size))
				continue;
			plan_claim_label(&b, label, sizeof(label));
			plan_error(plan, "%s overlaps %s", subject, label);
		}
	}
}

static void check_ram_banks(struct plan *plan)
{
	/* Sorted by base: only neighbours can overlap first. */
	for (unsigned int i = 1; i < plan->nr_ram; i++) {
		const struct plan_range *p = &plan->ram[i - 1], *q = &plan->ram[i];
		if (ranges_overlap(p->base, p->size, q->base, q->size)) {
			char a[48], b[48];
			plan_range_text(a, sizeof(a), p->base, p->size);
			plan_range_text(b, sizeof(b), q->base, q->size);
			plan_error(plan, "/memory: RAM bank %s overlaps RAM bank %s", a, b);
		}
	}
}

/*
 * Upper bound of stage-2 table pages to map [base, base+size) with 4 KiB
 * pages and no block mappings (the worst case): one level-3 table per
 * 2 MiB touched, one level-2 table per 1 GiB touched, one level-1 table
 * per 512 GiB touched (IPA above 39 bits). A range touches at most
 * size/granule + 2 granules, whatever its alignment.
 */
static uint64_t s2_pages(uint64_t size)
{
	return (size >> 21) + 2 + (size >> 30) + 2 + (size >> 39) + 2;
}

/*
 * What the static heap must hold: PLAN_HV_HEAP_ALLOWANCE for the
 * hypervisor itself, and per domain 16 root pages (the most an IPA size
 * up to 48 bits can concatenate at the start level), the table pages for its
 * RAM banks and passthrough MMIO, and the RAM of a domain without static
 * memory (it comes from the heap).
 */
static uint64_t heap_needed(const struct plan *plan)
{
	uint64_t need = PLAN_HV_HEAP_ALLOWANCE;

	for (unsigned int i = 0; i < plan->nr_domains; i++) {
		const struct plan_domain *d = &plan->domains[i];
		uint64_t pages = 16;

		for (unsigned int b = 0; b < d->nr_banks; b++)
			pages += s2_pages(d->banks[b].size);
		for (unsigned int p = 0; p < d->nr_pt; p++)
			for (unsigned int r = 0; r < d->pt[p].nr_regs; r++)
				pages += s2_pages(d->pt[p].regs[r].size);
		need += pages * PAGE_SIZE;
		if (!d->is_static && d->memory_kib < (1ull << 44))
			need += d->memory_kib * KiB;
	}
	return need;
}

static void check_heap(struct plan *plan)
{
	uint64_t have = 0;

	if (!plan->has_static_heap)
		return;
	plan->heap_needed = heap_needed(plan);
	for (unsigned int i = 0; i < plan->nr_heap; i++)
		have += plan->heap[i].size;
	if (have < plan->heap_needed)
		plan_error(plan,
		           "/chosen: xen,static-heap holds %llu KiB, less than the %llu KiB "
		           "needed (hypervisor, stage-2 tables, non-static domain memory)",
		           (unsigned long long)(have / KiB),
		           (unsigned long long)(plan->heap_needed / KiB));
}

/* A direct-mapped domain sees its vGIC and vPL011 at the host's addresses. */
static void check_direct_map(struct plan *plan, const struct plan_domain *d)
{
	struct {
		uint64_t base, size;
		const char *what;
	} dev[3] = {
	    {pa_addr(plan->gicd_base), GUEST_GICD_SIZE, "host GIC distributor"},
	    {pa_addr(plan->gicr_base), (uint64_t)d->vcpus * GUEST_GICR_STRIDE,
	     "host GIC redistributors"},
	    {pa_addr(plan->uart_base), d->vpl011 ? GUEST_PL011_SIZE : 0, "host UART"},
	};

	for (unsigned int i = 0; i < d->nr_static; i++) {
		const struct plan_range *s = &d->static_mem[i];
		if (!range_valid(s->base, s->size))
			continue;
		for (unsigned int k = 0; k < ARRAY_SIZE(dev); k++) {
			if (!dev[k].base || !range_valid(dev[k].base, dev[k].size) ||
			    !ranges_overlap(s->base, s->size, dev[k].base, dev[k].size))
				continue;
			char a[48], b[48];
			plan_range_text(a, sizeof(a), s->base, s->size);
			plan_range_text(b, sizeof(b), dev[k].base, dev[k].size);
			plan_error(plan,
			           "%s: xen,static-mem[%u] %s covers the %s %s that its "
			           "direct-mapped domain needs",
			           d->node, i, a, dev[k].what, b);
		}
	}
}

/* One passthrough register, for the pairwise checks. */
static void pt_subject(const struct plan_domain *d, const struct plan_pt_device *dev,
                       unsigned int r, char *buf, size_t size)
{
	char rt[48];

	plan_range_text(rt, sizeof(rt), pa_addr(dev->regs[r].pa), dev->regs[r].size);
	fmt_snprintf(buf, size, "%s %s: xen,reg[%u] %s", d->node, dev->node, r, rt);
}

/* Guest addresses of a passthrough register against what the guest already has. */
static void check_pt_guest(struct plan *plan, const struct plan_domain *d,
                           const struct plan_pt_device *dev, unsigned int r, const char *subject)
{
	uint64_t ipa = ipa_addr(dev->regs[r].ipa), size = dev->regs[r].size;

	if (d->direct_map && ipa != ipa_addr(ipa_from_pa_direct(dev->regs[r].pa)))
		plan_error(plan,
		           "%s is mapped at guest 0x%llx; a direct-mapped domain needs guest == "
		           "host",
		           subject, (unsigned long long)ipa);
	for (unsigned int b = 0; b < d->nr_banks; b++)
		if (ranges_overlap(ipa, size, ipa_addr(d->banks[b].ipa), d->banks[b].size))
			plan_error(
			    plan,
			    "%s at guest 0x%llx overlaps the guest's RAM (xen,static-mem[%u])",
			    subject, (unsigned long long)ipa, d->banks[b].index);
	if (ranges_overlap(ipa, size, ipa_addr(d->gicd_base), GUEST_GICD_SIZE) ||
	    (d->vcpus &&
	     ranges_overlap(ipa, size, ipa_addr(d->gicr_base), d->vcpus * GUEST_GICR_STRIDE)))
		plan_error(plan, "%s at guest 0x%llx overlaps the guest's vGIC", subject,
		           (unsigned long long)ipa);
	if (d->vpl011 && ipa_addr(d->pl011_base) &&
	    ranges_overlap(ipa, size, ipa_addr(d->pl011_base), GUEST_PL011_SIZE))
		plan_error(plan, "%s at guest 0x%llx overlaps the guest's vPL011", subject,
		           (unsigned long long)ipa);
}

static void check_pt_reg(struct plan *plan, unsigned int di, unsigned int pi, unsigned int r)
{
	const struct plan_domain *d = &plan->domains[di];
	const struct plan_pt_device *dev = &d->pt[pi];
	uint64_t pa = pa_addr(dev->regs[r].pa), size = dev->regs[r].size;
	uint64_t gicd = pa_addr(plan->gicd_base), gicr = pa_addr(plan->gicr_base);
	uint64_t uart = pa_addr(plan->uart_base);
	char subject[PLAN_MESSAGE_MAX];

	pt_subject(d, dev, r, subject, sizeof(subject));
	if (!plan_below_pa_limit(pa, size) ||
	    !plan_below_pa_limit(ipa_addr(dev->regs[r].ipa), size))
		plan_error(plan, "%s -> 0x%llx is beyond the 48-bit address space", subject,
		           (unsigned long long)ipa_addr(dev->regs[r].ipa));
	for (unsigned int i = 0; i < plan->nr_ram; i++)
		if (ranges_overlap(pa, size, plan->ram[i].base, plan->ram[i].size))
			plan_error(plan, "%s covers RAM", subject);
	if (gicd && ranges_overlap(pa, size, gicd, GUEST_GICD_SIZE))
		plan_error(plan, "%s covers the host GIC distributor", subject);
	if (gicr && range_valid(gicr, plan->gicr_size) &&
	    ranges_overlap(pa, size, gicr, plan->gicr_size))
		plan_error(plan, "%s covers the host GIC redistributors", subject);
	if (uart && ranges_overlap(pa, size, uart, GUEST_PL011_SIZE))
		plan_error(plan, "%s covers the host UART the hypervisor uses", subject);
	check_pt_guest(plan, d, dev, r, subject);

	/* Every later register of any device of any domain. */
	for (unsigned int dj = di; dj < plan->nr_domains; dj++) {
		const struct plan_domain *e = &plan->domains[dj];
		for (unsigned int pj = dj == di ? pi : 0; pj < e->nr_pt; pj++) {
			const struct plan_pt_device *o = &e->pt[pj];
			unsigned int r0 = (dj == di && pj == pi) ? r + 1 : 0;
			for (unsigned int rj = r0; rj < o->nr_regs; rj++) {
				if (!ranges_overlap(pa, size, pa_addr(o->regs[rj].pa),
				                    o->regs[rj].size))
					continue;
				plan_error(plan, "%s overlaps %s %s xen,reg[%u]", subject, e->node,
				           o->node, rj);
			}
		}
	}
}

static void check_pt_irq(struct plan *plan, unsigned int di, unsigned int pi, unsigned int q)
{
	const struct plan_domain *d = &plan->domains[di];
	const struct plan_pt_device *dev = &d->pt[pi];
	uint32_t intid = dev->irqs[q];

	if (plan->uart_intid && intid == plan->uart_intid)
		plan_error(plan,
		           "%s %s: interrupts INTID %u is the host UART's, which the "
		           "hypervisor uses",
		           d->node, dev->node, intid);
	if (d->vpl011 && intid == d->pl011_intid)
		plan_error(plan, "%s %s: interrupts INTID %u is the domain's vPL011 interrupt",
		           d->node, dev->node, intid);
	for (unsigned int dj = di; dj < plan->nr_domains; dj++) {
		const struct plan_domain *e = &plan->domains[dj];
		for (unsigned int pj = dj == di ? pi : 0; pj < e->nr_pt; pj++) {
			const struct plan_pt_device *o = &e->pt[pj];
			unsigned int q0 = (dj == di && pj == pi) ? q + 1 : 0;
			for (unsigned int qj = q0; qj < o->nr_irqs; qj++)
				if (o->irqs[qj] == intid)
					plan_error(plan,
					           "%s %s: interrupts INTID %u is also given to "
					           "%s %s",
					           d->node, dev->node, intid, e->node, o->node);
		}
	}
}

static void check_passthrough(struct plan *plan)
{
	for (unsigned int di = 0; di < plan->nr_domains; di++) {
		const struct plan_domain *d = &plan->domains[di];
		for (unsigned int pi = 0; pi < d->nr_pt; pi++) {
			const struct plan_pt_device *dev = &d->pt[pi];
			for (unsigned int r = 0; r < dev->nr_regs; r++)
				check_pt_reg(plan, di, pi, r);
			for (unsigned int q = 0; q < dev->nr_irqs; q++)
				check_pt_irq(plan, di, pi, q);
			if (!dev->dma_capable || d->direct_map)
				continue;
			if (!dev->force_without_iommu)
				plan_error(
				    plan,
				    "%s %s: DMA-capable, no IOMMU, domain not direct-mapped: "
				    "direct-map it or set xen,force-assign-without-iommu",
				    d->node, dev->node);
			else
				plan_warn(
				    plan,
				    "%s %s: DMA-capable, no IOMMU, domain not direct-mapped: its "
				    "DMA will miss the guest's memory",
				    d->node, dev->node);
		}
	}
}

/*
 * kimage_plan() on each domain, with the arguments the hypervisor gives
 * it at domain creation: the kernel's first min(64, size) bytes and a
 * KIMAGE_GUEST_DT_MAX reservation for the DT. Only on an otherwise valid
 * plan: every module then lies in RAM and overlaps no other claim, so the
 * hypervisor's module_ptr() may map it, and a module with a bad reg is
 * reported once, by check_claims(). A domain without static banks (its
 * RAM comes from the heap at creation) has no placement to compute here.
 */
static void check_placement(struct plan *plan, const struct plan_input *in)
{
	for (unsigned int i = 0; i < plan->nr_domains && in->module_ptr; i++) {
		struct plan_domain *d = &plan->domains[i];
		const struct plan_module *k = NULL;

		for (unsigned int m = 0; m < d->nr_modules; m++)
			if (d->modules[m].kind == PLAN_MODULE_KERNEL)
				k = &d->modules[m];
		if (k == NULL || d->nr_banks == 0)
			continue;
		/* The header only: a kernel is tens of MiB, the hypervisor maps what it reads. */
		size_t len =
		    k->range.size < KIMAGE_HEADER_SIZE ? (size_t)k->range.size : KIMAGE_HEADER_SIZE;
		const void *head = in->module_ptr(in->module_ctx, k->range.base, len);
		if (head == NULL)
			continue; /* placement_checked stays false: the host tool says so */
		struct kimage_layout l;
		char err[PLAN_MESSAGE_MAX];
		int rc = kimage_plan(d, head, len, KIMAGE_GUEST_DT_MAX, &l, err, sizeof(err));
		if (rc == 0)
			d->placement_checked = true;
		else
			plan_error(plan, "%s", err);
	}
}

void plan_check(struct plan *plan, const struct plan_input *in)
{
	check_ram_banks(plan);
	check_claims(plan);
	for (unsigned int i = 0; i < plan->nr_domains; i++)
		if (plan->domains[i].direct_map)
			check_direct_map(plan, &plan->domains[i]);
	check_passthrough(plan);
	check_heap(plan);
	if (plan->nr_errors == 0)
		check_placement(plan, in);
}
