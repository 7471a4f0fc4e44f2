// SPDX-License-Identifier: Apache-2.0
/* The boot allocator: see bootalloc.h. */
#include "bootalloc.h"

#include "errno.h"

void bootalloc_init(struct bootalloc *b)
{
	b->nr = 0;
	b->started = false;
	b->retired = false;
}

static void remove_at(struct bootalloc *b, unsigned int i)
{
	for (unsigned int k = i; k + 1 < b->nr; k++)
		b->free[k] = b->free[k + 1];
	b->nr--;
}

static int insert_at(struct bootalloc *b, unsigned int i, uint64_t pfn, uint64_t count)
{
	if (b->nr == BOOTALLOC_MAX_RANGES)
		return -HV_ENOSPC;
	for (unsigned int k = b->nr; k > i; k--)
		b->free[k] = b->free[k - 1];
	b->free[i].pfn = pfn;
	b->free[i].count = count;
	b->nr++;
	return 0;
}

int bootalloc_add(struct bootalloc *b, uint64_t pfn, uint64_t count)
{
	if (b->started || count == 0 || pfn + count < pfn)
		return -HV_EINVAL;
	unsigned int i = 0;
	while (i < b->nr && b->free[i].pfn < pfn)
		i++;
	if (i > 0 && b->free[i - 1].pfn + b->free[i - 1].count > pfn)
		return -HV_EINVAL;
	if (i < b->nr && pfn + count > b->free[i].pfn)
		return -HV_EINVAL;
	return insert_at(b, i, pfn, count);
}

int bootalloc_carve(struct bootalloc *b, uint64_t pfn, uint64_t count)
{
	if (b->started || count == 0 || pfn + count < pfn)
		return -HV_EINVAL;
	uint64_t end = pfn + count;
	for (unsigned int i = 0; i < b->nr;) {
		uint64_t s = b->free[i].pfn, e = s + b->free[i].count;
		if (e <= pfn || s >= end) {
			i++;
			continue;
		}
		if (s < pfn && e > end) {
			/* Hole in the middle: keep both sides. */
			int rc = insert_at(b, i + 1, end, e - end);
			if (rc)
				return rc;
			b->free[i].count = pfn - s;
			return 0;
		}
		if (s < pfn) {
			b->free[i].count = pfn - s;
			i++;
		} else if (e > end) {
			b->free[i].pfn = end;
			b->free[i].count = e - end;
			i++;
		} else {
			remove_at(b, i);
		}
	}
	return 0;
}

int bootalloc_alloc(struct bootalloc *b, uint64_t count, uint64_t align, uint64_t *pfn)
{
	if (b->retired || count == 0 || align == 0 || (align & (align - 1)))
		return -HV_EINVAL;
	for (unsigned int k = b->nr; k-- > 0;) {
		uint64_t s = b->free[k].pfn, e = s + b->free[k].count;
		if (e < count)
			continue;
		uint64_t p = align_down(e - count, align);
		if (p < s)
			continue;
		b->started = true;
		*pfn = p;
		/* Cut [p, p+count) out; cannot need a new slot when at the top. */
		if (p + count < e) {
			int rc = insert_at(b, k + 1, p + count, e - p - count);
			if (rc)
				return -HV_ENOMEM;
		}
		if (p == s)
			remove_at(b, k);
		else
			b->free[k].count = p - s;
		return 0;
	}
	return -HV_ENOMEM;
}

uint64_t bootalloc_free_pages(const struct bootalloc *b)
{
	uint64_t n = 0;
	for (unsigned int i = 0; i < b->nr; i++)
		n += b->free[i].count;
	return n;
}

void bootalloc_retire(struct bootalloc *b)
{
	b->started = true;
	b->retired = true;
}
