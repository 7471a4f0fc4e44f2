/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host stand-in's per-domain and per-vCPU state: what the hooks of
 * hv/core/arch.h were asked to do, so that tests can check the core's
 * life cycle (every new life reset once, every teardown destroyed once,
 * every pending vCPU kicked).
 */
#ifndef BULKHEAD_HOST_ARCH_TYPES_H
#define BULKHEAD_HOST_ARCH_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/types.h"

struct domain_arch {
	unsigned int inits, resets, destroys;
	bool live; /* between arch_domain_reset() and arch_domain_destroy() */
};

struct vcpu_arch {
	unsigned int kicks;      /* arch_vcpu_kick() calls */
	unsigned int stop_waits; /* arch_vcpu_stop_wait() calls */
	unsigned int entries;    /* times its CPU entered it (host_cpu_run) */
	ipa_t entered_at;        /* entry and x0 of the last entry */
	uint64_t entered_x0;
};

#endif
