/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The arch interface: everything the core needs from the machine, and
 * nothing else.
 *
 * The core is compiled twice: freestanding for the hypervisor, where
 * hv/arch/arm64 implements these hooks, and hosted for tests, fuzzers and
 * tools, where hv/host implements them over simulated memory and
 * simulated vCPUs. No file under hv/core calls a function of hv/arch that
 * is not declared here (tests/unit/run-seam.sh checks the symbols), so the
 * whole core links against either implementation.
 *
 * Each implementation also provides "arch_types.h" (found on the include
 * path of its build): struct domain_arch and struct vcpu_arch, the
 * machine's per-domain and per-vCPU state, embedded in struct domain and
 * struct vcpu so that it lives and dies with them.
 *
 * Locking rules, for every implementation: one recursive lock
 * (arch_domain_lock) serialises domain and vCPU state changes; the hooks
 * marked "lock held" are only called with it held.
 */
#ifndef BULKHEAD_CORE_ARCH_H
#define BULKHEAD_CORE_ARCH_H

#include "types.h"

struct domain;
struct vcpu;
struct plan;

/* ---- Memory -------------------------------------------------------- */

/**
 * arch_phys_to_virt() - the hypervisor's pointer to host-physical memory.
 * @pa: a host-physical address inside a RAM bank.
 *
 * The hypervisor maps all of RAM, so this never fails for RAM; for any
 * other address the result is undefined.
 */
void *arch_phys_to_virt(pa_t pa);

/**
 * arch_scrub() - zero @len bytes at @pa, a page-aligned range of RAM.
 *
 * Separate from memset so that the arm64 build can use DC ZVA.
 */
void arch_scrub(pa_t pa, uint64_t len);

/**
 * arch_dcache_clean() - write @len bytes at @va (a hypervisor pointer from
 * arch_phys_to_virt()) back to the point of coherency, so that an observer
 * that does not use the cache (a guest mapping the page non-cacheable, a
 * device doing DMA) sees what the hypervisor wrote there (a copied
 * kernel, a guest device tree).
 */
void arch_dcache_clean(const void *va, size_t len);

/**
 * arch_guest_tlb_flush() - forget stage-2 translations of guest @vmid.
 *
 * Called after a stage-2 entry is removed or changed, before the page it
 * pointed to is reused.
 */
void arch_guest_tlb_flush(uint16_t vmid);

/* ---- Console and time ---------------------------------------------- */

/** arch_console_write() - write @len bytes of @s to the hypervisor console. */
void arch_console_write(const char *s, size_t len);

/**
 * arch_counter_read() - a monotonic tick count, for the boot-time
 * figures only (never for decisions: the host's is a plain counter).
 */
uint64_t arch_counter_read(void);

/* ---- The machine behind a plan -------------------------------------- */

/**
 * arch_machine_init() - set up what the validated @plan names on the
 * machine itself: the console UART, the hypervisor's mapping of RAM, the
 * interrupt controller. Called once, on the boot CPU, before the memory
 * core and the domains.
 * Return: 0, or a negative error (boot stops: no domain is started).
 */
int arch_machine_init(const struct plan *plan);

/* ---- Locking --------------------------------------------------------- */

/**
 * arch_domain_lock()/arch_domain_unlock() - serialise domain and vCPU
 * state changes. Recursive on one CPU: a handler running under it may
 * call a core function that takes it again.
 */
void arch_domain_lock(void);
void arch_domain_unlock(void);

/* ---- vCPUs ------------------------------------------------------------ */

/**
 * arch_vcpu_kick() - @v's state changed (it became VCPU_PENDING, or has
 * something new to look at): make its physical CPU notice, powering it
 * on the first time. Lock held.
 */
void arch_vcpu_kick(struct vcpu *v);

/**
 * arch_vcpu_stop_wait() - @v's state is no longer VCPU_RUNNING: return
 * once its physical CPU has left the guest (kicking it out if needed), so
 * that the domain's memory can be torn down. Lock held.
 */
void arch_vcpu_stop_wait(struct vcpu *v);

/* ---- Per-domain machine state (interrupt controller) ------------------ */

/**
 * arch_domain_init() - @d's structure is set up (cfg, vCPUs) for the
 * first time: initialise d->arch and each v->arch. Lock held.
 */
void arch_domain_init(struct domain *d);

/**
 * arch_domain_reset() - a new life of @d starts (first boot or reboot),
 * before any vCPU of it runs: fresh virtual interrupt controller, its
 * passthrough interrupts routed to it. Lock held.
 */
void arch_domain_reset(struct domain *d);

/**
 * arch_domain_destroy() - @d was torn down (stop, crash or the first half
 * of a reboot), every vCPU off its CPU: nothing of the machine may still
 * deliver to it (passthrough interrupts quiesced). Called from the one
 * teardown path. Lock held.
 */
void arch_domain_destroy(struct domain *d);

/* ---- Errors ------------------------------------------------------------ */

/** arch_panic() - stop the machine after an internal error. */
_Noreturn void arch_panic(const char *why);

#endif
