// SPDX-License-Identifier: Apache-2.0
/*
 * The boot sequence: see boot.h. Everything here is the same on the
 * hypervisor and in host tests; what needs the machine is behind
 * arch_machine_init() and the hooks domain.c calls.
 */
#include <libfdt.h>
#include <string.h>
#include "boot.h"
#include "arch.h"
#include "domain.h"
#include "errno.h"
#include "fmt.h"

bool boot_arg(const void *fdt, const char *word)
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

/* The plan as the console shows it at boot, then its messages. */
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
	          (unsigned long long)pa_addr(p->uart_base));
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
			hv_printf(
			    "  bank %u: host 0x%llx-0x%llx -> guest 0x%llx\n", b,
			    (unsigned long long)pa_addr(d->banks[b].pa),
			    (unsigned long long)(pa_addr(d->banks[b].pa) + d->banks[b].size - 1),
			    (unsigned long long)ipa_addr(d->banks[b].ipa));
		if (d->vpl011)
			hv_printf("  vpl011 at guest 0x%llx\n",
			          (unsigned long long)ipa_addr(d->pl011_base));
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

int boot_run(const struct plan_input *in, uint64_t t_entry, struct plan *plan, struct mm *mm)
{
	int rc;

	/* 1. The plan: the same validation as `bulkhead check`. */
	uint64_t t_plan = arch_counter_read();
	plan_build(in, plan);
	uint64_t t_plan_end = arch_counter_read();

	/* 2. The machine parts the plan names (only a valid plan is trusted). */
	if (plan->nr_errors == 0) {
		rc = arch_machine_init(plan);
		if (rc) {
			print_plan(plan);
			hv_printf("bulkhead: machine set-up failed (error %d): no domain started\n",
			          rc);
			return rc;
		}
	}
	print_plan(plan);
	if (plan->nr_errors) {
		hv_printf("bulkhead: %u error(s) in the configuration: no domain started, powering "
		          "off\n",
		          plan->nr_errors);
		return -HV_EINVAL;
	}
	bool scrub = !boot_arg(in->fdt, BOOT_ARG_NO_SCRUB);
	if (!scrub)
		hv_printf("bulkhead: static memory not scrubbed before first boot (%s)\n",
		          BOOT_ARG_NO_SCRUB);

	/* 3. Memory: static banks carved out of RAM before any allocator runs. */
	uint64_t t_dom = arch_counter_read();
	rc = mm_init(mm, plan);
	if (rc) {
		hv_printf("bulkhead: memory: %s (error %d)\n", mm->error, rc);
		return rc;
	}

	/* 4. The domains. */
	unsigned int started = domain_start_all(plan, mm, scrub);
	uint64_t t_end = arch_counter_read();
	hv_printf("bulkhead: heap: %llu KiB page-state metadata, %llu KiB stage-2 tables, "
	          "%llu KiB free, %llu KiB of it kept for stage-2 budgets\n",
	          (unsigned long long)(mm_metadata_bytes(mm) / KiB),
	          (unsigned long long)(domain_table_pages() * PAGE_SIZE / KiB),
	          (unsigned long long)(mm->buddy.free_pages * PAGE_SIZE / KiB),
	          (unsigned long long)(mm->reserved_pages * PAGE_SIZE / KiB));
	hv_printf("bulkhead: %u of %u domain(s) started\n", started, plan->nr_domains);
	/* Counter ticks: where boot time goes (bench/boot.sh, docs/BENCHMARKS.md). */
	hv_printf("bulkhead: boot ticks: entry %llu, to plan %llu, plan %llu, to domains %llu, "
	          "domains %llu\n",
	          (unsigned long long)t_entry, (unsigned long long)(t_plan - t_entry),
	          (unsigned long long)(t_plan_end - t_plan),
	          (unsigned long long)(t_dom - t_plan_end), (unsigned long long)(t_end - t_dom));
	return (int)started;
}
