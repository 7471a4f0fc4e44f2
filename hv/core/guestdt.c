// SPDX-License-Identifier: Apache-2.0
/*
 * Guest device tree construction (see guestdt.h).
 *
 * Every value written here is a fact about what the guest sees: guest
 * addresses come from the plan (which already made them host addresses
 * for a direct-mapped domain), interrupt numbers follow the GICv3 binding
 * (type 0 = SPI numbered from INTID 32, type 1 = PPI numbered from 16).
 */
#include "guestdt.h"

/* libfdt_env.h declares the string functions in both builds (libfdt needs them). */
#include <libfdt.h>

#include "errno.h"
#include "fmt.h"

#define GIC_SPI 0u
#define GIC_PPI 1u
/* Interrupt flags of the GIC binding: 4 = level-high. */
#define IRQ_LEVEL_HIGH 4u

/* Timer PPIs, as numbered in the binding (INTID - 16), in binding order. */
static const uint32_t timer_ppis[4] = {
    13, /* secure physical, INTID 29 */
    14, /* non-secure physical, INTID 30 */
    11, /* virtual, INTID 27 */
    10, /* hypervisor physical, INTID 26 */
};

struct gdt {
	void *fdt;
	const struct plan_domain *d;
	const struct guestdt_extra *x;
	uint32_t ph_gic, ph_clk;
	uint32_t ph_placeholder; /* phandle of the partial's /gic, 0 if none */
	int pt_off;              /* /passthrough in the partial, or < 0 */
};

static int fail(const struct gdt *g, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record a reason (first one wins) and return @err. */
static int fail(const struct gdt *g, int err, const char *fmt, ...)
{
	if (g->x != NULL && g->x->err != NULL && g->x->err_size != 0) {
		va_list ap;
		va_start(ap, fmt);
		fmt_vsnprintf(g->x->err, g->x->err_size, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* Map a libfdt write error: only running out of buffer is the caller's to fix. */
static int fdt_err(const struct gdt *g, int r)
{
	if (r >= 0)
		return 0;
	if (r == -FDT_ERR_NOSPACE)
		return fail(g, -HV_ENOSPC, "%s: guest device tree does not fit the buffer",
		            g->d->node);
	return fail(g, -HV_EINVAL, "%s: guest device tree: libfdt: %s", g->d->node,
	            fdt_strerror(r));
}

/* A property of @n big-endian cells, written in place. */
static int prop_cells(struct gdt *g, const char *name, const uint32_t *cells, unsigned int n)
{
	void *v;
	int r = fdt_property_placeholder(g->fdt, name, (int)(n * 4), &v);
	if (r < 0)
		return fdt_err(g, r);
	for (unsigned int i = 0; i < n; i++)
		fdt32_st((char *)v + 4 * i, cells[i]);
	return 0;
}

/* "reg" with 2 address and 2 size cells per entry. */
static int prop_reg64(struct gdt *g, const uint64_t *pairs, unsigned int n)
{
	void *v;
	int r = fdt_property_placeholder(g->fdt, "reg", (int)(n * 16), &v);
	if (r < 0)
		return fdt_err(g, r);
	for (unsigned int i = 0; i < 2 * n; i++)
		fdt64_st((char *)v + 8 * i, pairs[i]);
	return 0;
}

static int prop_str(struct gdt *g, const char *name, const char *s)
{
	return fdt_err(g, fdt_property_string(g->fdt, name, s));
}

/* A string list given as one literal with embedded NULs; @len includes the last NUL. */
static int prop_strs(struct gdt *g, const char *name, const char *s, size_t len)
{
	return fdt_err(g, fdt_property(g->fdt, name, s, (int)len));
}

static int prop_u32(struct gdt *g, const char *name, uint32_t v)
{
	return fdt_err(g, fdt_property_cell(g->fdt, name, v));
}

static int prop_empty(struct gdt *g, const char *name)
{
	return fdt_err(g, fdt_property(g->fdt, name, NULL, 0));
}

static int begin(struct gdt *g, const char *name)
{
	return fdt_err(g, fdt_begin_node(g->fdt, name));
}

static int end(struct gdt *g)
{
	return fdt_err(g, fdt_end_node(g->fdt));
}

#define TRY(expr)                                                                                  \
	do {                                                                                       \
		int try_r_ = (expr);                                                               \
		if (try_r_ < 0)                                                                    \
			return try_r_;                                                             \
	} while (0)

static int check_plan(const struct gdt *g)
{
	const struct plan_domain *d = g->d;

	if (d->vcpus == 0 || d->vcpus > PLAN_MAX_CPUS)
		return fail(g, -HV_EINVAL, "%s: cpus = %u: must be 1..%u", d->node, d->vcpus,
		            PLAN_MAX_CPUS);
	if (d->nr_banks == 0 || d->nr_banks > PLAN_MAX_STATIC_BANKS)
		return fail(g, -HV_EINVAL, "%s: %u memory banks: must be 1..%u", d->node,
		            d->nr_banks, PLAN_MAX_STATIC_BANKS);
	for (unsigned int i = 0; i < d->nr_banks; i++)
		if (!range_valid(ipa_addr(d->banks[i].ipa), d->banks[i].size))
			return fail(g, -HV_EINVAL,
			            "%s: bank %u at guest 0x%llx size 0x%llx is empty or wraps",
			            d->node, i, (unsigned long long)ipa_addr(d->banks[i].ipa),
			            (unsigned long long)d->banks[i].size);
	if (d->vpl011 && d->pl011_intid < 32)
		return fail(g, -HV_EINVAL, "%s: vpl011 interrupt %u is not an SPI (INTID >= 32)",
		            d->node, d->pl011_intid);
	return 0;
}

static int emit_memory(struct gdt *g)
{
	const struct plan_domain *d = g->d;
	unsigned int order[PLAN_MAX_STATIC_BANKS];
	uint64_t reg[2 * PLAN_MAX_STATIC_BANKS];
	char name[32];

	/* One node, banks by ascending address: the node is named after the lowest. */
	for (unsigned int i = 0; i < d->nr_banks; i++) {
		unsigned int j = i;
		while (j > 0 && ipa_addr(d->banks[order[j - 1]].ipa) > ipa_addr(d->banks[i].ipa)) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	for (unsigned int i = 0; i < d->nr_banks; i++) {
		reg[2 * i] = ipa_addr(d->banks[order[i]].ipa);
		reg[2 * i + 1] = d->banks[order[i]].size;
	}
	fmt_snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)reg[0]);
	TRY(begin(g, name));
	TRY(prop_str(g, "device_type", "memory"));
	TRY(prop_reg64(g, reg, d->nr_banks));
	return end(g);
}

static int emit_cpus(struct gdt *g)
{
	char name[16];

	TRY(begin(g, "cpus"));
	TRY(prop_u32(g, "#address-cells", 1));
	TRY(prop_u32(g, "#size-cells", 0));
	for (unsigned int i = 0; i < g->d->vcpus; i++) {
		fmt_snprintf(name, sizeof(name), "cpu@%x", i);
		TRY(begin(g, name));
		TRY(prop_str(g, "device_type", "cpu"));
		TRY(prop_str(g, "compatible", "arm,armv8"));
		TRY(prop_u32(g, "reg", i)); /* vMPIDR Aff0 == vCPU number */
		TRY(prop_str(g, "enable-method", "psci"));
		TRY(end(g));
	}
	return end(g);
}

static int emit_psci_timer(struct gdt *g)
{
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";
	static const char timer_compat[] = "arm,armv8-timer\0arm,armv7-timer";
	uint32_t irqs[3 * ARRAY_SIZE(timer_ppis)];

	TRY(begin(g, "psci"));
	TRY(prop_strs(g, "compatible", psci_compat, sizeof(psci_compat)));
	TRY(prop_str(g, "method", "hvc"));
	TRY(end(g));

	for (unsigned int i = 0; i < ARRAY_SIZE(timer_ppis); i++) {
		irqs[3 * i] = GIC_PPI;
		irqs[3 * i + 1] = timer_ppis[i];
		irqs[3 * i + 2] = GUESTDT_GIC_PPI_FLAGS;
	}
	TRY(begin(g, "timer"));
	TRY(prop_strs(g, "compatible", timer_compat, sizeof(timer_compat)));
	TRY(prop_cells(g, "interrupts", irqs, ARRAY_SIZE(irqs)));
	TRY(prop_empty(g, "always-on"));
	return end(g);
}

static int emit_gic(struct gdt *g)
{
	const struct plan_domain *d = g->d;
	uint64_t reg[4] = {ipa_addr(d->gicd_base), GUEST_GICD_SIZE, ipa_addr(d->gicr_base),
	                   (uint64_t)d->vcpus * GUEST_GICR_STRIDE};
	char name[48];

	fmt_snprintf(name, sizeof(name), "interrupt-controller@%llx",
	             (unsigned long long)ipa_addr(d->gicd_base));
	TRY(begin(g, name));
	TRY(prop_str(g, "compatible", "arm,gic-v3"));
	TRY(prop_u32(g, "#interrupt-cells", 3));
	TRY(prop_u32(g, "#address-cells", 0));
	TRY(prop_empty(g, "interrupt-controller"));
	TRY(prop_u32(g, "#redistributor-regions", 1));
	TRY(prop_reg64(g, reg, 2));
	TRY(prop_u32(g, "phandle", g->ph_gic));
	return end(g);
}

static int emit_pl011(struct gdt *g, const char *name)
{
	static const char uart_compat[] = "arm,pl011\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	const struct plan_domain *d = g->d;
	uint64_t reg[2] = {ipa_addr(d->pl011_base), GUEST_PL011_SIZE};
	uint32_t irq[3] = {GIC_SPI, d->pl011_intid - 32, IRQ_LEVEL_HIGH};
	uint32_t clocks[2] = {g->ph_clk, g->ph_clk};

	TRY(begin(g, "apb-pclk"));
	TRY(prop_str(g, "compatible", "fixed-clock"));
	TRY(prop_u32(g, "#clock-cells", 0));
	TRY(prop_u32(g, "clock-frequency", GUESTDT_PL011_CLOCK_HZ));
	TRY(prop_str(g, "clock-output-names", "clk24mhz"));
	TRY(prop_u32(g, "phandle", g->ph_clk));
	TRY(end(g));

	TRY(begin(g, name + 1)); /* name is the path "/pl011@..." */
	TRY(prop_strs(g, "compatible", uart_compat, sizeof(uart_compat)));
	TRY(prop_reg64(g, reg, 1));
	TRY(prop_cells(g, "interrupts", irq, 3));
	TRY(prop_cells(g, "clocks", clocks, 2));
	TRY(prop_strs(g, "clock-names", clock_names, sizeof(clock_names)));
	return end(g);
}

static int emit_chosen(struct gdt *g, const char *stdout_path)
{
	const struct guestdt_extra *x = g->x;

	TRY(begin(g, "chosen"));
	if (g->d->bootargs[0] != '\0') {
		/* The plan's buffer is fixed-size: never read past it. */
		if (memchr(g->d->bootargs, '\0', sizeof(g->d->bootargs)) == NULL)
			return fail(g, -HV_EINVAL, "%s: bootargs is not terminated", g->d->node);
		TRY(prop_str(g, "bootargs", g->d->bootargs));
	}
	if (stdout_path != NULL)
		TRY(prop_str(g, "stdout-path", stdout_path));
	if (x != NULL && x->initrd_size != 0) {
		uint64_t start = ipa_addr(x->initrd);
		if (!range_valid(start, x->initrd_size))
			return fail(g, -HV_EINVAL, "%s: ramdisk at 0x%llx size 0x%llx wraps",
			            g->d->node, (unsigned long long)start,
			            (unsigned long long)x->initrd_size);
		TRY(fdt_err(g, fdt_property_u64(g->fdt, "linux,initrd-start", start)));
		TRY(fdt_err(g,
		            fdt_property_u64(g->fdt, "linux,initrd-end", start + x->initrd_size)));
	}
	if (x != NULL && x->boot != 0)
		TRY(prop_u32(g, "bulkhead,boots", x->boot));
	return end(g);
}

/* ---- passthrough: copy the partial device tree's /passthrough subtree ---- */

static int partial_path(const struct gdt *g, int off, char *buf, int len)
{
	if (fdt_get_path(g->x->partial, off, buf, len) < 0)
		fmt_snprintf(buf, (size_t)len, "(node at offset %d)", off);
	return 0;
}

/*
 * An interrupt parent named by a copied node: the /gic placeholder becomes
 * our GIC (3 cells); a node inside /passthrough keeps its phandle (it is
 * copied as is). Anything else would dangle in the guest. *cells gets the
 * parent's #interrupt-cells, 0 when it has none.
 */
static bool resolve_parent(const struct gdt *g, uint32_t ph, uint32_t *out, uint32_t *cells)
{
	const void *p = g->x->partial;

	if (g->ph_placeholder != 0 && ph == g->ph_placeholder) {
		*out = g->ph_gic;
		*cells = 3;
		return true;
	}
	int target = fdt_node_offset_by_phandle(p, ph);
	if (target < 0 || fdt_supernode_atdepth_offset(p, target, 1, NULL) != g->pt_off)
		return false;
	int len;
	const fdt32_t *c = fdt_getprop(p, target, "#interrupt-cells", &len);
	*out = ph;
	*cells = c != NULL && len == 4 ? fdt32_ld(c) : 0;
	return true;
}

static int bad_parent(const struct gdt *g, int node, const char *prop)
{
	char path[PLAN_PATH_MAX];

	partial_path(g, node, path, sizeof(path));
	return fail(g, -HV_EINVAL,
	            "%s: partial device tree %s: %s must name the /gic placeholder or an "
	            "interrupt controller under /passthrough",
	            g->d->node, path, prop);
}

static int copy_interrupt_parent(struct gdt *g, int node, const void *val, int len)
{
	uint32_t ph, cells;

	if (len != 4 || !resolve_parent(g, fdt32_ld(val), &ph, &cells))
		return bad_parent(g, node, "interrupt-parent");
	return prop_u32(g, "interrupt-parent", ph);
}

/* interrupts-extended: <parent specifier...>..., each parent resolved as above. */
static int copy_interrupts_extended(struct gdt *g, int node, const void *val, int len)
{
	const char *name = "interrupts-extended";
	uint32_t n = (uint32_t)len / 4, ph, cells;
	void *out;

	if (len % 4 != 0)
		return bad_parent(g, node, name);
	TRY(fdt_err(g, fdt_property_placeholder(g->fdt, name, len, &out)));
	memcpy(out, val, (size_t)len);
	for (uint32_t i = 0; i < n; i += 1 + cells) {
		if (!resolve_parent(g, fdt32_ld((const fdt32_t *)val + i), &ph, &cells) ||
		    cells == 0 || cells > n - i - 1)
			return bad_parent(g, node, name);
		fdt32_st((char *)out + 4 * i, ph);
	}
	return 0;
}

/* Copy @node's properties, except xen,* ones (hypervisor-only). */
static int copy_props(struct gdt *g, int node, bool *has_compat, bool *has_ranges)
{
	const void *p = g->x->partial;
	int po;

	fdt_for_each_property_offset(po, p, node)
	{
		const char *name;
		int len;
		const void *val = fdt_getprop_by_offset(p, po, &name, &len);
		if (val == NULL)
			return fail(g, -HV_EINVAL, "%s: partial device tree: bad property: %s",
			            g->d->node, fdt_strerror(len));
		if (strncmp(name, "xen,", 4) == 0)
			continue;
		if (strcmp(name, "compatible") == 0)
			*has_compat = true;
		if (strcmp(name, "ranges") == 0)
			*has_ranges = true;
		if (strcmp(name, "interrupt-parent") == 0)
			TRY(copy_interrupt_parent(g, node, val, len));
		else if (strcmp(name, "interrupts-extended") == 0)
			TRY(copy_interrupts_extended(g, node, val, len));
		else
			TRY(fdt_err(g, fdt_property(g->fdt, name, val, len)));
	}
	if (po != -FDT_ERR_NOTFOUND)
		return fail(g, -HV_EINVAL, "%s: partial device tree: %s", g->d->node,
		            fdt_strerror(po));
	return 0;
}

static int copy_passthrough(struct gdt *g)
{
	const void *p = g->x->partial;
	bool has_compat = false, has_ranges = false, unused_c, unused_r;
	int depth = 0, open = 0, off = g->pt_off;

	TRY(begin(g, "passthrough"));
	TRY(copy_props(g, g->pt_off, &has_compat, &has_ranges));
	/* Linux only probes the children of a bus it recognises. */
	if (!has_compat)
		TRY(prop_str(g, "compatible", "simple-bus"));
	if (!has_ranges)
		TRY(prop_empty(g, "ranges"));

	/* Iterative walk: no recursion, whatever the nesting of the blob. */
	for (;;) {
		off = fdt_next_node(p, off, &depth);
		if (off < 0 || depth <= 0)
			break;
		while (open >= depth) {
			TRY(end(g));
			open--;
		}
		int nlen;
		const char *name = fdt_get_name(p, off, &nlen);
		if (name == NULL)
			return fail(g, -HV_EINVAL, "%s: partial device tree: %s", g->d->node,
			            fdt_strerror(nlen));
		TRY(begin(g, name));
		open++;
		TRY(copy_props(g, off, &unused_c, &unused_r));
	}
	if (off < 0 && off != -FDT_ERR_NOTFOUND)
		return fail(g, -HV_EINVAL, "%s: partial device tree: %s", g->d->node,
		            fdt_strerror(off));
	while (open-- > 0)
		TRY(end(g));
	return end(g);
}

/*
 * Walk the structure block's tags before libfdt does: libfdt 1.6.1's
 * fdt_check_full() takes a property length of 0xfffffff4 as "12 bytes
 * back" and loops forever, and hands out negative lengths for others.
 * Here every length must fit in what is left of the block.
 */
static bool partial_struct_sane(const void *p, size_t size)
{
	uint64_t off = fdt_off_dt_struct(p), sz = fdt_size_dt_struct(p);
	const uint8_t *b = (const uint8_t *)p + off;
	uint64_t pos = 0;

	if (off > size || sz > size - off || off + sz > fdt_totalsize(p))
		return false;
	while (pos <= sz && sz - pos >= 4) { /* pos may pass sz by alignment */
		uint32_t tag = fdt32_ld((const fdt32_t *)(b + pos)), len;
		pos += 4;
		switch (tag) {
		case FDT_BEGIN_NODE: {
			const uint8_t *nul = memchr(b + pos, 0, sz - pos);
			if (nul == NULL)
				return false;
			pos = align_up((uint64_t)(nul - b) + 1, 4);
			break;
		}
		case FDT_PROP:
			if (sz - pos < 8)
				return false;
			len = fdt32_ld((const fdt32_t *)(b + pos));
			pos += 8;
			if (len > sz - pos)
				return false;
			pos = align_up(pos + len, 4);
			break;
		case FDT_END_NODE:
		case FDT_NOP:
			break;
		case FDT_END:
			return true;
		default:
			return false;
		}
	}
	return false;
}

/* Check the partial DT and choose phandles that cannot collide with its own. */
static int prepare_partial(struct gdt *g)
{
	const struct guestdt_extra *x = g->x;
	uint32_t max = 0;

	g->pt_off = -1;
	if (x == NULL || x->partial == NULL)
		return 0;
	/*
	 * libfdt 1.6.1's fdt_check_full() dereferences NULL on blobs older
	 * than version 16 (dtc has written version 17 for years) and trusts
	 * property lengths: both are checked first.
	 */
	if (x->partial_size < sizeof(struct fdt_header) || fdt_magic(x->partial) != FDT_MAGIC ||
	    fdt_version(x->partial) < 17 || !partial_struct_sane(x->partial, x->partial_size))
		return fail(g, -HV_EINVAL, "%s: partial device tree is not a valid version 17 blob",
		            g->d->node);
	int r = fdt_check_full(x->partial, x->partial_size);
	if (r < 0)
		return fail(g, -HV_EINVAL, "%s: partial device tree is not a valid blob: %s",
		            g->d->node, fdt_strerror(r));
	r = fdt_find_max_phandle(x->partial, &max);
	if (r < 0 || max >= 0xfffffffdu)
		return fail(g, -HV_EINVAL, "%s: partial device tree: phandles exhausted or invalid",
		            g->d->node);
	int gic = fdt_path_offset(x->partial, "/gic");
	if (gic >= 0)
		g->ph_placeholder = fdt_get_phandle(x->partial, gic);
	g->pt_off = fdt_path_offset(x->partial, "/passthrough");
	g->ph_gic = max + 1;
	g->ph_clk = max + 2;
	return 0;
}

int guestdt_build(const struct plan_domain *d, const struct guestdt_extra *x, void *buf,
                  size_t size)
{
	struct gdt g = {.fdt = buf, .d = d, .x = x, .ph_gic = 1, .ph_clk = 2, .pt_off = -1};
	char uart_path[32];
	const char *stdout_path = NULL;

	if (x != NULL && x->err != NULL && x->err_size != 0)
		x->err[0] = '\0';
	TRY(check_plan(&g));
	TRY(prepare_partial(&g));
	if (d->vpl011) {
		fmt_snprintf(uart_path, sizeof(uart_path), "/pl011@%llx",
		             (unsigned long long)ipa_addr(d->pl011_base));
		stdout_path = uart_path;
	}

	TRY(fdt_err(&g, fdt_create(buf, size > INT32_MAX ? INT32_MAX : (int)size)));
	TRY(fdt_err(&g, fdt_finish_reservemap(buf)));
	TRY(begin(&g, ""));
	TRY(prop_str(&g, "compatible", "linux,dummy-virt"));
	TRY(prop_u32(&g, "#address-cells", 2));
	TRY(prop_u32(&g, "#size-cells", 2));
	TRY(prop_u32(&g, "interrupt-parent", g.ph_gic));

	TRY(emit_chosen(&g, stdout_path));
	TRY(emit_memory(&g));
	TRY(emit_cpus(&g));
	TRY(emit_psci_timer(&g));
	TRY(emit_gic(&g));
	if (d->vpl011)
		TRY(emit_pl011(&g, uart_path));
	if (g.pt_off >= 0)
		TRY(copy_passthrough(&g));
	TRY(end(&g));
	TRY(fdt_err(&g, fdt_finish(buf)));
	return (int)fdt_totalsize(buf);
}
