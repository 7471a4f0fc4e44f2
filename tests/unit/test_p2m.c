// SPDX-License-Identifier: Apache-2.0
/*
 * p2m: stage-2 tables checked against the architecture walker (s2walk),
 * the table-count oracle (s2oracle) and a plain list of mapped ranges.
 */
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/p2m.h"
#include "../../hv/host/host_arch.h"
#include "../common/s2model.h"
#include "../common/s2oracle.h"
#include "../common/s2walk.h"
#include "../common/testlib.h"
#include "../common/tpages.h"

#define POOL_BASE  0x200000000000ull /* table pages: above every PA the tests map */
#define POOL_PAGES 32768ull
#define PA_BITS    48u

static struct tpages tp;
static struct p2m_page_source src;

static void fresh_pool(void)
{
	host_ram_reset();
	if (tp.order_at != NULL)
		tpages_fini(&tp);
	tpages_init(&tp, POOL_BASE, POOL_PAGES);
	src = tpages_source(&tp);
}

/* ---- the reference model: the ranges as mapped, carved by unmaps ---- */

static struct s2model model;

static enum s2w_kind kind_of_type(enum p2m_type t)
{
	return t == P2M_RAM_RW ? S2W_NORMAL_RW : S2W_DEVICE_RW;
}

static void model_add(uint64_t ipa, uint64_t pa, uint64_t size, enum p2m_type type)
{
	s2model_add(&model, ipa, pa, size, kind_of_type(type));
}

static void model_remove(uint64_t ipa, uint64_t size)
{
	s2model_remove(&model, ipa, size);
}

/*
 * The whole check: the tables the hardware would walk hold exactly the
 * model's mappings, with valid encodings, no empty table, the oracle's
 * leaves and table count, and the page source agrees on pages held.
 */
static void check_against_model(struct p2m *p2m)
{
	const char *err = s2model_check(&model, p2m_vtcr(p2m, PA_BITS), p2m_vttbr(p2m),
	                                p2m->ipa_bits, p2m->table_pages);

	if (err != NULL)
		printf("  %s\n", err);
	CHECK(err == NULL);
	CHECK_EQ(tp.live, p2m->table_pages);
}

#define WALKED_MAX 8192
static struct s2w_range walked[WALKED_MAX];

static struct s2w_stats stats_of(struct p2m *p2m, size_t *nranges)
{
	struct s2w_stats st;
	size_t n;

	CHECK_EQ(s2walk_ranges(p2m_vtcr(p2m, PA_BITS), p2m_vttbr(p2m), walked, WALKED_MAX, &n, &st),
	         S2W_OK);
	if (nranges)
		*nranges = n;
	return st;
}

static struct s2w_result walk(struct p2m *p2m, uint64_t ipa)
{
	return s2walk(p2m_vtcr(p2m, PA_BITS), p2m_vttbr(p2m), ipa);
}

/* Raw descriptor at @ipa, @level (test-side walk via s2walk's table addresses). */
static uint64_t raw_desc(struct p2m *p2m, uint64_t ipa, unsigned int level)
{
	static const unsigned int shift[4] = {39, 30, 21, 12};
	uint64_t table = pa_addr(p2m->root), d = 0;

	for (unsigned int l = p2m->start_level; l <= level; l++) {
		uint64_t idx = ipa >> shift[l];
		if (l != p2m->start_level)
			idx &= 511;
		d = ((uint64_t *)arch_phys_to_virt(pa_init(table)))[idx];
		table = d & 0x0000fffffffff000ull;
	}
	return d;
}

static int map(struct p2m *p2m, uint64_t ipa, uint64_t pa, uint64_t size, enum p2m_type t)
{
	return p2m_map_range(p2m, ipa_init(ipa), pa_init(pa), size, t);
}

static int unmap(struct p2m *p2m, uint64_t ipa, uint64_t size)
{
	return p2m_unmap_range(p2m, ipa_init(ipa), size);
}

/* ---- register encodings, derived by hand from the Arm ARM ---- */

TEST(vtcr_vttbr_encodings)
{
	struct p2m p;

	fresh_pool();
	/*
	 * 40-bit IPA: T0SZ=24 (0x18), SL0=0b01 level 1 (0x40), IRGN0=0b01
	 * (0x100), ORGN0=0b01 (0x400), SH0=0b11 (0x3000), TG0=0b00 4K,
	 * PS=0b100 44-bit as on Cortex-A57 (0x40000), bit 31 RES1.
	 */
	CHECK_EQ(p2m_init(&p, 40, 5, &src), 0);
	CHECK_EQ(p2m_vtcr(&p, 44), 0x80043558ull);
	/* VMID in [55:48], BADDR [47:1]; the 2-page root is 8 KiB aligned. */
	CHECK_EQ(p2m_vttbr(&p), 0x0005000000000000ull | pa_addr(p.root));
	CHECK_EQ(pa_addr(p.root) & 0x1fff, 0);
	p2m_destroy(&p);
	/* 48-bit IPA: T0SZ=16, SL0=0b10 level 0 (0x80), PS=0b101 48-bit (0x50000). */
	CHECK_EQ(p2m_init(&p, 48, 255, &src), 0);
	CHECK_EQ(p2m_vtcr(&p, 48), 0x80053590ull);
	CHECK_EQ(p2m_vttbr(&p) >> 48, 0xff);
	/* A 52-bit PA range is capped at 48 bits: our descriptors hold 48-bit addresses. */
	CHECK_EQ(p2m_vtcr(&p, 52), 0x80053590ull);
	p2m_destroy(&p);
	/* 32-bit IPA: T0SZ=32, SL0=0b00 level 2, PS=0b010 40-bit (0x20000). */
	CHECK_EQ(p2m_init(&p, 32, 1, &src), 0);
	CHECK_EQ(p2m_vtcr(&p, 40), 0x80023520ull);
	CHECK_EQ(pa_addr(p.root) & 0x3fff, 0); /* 4 pages concatenated: 16 KiB aligned */
	p2m_destroy(&p);
	/* 8-bit VMIDs only. */
	CHECK_EQ(p2m_init(&p, 40, 256, &src), -HV_EINVAL);
	CHECK_EQ(tp.live, 0);
}

TEST(descriptor_encodings)
{
	struct p2m p;
	uint64_t d;

	fresh_pool();
	CHECK_EQ(p2m_init(&p, 40, 1, &src), 0);
	CHECK_EQ(map(&p, 0x40000000, 0x40000000, GiB, P2M_RAM_RW), 0);
	/*
	 * Level-1 block: OA 0x40000000 | AF (0x400) | SH=0b11 (0x300) |
	 * S2AP=0b11 (0xc0) | MemAttr=0b1111 (0x3c) | block (0b01).
	 */
	CHECK_EQ(raw_desc(&p, 0x40000000, 1), 0x400007fdull);
	CHECK_EQ(map(&p, 0x09000000, 0x09000000, PAGE_SIZE, P2M_DEVICE_RW), 0);
	/* Table descriptors: next-level address | 0b11, nothing else. */
	d = raw_desc(&p, 0x09000000, 1);
	CHECK_EQ(d & ~0x0000fffffffff000ull, 3);
	d = raw_desc(&p, 0x09000000, 2);
	CHECK_EQ(d & ~0x0000fffffffff000ull, 3);
	/*
	 * Level-3 page: XN[1] (bit 54) | OA | AF | S2AP=0b11 | SH=0 (ignored
	 * for Device) | MemAttr=0b0001 Device-nGnRE (0x4) | page (0b11).
	 */
	CHECK_EQ(raw_desc(&p, 0x09000000, 3), 0x00400000090004c7ull);
	/* A 2 MiB block at level 2. */
	CHECK_EQ(map(&p, 0x80200000, 0x1234600000, 2 * MiB, P2M_RAM_RW), 0);
	CHECK_EQ(raw_desc(&p, 0x80200000, 2), 0x12346007fdull);
	p2m_destroy(&p);
}

TEST(start_level_and_concatenation)
{
	/* Shallowest walk with at most 16 concatenated root tables (hand table). */
	static const struct {
		unsigned int bits, level, pages;
	} want[] = {{32, 2, 4}, {33, 2, 8}, {34, 2, 16}, {35, 1, 1}, {36, 1, 1}, {37, 1, 1},
	            {38, 1, 1}, {39, 1, 1}, {40, 1, 2},  {41, 1, 4}, {42, 1, 8}, {43, 1, 16},
	            {44, 0, 1}, {45, 0, 1}, {46, 0, 1},  {47, 0, 1}, {48, 0, 1}};
	struct p2m p;

	fresh_pool();
	CHECK_EQ(p2m_init(&p, 31, 1, &src), -HV_EINVAL);
	CHECK_EQ(p2m_init(&p, 49, 1, &src), -HV_EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		uint64_t top = (1ull << want[i].bits) - PAGE_SIZE;
		struct s2w_regs regs;
		struct s2w_result r;
		struct s2o_count oc = s2oracle_count(want[i].bits, NULL, 0);

		CHECK_EQ(p2m_init(&p, want[i].bits, 3, &src), 0);
		CHECK_EQ(p.start_level, want[i].level);
		CHECK_EQ(p.root_pages, want[i].pages);
		CHECK_EQ(p.table_pages, want[i].pages);
		CHECK_EQ(oc.start_level, want[i].level);
		CHECK_EQ(oc.root_pages, want[i].pages);
		CHECK_EQ(tp.live, want[i].pages);
		CHECK_EQ(s2w_decode(p2m_vtcr(&p, PA_BITS), p2m_vttbr(&p), &regs), S2W_OK);
		CHECK_EQ(regs.ipa_bits, want[i].bits);
		CHECK_EQ(regs.start_level, want[i].level);
		CHECK_EQ(regs.root_pages, want[i].pages);
		CHECK_EQ(regs.root, pa_addr(p.root));
		CHECK_EQ(regs.vmid, 3);
		CHECK_EQ(regs.irgn, 1);
		CHECK_EQ(regs.orgn, 1);
		CHECK_EQ(regs.sh, 3);
		/* The first and the last page of the space, through the last root page. */
		CHECK_EQ(map(&p, 0, 0x80000000, PAGE_SIZE, P2M_RAM_RW), 0);
		CHECK_EQ(map(&p, top, 0x90000000, PAGE_SIZE, P2M_RAM_RW), 0);
		CHECK_EQ(map(&p, top + PAGE_SIZE, 0, PAGE_SIZE, P2M_RAM_RW), -HV_EINVAL);
		r = walk(&p, top + 0x10);
		CHECK_EQ(r.status, S2W_OK);
		CHECK_EQ(r.pa, 0x90000010);
		CHECK_EQ(r.level, 3);
		r = walk(&p, 0x20);
		CHECK_EQ(r.status, S2W_OK);
		CHECK_EQ(r.pa, 0x80000020);
		CHECK_EQ(walk(&p, top - PAGE_SIZE).status, S2W_FAULT);
		CHECK_EQ(walk(&p, top + PAGE_SIZE).status, S2W_OUT_OF_RANGE);
		p2m_destroy(&p);
		CHECK_EQ(tp.live, 0);
	}
}

/* ---- block choice ---- */

static void check_layout(unsigned int ipa_bits, uint64_t ipa, uint64_t pa, uint64_t size,
                         uint64_t l1, uint64_t l2, uint64_t l3)
{
	struct p2m p;
	struct s2w_stats st;

	fresh_pool();
	s2model_clear(&model);
	CHECK_EQ(p2m_init(&p, ipa_bits, 1, &src), 0);
	CHECK_EQ(map(&p, ipa, pa, size, P2M_RAM_RW), 0);
	model_add(ipa, pa, size, P2M_RAM_RW);
	check_against_model(&p);
	st = stats_of(&p, NULL);
	CHECK_EQ(st.leaves[1], l1);
	CHECK_EQ(st.leaves[2], l2);
	CHECK_EQ(st.leaves[3], l3);
	p2m_destroy(&p);
	CHECK_EQ(tp.live, 0);
}

TEST(block_choice)
{
	/* Aligned: one 1 GiB block; then a 2 MiB block and a page on the tail. */
	check_layout(40, 0x40000000, 0x40000000, GiB, 1, 0, 0);
	check_layout(40, 0x40000000, 0x40000000, GiB + 2 * MiB + 4 * KiB, 1, 1, 1);
	/* IPA only 2 MiB aligned: 2 MiB blocks. */
	check_layout(40, 0x40200000, 0x80200000, GiB, 0, 512, 0);
	/* PA only 2 MiB aligned, IPA 1 GiB aligned: still 2 MiB blocks. */
	check_layout(40, 0x40000000, 0x80200000, GiB, 0, 512, 0);
	/* Pages up to the 2 MiB boundary, one block, pages after. */
	check_layout(40, 0x40001000, 0x40001000, 4 * MiB, 0, 1, 512);
	/* IPA and PA disagree modulo 2 MiB: pages only. */
	check_layout(40, 0x40000000, 0x40001000, 4 * MiB, 0, 0, 1024);
	/* Root at level 2 (32-bit IPA): no level-1 blocks. */
	check_layout(32, 0x40000000, 0x40000000, GiB, 0, 512, 0);
	/* 48-bit IPA: level-0 root, 1 GiB blocks at level 1. */
	check_layout(48, 0x800000000000 - 2 * GiB, 0x40000000, 2 * GiB, 2, 0, 0);
	/* Crossing a 1 GiB boundary with 2 MiB alignment. */
	check_layout(44, 0x7fe00000, 0x7fe00000, 4 * MiB + 8 * KiB, 0, 2, 2);
}

/* ---- unmap ---- */

TEST(unmap_splits_blocks)
{
	struct p2m p;
	struct s2w_stats st;
	uint64_t flushes;

	fresh_pool();
	s2model_clear(&model);
	CHECK_EQ(p2m_init(&p, 40, 1, &src), 0);
	CHECK_EQ(map(&p, 0x40000000, 0x40000000, GiB, P2M_RAM_RW), 0);
	model_add(0x40000000, 0x40000000, GiB, P2M_RAM_RW);
	flushes = host_tlb_flushes;
	/* One page in the middle of the 1 GiB block: 511 blocks + 511 pages remain. */
	CHECK_EQ(unmap(&p, 0x40201000, PAGE_SIZE), 0);
	model_remove(0x40201000, PAGE_SIZE);
	CHECK(host_tlb_flushes > flushes);
	check_against_model(&p);
	st = stats_of(&p, NULL);
	CHECK_EQ(st.leaves[1], 0);
	CHECK_EQ(st.leaves[2], 511);
	CHECK_EQ(st.leaves[3], 511);
	CHECK_EQ(p.table_pages, 2 + 2);
	CHECK_EQ(walk(&p, 0x40201000).status, S2W_FAULT);
	CHECK_EQ(walk(&p, 0x40202000).pa, 0x40202000);
	CHECK_EQ(walk(&p, 0x40200fff).pa, 0x40200fff);
	/* Both edges inside blocks, a hole (already unmapped) inside the range. */
	CHECK_EQ(unmap(&p, 0x40003000, 0x3fff0000), 0);
	model_remove(0x40003000, 0x3fff0000);
	check_against_model(&p);
	/* Everything else: only the root is left. */
	CHECK_EQ(unmap(&p, 0, 1ull << 40), 0);
	model_remove(0, 1ull << 40);
	check_against_model(&p);
	CHECK_EQ(p.table_pages, 2);
	/* Unmapping nothing is fine and flushes nothing. */
	flushes = host_tlb_flushes;
	CHECK_EQ(unmap(&p, 0x1000, PAGE_SIZE), 0);
	CHECK_EQ(host_tlb_flushes, flushes);
	p2m_destroy(&p);
	CHECK_EQ(tp.live, 0);
}

TEST(unmap_enomem_changes_nothing)
{
	/* Two 1 GiB blocks; cutting both in their middle needs 2 + 2 tables. */
	for (long fail = 0; fail <= 4; fail++) {
		struct p2m p;
		uint64_t live;
		int ret;

		fresh_pool();
		s2model_clear(&model);
		CHECK_EQ(p2m_init(&p, 40, 1, &src), 0);
		CHECK_EQ(map(&p, 0x40000000, 0x40000000, 2 * GiB, P2M_RAM_RW), 0);
		model_add(0x40000000, 0x40000000, 2 * GiB, P2M_RAM_RW);
		live = tp.live;
		tp.fail_after = fail;
		ret = unmap(&p, 0x40201000, GiB);
		tp.fail_after = -1;
		if (fail < 4) {
			CHECK_EQ(ret, -HV_ENOMEM);
			CHECK_EQ(tp.live, live);
		} else {
			CHECK_EQ(ret, 0);
			model_remove(0x40201000, GiB);
			CHECK_EQ(p.table_pages, 2 + 4);
		}
		check_against_model(&p);
		p2m_destroy(&p);
		CHECK_EQ(tp.live, 0);
	}
}

/* ---- map failures ---- */

/*
 * Fail the 1st, 2nd, ... allocation of one map until it succeeds: each
 * failure must leave the tables and the page source as they were, and
 * success must take exactly the tables the oracle says the map adds.
 */
static void enomem_every_allocation(unsigned int ipa_bits, uint64_t ipa, uint64_t pa, uint64_t size)
{
	static const struct s2o_range existing[] = {
	    {0x7fc00000, 0x7fc00000, PAGE_SIZE}, /* shares tables with most layouts */
	    {0x40000000, 0x40000000, 2 * MiB},
	};
	struct s2o_range all[3] = {existing[0], existing[1], {ipa, pa, size}};
	uint64_t want =
	    s2oracle_count(ipa_bits, all, 3).tables - s2oracle_count(ipa_bits, existing, 2).tables;
	bool done = false;

	for (long fail = 0; fail <= (long)want && !done; fail++) {
		struct p2m p;
		uint64_t live, allocs, flushes;
		int ret;

		fresh_pool();
		s2model_clear(&model);
		CHECK_EQ(p2m_init(&p, ipa_bits, 1, &src), 0);
		for (unsigned int i = 0; i < 2; i++) {
			CHECK_EQ(map(&p, existing[i].ipa, existing[i].pa, existing[i].size,
			             P2M_DEVICE_RW),
			         0);
			model_add(existing[i].ipa, existing[i].pa, existing[i].size, P2M_DEVICE_RW);
		}
		live = tp.live;
		allocs = tp.allocs;
		flushes = host_tlb_flushes;
		tp.fail_after = fail;
		ret = map(&p, ipa, pa, size, P2M_RAM_RW);
		tp.fail_after = -1;
		CHECK_EQ(tp.allocs - allocs, (uint64_t)fail);
		if (ret == 0) {
			done = true;
			CHECK_EQ((uint64_t)fail, want);
			CHECK_EQ(host_tlb_flushes, flushes);
			model_add(ipa, pa, size, P2M_RAM_RW);
		} else {
			CHECK_EQ(ret, -HV_ENOMEM);
			CHECK_EQ(tp.live, live);
		}
		check_against_model(&p);
		p2m_destroy(&p);
		CHECK_EQ(tp.live, 0);
	}
	CHECK(done);
}

TEST(map_enomem_at_every_allocation)
{
	/* Pages and blocks across a 1 GiB boundary, next to existing tables. */
	enomem_every_allocation(40, 0x7fd01000, 0x100001000, 6 * MiB);
	/* Pages only over 9 MiB and two 1 GiB regions: ten fresh tables. */
	enomem_every_allocation(40, 0x7fe00000, 0x100001000, 9 * MiB);
	/* Level-2 root (32-bit IPA), crossing concatenated root pages. */
	enomem_every_allocation(32, 0x7ff00000, 0x7ff00000, 5 * MiB + 4 * KiB);
	/* Level-0 root (48-bit IPA), far from the existing mappings. */
	enomem_every_allocation(48, 0x7fffffe00000, 0x40001000, 2 * MiB + 8 * KiB);
}

TEST(unmap_enomem_every_split)
{
	/* Both edges inside one 1 GiB block: one level-1 and two level-2 splits. */
	static const struct {
		unsigned int ipa_bits;
		uint64_t map_ipa, map_size, unmap_ipa, unmap_size, splits;
	} cases[] = {
	    {40, 0x40000000, GiB, 0x40001000, GiB - 2 * PAGE_SIZE, 3},
	    {40, 0x40000000, GiB, 0x40201000, PAGE_SIZE, 2},
	    {40, 0x40000000, GiB, 0x40200000, 2 * MiB, 1},
	    {40, 0x40000000, 2 * GiB, 0x40200000, GiB, 2},
	    {32, 0x40000000, 4 * MiB, 0x40001000, 2 * MiB, 2},
	    {32, 0x40000000, 4 * MiB, 0x40000000, 2 * MiB, 0},
	    {48, 0x7fffc0000000, GiB, 0x7fffc0000000, 4 * PAGE_SIZE, 2},
	};

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++)
		for (long fail = 0; fail <= (long)cases[c].splits; fail++) {
			struct p2m p;
			uint64_t live, untouched;
			int ret;

			fresh_pool();
			s2model_clear(&model);
			CHECK_EQ(p2m_init(&p, cases[c].ipa_bits, 1, &src), 0);
			CHECK_EQ(map(&p, cases[c].map_ipa, cases[c].map_ipa, cases[c].map_size,
			             P2M_RAM_RW),
			         0);
			model_add(cases[c].map_ipa, cases[c].map_ipa, cases[c].map_size,
			          P2M_RAM_RW);
			live = tp.live;
			untouched = tp.untouched;
			tp.fail_after = fail;
			ret = unmap(&p, cases[c].unmap_ipa, cases[c].unmap_size);
			tp.fail_after = -1;
			if (fail < (long)cases[c].splits) {
				CHECK_EQ(ret, -HV_ENOMEM);
				CHECK_EQ(tp.live, live);
			} else {
				CHECK_EQ(ret, 0);
				CHECK_EQ(tp.untouched, untouched);
				model_remove(cases[c].unmap_ipa, cases[c].unmap_size);
			}
			check_against_model(&p);
			p2m_destroy(&p);
			CHECK_EQ(tp.live, 0);
		}
}

TEST(oracle_matches_hand_counts)
{
	/* Counted by hand, 40-bit IPA (2-page root at level 1) unless noted. */
	static const struct s2o_range banks[] = {
	    {0x40000000, 0x40000000, 512 * MiB},     /* level-2 table, 256 blocks */
	    {0x80000000, 0x80000000, GiB + 2 * MiB}, /* 1 GiB block + level-2 table */
	    {0x100000000, 0x100000000, 3 * GiB},     /* three 1 GiB blocks */
	    {0x08000000, 0x08000000, 64 * KiB},      /* level-2 + level-3 tables */
	    {0x080a0000, 0x080a0000, 128 * KiB},     /* same level-3 table */
	    {0x09000000, 0x09000000, 4 * KiB},       /* another level-3 table */
	};
	static const struct s2o_range pages16g = {0x40000000, 0x40001000, 16 * GiB};
	static const struct s2o_range ragged = {0x40001000, 0x40001000, GiB + 3 * MiB - 8 * KiB};
	struct s2o_count c;

	c = s2oracle_count(40, banks, ARRAY_SIZE(banks));
	CHECK_EQ(c.tables, 2 + 3 + 2);
	CHECK_EQ(c.leaves_at[1], 4);
	CHECK_EQ(c.leaves_at[2], 257);
	CHECK_EQ(c.leaves_at[3], 16 + 32 + 1);
	/* 16 level-2 tables and 16 GiB / 2 MiB level-3 tables. */
	c = s2oracle_count(40, &pages16g, 1);
	CHECK_EQ(c.tables, 2 + 16 + 8192);
	CHECK_EQ(c.leaves_at[3], 16 * GiB / PAGE_SIZE);
	/* Pages to 2 MiB, blocks to 0x80200000, pages to the end: 2 + 2 + 2. */
	c = s2oracle_count(40, &ragged, 1);
	CHECK_EQ(c.tables, 6);
	CHECK_EQ(c.leaves_at[3], 511 + 255);
	CHECK_EQ(c.leaves_at[2], 511 + 1);
	/* 32-bit IPA: 4 root pages at level 2, no 1 GiB blocks. */
	c = s2oracle_count(32, &banks[0], 1);
	CHECK_EQ(c.tables, 4);
	CHECK_EQ(c.leaves_at[2], 256);
	/* 48-bit IPA: level-0 root, a level-1 table, 1 GiB blocks. */
	c = s2oracle_count(48, &banks[2], 1);
	CHECK_EQ(c.tables, 2);
	CHECK_EQ(c.leaves_at[1], 3);
}

TEST(overlap_is_eexist_and_changes_nothing)
{
	struct p2m p;
	uint64_t live;

	fresh_pool();
	s2model_clear(&model);
	CHECK_EQ(p2m_init(&p, 40, 1, &src), 0);
	CHECK_EQ(map(&p, 0x40200000, 0x40200000, 2 * MiB, P2M_RAM_RW), 0);
	CHECK_EQ(map(&p, 0x40600000, 0x40600000, PAGE_SIZE, P2M_RAM_RW), 0);
	model_add(0x40200000, 0x40200000, 2 * MiB, P2M_RAM_RW);
	model_add(0x40600000, 0x40600000, PAGE_SIZE, P2M_RAM_RW);
	live = tp.live;
	/* Overlap at the very end, after lots of fresh tables would be needed. */
	CHECK_EQ(
	    map(&p, 0x3ff01000, 0x3ff01000, 0x40600000 - 0x3ff01000 + PAGE_SIZE, P2M_DEVICE_RW),
	    -HV_EEXIST);
	CHECK_EQ(map(&p, 0x40000000, 0, GiB, P2M_RAM_RW), -HV_EEXIST);
	CHECK_EQ(map(&p, 0x40300000, 0, PAGE_SIZE, P2M_RAM_RW), -HV_EEXIST);
	CHECK_EQ(map(&p, 0x40600000, 0, PAGE_SIZE, P2M_RAM_RW), -HV_EEXIST);
	CHECK_EQ(tp.live, live);
	check_against_model(&p);
	/* Right next to existing mappings is fine. */
	CHECK_EQ(map(&p, 0x40601000, 0x40601000, PAGE_SIZE, P2M_RAM_RW), 0);
	model_add(0x40601000, 0x40601000, PAGE_SIZE, P2M_RAM_RW);
	check_against_model(&p);
	p2m_destroy(&p);
}

TEST(invalid_arguments)
{
	struct p2m p;

	fresh_pool();
	CHECK_EQ(p2m_init(&p, 36, 1, &src), 0);
	CHECK_EQ(map(&p, 0x1001, 0, PAGE_SIZE, P2M_RAM_RW), -HV_EINVAL);
	CHECK_EQ(map(&p, 0x1000, 0x10, PAGE_SIZE, P2M_RAM_RW), -HV_EINVAL);
	CHECK_EQ(map(&p, 0x1000, 0, 100, P2M_RAM_RW), -HV_EINVAL);
	CHECK_EQ(map(&p, 0x1000, 0, 0, P2M_RAM_RW), -HV_EINVAL);
	CHECK_EQ(map(&p, (1ull << 36) - PAGE_SIZE, 0, 2 * PAGE_SIZE, P2M_RAM_RW), -HV_EINVAL);
	CHECK_EQ(map(&p, 0x1000, 0xfffffffffffff000ull, 2 * PAGE_SIZE, P2M_RAM_RW), -HV_EINVAL);
	CHECK_EQ(map(&p, 0x1000, 0x1000000000000ull, PAGE_SIZE, P2M_RAM_RW), -HV_EINVAL);
	CHECK_EQ(map(&p, 0x1000, 0, PAGE_SIZE, (enum p2m_type)7), -HV_EINVAL);
	CHECK_EQ(unmap(&p, 0x1000, 0), -HV_EINVAL);
	CHECK_EQ(unmap(&p, 0x800, PAGE_SIZE), -HV_EINVAL);
	CHECK_EQ(unmap(&p, 1ull << 36, PAGE_SIZE), -HV_EINVAL);
	CHECK_EQ(unmap(&p, 0xfffffffffffff000ull, 2 * PAGE_SIZE), -HV_EINVAL);
	CHECK_EQ(p.table_pages, 1);
	p2m_destroy(&p);
	CHECK_EQ(tp.live, 0);
}

TEST(lookup_matches_walker)
{
	struct p2m p;
	pa_t pa;
	enum p2m_type t;

	fresh_pool();
	CHECK_EQ(p2m_init(&p, 40, 1, &src), 0);
	CHECK_EQ(map(&p, 0x40000000, 0x140000000, GiB, P2M_RAM_RW), 0);
	CHECK_EQ(map(&p, 0x08000000, 0x08000000, 64 * KiB, P2M_DEVICE_RW), 0);
	CHECK(p2m_lookup(&p, ipa_init(0x40123456), &pa, &t));
	CHECK_EQ(pa_addr(pa), 0x140123456);
	CHECK_EQ(t, P2M_RAM_RW);
	CHECK(p2m_lookup(&p, ipa_init(0x0800f004), &pa, &t));
	CHECK_EQ(pa_addr(pa), 0x0800f004);
	CHECK_EQ(t, P2M_DEVICE_RW);
	CHECK(!p2m_lookup(&p, ipa_init(0x08010000), &pa, &t));
	CHECK(!p2m_lookup(&p, ipa_init(1ull << 40), &pa, NULL));
	p2m_destroy(&p);
}

/* ---- the walker itself must be able to fail ---- */

TEST(walker_rejects_bad_encodings)
{
	struct p2m p;
	uint64_t *root, vtcr, vttbr;
	struct s2w_regs regs;
	size_t n;
	struct s2w_stats st;

	fresh_pool();
	CHECK_EQ(p2m_init(&p, 44, 1, &src), 0);
	vtcr = p2m_vtcr(&p, PA_BITS);
	vttbr = p2m_vttbr(&p);
	root = arch_phys_to_virt(p.root);
	root[0] = 0x40000000 | 0x7fd; /* a block at level 0 */
	CHECK_EQ(s2walk(vtcr, vttbr, 0x1000).status, S2W_RESERVED);
	root[0] = 0;
	CHECK_EQ(map(&p, 0x1000, 0x1000, PAGE_SIZE, P2M_RAM_RW), 0);
	CHECK_EQ(s2walk(vtcr, vttbr, 0x1000).status, S2W_OK);
	root[0] |= 1ull << 63; /* an attribute bit in a stage-2 table descriptor */
	CHECK_EQ(s2walk(vtcr, vttbr, 0x1000).status, S2W_BAD_BITS);
	CHECK_EQ(s2walk_ranges(vtcr, vttbr, NULL, 0, &n, &st), S2W_OK);
	CHECK_EQ(st.bad, 1);
	root[0] &= ~(1ull << 63);
	/* Inconsistent registers: T0SZ for 44 bits with SL0 = level 2 (needs 8192 tables). */
	CHECK_EQ(s2w_decode((vtcr & ~0xc0ull), vttbr, &regs), S2W_BAD_REGS);
	CHECK_EQ(s2w_decode(vtcr | 1ull << 14, vttbr, &regs), S2W_BAD_REGS); /* 64 KiB granule */
	CHECK_EQ(s2w_decode(vtcr & ~(1ull << 31), vttbr, &regs), S2W_BAD_REGS);
	CHECK_EQ(s2w_decode(p2m_vtcr(&p, 40), vttbr, &regs), S2W_BAD_REGS); /* IPA > PA */
	CHECK_EQ(s2w_decode(vtcr, vttbr | 0x800, &regs), S2W_BAD_REGS); /* root not 4 KiB aligned */
	p2m_destroy(&p);
	CHECK_EQ(p2m_init(&p, 40, 1, &src), 0);
	CHECK_EQ(s2w_decode(p2m_vtcr(&p, PA_BITS), p2m_vttbr(&p) | 0x1000, &regs),
	         S2W_BAD_REGS); /* a 2-page root must be 8 KiB aligned */
	/* A level-3 descriptor with 0b01 is reserved. */
	CHECK_EQ(map(&p, 0x2000, 0x2000, PAGE_SIZE, P2M_RAM_RW), 0);
	{
		uint64_t l2 = raw_desc(&p, 0x2000, 2) & 0x0000fffffffff000ull;
		uint64_t *l3 = arch_phys_to_virt(pa_init(l2));

		l3[2] &= ~2ull;
		CHECK_EQ(walk(&p, 0x2000).status, S2W_RESERVED);
		l3[2] |= 2ull;
		l3[2] |= 1ull << 52; /* contiguous hint: p2m never sets it */
		CHECK_EQ(walk(&p, 0x2000).status, S2W_BAD_BITS);
		l3[2] &= ~(1ull << 52);
	}
	CHECK_EQ(walk(&p, 0x2000).status, S2W_OK);
	/* The guest given its own root table: the walker must say so. */
	CHECK_EQ(map(&p, 0x3000, pa_addr(p.root) + PAGE_SIZE, PAGE_SIZE, P2M_RAM_RW), 0);
	CHECK_EQ(s2walk_ranges(p2m_vtcr(&p, PA_BITS), p2m_vttbr(&p), NULL, 0, &n, &st), S2W_OK);
	CHECK_EQ(st.self_mapped, 1);
	CHECK_EQ(st.shared_tables, 0);
	/* One table hung under two entries. */
	{
		uint64_t *r = arch_phys_to_virt(p.root);

		r[1] = r[0];
		CHECK_EQ(s2walk_ranges(p2m_vtcr(&p, PA_BITS), p2m_vttbr(&p), NULL, 0, &n, &st),
		         S2W_OK);
		CHECK_EQ(st.shared_tables, 2); /* its level-2 and level-3 tables */
		r[1] = 0;
	}
	p2m_destroy(&p);
}

/* ---- randomized sequences against the model ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* An address in [0, limit) aligned to a random granule among 4 KiB, 2 MiB, 1 GiB. */
static uint64_t rnd_addr(uint64_t limit)
{
	static const uint64_t align[] = {PAGE_SIZE, PAGE_SIZE, 2 * MiB, 2 * MiB, GiB};
	uint64_t a = align[rnd_below(ARRAY_SIZE(align))];

	return align_down(rnd_below(limit), a);
}

static uint64_t rnd_size(void)
{
	switch (rnd_below(6)) {
	case 0:
		return (1 + rnd_below(8)) * PAGE_SIZE;
	case 1:
		return (1 + rnd_below(600)) * PAGE_SIZE;
	case 2:
		return (1 + rnd_below(4)) * 2 * MiB;
	case 3:
		return (1 + rnd_below(3)) * 2 * MiB + (1 + rnd_below(16)) * PAGE_SIZE;
	case 4:
		return GiB;
	default:
		return GiB + (1 + rnd_below(3)) * 2 * MiB;
	}
}

static void random_run(uint64_t seed, unsigned int ipa_bits, unsigned int steps)
{
	uint64_t window = ipa_bits >= 34 ? 8 * GiB : (1ull << ipa_bits);
	unsigned int maps = 0, exists = 0, nomem = 0, unmaps = 0, unmap_nomem = 0;
	uint64_t peak = 0;
	struct p2m p;

	rng_state = seed;
	fresh_pool();
	s2model_clear(&model);
	CHECK_EQ(p2m_init(&p, ipa_bits, 7, &src), 0);
	for (unsigned int s = 0; s < steps && !tl_current_failed; s++) {
		uint64_t ipa = rnd_addr(window), size = rnd_size(), op = rnd_below(10);
		int ret;

		if (ipa + size > window)
			size = window - ipa;
		if (op < 5) {
			/* PA: same as IPA (direct map), or shifted by a random granule. */
			uint64_t pa = rnd_below(3) == 0 ? ipa : rnd_addr(1ull << 40);
			enum p2m_type t = rnd_below(4) == 0 ? P2M_DEVICE_RW : P2M_RAM_RW;
			bool inject = rnd_below(8) == 0;
			uint64_t live = tp.live;

			/* Pages only: keep them to 64 MiB so that each check stays quick. */
			if (((ipa ^ pa) & (2 * MiB - 1)) != 0 && size > 64 * MiB)
				size = 64 * MiB;

			if (inject)
				tp.fail_after = (long)rnd_below(4);
			ret = map(&p, ipa, pa, size, t);
			tp.fail_after = -1;
			if (s2model_overlaps(&model, ipa, size)) {
				CHECK_EQ(ret, -HV_EEXIST);
				exists++;
			} else if (ret == -HV_ENOMEM) {
				CHECK(inject);
				CHECK_EQ(tp.live, live);
				nomem++;
			} else {
				CHECK_EQ(ret, 0);
				model_add(ipa, pa, size, t);
				maps++;
			}
		} else if (op < 9) {
			bool inject = rnd_below(6) == 0;

			uint64_t untouched = tp.untouched;

			if (inject)
				tp.fail_after = (long)rnd_below(3);
			ret = unmap(&p, ipa, size);
			tp.fail_after = -1;
			if (ret == -HV_ENOMEM) {
				CHECK(inject);
				unmap_nomem++;
			} else {
				CHECK_EQ(ret, 0);
				/* Every page reserved for a split was used. */
				CHECK_EQ(tp.untouched, untouched);
				model_remove(ipa, size);
				unmaps++;
			}
		} else {
			/* Spot lookups against the model and the walker. */
			for (int k = 0; k < 16; k++) {
				uint64_t a = rnd_below(window) & ~7ull, mpa = 0;
				enum s2w_kind mk = S2W_OTHER;
				enum p2m_type t;
				bool in = s2model_find(&model, a, &mpa, &mk);
				struct s2w_result r = walk(&p, a);
				pa_t got;

				CHECK_EQ(p2m_lookup(&p, ipa_init(a), &got, &t), in);
				CHECK_EQ(r.status, in ? S2W_OK : S2W_FAULT);
				if (in) {
					CHECK_EQ(pa_addr(got), mpa);
					CHECK_EQ(kind_of_type(t), mk);
					CHECK_EQ(r.pa, mpa);
					CHECK_EQ(r.kind, mk);
				}
			}
		}
		check_against_model(&p);
		if (p.table_pages > peak)
			peak = p.table_pages;
	}
	printf("  %u-bit IPA: %u maps, %u EEXIST, %u ENOMEM; %u unmaps, %u ENOMEM; "
	       "peak %llu table pages\n",
	       ipa_bits, maps, exists, nomem, unmaps, unmap_nomem, (unsigned long long)peak);
	p2m_destroy(&p);
	CHECK_EQ(tp.live, 0);
	CHECK_EQ(tp.allocs, tp.frees);
}

TEST(random_sequences_match_model)
{
	static const unsigned int bits[] = {32, 34, 36, 40, 42, 44, 48};

	for (unsigned int i = 0; i < ARRAY_SIZE(bits); i++)
		random_run(0x9e3779b97f4a7c15ull * (i + 1), bits[i], 400);
}

TEST(destroy_returns_every_page)
{
	struct p2m p;
	uint64_t flushes;

	fresh_pool();
	CHECK_EQ(p2m_init(&p, 43, 1, &src), 0);
	CHECK_EQ(map(&p, 0x40000000, 0x40001000, 3 * GiB, P2M_RAM_RW), 0);
	CHECK_EQ(map(&p, 0x7ff00000000, 0x7ff00000000, 8 * MiB + 4 * KiB, P2M_RAM_RW), 0);
	CHECK_EQ(unmap(&p, 0x7ff00200000, 4 * KiB), 0);
	CHECK(tp.live > 1500);
	flushes = host_tlb_flushes;
	p2m_destroy(&p);
	CHECK(host_tlb_flushes > flushes);
	CHECK_EQ(tp.live, 0);
	CHECK_EQ(tp.allocs, tp.frees);
	CHECK_EQ(p.table_pages, 0);
}

TEST(tlb_flush_accounting)
{
	struct p2m p;
	uint64_t f;

	fresh_pool();
	CHECK_EQ(p2m_init(&p, 40, 1, &src), 0);
	f = host_tlb_flushes;
	/* Filling invalid entries needs no flush. */
	CHECK_EQ(map(&p, 0x40000000, 0x40000000, 4 * MiB + 8 * KiB, P2M_RAM_RW), 0);
	CHECK_EQ(host_tlb_flushes, f);
	/* Removing one whole page must flush, once. */
	CHECK_EQ(unmap(&p, 0x40400000, PAGE_SIZE), 0);
	CHECK_EQ(host_tlb_flushes, f + 1);
	/* Removing one whole block must flush. */
	CHECK_EQ(unmap(&p, 0x40000000, 2 * MiB), 0);
	CHECK_EQ(host_tlb_flushes, f + 2);
	/* A hole: nothing to flush. */
	CHECK_EQ(unmap(&p, 0x40000000, 2 * MiB), 0);
	CHECK_EQ(host_tlb_flushes, f + 2);
	/* A map that fails after installing entries flushes what it took back. */
	tp.fail_after = 1;
	CHECK_EQ(map(&p, 0x80000000, 0x80001000, 4 * MiB, P2M_RAM_RW), -HV_ENOMEM);
	tp.fail_after = -1;
	CHECK_EQ(host_tlb_flushes, f + 3);
	/*
	 * A page out of a 1 GiB block: each of the two splits replaces a live
	 * block (break-before-make: flush before the table goes in), then the
	 * removal flushes.
	 */
	CHECK_EQ(map(&p, 0xc0000000, 0xc0000000, GiB, P2M_RAM_RW), 0);
	CHECK_EQ(unmap(&p, 0xc0201000, PAGE_SIZE), 0);
	CHECK_EQ(host_tlb_flushes, f + 6);
	p2m_destroy(&p);
	CHECK_EQ(host_tlb_flushes, f + 7);
}

int main(void)
{
	RUN(vtcr_vttbr_encodings);
	RUN(descriptor_encodings);
	RUN(start_level_and_concatenation);
	RUN(block_choice);
	RUN(unmap_splits_blocks);
	RUN(unmap_enomem_changes_nothing);
	RUN(unmap_enomem_every_split);
	RUN(map_enomem_at_every_allocation);
	RUN(oracle_matches_hand_counts);
	RUN(overlap_is_eexist_and_changes_nothing);
	RUN(invalid_arguments);
	RUN(lookup_matches_walker);
	RUN(walker_rejects_bad_encodings);
	RUN(random_sequences_match_model);
	RUN(destroy_returns_every_page);
	RUN(tlb_flush_accounting);
	host_ram_reset();
	tpages_fini(&tp);
	s2model_fini(&model);
	return tl_finish();
}
