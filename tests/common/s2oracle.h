/* SPDX-License-Identifier: Apache-2.0 */
/*
 * s2oracle: how many stage-2 table pages a set of mappings needs, computed
 * without building tables (independent of hv/core/p2m.c).
 *
 * Each range is cut greedily into the largest blocks that the alignment of
 * both addresses and the remaining size allow: 1 GiB (unless the root is
 * at level 2), 2 MiB, 4 KiB.
 * A leaf at level k needs one table at every level between the root and k,
 * identified by the IPA region that table spans; the answer is the root's
 * concatenated pages plus the number of distinct (level, region) pairs,
 * counted as unions of index intervals so that 16 GiB of pages stays fast.
 * Ranges are taken as mapped (adjacent ranges are not merged), as p2m does.
 */
#ifndef BULKHEAD_TESTS_S2ORACLE_H
#define BULKHEAD_TESTS_S2ORACLE_H

#include <stddef.h>
#include <stdint.h>

struct s2o_range {
	uint64_t ipa, pa, size; /* 4 KiB aligned, non-overlapping in IPA */
};

struct s2o_count {
	uint64_t tables;          /* table pages, root included */
	uint64_t root_pages;      /* concatenated root tables */
	unsigned int start_level; /* level of the root */
	uint64_t tables_at[4];    /* table pages per level (root pages included) */
	uint64_t leaves_at[4];    /* blocks or pages per level */
};

/** Count the tables that @n ranges need in a @ipa_bits IPA space (32..48). */
struct s2o_count s2oracle_count(unsigned int ipa_bits, const struct s2o_range *ranges, size_t n);

#endif
