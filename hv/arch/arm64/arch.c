// SPDX-License-Identifier: Apache-2.0
/* hv/core/arch.h for arm64 (memory, time, panic), and the per-CPU basics. */
#include "arm64.h"
#include "core/arch.h"
#include "core/fmt.h"

struct cpu cpus[PLAN_MAX_CPUS];
uint8_t cpu_stacks[PLAN_MAX_CPUS][CPU_STACK_SIZE] __attribute__((aligned(16)));

void spin_lock(spinlock_t *l)
{
	uint32_t tmp;

	__asm__ volatile("	sevl\n"
	                 "1:	wfe\n"
	                 "2:	ldaxr	%w0, [%1]\n"
	                 "	cbnz	%w0, 1b\n"
	                 "	stxr	%w0, %w2, [%1]\n"
	                 "	cbnz	%w0, 2b\n"
	                 : "=&r"(tmp)
	                 : "r"(&l->v), "r"(1u)
	                 : "memory");
}

void spin_unlock(spinlock_t *l)
{
	__asm__ volatile("stlr wzr, [%0]\n sev" ::"r"(&l->v) : "memory");
}

void *arch_phys_to_virt(pa_t pa)
{
	return (void *)(uintptr_t)pa_addr(pa); /* RAM is identity mapped (mmu.c) */
}

void arch_scrub(pa_t pa, uint64_t len)
{
	/* DC ZVA zeroes a whole block per instruction; the size is in DCZID_EL0. */
	uint64_t dczid = read_sysreg(dczid_el0);
	uint64_t block = 4ull << (dczid & 0xf);
	char *p = arch_phys_to_virt(pa);

	if ((dczid & 0x10) || !is_aligned(pa_addr(pa), block) || !is_aligned(len, block)) {
		for (uint64_t i = 0; i < len; i += 8)
			*(volatile uint64_t *)(void *)(p + i) = 0;
		return;
	}
	for (uint64_t i = 0; i < len; i += block)
		__asm__ volatile("dc zva, %0" ::"r"(p + i) : "memory");
	dsb(ish);
}

void arch_dcache_clean(const void *va, size_t len)
{
	/* CTR_EL0.DminLine: log2 of the smallest D-cache line in words. */
	uint64_t line = 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uintptr_t a = (uintptr_t)align_down((uintptr_t)va, line), end = (uintptr_t)va + len;

	for (; a < end; a += line)
		__asm__ volatile("dc cvac, %0" ::"r"(a) : "memory");
	dsb(ish);
}

/* Counter ticks (CNTPCT_EL0): the boot-time figures. */
uint64_t arch_counter_read(void)
{
	return read_sysreg(cntpct_el0);
}

void arch_guest_tlb_flush(uint16_t vmid)
{
	/* TLBI by VMID acts on the current VTTBR_EL2: switch to it briefly. */
	uint64_t old = read_sysreg(vttbr_el2);

	write_sysreg(vttbr_el2, (uint64_t)vmid << 48);
	isb();
	__asm__ volatile("dsb ishst\n tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory");
	write_sysreg(vttbr_el2, old);
	isb();
}

_Noreturn void arch_panic(const char *why)
{
	struct cpu *c = this_cpu();

	hv_printf("bulkhead: PANIC on CPU %u: %s\n", c ? c->index : 0, why);
	fw_psci_system_off();
}
