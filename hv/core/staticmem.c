// SPDX-License-Identifier: Apache-2.0
/* Static memory reserves: see staticmem.h. */
#include "staticmem.h"

#include "arch.h"
#include "errno.h"

/*
 * Q4, checking reserved pages: why check pages that are reserved for exactly this domain? Because
 * the reservation is only as good as the code and data that keep it. The
 * checks catch a page still in use by the previous incarnation (destroy
 * not finished, a double create), a page the buddy or another domain got
 * through a bug or a configuration that overlaps, and a page someone still
 * references. A failed check changes nothing: the caller rolls back what
 * it took before and the domain is not created.
 */
static int check_reserve(const struct pgstate *ps, uint16_t domid, uint64_t pfn, uint64_t count)
{
	uint64_t end = pfn + count;

	if (count == 0 || end < pfn)
		return -HV_EINVAL;
	for (uint64_t p = pfn; p < end;) {
		struct page_state st;
		if (!pgstate_get(ps, p, &st))
			return -HV_EINVAL;
		if (!(st.flags & PG_STATIC) || st.owner != domid)
			return -HV_EPERM;
		if (st.state != PG_FREE || st.refcount != 0)
			return -HV_EBUSY;
		if (st.flags & ~(PG_STATIC | PG_NEEDS_SCRUB))
			return -HV_EINVAL;
		p = st.pfn + st.count;
	}
	return 0;
}

static void scrub_marked(const struct pgstate *ps, uint64_t pfn, uint64_t count)
{
	uint64_t end = pfn + count;

	for (uint64_t p = pfn; p < end;) {
		struct page_state st;
		if (!pgstate_get(ps, p, &st))
			return;
		uint64_t e = st.pfn + st.count < end ? st.pfn + st.count : end;
		if (st.flags & PG_NEEDS_SCRUB)
			arch_scrub(pa_init(p << PAGE_SHIFT), (e - p) << PAGE_SHIFT);
		p = e;
	}
}

int staticmem_acquire(struct pgstate *ps, uint16_t domid, uint64_t pfn, uint64_t count, bool scrub)
{
	int rc = check_reserve(ps, domid, pfn, count);
	if (rc)
		return rc;
	/* Interior extents change in place: at most two splits, at the ends. */
	if (pgstate_room(ps) < 2)
		return -HV_ENOMEM;
	if (scrub)
		scrub_marked(ps, pfn, count);
	const struct page_state used = {
	    .state = PG_INUSE, .owner = domid, .refcount = 1, .flags = PG_STATIC};
	return pgstate_set(ps, pfn, count, &used, scrub ? 0 : PG_NEEDS_SCRUB, false);
}

int staticmem_release(struct pgstate *ps, uint16_t domid, uint64_t pfn, uint64_t count, bool force)
{
	uint64_t end = pfn + count;

	if (count == 0 || end < pfn)
		return -HV_EINVAL;
	for (uint64_t p = pfn; p < end;) {
		struct page_state st;
		if (!pgstate_get(ps, p, &st) || st.state != PG_INUSE || !(st.flags & PG_STATIC) ||
		    st.owner != domid)
			return -HV_EINVAL;
		p = st.pfn + st.count;
	}
	/*
	 * Q11, a destroyed domain's pages: the pages go back to the domain's reserve, which is part
	 * of the page state and does not die with the domain. Scrubbing is recorded per extent, not
	 * done here, so that destroy stays O(extents); the mark guarantees the zeroing before any
	 * next use (Q12, re-create on the same pages).
	 */
	const struct page_state resv = {
	    .state = PG_FREE, .owner = domid, .refcount = 0, .flags = PG_STATIC | PG_NEEDS_SCRUB};
	return pgstate_set(ps, pfn, count, &resv, 0, force);
}

int staticmem_scrub(struct pgstate *ps, uint64_t pfn, uint64_t count)
{
	uint64_t end = pfn + count;

	if (count == 0 || end < pfn)
		return -HV_EINVAL;
	for (uint64_t p = pfn; p < end;) {
		struct page_state st;
		if (!pgstate_get(ps, p, &st) || !(st.flags & PG_STATIC))
			return -HV_EINVAL;
		p = st.pfn + st.count;
	}
	for (uint64_t p = pfn; p < end;) {
		struct page_state st;
		pgstate_get(ps, p, &st);
		uint64_t e = st.pfn + st.count < end ? st.pfn + st.count : end;
		if (st.flags & PG_NEEDS_SCRUB) {
			arch_scrub(pa_init(p << PAGE_SHIFT), (e - p) << PAGE_SHIFT);
			st.flags &= (uint8_t)~PG_NEEDS_SCRUB;
			/* Only the range's two ends can split: the spare covers it. */
			if (pgstate_set(ps, p, e - p, &st, 0, true))
				arch_panic("staticmem_scrub: page-state spare exhausted");
		}
		p = e;
	}
	return 0;
}

bool staticmem_find_free(const struct pgstate *ps, uint16_t domid, uint64_t count, uint64_t *pfn)
{
	uint64_t run_start = 0, run_len = 0;

	for (uint32_t i = 0; i < ps->nr; i++) {
		const struct page_state *e = &ps->ext[i];
		bool resv = e->state == PG_FREE && (e->flags & PG_STATIC) && e->owner == domid &&
		            e->refcount == 0 && !(e->flags & ~(PG_STATIC | PG_NEEDS_SCRUB));
		if (!resv) {
			run_len = 0;
			continue;
		}
		if (run_len && run_start + run_len == e->pfn) {
			run_len += e->count;
		} else {
			run_start = e->pfn;
			run_len = e->count;
		}
		if (run_len >= count) {
			*pfn = run_start;
			return true;
		}
	}
	return false;
}

uint64_t staticmem_reserve_pages(const struct pgstate *ps, uint16_t domid)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < ps->nr; i++) {
		const struct page_state *e = &ps->ext[i];
		if (e->state == PG_FREE && (e->flags & PG_STATIC) && e->owner == domid)
			n += e->count;
	}
	return n;
}
