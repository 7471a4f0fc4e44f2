/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The few services the core needs from below.
 *
 * The core is compiled twice: for the hypervisor, where hv/arch/arm64
 * implements these, and hosted, where hv/host/host_arch.c implements them
 * over a fake physical memory. Nothing else in hv/core may depend on the
 * machine.
 */
#ifndef BULKHEAD_CORE_ARCH_H
#define BULKHEAD_CORE_ARCH_H

#include "types.h"

/**
 * arch_phys_to_virt() - the hypervisor's pointer to host-physical memory.
 * @pa: a host-physical address inside a RAM bank.
 *
 * The hypervisor maps all of RAM, so this never fails for RAM; for any
 * other address the result is undefined.
 */
void *arch_phys_to_virt(pa_t pa);

/** arch_console_write() - write @len bytes of @s to the hypervisor console. */
void arch_console_write(const char *s, size_t len);

/**
 * arch_scrub() - zero @len bytes at @pa, a page-aligned range of RAM.
 *
 * Separate from memset so that the arm64 build can use DC ZVA.
 */
void arch_scrub(pa_t pa, uint64_t len);

/**
 * arch_guest_tlb_flush() - forget stage-2 translations of guest @vmid.
 *
 * Called after a stage-2 entry is removed or changed, before the page it
 * pointed to is reused.
 */
void arch_guest_tlb_flush(uint16_t vmid);

/** arch_panic() - stop the machine after an internal error. */
_Noreturn void arch_panic(const char *why);

#endif
