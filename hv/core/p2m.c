// SPDX-License-Identifier: Apache-2.0
/*
 * Stage-2 translation tables (see p2m.h).
 *
 * Every mutating operation is one walk over [ipa, ipa+size): walk_table()
 * visits each entry the range touches, top down, and asks the operation's
 * visitor what to do with it (stop there or descend into a table). The
 * walker, not the visitors, gives back tables left empty, so "no empty
 * table below the root" holds after every operation; map's rollback and
 * unmap rely on it.
 *
 * Pages that leave the tables are not freed on the spot: the hardware may
 * still hold walk-cache entries that point at them, so they are chained
 * (through their first word) and freed after the TLB flush.
 *
 * Descriptor formats: Arm ARM (DDI 0487) D8.3, VMSAv8-64 stage 2, 4 KiB
 * granule, 48-bit output addresses, no FEAT_LPA2 / FEAT_XNX / FEAT_S2FWB.
 */
#include "p2m.h"

#include "arch.h"
#include "errno.h"

/* Geometry of the 4 KiB granule: 512 entries per table, levels 0..3. */
#define LEVEL_BITS      9u
#define TABLE_ENTRIES   (1u << LEVEL_BITS)
#define LAST_LEVEL      3u
#define MIN_BLOCK_LEVEL 1u /* no level-0 blocks with 4 KiB pages */
#define MAX_CONCAT_BITS 4u /* up to 16 concatenated root tables */
#define MIN_IPA_BITS    32u
#define MAX_IPA_BITS    48u

/* Descriptor bits common to all levels. */
#define DESC_VALID   (1ull << 0)
#define DESC_TABLE   (1ull << 1)           /* levels 0-2: table (vs block); level 3: page */
#define DESC_OA_MASK 0x0000fffffffff000ull /* OA / next-level table, bits [47:12] */

/* Stage-2 block and page attributes. */
#define DESC_MEMATTR_SHIFT   2      /* MemAttr[3:0], bits [5:2] */
#define MEMATTR_DEVICE_NGNRE 0x1ull /* [3:2]=00 Device, [1:0]=01 nGnRE */
#define MEMATTR_NORMAL_WB    0xfull /* [3:2]=11 outer WB, [1:0]=11 inner WB */
#define DESC_S2AP_SHIFT      6      /* S2AP[1:0], bits [7:6] */
#define S2AP_RW              0x3ull
#define DESC_SH_SHIFT        8 /* SH[1:0], bits [9:8] */
#define SH_INNER             0x3ull
#define DESC_AF              (1ull << 10)
#define DESC_XN              (1ull << 54) /* XN[1]: not executable at EL1 or EL0 */
#define DESC_MEMATTR_MASK    (0xfull << DESC_MEMATTR_SHIFT)

/* VTCR_EL2 fields. */
#define VTCR_T0SZ_SHIFT  0
#define VTCR_SL0_SHIFT   6
#define VTCR_IRGN0_SHIFT 8
#define VTCR_ORGN0_SHIFT 10
#define VTCR_SH0_SHIFT   12
#define VTCR_TG0_SHIFT   14
#define VTCR_PS_SHIFT    16
#define VTCR_RES1        (1ull << 31)
#define VTCR_RGN_WBWA    0x1ull /* Normal, write-back, read- and write-allocate */
#define VTCR_TG0_4K      0x0ull

/* VTTBR_EL2 fields. */
#define VTTBR_VMID_SHIFT 48
#define VTTBR_VMID_MAX   0xffu                 /* VTCR_EL2.VS = 0: 8-bit VMIDs */
#define VTTBR_BADDR_MASK 0x0000fffffffffffeull /* BADDR, bits [47:1] */

/* End of the chain of pages waiting for the TLB flush (page aligned, so never "valid"). */
#define DEAD_END (~PAGE_MASK)

static unsigned int level_shift(unsigned int level)
{
	return PAGE_SHIFT + LEVEL_BITS * (LAST_LEVEL - level);
}

static uint64_t level_size(unsigned int level)
{
	return 1ull << level_shift(level);
}

static uint64_t *table_ptr(pa_t table)
{
	return arch_phys_to_virt(table);
}

/*
 * Store an entry that a CPU's table walker may read at any time: in one
 * 64-bit write, so that no walker sees half of it, and with release order,
 * so that a walker on another CPU that sees the entry also sees what it
 * points to (a zeroed or filled table, scrubbed guest memory). The DSB
 * and TLB maintenance that the local walker needs are the arch layer's.
 */
static void set_desc(uint64_t *entry, uint64_t desc)
{
	__atomic_store_n(entry, desc, __ATOMIC_RELEASE);
}

static bool desc_is_table(uint64_t d, unsigned int level)
{
	return level < LAST_LEVEL && (d & (DESC_VALID | DESC_TABLE)) == (DESC_VALID | DESC_TABLE);
}

static pa_t desc_addr(uint64_t d)
{
	return pa_init(d & DESC_OA_MASK);
}

static uint64_t leaf_desc(unsigned int level, uint64_t oa, uint64_t attrs)
{
	return oa | attrs | DESC_VALID | (level == LAST_LEVEL ? DESC_TABLE : 0);
}

static uint64_t type_attrs(enum p2m_type type)
{
	if (type == P2M_DEVICE_RW)
		return MEMATTR_DEVICE_NGNRE << DESC_MEMATTR_SHIFT | S2AP_RW << DESC_S2AP_SHIFT |
		       DESC_AF | DESC_XN;
	/* Device memory ignores SH; Normal memory is shared by all the guest's CPUs. */
	return MEMATTR_NORMAL_WB << DESC_MEMATTR_SHIFT | S2AP_RW << DESC_S2AP_SHIFT |
	       SH_INNER << DESC_SH_SHIFT | DESC_AF;
}

static uint64_t ipa_limit(const struct p2m *p2m)
{
	return 1ull << p2m->ipa_bits;
}

/* Entries of a table at @level: the root may be several tables side by side. */
static uint64_t level_entries(const struct p2m *p2m, unsigned int level)
{
	return level == p2m->start_level ? (uint64_t)TABLE_ENTRIES * p2m->root_pages
	                                 : TABLE_ENTRIES;
}

/* The entry that translates @ipa at the deepest level present; sets *level. */
static uint64_t *find_entry(const struct p2m *p2m, uint64_t ipa, unsigned int *level)
{
	pa_t table = p2m->root;
	unsigned int l = p2m->start_level;

	for (;;) {
		uint64_t idx = (ipa >> level_shift(l)) & (level_entries(p2m, l) - 1);
		uint64_t *e = table_ptr(table) + idx;

		if (!desc_is_table(*e, l)) {
			*level = l;
			return e;
		}
		table = desc_addr(*e);
		l++;
	}
}

enum walk_step { WALK_NEXT, WALK_DESCEND };

#define SPLIT_RESERVE_MAX 4 /* two range edges, each splitting a 1 GiB then a 2 MiB block */

struct walk {
	struct p2m *p2m;
	/*
	 * Called for each entry that [start, end) touches; @base is the first
	 * IPA the entry translates. Returns a negative error, WALK_NEXT, or
	 * WALK_DESCEND when *entry is (now) a table to walk into.
	 */
	int (*visit)(struct walk *w, uint64_t *entry, unsigned int level, uint64_t base,
	             uint64_t start, uint64_t end);
	bool read_only; /* tables cannot become empty: skip the check */
	bool free_all;  /* p2m_destroy: every table goes once walked */
	bool removed;   /* a valid entry was removed: flush the TLB */
	uint64_t dead;  /* pages to free after the flush, chained */

	/* Operation arguments. */
	uint64_t ipa;
	pa_t pa;
	uint64_t attrs;
	pa_t reserve[SPLIT_RESERVE_MAX]; /* unmap: pages for block splits */
	unsigned int reserved;
};

static bool table_is_empty(pa_t table)
{
	const uint64_t *t = table_ptr(table);

	for (unsigned int i = 0; i < TABLE_ENTRIES; i++)
		if (t[i] & DESC_VALID)
			return false;
	return true;
}

/* Take a table out of the tree; it is freed after the TLB flush. */
static void retire_table(struct walk *w, uint64_t *entry)
{
	pa_t table = desc_addr(*entry);

	set_desc(entry, 0);
	table_ptr(table)[0] = w->dead;
	w->dead = pa_addr(table);
	w->removed = true;
	w->p2m->table_pages--;
}

static void install_table(struct walk *w, uint64_t *entry, pa_t table)
{
	set_desc(entry, pa_addr(table) | DESC_VALID | DESC_TABLE);
	w->p2m->table_pages++;
}

static int walk_table(struct walk *w, pa_t table, unsigned int level, uint64_t base, uint64_t start,
                      uint64_t end)
{
	uint64_t *t = table_ptr(table);
	unsigned int shift = level_shift(level);
	uint64_t last = (end - 1 - base) >> shift;

	for (uint64_t i = (start - base) >> shift; i <= last; i++) {
		uint64_t ebase = base + (i << shift);
		uint64_t s = start > ebase ? start : ebase;
		uint64_t e = end < ebase + level_size(level) ? end : ebase + level_size(level);
		int ret = w->visit(w, &t[i], level, ebase, s, e);

		if (ret == WALK_DESCEND) {
			pa_t child = desc_addr(t[i]);

			ret = walk_table(w, child, level + 1, ebase, s, e);
			if (w->free_all || (!w->read_only && table_is_empty(child)))
				retire_table(w, &t[i]);
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int walk_range(struct walk *w, uint64_t start, uint64_t end)
{
	return walk_table(w, w->p2m->root, w->p2m->start_level, 0, start, end);
}

/* Flush if anything was removed, then give back the retired pages. */
static void walk_finish(struct walk *w)
{
	const struct p2m_page_source *src = &w->p2m->src;

	if (w->removed)
		arch_guest_tlb_flush(w->p2m->vmid);
	while (w->dead != DEAD_END) {
		pa_t page = pa_init(w->dead);

		w->dead = table_ptr(page)[0];
		src->free(src->ctx, page, 0);
	}
	for (unsigned int i = 0; i < w->reserved; i++)
		src->free(src->ctx, w->reserve[i], 0);
	w->reserved = 0;
}

static void walk_init(struct walk *w, struct p2m *p2m,
                      int (*visit)(struct walk *, uint64_t *, unsigned int, uint64_t, uint64_t,
                                   uint64_t))
{
	*w = (struct walk){.p2m = p2m, .visit = visit, .dead = DEAD_END};
}

static int alloc_zeroed(const struct p2m_page_source *src, unsigned int order, pa_t *page)
{
	if (src->alloc(src->ctx, order, page) != 0)
		return -HV_ENOMEM;
	if (!is_aligned(pa_addr(*page), PAGE_SIZE << order))
		arch_panic("p2m: page source returned a misaligned block");
	uint64_t *t = table_ptr(*page);
	for (uint64_t i = 0; i < (uint64_t)TABLE_ENTRIES << order; i++)
		t[i] = 0;
	return 0;
}

static int visit_check_free(struct walk *w, uint64_t *entry, unsigned int level, uint64_t base,
                            uint64_t start, uint64_t end)
{
	(void)w, (void)base, (void)start, (void)end;
	if (desc_is_table(*entry, level))
		return WALK_DESCEND;
	return (*entry & DESC_VALID) ? -HV_EEXIST : WALK_NEXT;
}

static int visit_map(struct walk *w, uint64_t *entry, unsigned int level, uint64_t base,
                     uint64_t start, uint64_t end)
{
	uint64_t oa = pa_addr(w->pa) + (start - w->ipa);
	pa_t table;

	if (desc_is_table(*entry, level))
		return WALK_DESCEND;
	if (*entry & DESC_VALID)
		return -HV_EEXIST; /* unreachable after visit_check_free */
	if (level >= MIN_BLOCK_LEVEL && start == base && end - start == level_size(level) &&
	    is_aligned(oa, level_size(level))) {
		set_desc(entry, leaf_desc(level, oa, w->attrs));
		return WALK_NEXT;
	}
	/* Below a page every piece is a whole aligned page, so level < 3 here. */
	if (alloc_zeroed(&w->p2m->src, 0, &table) != 0)
		return -HV_ENOMEM;
	install_table(w, entry, table);
	return WALK_DESCEND;
}

/* Replace the block at *entry by a table of the next level mapping the same. */
static void split_block(struct walk *w, uint64_t *entry, unsigned int level)
{
	uint64_t block = *entry;
	uint64_t oa = block & DESC_OA_MASK;
	uint64_t attrs = block & ~(DESC_OA_MASK | DESC_VALID | DESC_TABLE);
	uint64_t *t;
	pa_t table;

	if (w->reserved == 0)
		arch_panic("p2m: split reserve miscounted");
	table = w->reserve[--w->reserved];
	t = table_ptr(table);
	for (unsigned int i = 0; i < TABLE_ENTRIES; i++)
		t[i] = leaf_desc(level + 1, oa + i * level_size(level + 1), attrs);
	/* Break before make: a block may not turn into a table under a live TLB. */
	set_desc(entry, 0);
	arch_guest_tlb_flush(w->p2m->vmid);
	install_table(w, entry, table);
}

static int visit_unmap(struct walk *w, uint64_t *entry, unsigned int level, uint64_t base,
                       uint64_t start, uint64_t end)
{
	if (!(*entry & DESC_VALID))
		return WALK_NEXT;
	if (desc_is_table(*entry, level))
		return WALK_DESCEND;
	if (start == base && end - start == level_size(level)) {
		set_desc(entry, 0);
		w->removed = true;
		return WALK_NEXT;
	}
	split_block(w, entry, level);
	return WALK_DESCEND;
}

static int visit_destroy(struct walk *w, uint64_t *entry, unsigned int level, uint64_t base,
                         uint64_t start, uint64_t end)
{
	(void)w, (void)base, (void)start, (void)end;
	return desc_is_table(*entry, level) ? WALK_DESCEND : WALK_NEXT;
}

/*
 * Pages that unmapping [start, end) needs to split blocks straddling its
 * edges: the block around an edge, then the 2 MiB block around it that the
 * first split creates. Both edges may share a block, hence the dedup.
 */
static unsigned int count_splits(const struct p2m *p2m, uint64_t start, uint64_t end)
{
	uint64_t edges[2] = {start, end}, bases[SPLIT_RESERVE_MAX];
	unsigned int levels[SPLIT_RESERVE_MAX], n = 0;

	for (unsigned int i = 0; i < 2; i++) {
		unsigned int level;
		uint64_t x = edges[i];

		if (x >= ipa_limit(p2m) || !(*find_entry(p2m, x, &level) & DESC_VALID))
			continue;
		for (unsigned int l = level; l < LAST_LEVEL && !is_aligned(x, level_size(l)); l++) {
			unsigned int j = 0;

			while (j < n &&
			       !(levels[j] == l && bases[j] == align_down(x, level_size(l))))
				j++;
			if (j == n) {
				levels[n] = l;
				bases[n++] = align_down(x, level_size(l));
			}
		}
	}
	return n;
}

static bool range_in_space(const struct p2m *p2m, uint64_t ipa, uint64_t size)
{
	return range_valid(ipa, size) && is_aligned(ipa | size, PAGE_SIZE) &&
	       ipa + size <= ipa_limit(p2m);
}

int p2m_init(struct p2m *p2m, unsigned int ipa_bits, uint16_t vmid,
             const struct p2m_page_source *src)
{
	unsigned int level = LAST_LEVEL - 1, order;

	if (ipa_bits < MIN_IPA_BITS || ipa_bits > MAX_IPA_BITS || vmid > VTTBR_VMID_MAX)
		return -HV_EINVAL;
	/* The deepest start level whose tables, up to 16 side by side, span the space. */
	while (ipa_bits > level_shift(level) + LEVEL_BITS + MAX_CONCAT_BITS)
		level--;
	order = ipa_bits > level_shift(level) + LEVEL_BITS
	            ? ipa_bits - level_shift(level) - LEVEL_BITS
	            : 0;
	*p2m = (struct p2m){.ipa_bits = ipa_bits,
	                    .start_level = level,
	                    .root_pages = 1u << order,
	                    .vmid = vmid,
	                    .src = *src};
	if (alloc_zeroed(src, order, &p2m->root) != 0)
		return -HV_ENOMEM;
	p2m->table_pages = p2m->root_pages;
	return 0;
}

void p2m_destroy(struct p2m *p2m)
{
	struct walk w;
	unsigned int order = 0;

	walk_init(&w, p2m, visit_destroy);
	w.free_all = true;
	(void)walk_range(&w, 0, ipa_limit(p2m));
	w.removed = true;
	walk_finish(&w);
	while ((1u << order) < p2m->root_pages)
		order++;
	p2m->src.free(p2m->src.ctx, p2m->root, order);
	p2m->table_pages = 0;
	p2m->root = pa_init(0);
}

int p2m_map_range(struct p2m *p2m, ipa_t ipa, pa_t pa, uint64_t size, enum p2m_type type)
{
	uint64_t start = ipa_addr(ipa), end = start + size;
	struct walk w;
	int ret;

	if (!range_in_space(p2m, start, size) || !is_aligned(pa_addr(pa), PAGE_SIZE) ||
	    !range_valid(pa_addr(pa), size) || pa_addr(pa) + size - 1 > DESC_OA_MASK ||
	    (type != P2M_RAM_RW && type != P2M_DEVICE_RW))
		return -HV_EINVAL;

	walk_init(&w, p2m, visit_check_free);
	w.read_only = true;
	ret = walk_range(&w, start, end);
	if (ret != 0)
		return ret;

	walk_init(&w, p2m, visit_map);
	w.ipa = start;
	w.pa = pa;
	w.attrs = type_attrs(type);
	ret = walk_range(&w, start, end);
	if (ret != 0) {
		/*
		 * Everything mapped in the range is ours and lies inside it, so
		 * unmapping it splits nothing; empty tables go on the way.
		 */
		w.visit = visit_unmap;
		(void)walk_range(&w, start, end);
	}
	walk_finish(&w);
	return ret;
}

int p2m_unmap_range(struct p2m *p2m, ipa_t ipa, uint64_t size)
{
	uint64_t start = ipa_addr(ipa);
	unsigned int splits;
	struct walk w;

	if (!range_in_space(p2m, start, size))
		return -HV_EINVAL;
	walk_init(&w, p2m, visit_unmap);
	/* Take every page a split needs first, so that ENOMEM changes nothing. */
	splits = count_splits(p2m, start, start + size);
	while (w.reserved < splits) {
		if (p2m->src.alloc(p2m->src.ctx, 0, &w.reserve[w.reserved]) != 0) {
			walk_finish(&w);
			return -HV_ENOMEM;
		}
		w.reserved++;
	}
	(void)walk_range(&w, start, start + size);
	walk_finish(&w);
	return 0;
}

bool p2m_lookup(const struct p2m *p2m, ipa_t ipa, pa_t *pa, enum p2m_type *type)
{
	uint64_t a = ipa_addr(ipa), d;
	unsigned int level;

	if (a >= ipa_limit(p2m))
		return false;
	d = *find_entry(p2m, a, &level);
	if (!(d & DESC_VALID))
		return false;
	*pa =
	    pa_init((d & DESC_OA_MASK & ~(level_size(level) - 1)) | (a & (level_size(level) - 1)));
	if (type != NULL)
		*type = (d & DESC_MEMATTR_MASK) == MEMATTR_DEVICE_NGNRE << DESC_MEMATTR_SHIFT
		            ? P2M_DEVICE_RW
		            : P2M_RAM_RW;
	return true;
}

uint64_t p2m_vtcr(const struct p2m *p2m, unsigned int pa_range_bits)
{
	/* VTCR_EL2.PS encodings 0..5; larger sizes need descriptors we do not write. */
	static const uint8_t ps_bits[] = {32, 36, 40, 42, 44, 48};
	uint64_t ps = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(ps_bits); i++)
		if (pa_range_bits >= ps_bits[i])
			ps = i;
	return VTCR_RES1 | ps << VTCR_PS_SHIFT | VTCR_TG0_4K << VTCR_TG0_SHIFT |
	       SH_INNER << VTCR_SH0_SHIFT | VTCR_RGN_WBWA << VTCR_ORGN0_SHIFT |
	       VTCR_RGN_WBWA << VTCR_IRGN0_SHIFT |
	       (uint64_t)(LAST_LEVEL - 1 - p2m->start_level) << VTCR_SL0_SHIFT |
	       (uint64_t)(64 - p2m->ipa_bits) << VTCR_T0SZ_SHIFT;
}

uint64_t p2m_vttbr(const struct p2m *p2m)
{
	return (uint64_t)p2m->vmid << VTTBR_VMID_SHIFT | (pa_addr(p2m->root) & VTTBR_BADDR_MASK);
}
