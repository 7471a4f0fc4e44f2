// SPDX-License-Identifier: Apache-2.0
/*
 * Boot: MMU on, read and print the plan, refuse a plan with errors, start
 * the domains, then run this CPU's vCPU.
 */
#include <libfdt.h>
#include "arm64.h"
#include "core/arch.h"
#include "core/domain.h"
#include "core/fmt.h"
#include "core/plan.h"

#ifndef BULKHEAD_VERSION
#define BULKHEAD_VERSION "dev"
#endif

extern char __image_start[], __image_end[];

static struct plan plan;

static uint32_t be32_at(uint64_t pa)
{
	const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)pa;

	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static const void *host_fdt;

/*
 * MPIDR of CPU @index from /cpus/cpu@N/reg, read when the CPU is first
 * started (not on the boot path: every lookup walks the tree).
 */
uint64_t boot_cpu_mpidr(unsigned int index)
{
	int cpus_node = fdt_path_offset(host_fdt, "/cpus"), node;
	unsigned int n = 0;

	if (cpus_node < 0)
		return index; /* QEMU virt numbers them 0..N-1 */
	fdt_for_each_subnode(node, host_fdt, cpus_node)
	{
		const char *type = fdt_getprop(host_fdt, node, "device_type", NULL);
		int len;
		const fdt32_t *reg = fdt_getprop(host_fdt, node, "reg", &len);

		if (!type || strcmp(type, "cpu") != 0 || !reg || len < 4)
			continue;
		if (n++ != index)
			continue;
		uint64_t id = fdt32_to_cpu(reg[0]);
		if (len >= 8)
			id = (id << 32) | fdt32_to_cpu(reg[1]);
		return id;
	}
	return index;
}

/* Is @word one of the space-separated tokens of /chosen/xen,xen-bootargs? */
static bool bootarg(const void *fdt, const char *word)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), len;
	const char *args = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "xen,xen-bootargs", &len);
	size_t n = strlen(word);

	if (!args)
		return false;
	for (const char *p = args; p < args + len && *p;) {
		size_t t = 0;
		while (p + t < args + len && p[t] && p[t] != ' ')
			t++;
		if (t == n && strncmp(p, word, n) == 0)
			return true;
		p += t;
		while (p < args + len && *p == ' ')
			p++;
	}
	return false;
}

/*
 * plan_build() reads boot modules (partial device trees) through this:
 * map the module read-only, then the identity map is its address. Only
 * above the device GiB; plan_build() checks that it lies in RAM.
 */
static const void *module_ptr(void *ctx, uint64_t pa, uint64_t size)
{
	(void)ctx;
	if (pa < (1ull << 30) || !mmu_map_ro(pa, size))
		return NULL;
	return (const void *)(uintptr_t)pa;
}

static const char *size_unit(uint64_t size, uint64_t *v)
{
	if (size >= GiB && is_aligned(size, GiB)) {
		*v = size / GiB;
		return "GiB";
	}
	if (size >= MiB && is_aligned(size, MiB)) {
		*v = size / MiB;
		return "MiB";
	}
	*v = size / KiB;
	return "KiB";
}

static void print_plan(const struct plan *p)
{
	uint64_t v, total = 0;
	const char *u;

	for (unsigned int i = 0; i < p->nr_ram; i++)
		total += p->ram[i].size;
	u = size_unit(total, &v);
	hv_printf("RAM: %llu %s in %u bank(s)\n", (unsigned long long)v, u, p->nr_ram);
	for (unsigned int i = 0; i < p->nr_ram; i++)
		hv_printf("  bank %u: 0x%llx-0x%llx\n", i, (unsigned long long)p->ram[i].base,
		          (unsigned long long)(p->ram[i].base + p->ram[i].size - 1));
	hv_printf("CPUs: %u, console: %s (0x%llx)\n", p->nr_cpus, p->stdout_path,
	          (unsigned long long)p->uart_base);
	if (p->has_static_heap) {
		for (unsigned int i = 0; i < p->nr_heap; i++)
			hv_printf("heap: 0x%llx-0x%llx (xen,static-heap)\n",
			          (unsigned long long)p->heap[i].base,
			          (unsigned long long)(p->heap[i].base + p->heap[i].size - 1));
	} else {
		hv_printf("heap: all RAM not claimed by the plan\n");
	}
	for (unsigned int i = 0; i < p->nr_domains; i++) {
		const struct plan_domain *d = &p->domains[i];
		u = size_unit(d->memory_kib * KiB, &v);
		hv_printf("domain %s (%s): %u vCPU(s) from CPU %u, %llu %s, %s%s%s\n", d->name,
		          d->node, d->vcpus, d->first_cpu, (unsigned long long)v, u,
		          d->is_static ? "static" : "heap", d->direct_map ? ", direct-map" : "",
		          d->vpl011 ? ", vpl011" : "");
		for (unsigned int b = 0; b < d->nr_banks; b++)
			hv_printf("  bank %u: host 0x%llx-0x%llx -> guest 0x%llx\n", b,
			          (unsigned long long)d->banks[b].pa,
			          (unsigned long long)(d->banks[b].pa + d->banks[b].size - 1),
			          (unsigned long long)d->banks[b].ipa);
		if (d->vpl011)
			hv_printf("  vpl011 at guest 0x%llx\n", (unsigned long long)d->pl011_base);
		for (unsigned int m = 0; m < d->nr_modules; m++)
			hv_printf("  module %s at 0x%llx (%llu bytes)\n", d->modules[m].node,
			          (unsigned long long)d->modules[m].range.base,
			          (unsigned long long)d->modules[m].range.size);
	}
	for (unsigned int i = 0; i < p->nr_messages; i++)
		hv_printf("%s: %s\n", p->messages[i].severity == PLAN_ERROR ? "error" : "warning",
		          p->messages[i].text);
	if (p->messages_truncated)
		hv_printf("error: more messages were dropped\n");
}

_Noreturn void boot_primary(uint64_t dtb_pa)
{
	uint64_t image = (uintptr_t)__image_start, image_size = (uintptr_t)__image_end - image;
	uint64_t dtb_size = 0x1000;
	uint64_t t_entry = read_sysreg(cntpct_el0);

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
	uint64_t t_plan = read_sysreg(cntpct_el0);
	plan_build(&in, &plan);
	uint64_t t_plan_end = read_sysreg(cntpct_el0);
	uart_set_base(plan.uart_base);
	print_plan(&plan);
	if (plan.nr_errors) {
		hv_printf("bulkhead: %u error(s) in the configuration: no domain started, powering "
		          "off\n",
		          plan.nr_errors);
		fw_psci_system_off();
	}
	mmu_map_ram(&plan);
	gic_init_global(plan.gicd_base, plan.gicr_base);
	gic_init_cpu(0);
	if (bootarg(fdt, "bulkhead.boot-scrub=off")) {
		hv_printf("bulkhead: static memory not scrubbed before first boot "
		          "(bulkhead.boot-scrub=off)\n");
		domain_set_scrub_at_boot(false);
	}
	uint64_t t_dom = read_sysreg(cntpct_el0);
	unsigned int started = domain_start_all(&plan);
	uint64_t t_end = read_sysreg(cntpct_el0);
	hv_printf("bulkhead: %u of %u domain(s) started\n", started, plan.nr_domains);
	/* Counter ticks: where boot time goes (bench/boot.sh, docs/BENCHMARKS.md). */
	hv_printf("bulkhead: boot ticks: entry %llu, to plan %llu, plan %llu, to domains %llu, "
	          "domains %llu\n",
	          (unsigned long long)t_entry, (unsigned long long)(t_plan - t_entry),
	          (unsigned long long)(t_plan_end - t_plan),
	          (unsigned long long)(t_dom - t_plan_end), (unsigned long long)(t_end - t_dom));
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
