// SPDX-License-Identifier: Apache-2.0
/* The buddy allocator: see buddy.h. */
#include "buddy.h"

#include "arch.h"
#include "errno.h"

#define BUDDY_MAGIC 0x6275646479667265ull /* "buddyfre" */

/* In-band header at the start of each free block. */
struct buddy_node {
	uint64_t magic;
	uint32_t order;
	uint32_t listed; /* 0 while a freed range is being inserted */
	uint64_t next, prev;
};

static struct buddy_node *node(uint64_t pfn)
{
	return arch_phys_to_virt(pa_init(pfn << PAGE_SHIFT));
}

void buddy_init(struct buddy *b, struct pgstate *ps)
{
	b->ps = ps;
	b->free_pages = 0;
	for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++)
		b->head[o] = BUDDY_NONE;
}

static void push(struct buddy *b, uint64_t pfn, unsigned int order)
{
	struct buddy_node *n = node(pfn);

	n->magic = BUDDY_MAGIC;
	n->order = order;
	n->listed = 1;
	n->prev = BUDDY_NONE;
	n->next = b->head[order];
	if (n->next != BUDDY_NONE)
		node(n->next)->prev = pfn;
	b->head[order] = pfn;
	b->free_pages += 1ull << order;
}

static void unlink(struct buddy *b, uint64_t pfn, unsigned int order)
{
	struct buddy_node *n = node(pfn);

	if (n->prev != BUDDY_NONE)
		node(n->prev)->next = n->next;
	else
		b->head[order] = n->next;
	if (n->next != BUDDY_NONE)
		node(n->next)->prev = n->prev;
	n->magic = 0;
	n->listed = 0;
	b->free_pages -= 1ull << order;
}

int buddy_alloc(struct buddy *b, unsigned int order, uint16_t owner, uint64_t *pfn)
{
	if (order > BUDDY_MAX_ORDER)
		return -HV_EINVAL;
	unsigned int k = order;
	while (k <= BUDDY_MAX_ORDER && b->head[k] == BUDDY_NONE)
		k++;
	if (k > BUDDY_MAX_ORDER)
		return -HV_ENOMEM;
	uint64_t p = b->head[k];
	const struct page_state used = {
	    .state = PG_INUSE, .owner = owner, .refcount = 1, .flags = PG_HEAP};
	/* Record the new owner first: if the table is full nothing moved. */
	int rc = pgstate_set(b->ps, p, 1ull << order, &used, 0, false);
	if (rc)
		return rc;
	unlink(b, p, k);
	/* The upper halves of the block stay free. */
	while (k > order) {
		k--;
		push(b, p + (1ull << k), k);
	}
	*pfn = p;
	return 0;
}

/* Largest order of an aligned block starting at pfn with at most count pages. */
static unsigned int block_order(uint64_t pfn, uint64_t count)
{
	unsigned int o = 0;

	while (o < BUDDY_MAX_ORDER && (pfn & (1ull << o)) == 0 && (2ull << o) <= count)
		o++;
	return o;
}

/* A free, listed block of exactly this order starts at pfn. */
static bool free_block_at(const struct buddy *b, uint64_t pfn, unsigned int order)
{
	struct page_state st;

	if (!pgstate_get(b->ps, pfn, &st) || st.state != PG_FREE ||
	    (st.flags & (PG_HEAP | PG_STATIC)) != PG_HEAP)
		return false;
	const struct buddy_node *n = node(pfn);
	return n->magic == BUDDY_MAGIC && n->listed && n->order == order;
}

static void insert_merging(struct buddy *b, uint64_t pfn, unsigned int order)
{
	while (order < BUDDY_MAX_ORDER) {
		uint64_t bud = pfn ^ (1ull << order);
		uint64_t parent = pfn & ~(1ull << order);
		int bank = pgstate_bank(b->ps, parent);
		/* Never merge across a RAM bank boundary. */
		if (bank < 0 || pgstate_bank(b->ps, parent + (2ull << order) - 1) != bank)
			break;
		if (!free_block_at(b, bud, order))
			break;
		unlink(b, bud, order);
		pfn = parent;
		order++;
	}
	push(b, pfn, order);
}

int buddy_free_range(struct buddy *b, uint64_t pfn, uint64_t count, bool force)
{
	if (count == 0 || pfn + count < pfn)
		return -HV_EINVAL;
	/* Every page must be a heap page in use: never a static page. */
	for (uint64_t p = pfn; p < pfn + count;) {
		struct page_state st;
		if (!pgstate_get(b->ps, p, &st) || st.state != PG_INUSE ||
		    (st.flags & (PG_HEAP | PG_STATIC)) != PG_HEAP)
			return -HV_EINVAL;
		p = st.pfn + st.count;
	}
	const struct page_state free_heap = {
	    .state = PG_FREE, .owner = PG_OWNER_NONE, .flags = PG_HEAP};
	int rc = pgstate_set(b->ps, pfn, count, &free_heap, 0, force);
	if (rc)
		return rc;
	/*
	 * Mark each block head unlisted before any is inserted, so
	 * that a not yet inserted block of this range is never taken for a
	 * listed buddy because of a stale header.
	 */
	for (uint64_t p = pfn, left = count; left;) {
		unsigned int o = block_order(p, left);
		node(p)->listed = 0;
		p += 1ull << o;
		left -= 1ull << o;
	}
	for (uint64_t p = pfn, left = count; left;) {
		unsigned int o = block_order(p, left);
		insert_merging(b, p, o);
		p += 1ull << o;
		left -= 1ull << o;
	}
	return 0;
}

uint64_t buddy_first(const struct buddy *b, unsigned int order)
{
	return order <= BUDDY_MAX_ORDER ? b->head[order] : BUDDY_NONE;
}

uint64_t buddy_next(const struct buddy *b, uint64_t pfn)
{
	(void)b;
	return node(pfn)->next;
}
