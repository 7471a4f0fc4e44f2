// SPDX-License-Identifier: Apache-2.0
/* The boot plan as a table and as JSON, for people and for scripts. */
#include <stdlib.h>
#include <string.h>

#include "plan_out.h"

struct plan_map_entry *plan_out_map(const struct plan *plan, unsigned int *n)
{
	unsigned int need = plan_memory_map(plan, NULL, 0);
	struct plan_map_entry *map = calloc(need ? need : 1, sizeof(*map));

	if (!map) {
		*n = 0;
		return NULL;
	}
	*n = plan_memory_map(plan, map, need);
	return map;
}

const char *plan_out_owner(const struct plan *plan, const struct plan_map_entry *e)
{
	if (e->domain >= 0 && (unsigned int)e->domain < plan->nr_domains)
		return plan->domains[e->domain].name;
	if (e->kind == PLAN_KIND_UNUSED)
		return "-";
	return plan_kind_name(e->kind);
}

void plan_out_size(char *buf, size_t size, unsigned long long bytes)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;

	while (u < 4 && bytes && (bytes & 1023) == 0) {
		bytes >>= 10;
		u++;
	}
	if (u > 0 || bytes < 1024) {
		snprintf(buf, size, "%llu %s", bytes, unit[u]);
		return;
	}
	/* Not a whole number of KiB: approximate (the range column is exact). */
	double v = (double)bytes;
	for (u = 0; u < 4 && v >= 1024; u++)
		v /= 1024;
	snprintf(buf, size, "~%.1f %s", v, unit[u]);
}

void plan_out_table(FILE *f, const struct plan *plan)
{
	unsigned int n;
	struct plan_map_entry *map = plan_out_map(plan, &n);

	fprintf(f, "%-37s %-10s %-12s %-10s %s\n", "RANGE", "SIZE", "OWNER", "KIND", "DETAIL");
	for (unsigned int i = 0; i < n; i++) {
		const struct plan_map_entry *e = &map[i];
		char range[48], sz[24];
		snprintf(range, sizeof(range), "0x%016llx-0x%016llx",
		         (unsigned long long)e->range.base,
		         (unsigned long long)(e->range.base + e->range.size - 1));
		plan_out_size(sz, sizeof(sz), e->range.size);
		if (e->kind == PLAN_KIND_UNUSED)
			fprintf(f, "%-37s %-10s %-12s %s\n", range, sz, "-", "unused");
		else
			fprintf(f, "%-37s %-10s %-12s %-10s %s\n", range, sz,
			        plan_out_owner(plan, e), plan_kind_name(e->kind), e->label);
	}
	free(map);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_hex(FILE *f, const char *key, unsigned long long v)
{
	fprintf(f, "\"%s\": \"0x%llx\"", key, v);
}

static void json_pa(FILE *f, const char *key, pa_t pa)
{
	json_hex(f, key, pa_addr(pa));
}

static void json_ipa(FILE *f, const char *key, ipa_t ipa)
{
	json_hex(f, key, ipa_addr(ipa));
}

static void json_range(FILE *f, const struct plan_range *r)
{
	fputc('{', f);
	json_hex(f, "base", r->base);
	fputs(", ", f);
	json_hex(f, "size", r->size);
	fputc('}', f);
}

static void json_pt(FILE *f, const struct plan_pt_device *p)
{
	fputs("        {\"node\": ", f);
	json_str(f, p->node);
	fputs(", \"path\": ", f);
	json_str(f, p->path);
	fputs(", \"regs\": [", f);
	for (unsigned int r = 0; r < p->nr_regs; r++) {
		fprintf(f, "%s{", r ? ", " : "");
		json_pa(f, "pa", p->regs[r].pa);
		fputs(", ", f);
		json_hex(f, "size", p->regs[r].size);
		fputs(", ", f);
		json_ipa(f, "ipa", p->regs[r].ipa);
		fputc('}', f);
	}
	fputs("], \"irqs\": [", f);
	for (unsigned int q = 0; q < p->nr_irqs; q++)
		fprintf(f, "%s%u", q ? ", " : "", p->irqs[q]);
	fprintf(f, "], \"dma_capable\": %s, \"force_without_iommu\": %s}",
	        p->dma_capable ? "true" : "false", p->force_without_iommu ? "true" : "false");
}

static void json_domain(FILE *f, const struct plan_domain *d)
{
	fputs("    {\"name\": ", f);
	json_str(f, d->name);
	fputs(", \"node\": ", f);
	json_str(f, d->node);
	fprintf(f, ",\n     \"vcpus\": %u, \"first_cpu\": %u, \"memory_kib\": %llu", d->vcpus,
	        d->first_cpu, (unsigned long long)d->memory_kib);
	fprintf(f, ", \"static\": %s, \"direct_map\": %s, \"vpl011\": %s,\n",
	        d->is_static ? "true" : "false", d->direct_map ? "true" : "false",
	        d->vpl011 ? "true" : "false");
	fputs("     \"banks\": [", f);
	for (unsigned int b = 0; b < d->nr_banks; b++) {
		fprintf(f, "%s{", b ? ", " : "");
		json_ipa(f, "ipa", d->banks[b].ipa);
		fputs(", ", f);
		json_pa(f, "pa", d->banks[b].pa);
		fputs(", ", f);
		json_hex(f, "size", d->banks[b].size);
		fprintf(f, ", \"index\": %u}", d->banks[b].index);
	}
	fputs("],\n     \"devices\": {", f);
	json_ipa(f, "gicd", d->gicd_base);
	fputs(", ", f);
	json_ipa(f, "gicr", d->gicr_base);
	if (d->vpl011) {
		fputs(", ", f);
		json_ipa(f, "pl011", d->pl011_base);
		fprintf(f, ", \"pl011_intid\": %u", d->pl011_intid);
	}
	fputs("},\n     \"modules\": [", f);
	for (unsigned int m = 0; m < d->nr_modules; m++) {
		fprintf(f, "%s{\"kind\": \"%s\", \"node\": ", m ? ", " : "",
		        plan_module_kind_name(d->modules[m].kind));
		json_str(f, d->modules[m].node);
		fputs(", ", f);
		json_hex(f, "base", d->modules[m].range.base);
		fputs(", ", f);
		json_hex(f, "size", d->modules[m].range.size);
		fputc('}', f);
	}
	fputs("],\n     \"bootargs\": ", f);
	json_str(f, d->bootargs);
	fputs(",\n     \"passthrough\": [", f);
	for (unsigned int p = 0; p < d->nr_pt; p++) {
		fputs(p ? ",\n" : "\n", f);
		json_pt(f, &d->pt[p]);
	}
	fputs("]}", f);
}

static void json_messages(FILE *f, const struct plan *plan, enum plan_severity sev)
{
	bool first = true;

	fputc('[', f);
	for (unsigned int i = 0; i < plan->nr_messages; i++) {
		if (plan->messages[i].severity != sev)
			continue;
		fputs(first ? "\n    " : ",\n    ", f);
		json_str(f, plan->messages[i].text);
		first = false;
	}
	fputs(first ? "]" : "\n  ]", f);
}

void plan_out_json(FILE *f, const struct plan *plan)
{
	unsigned int n;
	struct plan_map_entry *map = plan_out_map(plan, &n);

	fputs("{\n  \"ram\": [", f);
	for (unsigned int i = 0; i < plan->nr_ram; i++) {
		fputs(i ? ", " : "", f);
		json_range(f, &plan->ram[i]);
	}
	fputs("],\n  \"hypervisor\": ", f);
	json_range(f, &plan->hv_image);
	fputs(",\n  \"dtb\": ", f);
	json_range(f, &plan->dtb);
	fputs(",\n  \"reserved\": [", f);
	for (unsigned int i = 0; i < plan->nr_reserved; i++) {
		fputs(i ? ", " : "", f);
		fputs("{\"label\": ", f);
		json_str(f, plan->reserved[i].label);
		fputs(", ", f);
		json_hex(f, "base", plan->reserved[i].range.base);
		fputs(", ", f);
		json_hex(f, "size", plan->reserved[i].range.size);
		fputc('}', f);
	}
	fputs("],\n  \"static_heap\": [", f);
	for (unsigned int i = 0; i < plan->nr_heap; i++) {
		fputs(i ? ", " : "", f);
		json_range(f, &plan->heap[i]);
	}
	fputs("],\n  ", f);
	json_hex(f, "heap_needed", plan->heap_needed);
	fprintf(f, ",\n  \"cpus\": %u,\n  \"gic\": {", plan->nr_cpus);
	json_pa(f, "gicd", plan->gicd_base);
	fputs(", ", f);
	json_pa(f, "gicr", plan->gicr_base);
	fputs(", ", f);
	json_hex(f, "gicr_size", plan->gicr_size);
	fputs("},\n  \"uart\": {\"path\": ", f);
	json_str(f, plan->stdout_path);
	fputs(", ", f);
	json_pa(f, "base", plan->uart_base);
	fprintf(f, ", \"intid\": %u},\n  \"map\": [", plan->uart_intid);
	for (unsigned int i = 0; i < n; i++) {
		fputs(i ? ",\n    {" : "\n    {", f);
		json_hex(f, "base", map[i].range.base);
		fputs(", ", f);
		json_hex(f, "size", map[i].range.size);
		fprintf(f, ", \"kind\": \"%s\", \"owner\": ", plan_kind_name(map[i].kind));
		json_str(f, plan_out_owner(plan, &map[i]));
		fputs(", \"label\": ", f);
		json_str(f, map[i].label);
		fputc('}', f);
	}
	fputs("\n  ],\n  \"domains\": [", f);
	for (unsigned int i = 0; i < plan->nr_domains; i++) {
		fputs(i ? ",\n" : "\n", f);
		json_domain(f, &plan->domains[i]);
	}
	fputs("\n  ],\n  \"errors\": ", f);
	json_messages(f, plan, PLAN_ERROR);
	fputs(",\n  \"warnings\": ", f);
	json_messages(f, plan, PLAN_WARNING);
	fputs("\n}\n", f);
	free(map);
}
