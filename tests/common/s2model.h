/* SPDX-License-Identifier: Apache-2.0 */
/*
 * s2model: the reference model of a stage-2 address space for tests and
 * fuzzers: the list of ranges as mapped (unmaps carve them), and one
 * check that the tables behind VTCR/VTTBR hold exactly those mappings.
 */
#ifndef BULKHEAD_TESTS_S2MODEL_H
#define BULKHEAD_TESTS_S2MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s2walk.h"

struct s2model_range {
	uint64_t ipa, pa, size;
	enum s2w_kind kind;
};

struct s2model {
	struct s2model_range *v;
	size_t n, cap;
};

/** Empty the model (keeps its memory); a zeroed struct is an empty model. */
void s2model_clear(struct s2model *m);
void s2model_fini(struct s2model *m);
/** Whether [ipa, ipa+size) overlaps a mapped range. */
bool s2model_overlaps(const struct s2model *m, uint64_t ipa, uint64_t size);
/** Record a successful map. */
void s2model_add(struct s2model *m, uint64_t ipa, uint64_t pa, uint64_t size, enum s2w_kind kind);
/** Record a successful unmap: ranges lose their part inside [ipa, ipa+size). */
void s2model_remove(struct s2model *m, uint64_t ipa, uint64_t size);
/** The model's translation of @ipa. */
bool s2model_find(const struct s2model *m, uint64_t ipa, uint64_t *pa, enum s2w_kind *kind);

/**
 * s2model_check() - compare real tables with the model.
 *
 * Walks the tables behind @vtcr/@vttbr with s2walk and checks: the merged
 * leaves equal the model's merged ranges, no reserved or stray-bit
 * descriptor, no empty table below the root, and the leaves per level and
 * the table pages (walked, and @table_pages as the builder counts them)
 * equal what s2oracle computes for the model's ranges in @ipa_bits.
 * Return: NULL, or a description of the first difference (static buffer).
 */
const char *s2model_check(const struct s2model *m, uint64_t vtcr, uint64_t vttbr,
                          unsigned int ipa_bits, uint64_t table_pages);

#endif
