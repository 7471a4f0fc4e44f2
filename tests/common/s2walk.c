// SPDX-License-Identifier: Apache-2.0
/*
 * s2walk: the stage-2 walk as the Arm ARM describes it (see s2walk.h).
 * Fields are extracted with explicit bit positions on purpose: this file
 * must not reuse p2m.c's constants, so that a wrong constant there shows.
 */
#include "s2walk.h"

#include <stdio.h>
#include <stdlib.h>

#include "../../hv/core/arch.h"

/* Bits [hi:lo] of @v. */
static uint64_t bits(uint64_t v, unsigned int hi, unsigned int lo)
{
	return (v >> lo) & ((2ull << (hi - lo)) - 1);
}

/* Mask of bits [hi:lo]. */
static uint64_t mask(unsigned int hi, unsigned int lo)
{
	return ((2ull << (hi - lo)) - 1) << lo;
}

/* Input address bits below each level's index: 4 KiB granule, 9 bits a level. */
static unsigned int shift_of(unsigned int level)
{
	static const unsigned int shift[4] = {39, 30, 21, 12};
	return shift[level];
}

enum s2w_status s2w_decode(uint64_t vtcr, uint64_t vttbr, struct s2w_regs *r)
{
	static const unsigned int ps_bits[8] = {32, 36, 40, 42, 44, 48, 0, 0};
	/* T0SZ, SL0, IRGN0, ORGN0, SH0, TG0, PS and the RES1 bit 31; VS, HA, HD... must be 0. */
	const uint64_t known = mask(18, 0) | mask(31, 31);
	unsigned int sl0 = (unsigned int)bits(vtcr, 7, 6), resolved;

	r->ipa_bits = 64 - (unsigned int)bits(vtcr, 5, 0);
	r->irgn = (unsigned int)bits(vtcr, 9, 8);
	r->orgn = (unsigned int)bits(vtcr, 11, 10);
	r->sh = (unsigned int)bits(vtcr, 13, 12);
	r->pa_bits = ps_bits[bits(vtcr, 18, 16)];
	r->root = vttbr & mask(47, 1);
	r->vmid = (unsigned int)bits(vttbr, 55, 48);
	if ((vtcr & ~known) != 0 || bits(vtcr, 31, 31) != 1 || bits(vtcr, 15, 14) != 0)
		return S2W_BAD_REGS; /* stray bits, RES1 clear, or not the 4 KiB granule */
	if (r->pa_bits == 0 || sl0 == 3 || r->ipa_bits > 48 || r->ipa_bits > r->pa_bits)
		return S2W_BAD_REGS;
	r->start_level = 2 - sl0;
	/* The start level resolves 1..9 bits, plus up to 4 by concatenating 16 tables. */
	resolved =
	    r->ipa_bits > shift_of(r->start_level) ? r->ipa_bits - shift_of(r->start_level) : 0;
	if (resolved < 1 || resolved > 13)
		return S2W_BAD_REGS;
	r->root_pages = resolved > 9 ? 1u << (resolved - 9) : 1u;
	/* CnP clear, VMID bits [63:56] RES0 with 8-bit VMIDs, BADDR aligned to the root. */
	if (bits(vttbr, 0, 0) != 0 || bits(vttbr, 63, 56) != 0 ||
	    (r->root & (r->root_pages * 4096ull - 1)) != 0 || r->root >> r->pa_bits != 0)
		return S2W_BAD_REGS;
	return S2W_OK;
}

static uint64_t read_desc(uint64_t table, uint64_t index)
{
	const uint64_t *t = arch_phys_to_virt(pa_init(table));
	return t[index];
}

static enum s2w_kind kind_of(const struct s2w_result *r)
{
	if (r->memattr == 0xf && r->s2ap == 3 && r->sh == 3 && r->af && !r->xn)
		return S2W_NORMAL_RW;
	if (r->memattr == 0x1 && r->s2ap == 3 && r->af && r->xn)
		return S2W_DEVICE_RW;
	return S2W_OTHER;
}

/*
 * Decode one valid descriptor at @level. On a table, *next is its address
 * and the status S2W_OK with res->size == 0; on a leaf, res describes the
 * block (pa = its output address).
 */
static enum s2w_status decode_desc(const struct s2w_regs *regs, uint64_t d, unsigned int level,
                                   struct s2w_result *res, uint64_t *next)
{
	bool table_bit = bits(d, 1, 1) != 0;
	uint64_t oa;

	res->level = level;
	res->size = 0;
	if (level == 3 && !table_bit)
		return S2W_RESERVED; /* 0b01 at level 3 */
	if (level < 3 && table_bit) {
		/* Stage-2 table descriptors: address [47:12]; p2m sets nothing else. */
		if ((d & ~(mask(47, 12) | mask(1, 0))) != 0)
			return S2W_BAD_BITS;
		*next = d & mask(47, 12);
		return *next >> regs->pa_bits ? S2W_ADDR_SIZE : S2W_OK;
	}
	if (level == 0)
		return S2W_RESERVED; /* no level-0 block with 4 KiB granule and no LPA2 */
	/* Block or page: OA [47:shift], MemAttr [5:2], S2AP [7:6], SH [9:8], AF [10], XN [54]. */
	if ((d & ~(mask(47, shift_of(level)) | mask(10, 0) | mask(54, 54))) != 0)
		return S2W_BAD_BITS; /* RES0 [11], [n-1:12], [51:48]; DBM, contiguous, XN[0], SW */
	oa = d & mask(47, shift_of(level));
	res->size = 1ull << shift_of(level);
	res->pa = oa;
	res->memattr = (unsigned int)bits(d, 5, 2);
	res->s2ap = (unsigned int)bits(d, 7, 6);
	res->sh = (unsigned int)bits(d, 9, 8);
	res->af = bits(d, 10, 10) != 0;
	res->xn = bits(d, 54, 54) != 0;
	res->kind = kind_of(res);
	return (oa + res->size - 1) >> regs->pa_bits ? S2W_ADDR_SIZE : S2W_OK;
}

static uint64_t index_of(const struct s2w_regs *regs, unsigned int level, uint64_t ipa)
{
	uint64_t idx = ipa >> shift_of(level);

	return level == regs->start_level ? idx : bits(idx, 8, 0);
}

struct s2w_result s2walk(uint64_t vtcr, uint64_t vttbr, uint64_t ipa)
{
	struct s2w_result res = {.status = S2W_BAD_REGS};
	struct s2w_regs regs;
	uint64_t table;

	if (s2w_decode(vtcr, vttbr, &regs) != S2W_OK)
		return res;
	res.level = regs.start_level;
	if (ipa >> regs.ipa_bits) {
		res.status = S2W_OUT_OF_RANGE;
		return res;
	}
	table = regs.root;
	for (unsigned int level = regs.start_level;; level++) {
		uint64_t d = read_desc(table, index_of(&regs, level, ipa));

		res.level = level;
		if (bits(d, 0, 0) == 0) {
			res.status = S2W_FAULT;
			return res;
		}
		res.status = decode_desc(&regs, d, level, &res, &table);
		if (res.status != S2W_OK)
			return res;
		if (res.size != 0) {
			res.pa += ipa & (res.size - 1);
			return res;
		}
	}
}

/* A growable array of addresses. */
struct addrs {
	uint64_t *v;
	size_t n, cap;
};

static void addrs_push(struct addrs *a, uint64_t x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 256;
		a->v = realloc(a->v, a->cap * sizeof(*a->v));
		if (a->v == NULL) {
			fprintf(stderr, "s2walk: out of memory\n");
			abort();
		}
	}
	a->v[a->n++] = x;
}

struct enum_state {
	const struct s2w_regs *regs;
	struct s2w_range *out, cur; /* cur: the range being grown, if cur.size */
	size_t cap, count;
	struct s2w_stats *stats;
	struct addrs tables;  /* every table page reached */
	struct addrs outputs; /* output ranges as (pa, size) pairs */
};

static void emit_range(struct enum_state *st)
{
	if (st->cur.size == 0)
		return;
	if (st->count < st->cap)
		st->out[st->count] = st->cur;
	st->count++;
	addrs_push(&st->outputs, st->cur.pa);
	addrs_push(&st->outputs, st->cur.size);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Count tables reached twice, and tables that some leaf maps to the guest. */
static void check_tables(struct enum_state *st)
{
	struct addrs *t = &st->tables;

	qsort(t->v, t->n, sizeof(*t->v), cmp_u64);
	for (size_t i = 1; i < t->n; i++)
		if (t->v[i] == t->v[i - 1])
			st->stats->shared_tables++;
	for (size_t r = 0; r < st->outputs.n; r += 2) {
		uint64_t pa = st->outputs.v[r], end = pa + st->outputs.v[r + 1];
		size_t lo = 0, hi = t->n;

		while (lo < hi) { /* first table at or above pa */
			size_t mid = (lo + hi) / 2;

			if (t->v[mid] < pa)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < t->n && t->v[lo] < end; lo++)
			st->stats->self_mapped++;
	}
}

static void add_leaf(struct enum_state *st, uint64_t ipa, const struct s2w_result *leaf)
{
	struct s2w_range *c = &st->cur;

	st->stats->leaves[leaf->level]++;
	if (c->size != 0 && c->ipa + c->size == ipa && c->pa + c->size == leaf->pa &&
	    c->kind == leaf->kind) {
		c->size += leaf->size;
		return;
	}
	emit_range(st);
	*c = (struct s2w_range){ipa, leaf->pa, leaf->size, leaf->kind};
}

static void enum_table(struct enum_state *st, uint64_t table, unsigned int level, uint64_t base,
                       uint64_t entries)
{
	uint64_t valid = 0;

	for (uint64_t i = 0; i < entries; i++) {
		uint64_t d = read_desc(table, i), next = 0;
		uint64_t ipa = base + (i << shift_of(level));
		struct s2w_result leaf = {0};
		enum s2w_status s;

		if (bits(d, 0, 0) == 0) {
			if (d != 0)
				st->stats->bad++; /* p2m writes invalid entries as 0 */
			continue;
		}
		valid++;
		s = decode_desc(st->regs, d, level, &leaf, &next);
		if (s != S2W_OK) {
			st->stats->bad++;
		} else if (leaf.size == 0) {
			st->stats->tables++;
			addrs_push(&st->tables, next);
			enum_table(st, next, level + 1, ipa, 512);
		} else {
			add_leaf(st, ipa, &leaf);
		}
	}
	if (valid == 0 && level != st->regs->start_level)
		st->stats->empty_tables++;
}

enum s2w_status s2walk_ranges(uint64_t vtcr, uint64_t vttbr, struct s2w_range *out, size_t cap,
                              size_t *count, struct s2w_stats *stats)
{
	struct s2w_regs regs;
	struct enum_state st = {.regs = &regs, .out = out, .cap = cap, .stats = stats};

	*stats = (struct s2w_stats){0};
	*count = 0;
	if (s2w_decode(vtcr, vttbr, &regs) != S2W_OK)
		return S2W_BAD_REGS;
	stats->tables = regs.root_pages;
	for (unsigned int i = 0; i < regs.root_pages; i++)
		addrs_push(&st.tables, regs.root + i * 4096ull);
	/* Only the entries the IPA size reaches: the rest of a root page is never walked. */
	enum_table(&st, regs.root, regs.start_level, 0,
	           1ull << (regs.ipa_bits - shift_of(regs.start_level)));
	emit_range(&st);
	check_tables(&st);
	free(st.tables.v);
	free(st.outputs.v);
	*count = st.count;
	return S2W_OK;
}
