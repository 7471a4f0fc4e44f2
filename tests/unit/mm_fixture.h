/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot plans for the memory-core tests, written by hand (no device tree):
 * the tests exercise hv/core/mm*, not the DT parser. Every RAM bank added
 * to a plan is also simulated with host_ram_add().
 */
#ifndef BULKHEAD_TESTS_MM_FIXTURE_H
#define BULKHEAD_TESTS_MM_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "../../hv/core/plan.h"
#include "../../hv/host/host_arch.h"

static inline void fx_reset(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	host_ram_reset();
}

static inline void fx_ram(struct plan *p, uint64_t base, uint64_t size)
{
	p->ram[p->nr_ram].base = base;
	p->ram[p->nr_ram].size = size;
	p->nr_ram++;
	if (host_ram_add(base, size) == NULL) {
		fprintf(stderr, "host_ram_add failed\n");
		abort();
	}
}

/* A plan entry only: no host memory (for RAM the test never touches). */
static inline void fx_ram_nomap(struct plan *p, uint64_t base, uint64_t size)
{
	p->ram[p->nr_ram].base = base;
	p->ram[p->nr_ram].size = size;
	p->nr_ram++;
}

static inline struct plan_domain *fx_domain(struct plan *p, const char *name, uint64_t memory_kib,
                                            bool direct_map)
{
	struct plan_domain *d = &p->domains[p->nr_domains++];
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->node, sizeof(d->node), "/chosen/%s", name);
	d->vcpus = 1;
	d->memory_kib = memory_kib;
	d->direct_map = direct_map;
	return d;
}

/*
 * Add a static bank; the guest address is the host one for a direct-mapped
 * domain, else packed into GUEST_RAM0 after the previous banks.
 */
static inline void fx_bank(struct plan_domain *d, uint64_t pa, uint64_t size)
{
	uint64_t ipa = GUEST_RAM0_BASE;
	for (unsigned int i = 0; i < d->nr_banks; i++)
		ipa += d->banks[i].size;
	d->is_static = true;
	d->banks[d->nr_banks].pa = pa_init(pa);
	d->banks[d->nr_banks].ipa = d->direct_map ? ipa_from_pa_direct(pa_init(pa)) : ipa_init(ipa);
	d->banks[d->nr_banks].size = size;
	d->nr_banks++;
	d->memory_kib = 0;
	for (unsigned int i = 0; i < d->nr_banks; i++)
		d->memory_kib += d->banks[i].size / 1024;
}

#endif
