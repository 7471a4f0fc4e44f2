// SPDX-License-Identifier: Apache-2.0
/*
 * The boot plan: reading the host device tree (Xen's dom0less bindings).
 *
 * Every node is read into struct plan and checked on its own here;
 * plan_check.c then checks the nodes against each other. Nothing stops at
 * the first problem: a bad entry is recorded, skipped, and reading goes
 * on, so the integrator sees every error at once.
 *
 * The blob is untrusted input (the host tool reads any file, the fuzzer
 * feeds garbage): it is checked whole with fdt_check_full() before any
 * other libfdt call, and every property length is checked before use.
 */
#include <libfdt.h>
#include <stdarg.h>

#include "errno.h"
#include "fmt.h"
#include "plan_priv.h"

void plan_msg(struct plan *plan, enum plan_severity sev, const char *fmt, ...)
{
	char text[PLAN_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* The same fact found twice (root cells read for every node) is said once. */
	for (unsigned int i = 0; i < plan->nr_messages; i++)
		if (plan->messages[i].severity == sev && strcmp(plan->messages[i].text, text) == 0)
			return;
	if (sev == PLAN_ERROR)
		plan->nr_errors++;
	if (plan->nr_messages >= PLAN_MAX_MESSAGES) {
		plan->messages_truncated = true;
		return;
	}
	struct plan_message *m = &plan->messages[plan->nr_messages++];
	m->severity = sev;
	memcpy(m->text, text, sizeof(text));
}

void plan_range_text(char *buf, size_t size, uint64_t base, uint64_t len)
{
	if (len == 0)
		fmt_snprintf(buf, size, "0x%llx (empty)", (unsigned long long)base);
	else
		fmt_snprintf(buf, size, "0x%llx-0x%llx", (unsigned long long)base,
		             (unsigned long long)(base + len - 1));
}

const char *plan_kind_name(enum plan_kind kind)
{
	switch (kind) {
	case PLAN_KIND_UNUSED:
		return "unused";
	case PLAN_KIND_HYPERVISOR:
		return "hypervisor";
	case PLAN_KIND_DTB:
		return "dtb";
	case PLAN_KIND_RESERVED:
		return "reserved";
	case PLAN_KIND_MODULE:
		return "module";
	case PLAN_KIND_HEAP:
		return "heap";
	case PLAN_KIND_STATIC:
		return "static";
	}
	return "?";
}

const char *plan_module_kind_name(enum plan_module_kind kind)
{
	switch (kind) {
	case PLAN_MODULE_KERNEL:
		return "kernel";
	case PLAN_MODULE_RAMDISK:
		return "ramdisk";
	case PLAN_MODULE_DEVICE_TREE:
		return "device-tree";
	}
	return "?";
}

/*
 * Every node of the host tree in tree order with its parent, recorded by
 * the walk that guards the blob check: libfdt finds a parent or a
 * compatible node by walking from the start of the blob, and QEMU's tree
 * is 35 KB. A tree too big or too deep for the table is recorded up to
 * where it stops (a prefix in tree order, complete false), and lookups
 * beyond it fall back to libfdt's walks.
 */
#define NODE_INDEX_MAX 256
#define NODE_DEPTH_MAX 16

struct node_index {
	int count;
	bool complete;
	int offset[NODE_INDEX_MAX];
	int parent[NODE_INDEX_MAX]; /* negative for the root */
};

/* Reading state passed down the parse; small, lives on the caller's stack. */
struct reader {
	const struct plan_input *in;
	const void *fdt;
	struct plan *plan;
	unsigned int cpus_used;
	/* Root children found by read_ram()'s one pass (negative: absent). */
	int chosen, cpus, reserved_memory;
	/* The host tree's nodes and parents, recorded by the blob check's walk. */
	const struct node_index *index;
};

static void copy_str(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* strnlen(), from the string functions the freestanding build provides. */
static size_t str_len_max(const char *s, size_t max)
{
	const char *end = memchr(s, '\0', max);
	return end ? (size_t)(end - s) : max;
}

/* The node's path for messages; a too-long path is cut, never overflows. */
static void node_path(const void *fdt, int node, char *buf, size_t size)
{
	if (fdt_get_path(fdt, node, buf, (int)size) < 0)
		copy_str(buf, size, "(path too long)", 15);
}

static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_ld(&p[i]);
	return v;
}

/*
 * A #...-cells property of @node: @def when absent, -1 (and an error) when
 * malformed or above 2, since addresses here are 64-bit.
 */
static int cells_prop(struct reader *r, int node, const char *name, int def)
{
	int len;
	const fdt32_t *p = fdt_getprop(r->fdt, node, name, &len);
	char path[PLAN_PATH_MAX];

	if (!p)
		return def;
	/* The path only for messages: fdt_get_path() walks the tree from the root. */
	if (len != 4) {
		node_path(r->fdt, node, path, sizeof(path));
		plan_error(r->plan, "%s: %s has length %d, expected 4", path, name, len);
		return -1;
	}
	uint32_t v = fdt32_ld(p);
	if (v > 2) {
		node_path(r->fdt, node, path, sizeof(path));
		plan_error(r->plan, "%s: %s is %u, at most 2 supported", path, name, v);
		return -1;
	}
	return (int)v;
}

/*
 * A list property of (address, size) pairs, or triples with @extra address
 * cells after the size (xen,reg). Returns the entry count, 0 when absent,
 * -1 (with an error) when the length is not a whole number of entries.
 * @owner names the node in messages; NULL: its path, computed on error.
 */
static int list_prop(struct reader *r, const void *fdt, int node, const char *owner,
                     const char *name, int ac, int sc, int extra, const fdt32_t **out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
	int entry = (ac + sc + extra) * 4;

	*out = p;
	if (!p)
		return 0;
	if (entry == 0 || len <= 0 || len % entry != 0) {
		char path[PLAN_PATH_MAX];
		if (!owner) { /* computed only when needed: fdt_get_path() walks the tree */
			node_path(fdt, node, path, sizeof(path));
			owner = path;
		}
		plan_error(r->plan, "%s: %s has length %d, expected a multiple of %d", owner, name,
		           len, entry);
		return -1;
	}
	return len / entry;
}

static bool has_prop(const void *fdt, int node, const char *name)
{
	return fdt_getprop(fdt, node, name, NULL) != NULL;
}

/*
 * The cells a node's `reg` uses: its parent's (DT defaults 2 and 1). The
 * callers know the parent: fdt_parent_offset() walks the tree from the
 * root, and boot time counts.
 */
static bool parent_cells(struct reader *r, int parent, int *ac, int *sc)
{
	if (parent < 0)
		return false;
	*ac = cells_prop(r, parent, "#address-cells", 2);
	*sc = cells_prop(r, parent, "#size-cells", 1);
	return *ac >= 0 && *sc >= 0;
}

/* The i-th `reg` entry of a host node (a host address), with its parent's cells. */
static bool reg_entry(struct reader *r, int node, int parent, int i, pa_t *base, uint64_t *size)
{
	int ac, sc;
	const fdt32_t *p;

	if (!parent_cells(r, parent, &ac, &sc))
		return false;
	int n = list_prop(r, r->fdt, node, NULL, "reg", ac, sc, 0, &p);
	if (n <= i)
		return false;
	*base = pa_init(read_cells(p + i * (ac + sc), ac));
	*size = read_cells(p + i * (ac + sc) + ac, sc);
	return true;
}

static bool name_is(const char *name, const char *base)
{
	size_t n = strlen(base);
	return strncmp(name, base, n) == 0 && (name[n] == '\0' || name[n] == '@');
}

/* The position of @node in the index, -1 when it is not in it. */
static int index_pos(const struct node_index *idx, int node)
{
	int lo = 0, hi = idx->count;

	while (lo < hi) { /* offsets are recorded in increasing order */
		int mid = lo + (hi - lo) / 2;
		if (idx->offset[mid] == node)
			return mid;
		if (idx->offset[mid] < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * fdt_first_subnode(@parent) when @prev is negative, else
 * fdt_next_subnode(@prev), from the index when it holds the whole tree:
 * libfdt steps over every node of every earlier sibling's subtree.
 */
static int child_after(const struct reader *r, int parent, int prev)
{
	const struct node_index *idx = r->index;
	int i = idx->complete ? index_pos(idx, prev < 0 ? parent : prev) : -1;

	if (i < 0)
		return prev < 0 ? fdt_first_subnode(r->fdt, parent)
		                : fdt_next_subnode(r->fdt, prev);
	for (i++; i < idx->count; i++)
		if (idx->parent[i] == parent)
			return idx->offset[i];
	return -FDT_ERR_NOTFOUND;
}

/*
 * libfdt's node name match: the whole name, or the name before its unit
 * address when @s has none.
 */
static bool node_name_eq(const void *fdt, int node, const char *s, size_t len)
{
	int olen;
	const char *p = fdt_get_name(fdt, node, &olen);

	if (!p || olen < 0 || (size_t)olen < len || memcmp(p, s, len) != 0)
		return false;
	return p[len] == '\0' || (p[len] == '@' && !memchr(s, '@', len));
}

/*
 * fdt_path_offset_namelen() for an absolute path, from the index when it
 * holds the whole tree (aliases and partial indexes: libfdt's walk). Same
 * steps as libfdt: repeated slashes skipped, each component the first
 * child in tree order whose name matches.
 */
static int path_offset(const struct reader *r, const char *path, size_t len)
{
	const struct node_index *idx = r->index;
	const char *p = path, *end = path + len;
	int node = 0;

	if (!idx->complete || len == 0 || *path != '/')
		return fdt_path_offset_namelen(r->fdt, path, (int)len);
	while (p < end) {
		while (*p == '/') {
			p++;
			if (p == end)
				return node;
		}
		const char *q = memchr(p, '/', (size_t)(end - p));
		if (!q)
			q = end;
		int found = -FDT_ERR_NOTFOUND;
		for (int i = index_pos(idx, node) + 1; i > 0 && i < idx->count; i++) {
			if (idx->parent[i] == node &&
			    node_name_eq(r->fdt, idx->offset[i], p, (size_t)(q - p))) {
				found = idx->offset[i];
				break;
			}
		}
		if (found < 0)
			return found;
		node = found;
		p = q;
	}
	return node;
}

/* fdt_parent_offset(), from the node index when the node is in it. */
static int parent_of(const struct reader *r, int node)
{
	int i = index_pos(r->index, node);
	return i >= 0 ? r->index->parent[i] : fdt_parent_offset(r->fdt, node);
}

/*
 * fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3"): the same nodes in
 * the same order, without libfdt's walk from node to node.
 */
static int find_gic(const struct reader *r)
{
	const struct node_index *idx = r->index;

	for (int i = 0; i < idx->count; i++) {
		int err = fdt_node_check_compatible(r->fdt, idx->offset[i], "arm,gic-v3");
		if (err == 0)
			return idx->offset[i];
		if (err < 0 && err != -FDT_ERR_NOTFOUND)
			return err;
	}
	if (idx->complete)
		return -FDT_ERR_NOTFOUND;
	return fdt_node_offset_by_compatible(r->fdt, idx->count ? idx->offset[idx->count - 1] : -1,
	                                     "arm,gic-v3");
}

/*
 * RAM banks, and the other root children this file needs, in one pass:
 * each fdt_path_offset() of a root child walks every node before it, and
 * /chosen comes last in QEMU's tree.
 */
static void read_ram(struct reader *r)
{
	struct plan *plan = r->plan;
	int node;

	for (node = child_after(r, 0, -1); node >= 0; node = child_after(r, 0, node)) {
		const char *name = fdt_get_name(r->fdt, node, NULL);
		int ac, sc;
		const fdt32_t *p;
		char path[PLAN_PATH_MAX];

		if (name && strcmp(name, "chosen") == 0)
			r->chosen = node;
		else if (name && strcmp(name, "cpus") == 0)
			r->cpus = node;
		else if (name && strcmp(name, "reserved-memory") == 0)
			r->reserved_memory = node;
		if (!name || !name_is(name, "memory"))
			continue;
		if (!parent_cells(r, 0, &ac, &sc))
			continue;
		fmt_snprintf(path, sizeof(path), "/%s", name);
		int n = list_prop(r, r->fdt, node, path, "reg", ac, sc, 0, &p);
		for (int i = 0; i < n; i++) {
			uint64_t base = read_cells(p + i * (ac + sc), ac);
			uint64_t size = read_cells(p + i * (ac + sc) + ac, sc);
			char rt[48];

			if (size == 0)
				continue;
			plan_range_text(rt, sizeof(rt), base, size);
			if (!range_valid(base, size)) {
				plan_error(plan, "%s: reg[%d] 0x%llx+0x%llx wraps around", path, i,
				           (unsigned long long)base, (unsigned long long)size);
				continue;
			}
			if (!plan_below_pa_limit(base, size)) {
				plan_error(
				    plan,
				    "%s: reg[%d] %s is beyond the 48-bit physical address space",
				    path, i, rt);
				continue;
			}
			if (plan->nr_ram >= PLAN_MAX_RAM_BANKS) {
				plan_error(plan, "%s: reg[%d] %s: more than %d RAM banks", path, i,
				           rt, PLAN_MAX_RAM_BANKS);
				continue;
			}
			/* Insert sorted by base: the map and checks walk in address order. */
			unsigned int k = plan->nr_ram++;
			while (k > 0 && plan->ram[k - 1].base > base) {
				plan->ram[k] = plan->ram[k - 1];
				k--;
			}
			plan->ram[k].base = base;
			plan->ram[k].size = size;
		}
	}
	if (plan->nr_ram == 0)
		plan_error(plan, "/: no memory node with a RAM bank");
}

static struct plan_map_entry *new_reserved(struct plan *plan, uint64_t base, uint64_t size)
{
	char rt[48];

	plan_range_text(rt, sizeof(rt), base, size);
	if (!range_valid(base, size)) {
		plan_error(plan, "reserved range %s wraps around or is empty", rt);
		return NULL;
	}
	if (plan->nr_reserved >= PLAN_MAX_RESERVED) {
		plan_error(plan, "reserved range %s: more than %d reserved ranges", rt,
		           PLAN_MAX_RESERVED);
		return NULL;
	}
	struct plan_map_entry *e = &plan->reserved[plan->nr_reserved++];
	e->range.base = base;
	e->range.size = size;
	e->kind = PLAN_KIND_RESERVED;
	e->domain = -1;
	return e;
}

static void read_reserved(struct reader *r)
{
	int n = fdt_num_mem_rsv(r->fdt);

	for (int i = 0; i < n; i++) {
		uint64_t base, size;
		if (fdt_get_mem_rsv(r->fdt, i, &base, &size) < 0 || size == 0)
			continue;
		struct plan_map_entry *e = new_reserved(r->plan, base, size);
		if (e)
			fmt_snprintf(e->label, sizeof(e->label), "/memreserve/[%d]", i);
	}

	int rm = r->reserved_memory;
	int node;
	if (rm < 0)
		return;
	for (node = child_after(r, rm, -1); node >= 0; node = child_after(r, rm, node)) {
		int ac, sc;
		const fdt32_t *p;
		char path[PLAN_PATH_MAX];

		const char *name = fdt_get_name(r->fdt, node, NULL);
		if (!name || !parent_cells(r, rm, &ac, &sc))
			continue;
		fmt_snprintf(path, sizeof(path), "/reserved-memory/%s", name);
		int cnt = list_prop(r, r->fdt, node, path, "reg", ac, sc, 0, &p);
		if (cnt == 0 && has_prop(r->fdt, node, "size"))
			plan_warn(r->plan,
			          "%s: no reg (dynamically placed reserved memory is not "
			          "supported), ignored",
			          path);
		for (int i = 0; i < cnt; i++) {
			uint64_t base = read_cells(p + i * (ac + sc), ac);
			uint64_t size = read_cells(p + i * (ac + sc) + ac, sc);
			struct plan_map_entry *e = new_reserved(r->plan, base, size);
			if (!e)
				continue;
			if (cnt == 1)
				copy_str(e->label, sizeof(e->label), path, strlen(path));
			else
				fmt_snprintf(e->label, sizeof(e->label), "%s reg[%d]", path, i);
		}
	}
}

static void read_cpus(struct reader *r)
{
	int cpus = r->cpus;
	int node;
	unsigned int count = 0;

	if (cpus >= 0) {
		for (node = child_after(r, cpus, -1); node >= 0;
		     node = child_after(r, cpus, node)) {
			const char *type = fdt_getprop(r->fdt, node, "device_type", NULL);
			const char *name = fdt_get_name(r->fdt, node, NULL);
			if (!(type && strcmp(type, "cpu") == 0) && !(name && name_is(name, "cpu")))
				continue;
			if (count < PLAN_MAX_CPUS)
				r->plan->cpu_node[count] = node;
			count++;
		}
	}
	if (count == 0) {
		plan_error(r->plan, "/cpus: no cpu node");
	} else if (count > PLAN_MAX_CPUS) {
		plan_warn(r->plan, "/cpus: %u CPUs, only the first %d are used", count,
		          PLAN_MAX_CPUS);
		count = PLAN_MAX_CPUS;
	}
	r->plan->nr_cpus = count;
}

/* First interrupt of a 3-cell GIC specifier list as an INTID, 0 if none. */
static uint32_t gic_intid(const fdt32_t *spec)
{
	uint32_t type = fdt32_ld(&spec[0]), num = fdt32_ld(&spec[1]);

	if (type == 0 && num < 988)
		return 32 + num;
	if (type == 1 && num < 16)
		return 16 + num;
	return 0;
}

static void read_gic_and_uart(struct reader *r)
{
	struct plan *plan = r->plan;
	int gic = find_gic(r);
	uint64_t size;

	int gic_parent = gic >= 0 ? parent_of(r, gic) : -1;
	if (gic < 0 || !reg_entry(r, gic, gic_parent, 0, &plan->gicd_base, &size) ||
	    !reg_entry(r, gic, gic_parent, 1, &plan->gicr_base, &plan->gicr_size))
		plan_error(plan, "/: no arm,gic-v3 interrupt controller with distributor and "
		                 "redistributor reg");

	int chosen = r->chosen;
	int len;
	const char *sp = chosen >= 0 ? fdt_getprop(r->fdt, chosen, "stdout-path", &len) : NULL;
	if (!sp || len <= 0)
		return;
	/* "path:options": the options (baud rate) are not ours. */
	const char *colon = memchr(sp, ':', (size_t)len);
	size_t n = colon ? (size_t)(colon - sp) : str_len_max(sp, (size_t)len);
	copy_str(plan->stdout_path, sizeof(plan->stdout_path), sp, n);
	int uart = path_offset(r, sp, n);
	if (uart < 0 || !reg_entry(r, uart, parent_of(r, uart), 0, &plan->uart_base, &size)) {
		plan_warn(plan, "/chosen: stdout-path %s names no node with reg; no host UART",
		          plan->stdout_path);
		plan->uart_base = pa_init(0);
		return;
	}
	const fdt32_t *irq = fdt_getprop(r->fdt, uart, "interrupts", &len);
	if (irq && len >= 12)
		plan->uart_intid = gic_intid(irq);
}

static void read_heap(struct reader *r, int chosen)
{
	struct plan *plan = r->plan;
	int ac = cells_prop(r, 0, "#address-cells", 2);
	int sc = cells_prop(r, 0, "#size-cells", 1);
	const fdt32_t *p;

	if (ac < 0 || sc < 0)
		return;
	int n = list_prop(r, r->fdt, chosen, "/chosen", "xen,static-heap", ac, sc, 0, &p);
	if (n <= 0)
		return;
	plan->has_static_heap = true;
	for (int i = 0; i < n; i++) {
		uint64_t base = read_cells(p + i * (ac + sc), ac);
		uint64_t size = read_cells(p + i * (ac + sc) + ac, sc);
		char rt[48];

		plan_range_text(rt, sizeof(rt), base, size);
		if (!range_valid(base, size)) {
			plan_error(plan, "/chosen: xen,static-heap[%d] %s is empty or wraps around",
			           i, rt);
			continue;
		}
		if (!is_aligned(base, 64 * KiB) || !is_aligned(size, 64 * KiB))
			plan_error(plan, "/chosen: xen,static-heap[%d] %s is not 64 KiB aligned", i,
			           rt);
		if (plan->nr_heap >= PLAN_MAX_HEAP_RANGES) {
			plan_error(plan, "/chosen: xen,static-heap[%d] %s: more than %d ranges", i,
			           rt, PLAN_MAX_HEAP_RANGES);
			continue;
		}
		plan->heap[plan->nr_heap].base = base;
		plan->heap[plan->nr_heap].size = size;
		plan->nr_heap++;
	}
}

/* Static banks packed in DT order into Xen's guest bank 0, then bank 1. */
static void pack_guest_banks(struct plan *plan, struct plan_domain *d)
{
	static const struct plan_range gbank[2] = {{GUEST_RAM0_BASE, GUEST_RAM0_SIZE},
	                                           {GUEST_RAM1_BASE, GUEST_RAM1_SIZE}};
	unsigned int g = 0;
	uint64_t used = 0; /* bytes used in guest bank g */

	for (unsigned int i = 0; i < d->nr_static; i++) {
		uint64_t pa = d->static_mem[i].base, left = d->static_mem[i].size;

		if (!range_valid(pa, left))
			continue;
		while (left > 0) {
			if (g >= 2 || d->nr_banks >= PLAN_MAX_STATIC_BANKS) {
				char rt[48];
				plan_range_text(rt, sizeof(rt), d->static_mem[i].base,
				                d->static_mem[i].size);
				plan_error(plan,
				           "%s: xen,static-mem[%u] %s does not fit Xen's guest RAM "
				           "banks (3 GiB at 0x40000000, 1016 GiB at 0x200000000)",
				           d->node, i, rt);
				return;
			}
			uint64_t room = gbank[g].size - used;
			uint64_t take = left < room ? left : room;
			struct plan_bank *b = &d->banks[d->nr_banks++];
			b->pa = pa_init(pa);
			b->ipa = ipa_add(ipa_init(gbank[g].base), used);
			b->size = take;
			b->index = i;
			pa += take;
			left -= take;
			used += take;
			if (used == gbank[g].size) {
				g++;
				used = 0;
			}
		}
	}
}

/* Returns false when xen,static-mem is present but cannot be read at all. */
static bool read_static_mem(struct reader *r, int node, struct plan_domain *d, int chosen)
{
	struct plan *plan = r->plan;
	int ac, sc;
	const fdt32_t *p;

	/* Xen 4.16 named the cells inside the domain node; 4.17+ uses /chosen's. */
	if (has_prop(r->fdt, node, "#xen,static-mem-address-cells") ||
	    has_prop(r->fdt, node, "#xen,static-mem-size-cells")) {
		ac = cells_prop(r, node, "#xen,static-mem-address-cells", 2);
		sc = cells_prop(r, node, "#xen,static-mem-size-cells", 1);
	} else {
		ac = cells_prop(r, chosen, "#address-cells", 2);
		sc = cells_prop(r, chosen, "#size-cells", 1);
	}
	if (!has_prop(r->fdt, node, "xen,static-mem"))
		return true;
	d->is_static = true;
	if (ac < 0 || sc < 0)
		return false;
	int n = list_prop(r, r->fdt, node, d->node, "xen,static-mem", ac, sc, 0, &p);
	if (n < 0)
		return false;
	if (n > PLAN_MAX_STATIC_BANKS) {
		plan_error(plan, "%s: xen,static-mem has %d entries, at most %d supported", d->node,
		           n, PLAN_MAX_STATIC_BANKS);
		n = PLAN_MAX_STATIC_BANKS;
	}
	for (int i = 0; i < n; i++) {
		uint64_t base = read_cells(p + i * (ac + sc), ac);
		uint64_t size = read_cells(p + i * (ac + sc) + ac, sc);
		char rt[48];

		plan_range_text(rt, sizeof(rt), base, size);
		d->static_mem[d->nr_static].base = base;
		d->static_mem[d->nr_static].size = size;
		d->nr_static++;
		if (size == 0)
			plan_error(plan, "%s: xen,static-mem[%d] at 0x%llx is empty", d->node, i,
			           (unsigned long long)base);
		else if (!range_valid(base, size))
			plan_error(plan, "%s: xen,static-mem[%d] 0x%llx+0x%llx wraps around",
			           d->node, i, (unsigned long long)base, (unsigned long long)size);
		else if (!is_aligned(base, PAGE_SIZE) || !is_aligned(size, PAGE_SIZE))
			plan_error(plan, "%s: xen,static-mem[%d] %s is not 4 KiB aligned", d->node,
			           i, rt);
	}
	return true;
}

static void read_module(struct reader *r, int node, struct plan_domain *d, int ac, int sc)
{
	struct plan *plan = r->plan;
	char path[PLAN_PATH_MAX];
	enum plan_module_kind kind;
	static const char *const kind_compat[] = {"multiboot,kernel", "multiboot,ramdisk",
	                                          "multiboot,device-tree"};
	const fdt32_t *p;

	/* The domain node's path and the node name: no walk from the root. */
	const char *name = fdt_get_name(r->fdt, node, NULL);
	fmt_snprintf(path, sizeof(path), "%s/%s", d->node, name ? name : "?");
	if (!has_prop(r->fdt, node, "compatible")) {
		plan_error(plan, "%s: missing compatible", path);
		return;
	}
	if (fdt_node_check_compatible(r->fdt, node, "xen,domain-shared-memory-v1") == 0) {
		plan_warn(plan, "%s: static shared memory is not supported yet, ignored", path);
		return;
	}
	if (fdt_node_check_compatible(r->fdt, node, "multiboot,kernel") == 0)
		kind = PLAN_MODULE_KERNEL;
	else if (fdt_node_check_compatible(r->fdt, node, "multiboot,ramdisk") == 0)
		kind = PLAN_MODULE_RAMDISK;
	else if (fdt_node_check_compatible(r->fdt, node, "multiboot,device-tree") == 0)
		kind = PLAN_MODULE_DEVICE_TREE;
	else {
		plan_warn(plan, "%s: compatible is not a known module kind, ignored", path);
		return;
	}
	for (unsigned int i = 0; i < d->nr_modules; i++) {
		if (d->modules[i].kind == kind) {
			plan_error(plan, "%s: second %s module in %s", path, kind_compat[kind],
			           d->node);
			return;
		}
	}
	if (ac < 0 || sc < 0)
		return;
	int n = list_prop(r, r->fdt, node, path, "reg", ac, sc, 0, &p);
	if (n != 1) {
		if (n >= 0)
			plan_error(plan, "%s: reg has %d entries, expected 1", path, n);
		return;
	}
	uint64_t base = read_cells(p, ac), size = read_cells(p + ac, sc);
	if (!range_valid(base, size)) {
		plan_error(plan, "%s: reg 0x%llx+0x%llx is empty or wraps around", path,
		           (unsigned long long)base, (unsigned long long)size);
		return;
	}
	/* At most one module of each kind was checked above. */
	struct plan_module *m = &d->modules[d->nr_modules++];
	m->kind = kind;
	m->range.base = base;
	m->range.size = size;
	copy_str(m->node, sizeof(m->node), path, strlen(path));

	int len;
	const char *args = fdt_getprop(r->fdt, node, "bootargs", &len);
	if (kind == PLAN_MODULE_KERNEL && args && len > 0) {
		size_t al = str_len_max(args, (size_t)len);
		if (al >= sizeof(d->bootargs))
			plan_error(plan, "%s: bootargs is %zu bytes, at most %zu supported", path,
			           al, sizeof(d->bootargs) - 1);
		copy_str(d->bootargs, sizeof(d->bootargs), args, al);
	}
}

/*
 * The DMA rule: a passed-through device is DMA capable when its node (in
 * the partial DT or the host DT) says `dma-coherent`, has `iommus` or
 * `dmas`, or is compatible with a known bus-master device. Unknown devices
 * count as not DMA capable: the list is what this code knows about.
 */
static bool dma_capable(const void *fdt, int node)
{
	static const char *const masters[] = {"virtio,mmio",           "arm,pl330",
	                                      "generic-ahci",          "snps,dwmac",
	                                      "pci-host-ecam-generic", "arm,mali-midgard"};

	if (node < 0)
		return false;
	if (has_prop(fdt, node, "dma-coherent") || has_prop(fdt, node, "iommus") ||
	    has_prop(fdt, node, "dmas"))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(masters); i++)
		if (fdt_node_check_compatible(fdt, node, masters[i]) == 0)
			return true;
	return false;
}

static void read_pt_device(struct reader *r, const void *pt, int node, struct plan_domain *d,
                           int ac, int sc)
{
	struct plan *plan = r->plan;
	char where[PLAN_PATH_MAX], owner[PLAN_MESSAGE_MAX];
	const fdt32_t *p;
	int len;

	const char *name = fdt_get_name(pt, node, NULL);
	fmt_snprintf(where, sizeof(where), "/passthrough/%s", name ? name : "?");
	fmt_snprintf(owner, sizeof(owner), "%s %s", d->node, where);
	const char *xpath = fdt_getprop(pt, node, "xen,path", &len);
	bool has_reg = has_prop(pt, node, "xen,reg");
	bool has_irq = has_prop(pt, node, "interrupts");
	if (!xpath && !has_reg && !has_irq)
		return; /* an ordinary node of the partial DT, copied as is */
	if (d->nr_pt >= PLAN_MAX_PT_DEVICES) {
		plan_error(plan, "%s: more than %d passthrough devices", owner,
		           PLAN_MAX_PT_DEVICES);
		return;
	}
	struct plan_pt_device *dev = &d->pt[d->nr_pt++];
	copy_str(dev->node, sizeof(dev->node), where, strlen(where));
	dev->force_without_iommu = has_prop(pt, node, "xen,force-assign-without-iommu");

	int host = -1;
	if (!xpath || len <= 0 || str_len_max(xpath, (size_t)len) == (size_t)len) {
		plan_error(plan, "%s: xen,path missing or not a string", owner);
	} else {
		copy_str(dev->path, sizeof(dev->path), xpath, strlen(xpath));
		host = fdt_path_offset(r->fdt, xpath);
		if (host < 0)
			plan_error(plan, "%s: xen,path %s is not in the host DT", owner, xpath);
	}
	dev->dma_capable = dma_capable(pt, node) || dma_capable(r->fdt, host);

	int n = list_prop(r, pt, node, owner, "xen,reg", ac, sc, ac, &p);
	if (n > PLAN_MAX_PT_REGS) {
		plan_error(plan, "%s: xen,reg has %d entries, at most %d supported", owner, n,
		           PLAN_MAX_PT_REGS);
		n = PLAN_MAX_PT_REGS;
	}
	for (int i = 0; i < n; i++) {
		const fdt32_t *e = p + i * (2 * ac + sc);
		uint64_t pa = read_cells(e, ac), size = read_cells(e + ac, sc);
		uint64_t ipa = read_cells(e + ac + sc, ac);
		char rt[48];

		plan_range_text(rt, sizeof(rt), pa, size);
		if (!range_valid(pa, size) || !range_valid(ipa, size)) {
			plan_error(plan, "%s: xen,reg[%d] %s is empty or wraps around", owner, i,
			           rt);
			continue;
		}
		if (!is_aligned(pa | size | ipa, PAGE_SIZE))
			plan_error(plan, "%s: xen,reg[%d] %s -> 0x%llx is not page aligned", owner,
			           i, rt, (unsigned long long)ipa);
		dev->regs[dev->nr_regs].pa = pa_init(pa);
		dev->regs[dev->nr_regs].size = size;
		dev->regs[dev->nr_regs].ipa = ipa_init(ipa);
		dev->nr_regs++;
	}

	const fdt32_t *irq = fdt_getprop(pt, node, "interrupts", &len);
	if (irq) {
		if (len <= 0 || len % 12 != 0) {
			plan_error(plan,
			           "%s: interrupts has length %d, expected 3-cell GIC specifiers",
			           owner, len);
			return;
		}
		for (int i = 0; i < len / 12; i++) {
			uint32_t type = fdt32_ld(&irq[3 * i]), num = fdt32_ld(&irq[3 * i + 1]);
			if (type != 0 || num >= 988) {
				plan_error(plan,
				           "%s: interrupts[%d] <%u %u> is not an SPI; only SPIs "
				           "can be passed through",
				           owner, i, type, num);
				continue;
			}
			if (dev->nr_irqs >= PLAN_MAX_PT_IRQS) {
				plan_error(plan, "%s: more than %d interrupts", owner,
				           PLAN_MAX_PT_IRQS);
				break;
			}
			dev->irqs[dev->nr_irqs++] = 32 + num;
		}
	}
}

/*
 * libfdt 1.6.1 walks forever when a property's length brings the walk back
 * to the property's own offset (fdt_check_full() included). Walk the tags
 * once, requiring progress, before handing the blob to libfdt: every tag
 * then moves strictly forward inside the structure block, so this ends.
 */
static bool blob_walk_ends(const void *fdt, struct node_index *idx)
{
	int off, next = 0, depth = 0;
	int stack[NODE_DEPTH_MAX + 1] = {-FDT_ERR_NOTFOUND}; /* [d]: the node at depth d-1 */
	uint32_t tag;

	if (idx) {
		idx->count = 0;
		idx->complete = true;
	}
	do {
		off = next;
		tag = fdt_next_tag(fdt, off, &next);
		if (tag != FDT_END && next <= off)
			return false;
		if (!idx || !idx->complete)
			continue;
		/*
		 * Only integers are recorded here, used only once
		 * fdt_check_full() has accepted the nesting. Anything unusual
		 * (a second top-level node, too deep, too many) ends the record.
		 */
		if (tag == FDT_BEGIN_NODE) {
			if (depth >= NODE_DEPTH_MAX || idx->count >= NODE_INDEX_MAX ||
			    (depth == 0 && idx->count > 0) || (idx->count == 0 && off != 0)) {
				idx->complete = false;
				continue;
			}
			idx->offset[idx->count] = off;
			idx->parent[idx->count] = stack[depth];
			idx->count++;
			stack[++depth] = off;
		} else if (tag == FDT_END_NODE) {
			if (depth == 0)
				idx->complete = false;
			else
				depth--;
		}
	} while (tag != FDT_END && next >= 0);
	return true;
}

/*
 * Header, size, a walk that ends, then libfdt's own full check. @idx, if
 * not NULL, receives the walk's node index (valid when this returns true).
 */
static bool blob_ok(const void *fdt, uint64_t size, struct node_index *idx)
{
	return size >= sizeof(struct fdt_header) && fdt_check_header(fdt) == 0 &&
	       fdt_totalsize(fdt) <= size && blob_walk_ends(fdt, idx) &&
	       fdt_check_full(fdt, fdt_totalsize(fdt)) == 0;
}

static void read_passthrough(struct reader *r, struct plan_domain *d, const struct plan_module *m)
{
	struct plan *plan = r->plan;
	const void *pt = NULL;

	if (r->in->module_ptr)
		pt = r->in->module_ptr(r->in->module_ctx, m->range.base, m->range.size);
	if (!pt) {
		plan_warn(plan, "%s: partial device tree not available, passthrough not checked",
		          m->node);
		return;
	}
	if (!blob_ok(pt, m->range.size, NULL)) {
		plan_error(plan, "%s: not a valid device tree blob within its reg", m->node);
		return;
	}
	int bus = fdt_path_offset(pt, "/passthrough");
	if (bus < 0) {
		plan_warn(plan, "%s: partial device tree has no /passthrough node", m->node);
		return;
	}
	/* xen,reg uses /passthrough's cells for host address, size and guest address. */
	int len;
	const fdt32_t *c = fdt_getprop(pt, bus, "#address-cells", &len);
	int ac = c && len == 4 ? (int)fdt32_ld(c) : 2;
	const fdt32_t *s = fdt_getprop(pt, bus, "#size-cells", &len);
	int sc = s && len == 4 ? (int)fdt32_ld(s) : 1;
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2) {
		plan_error(plan, "%s: /passthrough cells %d/%d, expected 1 or 2", m->node, ac, sc);
		return;
	}
	int node;
	for (node = fdt_first_subnode(pt, bus); node >= 0; node = fdt_next_subnode(pt, node))
		read_pt_device(r, pt, node, d, ac, sc);
}

static void read_domain(struct reader *r, int node, int chosen)
{
	struct plan *plan = r->plan;
	int len;
	const char *name = fdt_get_name(r->fdt, node, &len);

	if (plan->nr_domains >= PLAN_MAX_DOMAINS) {
		plan_error(plan, "/chosen/%s: more than %d domains", name ? name : "?",
		           PLAN_MAX_DOMAINS);
		return;
	}
	struct plan_domain *d = &plan->domains[plan->nr_domains];
	d->first_cpu = r->cpus_used;
	fmt_snprintf(d->node, sizeof(d->node), "/chosen/%s", name ? name : "?");
	if (!name || len >= PLAN_NAME_MAX) {
		plan_error(plan, "%s: node name longer than %d characters", d->node,
		           PLAN_NAME_MAX - 1);
		len = name ? PLAN_NAME_MAX - 1 : 0;
	}
	copy_str(d->name, sizeof(d->name), name ? name : "", (size_t)len);
	plan->nr_domains++;

	const fdt32_t *p = fdt_getprop(r->fdt, node, "cpus", &len);
	if (!p)
		plan_error(plan, "%s: missing cpus", d->node);
	else if (len != 4)
		plan_error(plan, "%s: cpus has length %d, expected 4", d->node, len);
	else if ((d->vcpus = fdt32_ld(p)) == 0)
		plan_error(plan, "%s: cpus is 0", d->node);
	if (d->vcpus > PLAN_MAX_CPUS) {
		plan_error(plan, "%s: cpus is %u, at most %d supported", d->node, d->vcpus,
		           PLAN_MAX_CPUS);
		d->vcpus = PLAN_MAX_CPUS;
	}
	if (d->vcpus > 0) {
		if (r->cpus_used + d->vcpus > plan->nr_cpus)
			plan_error(plan,
			           "%s: cpus %u needs physical CPUs %u-%u, but /cpus has %u "
			           "(each vCPU owns one)",
			           d->node, d->vcpus, r->cpus_used, r->cpus_used + d->vcpus - 1,
			           plan->nr_cpus);
		r->cpus_used += d->vcpus;
	}

	p = fdt_getprop(r->fdt, node, "memory", &len);
	bool has_memory = p && len == 8;
	if (!p)
		plan_error(plan, "%s: missing memory", d->node);
	else if (len != 8)
		plan_error(plan, "%s: memory has length %d, expected 8 (two cells, in KiB)",
		           d->node, len);
	else
		d->memory_kib = read_cells(p, 2);

	d->direct_map = has_prop(r->fdt, node, "direct-map");
	d->vpl011 = has_prop(r->fdt, node, "vpl011");
	p = fdt_getprop(r->fdt, node, "xen,domain-p2m-mem-mb", &len);
	if (p && len != 4)
		plan_error(plan, "%s: xen,domain-p2m-mem-mb has length %d, expected 4 (MiB)",
		           d->node, len);
	else if (p && (fdt32_ld(p) == 0 || fdt32_ld(p) > PLAN_MAX_P2M_MEM_MB))
		plan_error(plan, "%s: xen,domain-p2m-mem-mb is %u, expected 1 to %u (MiB)", d->node,
		           fdt32_ld(p), PLAN_MAX_P2M_MEM_MB);
	else if (p)
		d->p2m_mem_mb = fdt32_ld(p);
	bool readable = read_static_mem(r, node, d, chosen);

	if (d->direct_map && !d->is_static)
		plan_error(plan, "%s: direct-map without xen,static-mem", d->node);
	/* An unreadable xen,static-mem is already an error: its sum means nothing. */
	if (d->is_static && readable && has_memory) {
		uint64_t sum = 0;
		bool wrapped = false;
		for (unsigned int i = 0; i < d->nr_static; i++) {
			wrapped |= sum + d->static_mem[i].size < sum;
			sum += d->static_mem[i].size;
		}
		if (wrapped || d->memory_kib > UINT64_MAX / KiB || d->memory_kib * KiB != sum)
			plan_error(plan,
			           "%s: memory is %llu KiB but xen,static-mem sums to %llu KiB",
			           d->node, (unsigned long long)d->memory_kib,
			           (unsigned long long)(sum / KiB));
	}

	/*
	 * Direct map: guest == host. ipa_from_pa_direct() fills the guest side
	 * here, so the plan's users read the ipa fields and never choose.
	 */
	if (d->direct_map && d->is_static) {
		for (unsigned int i = 0; i < d->nr_static && d->nr_banks < PLAN_MAX_STATIC_BANKS;
		     i++) {
			if (!range_valid(d->static_mem[i].base, d->static_mem[i].size))
				continue;
			struct plan_bank *b = &d->banks[d->nr_banks++];
			b->pa = pa_init(d->static_mem[i].base);
			b->ipa = ipa_from_pa_direct(b->pa);
			b->size = d->static_mem[i].size;
			b->index = i;
		}
		d->gicd_base = ipa_from_pa_direct(plan->gicd_base);
		d->gicr_base = ipa_from_pa_direct(plan->gicr_base);
		if (d->vpl011) {
			d->pl011_base = ipa_from_pa_direct(plan->uart_base);
			d->pl011_intid = plan->uart_intid;
			if (!pa_addr(plan->uart_base))
				plan_error(plan,
				           "%s: vpl011 in a direct-mapped domain needs the host "
				           "UART named by /chosen stdout-path",
				           d->node);
		}
	} else {
		pack_guest_banks(plan, d);
		d->gicd_base = ipa_init(GUEST_GICD_BASE);
		d->gicr_base = ipa_init(GUEST_GICR_BASE);
		if (d->vpl011) {
			d->pl011_base = ipa_init(GUEST_PL011_BASE);
			d->pl011_intid = GUEST_PL011_INTID;
		}
	}

	/* Modules: `reg` with the domain node's own cells (it is their parent). */
	int ac = cells_prop(r, node, "#address-cells", 2);
	int sc = cells_prop(r, node, "#size-cells", 1);
	int sub;
	for (sub = child_after(r, node, -1); sub >= 0; sub = child_after(r, node, sub))
		read_module(r, sub, d, ac, sc);
	bool kernel = false;
	for (unsigned int i = 0; i < d->nr_modules; i++) {
		if (d->modules[i].kind == PLAN_MODULE_KERNEL)
			kernel = true;
		if (d->modules[i].kind == PLAN_MODULE_DEVICE_TREE)
			read_passthrough(r, d, &d->modules[i]);
	}
	if (!kernel)
		plan_error(plan, "%s: no multiboot,kernel module", d->node);
}

static void read_chosen(struct reader *r)
{
	int chosen = r->chosen;
	int node;

	if (chosen < 0) {
		plan_error(r->plan, "/chosen: missing");
		return;
	}
	read_heap(r, chosen);
	for (node = child_after(r, chosen, -1); node >= 0; node = child_after(r, chosen, node)) {
		if (fdt_node_check_compatible(r->fdt, node, "xen,domain") == 0)
			read_domain(r, node, chosen);
	}
	if (r->plan->nr_domains == 0)
		plan_warn(r->plan, "/chosen: no xen,domain node, nothing to run");
}

int plan_build(const struct plan_input *in, struct plan *plan)
{
	struct node_index index;
	struct reader r = {.in = in,
	                   .fdt = in->fdt,
	                   .plan = plan,
	                   .chosen = -FDT_ERR_NOTFOUND,
	                   .cpus = -FDT_ERR_NOTFOUND,
	                   .reserved_memory = -FDT_ERR_NOTFOUND,
	                   .index = &index};

	memset(plan, 0, sizeof(*plan));
	/* No size given: the hypervisor trusts the header's totalsize. */
	if (!in->fdt ||
	    !blob_ok(in->fdt, in->fdt_size ? in->fdt_size : fdt_totalsize(in->fdt), &index)) {
		plan_error(plan, "/: the host device tree is not a valid blob");
		return -HV_EINVAL;
	}
	plan->hv_image = in->hv_image;
	plan->dtb = in->dtb;
	if (plan->dtb.size == 0)
		plan->dtb.size = fdt_totalsize(in->fdt);

	read_ram(&r);
	read_reserved(&r);
	read_cpus(&r);
	read_gic_and_uart(&r);
	read_chosen(&r);
	plan_check(plan, in);
	return plan->nr_errors ? -HV_EINVAL : 0;
}
