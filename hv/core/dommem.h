/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A domain's memory: its pages and its stage-2, from creation to destroy.
 *
 * A static domain gets exactly its xen,static-mem banks, mapped at the
 * plan's guest addresses (== host addresses when direct-mapped). Any other
 * domain gets `memory` KiB from the buddy, mapped at GUEST_RAM0_BASE, then
 * GUEST_RAM1_BASE. Stage-2 tables come from the buddy too.
 */
#ifndef BULKHEAD_CORE_DOMMEM_H
#define BULKHEAD_CORE_DOMMEM_H

#include "mm.h"
#include "p2m.h"
#include "plan.h"

/*
 * Stage-2 table pages a domain may add to its initial stage 2 by
 * ballooning when xen,domain-p2m-mem-mb does not say: each lets it split
 * one 2 MiB block (64 KiB in all).
 */
#define DOMMEM_P2M_HEADROOM_PAGES 16

/* Guest-physical address size of every domain (covers GUEST_RAM1). */
#define DOMMEM_MIN_IPA_BITS 40

struct domain_mem {
	struct mm *mm;
	const struct plan_domain *cfg;
	/*
	 * The domain's id (1.., plan order), as the guest names itself in
	 * hypercalls; also the owner of its pages in the page state, which
	 * binds its static memory to it across lives.
	 */
	uint16_t domid;
	bool live;
	struct p2m p2m;
	uint64_t tot_pages;   /* pages the domain holds (all mapped) */
	uint64_t max_pages;   /* its configured size in pages */
	uint64_t table_leaks; /* table pages that could not be freed (never expected) */
	/*
	 * Stage-2 table pages the domain may hold, 0 until its first creation
	 * sets it (the initial stage 2, plus DOMMEM_P2M_HEADROOM_PAGES or up
	 * to xen,domain-p2m-mem-mb). What it does not use is promised to it in
	 * the heap (mm_reserve), for every later life: ballooning can only
	 * spend its own budget, and a reboot always finds its tables.
	 */
	uint64_t table_limit;
	/* Tables the domain freed, kept for it: a list threaded through them. */
	uint64_t free_tables; /* first one's frame, 0 if none */
	uint64_t nr_free_tables;
	pa_t spare_root; /* a freed concatenated root, when spare_root_pages */
	uint64_t spare_root_pages;
};

/**
 * dommem_create() - take the domain's memory and build its stage-2.
 * @dm:   zeroed or destroyed before; filled in, kept while the domain lives.
 * @mm:   the memory core.
 * @cfg:  the domain's plan entry; must stay valid (the plan outlives domains).
 * @domid: the domain's id, 1 + @cfg's index in plan.domains.
 *
 * Static pages are checked one by one (staticmem_acquire) and scrubbed
 * where marked; heap pages are zeroed. On any failure everything taken
 * is given back and nothing is mapped.
 * Return: 0, -HV_EINVAL (bad configuration), -HV_EBUSY (@dm is live, or
 * the domain still holds pages), -HV_EBUSY/-HV_EPERM (a static page is
 * not free in this domain's reserve), -HV_ENOMEM.
 */
int dommem_create(struct domain_mem *dm, struct mm *mm, const struct plan_domain *cfg,
                  unsigned int domid);

/**
 * dommem_create_unscrubbed() - dommem_create() without zeroing static
 * pages: they keep their PG_NEEDS_SCRUB mark and dommem_scrub() must run
 * before the guest does (lets the caller scrub later, e.g. in parallel).
 */
int dommem_create_unscrubbed(struct domain_mem *dm, struct mm *mm, const struct plan_domain *cfg,
                             unsigned int domid);

/**
 * dommem_scrub() - zero every static page of the domain still marked
 * (also after dommem_destroy(): the banks stay bound to the domain).
 * Return: 0, or the first error of staticmem_scrub().
 */
int dommem_scrub(struct domain_mem *dm);

/**
 * dommem_destroy() - tear the stage-2 down and give every page back
 * through mm_release(): static pages to the domain's reserve (marked for
 * scrub), heap pages scrubbed to the buddy, tables to the buddy. Cannot
 * fail. Does nothing for a domain that is not live.
 */
void dommem_destroy(struct domain_mem *dm);

/**
 * dommem_populate() - balloon in: give the domain 2^@order new pages at
 * guest frame @gfn (aligned to the size), mapped read-write. A static
 * domain takes them from its own reserve only (the page the plan puts
 * there when it is free, else any free run unless direct-mapped, where
 * gfn must equal the host frame); a heap domain from the buddy, up to
 * its configured size. Nothing changes on failure.
 * Return: 0; -HV_EINVAL (outside the domain's guest RAM, misaligned);
 * -HV_EEXIST (a frame already mapped); -HV_ENOMEM; -HV_EBUSY/-HV_EPERM
 * (a static page not free in the reserve).
 */
int dommem_populate(struct domain_mem *dm, uint64_t gfn, unsigned int order);

/**
 * dommem_remove() - balloon out: unmap guest frames [@gfn, @gfn+@count)
 * (@count a power of two, @gfn aligned to it) and free them through
 * mm_release() (static pages to the domain's reserve, marked for scrub).
 * Every frame must be RAM the domain owns alone; all are checked before
 * anything changes.
 * Return: 0; -HV_EINVAL; -HV_ENOENT (a frame not mapped); -HV_ENOMEM
 * (no page-state room: nothing changed).
 */
int dommem_remove(struct domain_mem *dm, uint64_t gfn, uint64_t count);

/**
 * dommem_tables_held() - stage-2 table pages charged to the domain: in
 * its stage 2, plus those it freed and keeps for its next use.
 */
uint64_t dommem_tables_held(const struct domain_mem *dm);

/**
 * dommem_recreate() - destroy, then create again with the same id: a
 * static domain gets the very same pages back, zeroed.
 */
int dommem_recreate(struct domain_mem *dm);

#endif
