// SPDX-License-Identifier: Apache-2.0
/* A page source for tests; see tpages.h. */
#include "tpages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/errno.h"
#include "../../hv/host/host_arch.h"

#define TP_FREE   0xff
#define TP_INSIDE 0xfe
#define TP_POISON 0xa5

static void tp_die(const char *why, uint64_t pa)
{
	fprintf(stderr, "tpages: %s (0x%llx)\n", why, (unsigned long long)pa);
	abort();
}

void tpages_init(struct tpages *tp, uint64_t base, uint64_t npages)
{
	*tp = (struct tpages){.base = base, .npages = npages, .fail_after = -1};
	tp->order_at = malloc(npages);
	if (tp->order_at == NULL || host_ram_add(base, npages * PAGE_SIZE) == NULL)
		tp_die("cannot set up the pool", base);
	memset(tp->order_at, TP_FREE, npages);
}

void tpages_fini(struct tpages *tp)
{
	free(tp->order_at);
	tp->order_at = NULL;
}

static int tp_alloc(void *ctx, unsigned int order, pa_t *pages)
{
	struct tpages *tp = ctx;
	uint64_t n = 1ull << order;

	if (tp->fail_after == 0) {
		tp->failures++;
		return -HV_ENOMEM;
	}
	for (uint64_t i = align_up(tp->lowest_free, n); i + n <= tp->npages; i += n) {
		uint64_t j = 0;

		while (j < n && tp->order_at[i + j] == TP_FREE)
			j++;
		if (j < n)
			continue;
		memset(tp->order_at + i, TP_INSIDE, n);
		tp->order_at[i] = (uint8_t)order;
		if (order == 0 && i == tp->lowest_free)
			tp->lowest_free++;
		*pages = pa_init(tp->base + i * PAGE_SIZE);
		memset(arch_phys_to_virt(*pages), TP_POISON, n * PAGE_SIZE);
		tp->allocs++;
		tp->live += n;
		if (tp->live > tp->peak)
			tp->peak = tp->live;
		if (tp->fail_after > 0)
			tp->fail_after--;
		return 0;
	}
	tp->failures++;
	return -HV_ENOMEM;
}

static bool untouched(const uint8_t *p, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (p[i] != TP_POISON)
			return false;
	return true;
}

static void tp_free(void *ctx, pa_t pages, unsigned int order)
{
	struct tpages *tp = ctx;
	uint64_t a = pa_addr(pages), i = (a - tp->base) / PAGE_SIZE;

	if (a < tp->base || i >= tp->npages || !is_aligned(a, PAGE_SIZE))
		tp_die("free of a foreign page", a);
	if (tp->order_at[i] != order)
		tp_die("free of a page not allocated with this order", a);
	if (untouched(arch_phys_to_virt(pages), PAGE_SIZE << order))
		tp->untouched++;
	memset(arch_phys_to_virt(pages), TP_POISON, PAGE_SIZE << order);
	memset(tp->order_at + i, TP_FREE, 1ull << order);
	if (i < tp->lowest_free)
		tp->lowest_free = i;
	tp->frees++;
	tp->live -= 1ull << order;
}

struct p2m_page_source tpages_source(struct tpages *tp)
{
	return (struct p2m_page_source){.alloc = tp_alloc, .free = tp_free, .ctx = tp};
}

bool tpages_is_live(const struct tpages *tp, uint64_t pa)
{
	uint64_t i = (pa - tp->base) / PAGE_SIZE;

	return pa >= tp->base && i < tp->npages && tp->order_at[i] < TP_INSIDE;
}
