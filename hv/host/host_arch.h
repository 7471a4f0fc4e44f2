/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host stand-in for hv/core/arch.h: a fake machine for tests,
 * fuzzers, benchmarks and the host tools. Deterministic and
 * single-threaded.
 *
 * Memory: windows of host memory registered with host_ram_add().
 * CPUs: up to PLAN_MAX_CPUS simulated physical CPUs, each owning at most
 * one vCPU, as on the hypervisor. A kick powers a CPU on; host_cpu_run()
 * does what a CPU does when it looks at its vCPU (enter it when pending).
 * "Guest code" is the test itself calling the core's trap handlers
 * (vpsci_call, hypercall_dispatch, ...) for a running vCPU.
 * Concurrency: host_on_next_lock() injects what another vCPU does while
 * the caller waits for the domain lock.
 * Every hook checks the rules of arch.h (lock held, vCPU not running when
 * its domain is torn down, reset and destroy alternating) and aborts on a
 * violation, so a core bug fails the test that provoked it.
 */
#ifndef BULKHEAD_HOST_ARCH_H
#define BULKHEAD_HOST_ARCH_H

#include "../core/arch.h"
#include "../core/plan.h"

/** Simulate RAM at [base, base+size); returns the host pointer, or NULL. */
void *host_ram_add(uint64_t base, uint64_t size);
/** Drop all simulated RAM, CPUs and lock state, and reset the counters. */
void host_ram_reset(void);
/** host_ram_find() - the window registered at exactly @base, @size, or NULL. */
void *host_ram_find(uint64_t base, uint64_t size);
/**
 * host_machine_reset() - a machine reset that keeps RAM as it is (as real
 * RAM keeps its content over a reset): CPUs, lock and counters only.
 */
void host_machine_reset(void);

extern uint64_t host_tlb_flushes;    /* arch_guest_tlb_flush() calls */
extern uint64_t host_scrubbed_bytes; /* bytes zeroed by arch_scrub() */
extern uint64_t host_cleaned_bytes;  /* bytes given to arch_dcache_clean() */
extern char *host_console_buf;       /* everything written to the console */
extern size_t host_console_len;

/** host_console_clear() - forget what was written to the console. */
void host_console_clear(void);

/* ---- Simulated physical CPUs ---- */

struct vcpu;

struct host_cpu {
	struct vcpu *vcpu; /* the vCPU it runs (set by the first kick) */
	bool powered;      /* powered on by a kick of a pending vCPU */
	bool in_guest;     /* its vCPU was entered and not stopped since */
};

extern struct host_cpu host_cpus[PLAN_MAX_CPUS];

/**
 * host_cpu_run() - physical CPU @pcpu looks at its vCPU, as after a kick:
 * a pending vCPU is entered (VCPU_RUNNING, at its entry with its context),
 * under the domain lock. Return: true when it entered one.
 */
bool host_cpu_run(unsigned int pcpu);

/** host_run_pending() - host_cpu_run() on every CPU; the number entered. */
unsigned int host_run_pending(void);

/* ---- The domain lock ---- */

extern unsigned int host_lock_depth; /* 0: not held */
extern uint64_t host_lock_taken;     /* times taken from depth 0 */

/**
 * host_on_next_lock() - the next time the domain lock is taken from
 * outside (depth 0), @fn(@ctx) runs first: another vCPU that got the
 * lock before the caller and changed things while the caller waited.
 * One shot; @fn may call into the core (it takes the lock itself).
 */
void host_on_next_lock(void (*fn)(void *ctx), void *ctx);

/* ---- Machine set-up ---- */

extern const struct plan *host_machine_plan; /* what arch_machine_init() got */
extern int host_machine_init_rc;             /* what it returns (default 0) */

#endif
