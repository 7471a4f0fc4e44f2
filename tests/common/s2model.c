// SPDX-License-Identifier: Apache-2.0
/* s2model: reference model of a stage-2 address space (see s2model.h). */
#include "s2model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s2oracle.h"

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	*cap = need * 2 > 64 ? need * 2 : 64;
	p = realloc(p, *cap * elem);
	if (p == NULL) {
		fprintf(stderr, "s2model: out of memory\n");
		abort();
	}
	return p;
}

void s2model_clear(struct s2model *m)
{
	m->n = 0;
}

void s2model_fini(struct s2model *m)
{
	free(m->v);
	*m = (struct s2model){0};
}

static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

bool s2model_overlaps(const struct s2model *m, uint64_t ipa, uint64_t size)
{
	for (size_t i = 0; i < m->n; i++)
		if (overlap(ipa, size, m->v[i].ipa, m->v[i].size))
			return true;
	return false;
}

void s2model_add(struct s2model *m, uint64_t ipa, uint64_t pa, uint64_t size, enum s2w_kind kind)
{
	m->v = grow(m->v, &m->cap, m->n + 1, sizeof(*m->v));
	m->v[m->n++] = (struct s2model_range){ipa, pa, size, kind};
}

void s2model_remove(struct s2model *m, uint64_t ipa, uint64_t size)
{
	uint64_t end = ipa + size;

	for (size_t i = 0; i < m->n;) {
		struct s2model_range r = m->v[i];
		uint64_t rend = r.ipa + r.size;

		if (!overlap(ipa, size, r.ipa, r.size)) {
			i++;
			continue;
		}
		m->v[i] = m->v[--m->n];
		if (r.ipa < ipa)
			s2model_add(m, r.ipa, r.pa, ipa - r.ipa, r.kind);
		if (rend > end)
			s2model_add(m, end, r.pa + (end - r.ipa), rend - end, r.kind);
	}
}

bool s2model_find(const struct s2model *m, uint64_t ipa, uint64_t *pa, enum s2w_kind *kind)
{
	for (size_t i = 0; i < m->n; i++)
		if (ipa >= m->v[i].ipa && ipa - m->v[i].ipa < m->v[i].size) {
			*pa = m->v[i].pa + (ipa - m->v[i].ipa);
			*kind = m->v[i].kind;
			return true;
		}
	return false;
}

static int cmp_range(const void *a, const void *b)
{
	const struct s2model_range *x = a, *y = b;

	return x->ipa < y->ipa ? -1 : x->ipa > y->ipa;
}

static char msg[256];

#define DIFF(...) (snprintf(msg, sizeof(msg), __VA_ARGS__), msg)

const char *s2model_check(const struct s2model *m, uint64_t vtcr, uint64_t vttbr,
                          unsigned int ipa_bits, uint64_t table_pages)
{
	struct s2model_range *merged = malloc((m->n + 1) * sizeof(*merged));
	struct s2w_range *walked = malloc((m->n + 1) * sizeof(*walked));
	struct s2o_range *orng = malloc((m->n + 1) * sizeof(*orng));
	const char *err = NULL;
	size_t nm = 0, nw = 0;
	struct s2w_stats st;
	struct s2o_count oc;

	if (merged == NULL || walked == NULL || orng == NULL) {
		fprintf(stderr, "s2model: out of memory\n");
		abort();
	}
	if (m->n != 0)
		memcpy(merged, m->v, m->n * sizeof(*merged));
	if (m->n != 0)
		qsort(merged, m->n, sizeof(*merged), cmp_range);
	for (size_t i = 0; i < m->n; i++) {
		struct s2model_range *last = nm ? &merged[nm - 1] : NULL;

		orng[i] = (struct s2o_range){m->v[i].ipa, m->v[i].pa, m->v[i].size};
		if (last && last->ipa + last->size == merged[i].ipa &&
		    last->pa + last->size == merged[i].pa && last->kind == merged[i].kind)
			last->size += merged[i].size;
		else
			merged[nm++] = merged[i];
	}
	if (s2walk_ranges(vtcr, vttbr, walked, m->n + 1, &nw, &st) != S2W_OK) {
		err = DIFF("VTCR 0x%llx / VTTBR 0x%llx rejected", (unsigned long long)vtcr,
		           (unsigned long long)vttbr);
		goto out;
	}
	for (size_t i = 0; i < nm && i < nw; i++)
		if (walked[i].ipa != merged[i].ipa || walked[i].pa != merged[i].pa ||
		    walked[i].size != merged[i].size || walked[i].kind != merged[i].kind) {
			err = DIFF(
			    "range %zu: tables map ipa 0x%llx -> 0x%llx size 0x%llx kind %d, "
			    "model 0x%llx -> 0x%llx size 0x%llx kind %d",
			    i, (unsigned long long)walked[i].ipa, (unsigned long long)walked[i].pa,
			    (unsigned long long)walked[i].size, walked[i].kind,
			    (unsigned long long)merged[i].ipa, (unsigned long long)merged[i].pa,
			    (unsigned long long)merged[i].size, merged[i].kind);
			goto out;
		}
	if (nw != nm) {
		err = DIFF("tables hold %zu ranges, model %zu", nw, nm);
		goto out;
	}
	if (st.bad != 0 || st.empty_tables != 0 || st.shared_tables != 0 || st.self_mapped != 0) {
		err =
		    DIFF("%llu bad descriptors, %llu empty tables, %llu shared tables, "
		         "%llu tables mapped to the guest",
		         (unsigned long long)st.bad, (unsigned long long)st.empty_tables,
		         (unsigned long long)st.shared_tables, (unsigned long long)st.self_mapped);
		goto out;
	}
	oc = s2oracle_count(ipa_bits, orng, m->n);
	for (unsigned int l = 0; l < 4; l++)
		if (st.leaves[l] != oc.leaves_at[l]) {
			err = DIFF("%llu leaves at level %u, oracle %llu",
			           (unsigned long long)st.leaves[l], l,
			           (unsigned long long)oc.leaves_at[l]);
			goto out;
		}
	if (st.tables != oc.tables || table_pages != oc.tables)
		err = DIFF("table pages: walked %llu, counted %llu, oracle %llu",
		           (unsigned long long)st.tables, (unsigned long long)table_pages,
		           (unsigned long long)oc.tables);
out:
	free(merged);
	free(walked);
	free(orng);
	return err;
}
