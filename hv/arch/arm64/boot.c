// SPDX-License-Identifier: Apache-2.0
/*
 * Boot on arm64: what needs the machine around the core's boot sequence
 * (hv/core/boot.c): the MMU on, the device tree found, then boot_run()
 * (plan, machine, memory, domains), then this CPU runs its vCPU.
 */
#include <libfdt.h>
#include "arm64.h"
#include "core/arch.h"
#include "core/boot.h"
#include "core/fmt.h"
#include "core/plan.h"

#ifndef BULKHEAD_VERSION
#define BULKHEAD_VERSION "dev"
#endif

extern char __image_start[], __image_end[];

static struct plan plan;
static struct mm mm;

static uint32_t be32_at(uint64_t pa)
{
	const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)pa;

	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static const void *host_fdt;

/*
 * MPIDR of CPU @index: the reg of the cpu node plan_build() found, read
 * when the CPU is first started (no tree walk: one property lookup).
 */
uint64_t boot_cpu_mpidr(unsigned int index)
{
	int len;
	const fdt32_t *reg =
	    index < plan.nr_cpus ? fdt_getprop(host_fdt, plan.cpu_node[index], "reg", &len) : NULL;

	if (!reg || len < 4)
		return index; /* QEMU virt numbers them 0..N-1 */
	return len >= 8 ? (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1])
	                : fdt32_to_cpu(reg[0]);
}

/*
 * plan_build() reads boot modules through this (partial device trees,
 * and the first 64 bytes of each kernel for its placement): map the bytes
 * read-only, then the identity map is their address. Only above the
 * device GiB; plan_build() checks that a module lies in RAM.
 */
static const void *module_ptr(void *ctx, uint64_t pa, uint64_t size)
{
	(void)ctx;
	if (pa < (1ull << 30) || !mmu_map_ro(pa, size))
		return NULL;
	return (const void *)(uintptr_t)pa;
}

int arch_machine_init(const struct plan *p)
{
	uart_set_base(pa_addr(p->uart_base));
	mmu_map_ram(p);
	gic_init_global(pa_addr(p->gicd_base), pa_addr(p->gicr_base));
	gic_init_cpu(0);
	return 0;
}

_Noreturn void boot_primary(uint64_t dtb_pa)
{
	uint64_t image = (uintptr_t)__image_start, image_size = (uintptr_t)__image_end - image;
	uint64_t dtb_size = 0x1000;
	uint64_t t_entry = arch_counter_read();

	cpus[0].present = true;
	write_sysreg(tpidr_el2, &cpus[0]);
	/* Byte reads: the MMU is off and the blob need not be aligned. */
	if (dtb_pa && be32_at(dtb_pa) == FDT_MAGIC)
		dtb_size = be32_at(dtb_pa + 4);
	mmu_map_boot(dtb_pa, dtb_size);
	mmu_enable();

	hv_printf("\nBulkhead %s (arm64, EL2, image 0x%llx-0x%llx, %llu KiB)\n", BULKHEAD_VERSION,
	          (unsigned long long)image, (unsigned long long)(image + image_size - 1),
	          (unsigned long long)(image_size / KiB));
	const void *fdt = (const void *)(uintptr_t)dtb_pa;
	if (!dtb_pa || fdt_check_header(fdt) != 0) {
		hv_printf("bulkhead: no valid device tree at x0 = 0x%llx\n",
		          (unsigned long long)dtb_pa);
		fw_psci_system_off();
	}
	hv_printf("device tree at 0x%llx (%llu bytes)\n", (unsigned long long)dtb_pa,
	          (unsigned long long)dtb_size);
	host_fdt = fdt;
	for (unsigned int i = 0; i < PLAN_MAX_CPUS; i++)
		cpus[i].index = i;
	cpus[0].mpidr = read_sysreg(mpidr_el1) & 0xff00ffffffull;

	struct plan_input in = {
	    .fdt = fdt,
	    .hv_image = {image, image_size},
	    .fdt_size = dtb_size,
	    .dtb = {dtb_pa, dtb_size},
	    .module_ptr = module_ptr,
	};
	if (boot_run(&in, t_entry, &plan, &mm) < 0)
		fw_psci_system_off();
	vpl011_console_start(plan.nr_domains, plan.uart_intid);
	cpu_run_vcpu();
}

_Noreturn void boot_secondary(uint64_t index)
{
	write_sysreg(tpidr_el2, &cpus[index]);
	mmu_enable();
	gic_init_cpu((unsigned int)index);
	cpu_run_vcpu();
}
