// SPDX-License-Identifier: Apache-2.0
/* Page state extents: see pgstate.h. */
#include "pgstate.h"

#include "errno.h"

int pgstate_init(struct pgstate *ps, struct page_state *storage, uint32_t cap, uint32_t spare,
                 const uint64_t *pfns, const uint64_t *counts, unsigned int nr_banks)
{
	if (nr_banks == 0 || nr_banks > PGSTATE_MAX_BANKS || cap < nr_banks + spare)
		return -HV_EINVAL;
	for (unsigned int i = 0; i < nr_banks; i++) {
		if (counts[i] == 0 || pfns[i] + counts[i] < pfns[i])
			return -HV_EINVAL;
		if (i > 0 && pfns[i] < pfns[i - 1] + counts[i - 1])
			return -HV_EINVAL;
	}
	ps->ext = storage;
	ps->cap = cap;
	ps->spare = spare;
	ps->nr = nr_banks;
	ps->nr_banks = nr_banks;
	for (unsigned int o = 0; o <= PGSTATE_MAX_OWNERS; o++)
		ps->owned[o] = ps->budget[o] = 0;
	for (unsigned int i = 0; i < nr_banks; i++) {
		ps->banks[i].pfn = pfns[i];
		ps->banks[i].count = counts[i];
		ps->ext[i] = (struct page_state){.pfn = pfns[i],
		                                 .count = counts[i],
		                                 .owner = PG_OWNER_NONE,
		                                 .state = PG_UNUSABLE};
	}
	return 0;
}

int pgstate_bank(const struct pgstate *ps, uint64_t pfn)
{
	for (unsigned int i = 0; i < ps->nr_banks; i++)
		if (pfn >= ps->banks[i].pfn && pfn - ps->banks[i].pfn < ps->banks[i].count)
			return (int)i;
	return -1;
}

long pgstate_index(const struct pgstate *ps, uint64_t pfn)
{
	uint32_t lo = 0, hi = ps->nr;

	/* Binary search for the last extent starting at or before pfn. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ps->ext[mid].pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	const struct page_state *e = &ps->ext[lo - 1];
	return pfn - e->pfn < e->count ? (long)(lo - 1) : -1;
}

bool pgstate_get(const struct pgstate *ps, uint64_t pfn, struct page_state *out)
{
	long i = pgstate_index(ps, pfn);

	if (i < 0)
		return false;
	*out = ps->ext[i];
	return true;
}

uint32_t pgstate_room(const struct pgstate *ps)
{
	uint32_t used = ps->nr + ps->spare;
	return used >= ps->cap ? 0 : ps->cap - used;
}

static bool budgeted(uint16_t owner)
{
	return owner >= 1 && owner <= PGSTATE_MAX_OWNERS;
}

/* Every extent created or removed is counted for its owner. */
static void count_owned(struct pgstate *ps, uint16_t owner, int delta)
{
	if (budgeted(owner))
		ps->owned[owner] = (uint32_t)((int)ps->owned[owner] + delta);
}

void pgstate_set_budget(struct pgstate *ps, uint16_t owner, uint32_t extents)
{
	if (budgeted(owner))
		ps->budget[owner] = extents;
}

uint32_t pgstate_owner_room(const struct pgstate *ps, uint16_t owner)
{
	uint32_t room = pgstate_room(ps);

	if (!budgeted(owner) || !ps->budget[owner])
		return room;
	uint32_t left =
	    ps->owned[owner] >= ps->budget[owner] ? 0 : ps->budget[owner] - ps->owned[owner];
	return left < room ? left : room;
}

static bool same_state(const struct page_state *a, const struct page_state *b)
{
	return a->state == b->state && a->flags == b->flags && a->owner == b->owner &&
	       a->refcount == b->refcount;
}

static bool is_bank_start(const struct pgstate *ps, uint64_t pfn)
{
	for (unsigned int i = 0; i < ps->nr_banks; i++)
		if (ps->banks[i].pfn == pfn)
			return true;
	return false;
}

/* Extents a and b (a before b) can become one: contiguous, equal, same bank. */
static bool mergeable(const struct pgstate *ps, const struct page_state *a,
                      const struct page_state *b)
{
	return a->pfn + a->count == b->pfn && same_state(a, b) && !is_bank_start(ps, b->pfn);
}

/* Split extent i at pfn (strictly inside it); the caller checked room. */
static void split_at(struct pgstate *ps, uint32_t i, uint64_t pfn)
{
	struct page_state *e = &ps->ext[i];

	for (uint32_t k = ps->nr; k > i; k--)
		ps->ext[k] = ps->ext[k - 1];
	ps->nr++;
	count_owned(ps, e->owner, +1);
	e[0].count = pfn - e[0].pfn;
	e[1].count -= e[0].count;
	e[1].pfn = pfn;
}

/* Merge mergeable neighbours among extents [lo, hi]. */
static void merge_window(struct pgstate *ps, uint32_t lo, uint32_t hi)
{
	uint32_t w = lo;

	for (uint32_t r = lo + 1; r <= hi; r++) {
		if (mergeable(ps, &ps->ext[w], &ps->ext[r])) {
			ps->ext[w].count += ps->ext[r].count;
			count_owned(ps, ps->ext[r].owner, -1);
		} else
			ps->ext[++w] = ps->ext[r];
	}
	uint32_t removed = hi - w;
	if (removed) {
		for (uint32_t k = hi + 1; k < ps->nr; k++)
			ps->ext[k - removed] = ps->ext[k];
		ps->nr -= removed;
	}
}

int pgstate_set(struct pgstate *ps, uint64_t pfn, uint64_t count, const struct page_state *val,
                uint8_t keep, bool force)
{
	if (count == 0 || pfn + count < pfn)
		return -HV_EINVAL;
	uint64_t end = pfn + count;
	long li = pgstate_index(ps, pfn);
	long lj = pgstate_index(ps, end - 1);
	if (li < 0 || lj < 0)
		return -HV_EINVAL;
	uint32_t i = (uint32_t)li, j = (uint32_t)lj;
	/* No holes: the range may cross contiguous banks but not a gap. */
	for (uint32_t k = i; k < j; k++)
		if (ps->ext[k].pfn + ps->ext[k].count != ps->ext[k + 1].pfn)
			return -HV_EINVAL;

	uint32_t extra = (pfn > ps->ext[i].pfn) + (end < ps->ext[j].pfn + ps->ext[j].count);
	uint32_t limit = force ? ps->cap : ps->cap - ps->spare;
	if (ps->nr + extra > limit)
		return -HV_ENOMEM;
	/* The domain it is done for: the new owner, or the one giving pages up. */
	uint16_t d = budgeted(val->owner) ? val->owner : ps->ext[i].owner;
	if (!force && budgeted(d) && ps->budget[d]) {
		uint32_t grow = extra; /* at worst every split and every extent it gains */
		for (uint32_t k = i; val->owner == d && k <= j; k++)
			grow += ps->ext[k].owner != d;
		if (ps->owned[d] + grow > ps->budget[d])
			return -HV_ENOMEM;
	}

	if (pfn > ps->ext[i].pfn) {
		split_at(ps, i, pfn);
		i++;
		j++;
	}
	if (end < ps->ext[j].pfn + ps->ext[j].count)
		split_at(ps, j, end);
	for (uint32_t k = i; k <= j; k++) {
		struct page_state *e = &ps->ext[k];
		count_owned(ps, e->owner, -1);
		count_owned(ps, val->owner, +1);
		e->state = val->state;
		e->owner = val->owner;
		e->refcount = val->refcount;
		e->flags = (uint8_t)((e->flags & keep) | val->flags);
	}
	uint32_t lo = i > 0 ? i - 1 : 0;
	uint32_t hi = j + 1 < ps->nr ? j + 1 : j;
	merge_window(ps, lo, hi);
	return 0;
}

bool pgstate_check(const struct pgstate *ps)
{
	uint64_t covered = 0, ram = 0;
	uint32_t owned[PGSTATE_MAX_OWNERS + 1] = {0};

	if (ps->nr > ps->cap)
		return false;
	for (unsigned int b = 0; b < ps->nr_banks; b++)
		ram += ps->banks[b].count;
	for (uint32_t k = 0; k < ps->nr; k++) {
		const struct page_state *e = &ps->ext[k];
		int b = pgstate_bank(ps, e->pfn);
		if (e->count == 0 || b < 0 || pgstate_bank(ps, e->pfn + e->count - 1) != b)
			return false;
		if (e->state > PG_UNUSABLE)
			return false;
		if (k > 0) {
			const struct page_state *p = &ps->ext[k - 1];
			if (p->pfn + p->count > e->pfn || mergeable(ps, p, e))
				return false;
		}
		covered += e->count;
		if (budgeted(e->owner))
			owned[e->owner]++;
	}
	for (unsigned int o = 0; o <= PGSTATE_MAX_OWNERS; o++)
		if (owned[o] != ps->owned[o])
			return false;
	return covered == ram;
}
