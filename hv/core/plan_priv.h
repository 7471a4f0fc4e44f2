/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the boot plan's modules (plan.c reads the device
 * tree, plan_check.c validates across nodes, plan_map.c lays out the
 * memory map). Not an API: only hv/core/plan*.c include this.
 */
#ifndef BULKHEAD_CORE_PLAN_PRIV_H
#define BULKHEAD_CORE_PLAN_PRIV_H

#include "plan.h"

/** Record a message; errors also count in plan->nr_errors. */
void plan_msg(struct plan *plan, enum plan_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define plan_error(plan, ...) plan_msg((plan), PLAN_ERROR, __VA_ARGS__)
#define plan_warn(plan, ...)  plan_msg((plan), PLAN_WARNING, __VA_ARGS__)

/*
 * A claim on physical memory: one range with its owner. The claims are
 * not stored; plan_claim_next() enumerates them from the plan in a fixed
 * order (static ranges, modules, heap, reserved, DTB, hypervisor) so
 * that overlap messages name the integrator's setting first.
 */
struct plan_claim {
	uint64_t base, size;
	enum plan_kind kind;
	int domain;       /* index in plan->domains, or -1 */
	const char *node; /* node path, or a description ("the host DTB") */
	const char *prop; /* property, or NULL */
	int index;        /* entry in the property, or -1 */
};

/** Where an enumeration of claims stands; start from all zeros. */
struct plan_claim_iter {
	unsigned int stage, dom, k;
};

/**
 * The next claim after @it, advancing it; false past the last one.
 * Ranges that are empty or wrap around are skipped: they are errors
 * already and take no memory.
 */
bool plan_claim_next(const struct plan *plan, struct plan_claim_iter *it, struct plan_claim *c);

/** "NODE PROP[i]" (the owner, as another message's object). */
void plan_claim_label(const struct plan_claim *c, char *buf, size_t size);

/** "0xBASE-0xLAST" (inclusive end, as integrators write it). */
void plan_range_text(char *buf, size_t size, uint64_t base, uint64_t len);

/**
 * Checks across nodes, run once every node has been read; then, if the
 * plan has no error, the kernel placement of each domain (reads the
 * kernels' first bytes through @in->module_ptr).
 */
void plan_check(struct plan *plan, const struct plan_input *in);

/* arm64 with 4 KiB pages: physical and guest-physical addresses below 2^48. */
#define PLAN_PA_LIMIT (1ull << 48)

/* True when [base, base+size) ends at or below PLAN_PA_LIMIT. */
static inline bool plan_below_pa_limit(uint64_t base, uint64_t size)
{
	return size <= PLAN_PA_LIMIT && base <= PLAN_PA_LIMIT - size;
}

/* Estimate of what the hypervisor needs from the static heap. */
#define PLAN_HV_HEAP_ALLOWANCE (1ull << 20)

#endif
