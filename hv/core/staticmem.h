/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Static memory: each domain's xen,static-mem banks, bound for the whole
 * life of the hypervisor to the domain's id (1 + its index in
 * plan.domains).
 *
 * A static page is PG_STATIC in the page-state table and its owner field
 * is that domain id, whether the page is in use by the domain or free in
 * its reserve.
 *
 * Q3, marker and per-domain list: Xen keeps both a marker and a per-domain list (resv_page_list).
 * Here the marker decides where a freed page goes (Q2, why a marker, whose page) and the owner in
 * the same page state replaces the list: the reserve is the set of free
 * PG_STATIC pages whose owner is the domain id. It is not hanging off a domain
 * structure that dies with the domain, so it outlives every incarnation,
 * and finding a free run (balloon-in) is a scan of a few extents.
 */
#ifndef BULKHEAD_CORE_STATICMEM_H
#define BULKHEAD_CORE_STATICMEM_H

#include "pgstate.h"

/**
 * staticmem_acquire() - give pages [pfn, pfn+count) of @domid's reserve to
 * domain @domid.
 * @scrub: zero the pages marked PG_NEEDS_SCRUB now; otherwise the mark
 *         stays and staticmem_scrub() must run before the guest does.
 *
 * Every page is checked first: RAM, free, static, unreferenced, bound to
 * @domid, no flag but PG_STATIC and PG_NEEDS_SCRUB. Nothing changes unless
 * all pass. Return: 0, -HV_EINVAL (not RAM or unexpected flag), -HV_EBUSY
 * (in use or referenced), -HV_EPERM (not static, or another domain's),
 * -HV_ENOMEM (page-state table full).
 */
int staticmem_acquire(struct pgstate *ps, uint16_t domid, uint64_t pfn, uint64_t count, bool scrub);

/**
 * staticmem_release() - put static pages in use by @domid back into its
 * reserve, marked PG_NEEDS_SCRUB. Only mm_release() calls this.
 * Return: 0, -HV_EINVAL (a page is not static and in use by @domid),
 * -HV_ENOMEM (nothing changed).
 */
int staticmem_release(struct pgstate *ps, uint16_t domid, uint64_t pfn, uint64_t count, bool force);

/**
 * staticmem_scrub() - zero every page of [pfn, pfn+count) marked
 * PG_NEEDS_SCRUB and clear the mark. Uses the spare capacity: clearing a
 * mark must not fail. Return: 0 or -HV_EINVAL (not RAM, or not static).
 */
int staticmem_scrub(struct pgstate *ps, uint64_t pfn, uint64_t count);

/**
 * staticmem_find_free() - lowest run of @count contiguous pages free in
 * @domid's reserve. Return: true and *pfn when found.
 */
bool staticmem_find_free(const struct pgstate *ps, uint16_t domid, uint64_t count, uint64_t *pfn);

/** staticmem_reserve_pages() - pages free in @domid's reserve. */
uint64_t staticmem_reserve_pages(const struct pgstate *ps, uint16_t domid);

#endif
