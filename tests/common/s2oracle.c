// SPDX-License-Identifier: Apache-2.0
/* s2oracle: minimum stage-2 table pages for a set of mappings (see s2oracle.h). */
#include "s2oracle.h"

#include <stdio.h>
#include <stdlib.h>

struct interval {
	unsigned int level;
	uint64_t lo, hi; /* inclusive indices of regions spanned by one table of @level */
};

struct ivec {
	struct interval *v;
	size_t n, cap;
};

static uint64_t span(unsigned int level) /* bytes one entry at @level maps */
{
	return 1ull << (12 + 9 * (3 - level));
}

static void push(struct ivec *iv, struct interval x)
{
	if (iv->n == iv->cap) {
		iv->cap = iv->cap ? iv->cap * 2 : 64;
		iv->v = realloc(iv->v, iv->cap * sizeof(*iv->v));
		if (iv->v == NULL) {
			fprintf(stderr, "s2oracle: out of memory\n");
			abort();
		}
	}
	iv->v[iv->n++] = x;
}

static int cmp_interval(const void *a, const void *b)
{
	const struct interval *x = a, *y = b;

	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

struct s2o_count s2oracle_count(unsigned int ipa_bits, const struct s2o_range *ranges, size_t n)
{
	struct s2o_count c = {0};
	struct ivec iv = {0};
	unsigned int levels, min_block;
	uint64_t root_bits;

	/*
	 * Concatenating up to 16 tables at the start resolves 4 extra bits, so
	 * the walk needs as many levels as a (ipa_bits - 4)-bit space.
	 */
	levels = (ipa_bits - 4 - 12 + 8) / 9;
	c.start_level = 4 - levels;
	root_bits = ipa_bits - (12 + 9 * levels); /* bits beyond one root table */
	c.root_pages = ipa_bits > 12 + 9 * levels ? 1ull << root_bits : 1;
	c.tables_at[c.start_level] = c.root_pages;
	min_block = c.start_level > 1 ? c.start_level : 1; /* no level-0 blocks */

	for (size_t r = 0; r < n; r++) {
		uint64_t ipa = ranges[r].ipa, pa = ranges[r].pa, left = ranges[r].size;

		while (left != 0) {
			unsigned int k = min_block;
			uint64_t count;

			while (((ipa | pa) & (span(k) - 1)) != 0 || left < span(k))
				k++;
			/* Take blocks of this size until a bigger one could start. */
			count = left / span(k);
			if (k > min_block && ((ipa ^ pa) & (span(k - 1) - 1)) == 0) {
				uint64_t to_align =
				    (span(k - 1) - (ipa & (span(k - 1) - 1))) / span(k);

				if (to_align < count)
					count = to_align;
			}
			c.leaves_at[k] += count;
			for (unsigned int l = c.start_level + 1; l <= k; l++)
				push(&iv,
				     (struct interval){l, ipa / span(l - 1),
				                       (ipa + count * span(k) - 1) / span(l - 1)});
			ipa += count * span(k);
			pa += count * span(k);
			left -= count * span(k);
		}
	}

	if (iv.n != 0)
		qsort(iv.v, iv.n, sizeof(*iv.v), cmp_interval);
	for (size_t i = 0; i < iv.n;) {
		unsigned int level = iv.v[i].level;
		uint64_t lo = iv.v[i].lo, hi = iv.v[i].hi;

		for (i++; i < iv.n && iv.v[i].level == level && iv.v[i].lo <= hi + 1; i++)
			if (iv.v[i].hi > hi)
				hi = iv.v[i].hi;
		c.tables_at[level] += hi - lo + 1;
	}
	free(iv.v);
	for (unsigned int l = 0; l < 4; l++)
		c.tables += c.tables_at[l];
	return c;
}
