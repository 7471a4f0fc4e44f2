// SPDX-License-Identifier: Apache-2.0
/*
 * The boot plan as a picture of physical memory: one column per RAM bank,
 * addresses growing downwards, one row per map entry coloured by owner.
 *
 * Rows have a minimum height so that a 4 KiB DTB next to a 3 GiB domain
 * stays visible and labelled; the rest of the height is shared in
 * proportion to size.
 */
#include <stdlib.h>
#include <string.h>

#include "plan_out.h"

#define ROW_MIN  24
#define BANK_H   640
#define COL_W    560
#define BAR_X    150 /* from the column's left: room for addresses */
#define BAR_W    110
#define TOP      70
#define LEGEND_W 230

static const char *const domain_colour[] = {"#1f77b4", "#9467bd", "#17becf", "#bcbd22",
                                            "#e377c2", "#8c564b", "#393b79", "#637939"};

static const char *kind_colour(enum plan_kind k)
{
	switch (k) {
	case PLAN_KIND_HYPERVISOR:
		return "#d62728";
	case PLAN_KIND_DTB:
		return "#ff7f0e";
	case PLAN_KIND_RESERVED:
		return "#555555";
	case PLAN_KIND_HEAP:
		return "#2ca02c";
	case PLAN_KIND_UNUSED:
		return "#eeeeee";
	case PLAN_KIND_STATIC:
	case PLAN_KIND_MODULE:
		break;
	}
	return "#000000";
}

static void fill_of(const struct plan_map_entry *e, char *buf, size_t size)
{
	size_t nc = sizeof(domain_colour) / sizeof(domain_colour[0]);

	if (e->kind == PLAN_KIND_STATIC && e->domain >= 0)
		snprintf(buf, size, "%s", domain_colour[(size_t)e->domain % nc]);
	else if (e->kind == PLAN_KIND_MODULE && e->domain >= 0)
		snprintf(buf, size, "url(#module%zu)", (size_t)e->domain % nc);
	else
		snprintf(buf, size, "%s", kind_colour(e->kind));
}

static void text_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

static void swatch(FILE *f, int x, int y, const char *fill, const char *text)
{
	fprintf(
	    f, "<rect x=\"%d\" y=\"%d\" width=\"22\" height=\"16\" fill=\"%s\" stroke=\"#333\"/>\n",
	    x, y, fill);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"l\">", x + 30, y + 13);
	text_escaped(f, text);
	fputs("</text>\n", f);
}

/* What a row is, in words: "domU1 RAM -> guest 0x40000000", "host DTB". */
static void describe(const struct plan *plan, const struct plan_map_entry *e, char *buf,
                     size_t size)
{
	const struct plan_domain *d = e->domain >= 0 && (unsigned int)e->domain < plan->nr_domains
	                                  ? &plan->domains[e->domain]
	                                  : NULL;

	switch (e->kind) {
	case PLAN_KIND_STATIC:
		if (!d)
			break;
		if (d->direct_map) {
			snprintf(buf, size, "%s RAM, direct-mapped", d->name);
			return;
		}
		/* The xen,static-mem entry, and every guest bank it became. */
		for (unsigned int i = 0; i < d->nr_static; i++) {
			if (d->static_mem[i].base != e->range.base)
				continue;
			int len = snprintf(buf, size, "%s RAM at guest", d->name);
			const char *sep = " ";
			for (unsigned int b = 0; b < d->nr_banks && len > 0 && (size_t)len < size;
			     b++) {
				if (d->banks[b].index != i)
					continue;
				len += snprintf(buf + len, size - (size_t)len, "%s0x%llx", sep,
				                (unsigned long long)ipa_addr(d->banks[b].ipa));
				sep = " + ";
			}
			return;
		}
		snprintf(buf, size, "%s RAM", d->name);
		return;
	case PLAN_KIND_MODULE:
		if (!d)
			break;
		for (unsigned int m = 0; m < d->nr_modules; m++) {
			if (d->modules[m].range.base == e->range.base) {
				snprintf(buf, size, "%s %s", d->name,
				         plan_module_kind_name(d->modules[m].kind));
				return;
			}
		}
		snprintf(buf, size, "%s module", d->name);
		return;
	case PLAN_KIND_HYPERVISOR:
		snprintf(buf, size, "hypervisor image");
		return;
	case PLAN_KIND_DTB:
		snprintf(buf, size, "host DTB");
		return;
	case PLAN_KIND_HEAP:
		snprintf(buf, size, "hypervisor heap");
		return;
	case PLAN_KIND_RESERVED:
		snprintf(buf, size, "reserved %s", e->label);
		return;
	case PLAN_KIND_UNUSED:
		break;
	}
	snprintf(buf, size, "%s", e->kind == PLAN_KIND_UNUSED ? "unused" : e->label);
}

static void bank_column(FILE *f, const struct plan *plan, const struct plan_map_entry *map,
                        unsigned int n, unsigned int bank, int x, int height)
{
	const struct plan_range *r = &plan->ram[bank];
	uint64_t last = r->base + r->size - 1;
	unsigned int rows = 0;
	char sz[24];

	for (unsigned int i = 0; i < n; i++)
		if (map[i].range.base >= r->base && map[i].range.base <= last)
			rows++;
	double spare = height - (double)rows * ROW_MIN;
	if (spare < 0)
		spare = 0;
	plan_out_size(sz, sizeof(sz), r->size);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"h\">RAM bank %u: %s</text>\n", x + BAR_X,
	        TOP - 12, bank, sz);

	double y = TOP;
	for (unsigned int i = 0; i < n; i++) {
		const struct plan_map_entry *e = &map[i];
		char fill[32];
		if (e->range.base < r->base || e->range.base > last)
			continue;
		double h = ROW_MIN + spare * ((double)e->range.size / (double)r->size);
		fill_of(e, fill, sizeof(fill));
		fprintf(f,
		        "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\" "
		        "stroke=\"#222\" stroke-width=\"0.8\"/>\n",
		        x + BAR_X, y, BAR_W, h, fill);
		fprintf(f,
		        "<text x=\"%d\" y=\"%.1f\" class=\"a\" text-anchor=\"end\">0x%llx</text>\n",
		        x + BAR_X - 6, y + 11, (unsigned long long)e->range.base);
		plan_out_size(sz, sizeof(sz), e->range.size);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"l\">", x + BAR_X + BAR_W + 8, y + 16);
		char what[PLAN_PATH_MAX + 64];
		describe(plan, e, what, sizeof(what));
		text_escaped(f, what);
		fprintf(f, ", %s", sz);
		fputs("</text>\n", f);
		y += h;
	}
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"a\" text-anchor=\"end\">0x%llx</text>\n",
	        x + BAR_X - 6, y + 4, (unsigned long long)last + 1);
}

void plan_out_svg(FILE *f, const struct plan *plan, const char *title)
{
	unsigned int n;
	struct plan_map_entry *map = plan_out_map(plan, &n);
	size_t nc = sizeof(domain_colour) / sizeof(domain_colour[0]);
	int height = BANK_H;

	/* Every column gets the height the busiest bank needs. */
	for (unsigned int b = 0; b < plan->nr_ram; b++) {
		unsigned int rows = 0;
		for (unsigned int i = 0; i < n; i++)
			if (map[i].range.base >= plan->ram[b].base &&
			    map[i].range.base - plan->ram[b].base < plan->ram[b].size)
				rows++;
		if ((int)(rows * ROW_MIN * 2) > height)
			height = (int)(rows * ROW_MIN * 2);
	}
	unsigned int cols = plan->nr_ram ? plan->nr_ram : 1;
	int legend_rows = (int)plan->nr_domains + 7;
	int total_h = TOP + height + 40;
	if (TOP + legend_rows * 24 + 40 > total_h)
		total_h = TOP + legend_rows * 24 + 40;
	int width = (int)cols * COL_W + LEGEND_W;
	int nerr = plan->nr_messages < 12 ? (int)plan->nr_messages : 12;
	if (width < 11 * (int)strlen(title) + 420)
		width = 11 * (int)strlen(title) + 420;
	total_h += nerr * 20;

	fprintf(f,
	        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	        "viewBox=\"0 0 %d %d\">\n",
	        width, total_h, width, total_h);
	fputs("<style>text{font-family:DejaVu Sans,Arial,sans-serif;fill:#111}"
	      ".a{font-family:DejaVu Sans Mono,monospace;font-size:12px}"
	      ".l{font-size:13px}.h{font-size:15px;font-weight:bold}"
	      ".t{font-size:18px;font-weight:bold}</style>\n<defs>\n",
	      f);
	for (size_t d = 0; d < nc; d++)
		fprintf(f,
		        "<pattern id=\"module%zu\" width=\"8\" height=\"8\" "
		        "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
		        "<rect width=\"8\" height=\"8\" fill=\"#ffffff\"/>"
		        "<rect width=\"4\" height=\"8\" fill=\"%s\"/></pattern>\n",
		        d, domain_colour[d]);
	fprintf(f, "</defs>\n<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width,
	        total_h);
	fputs("<text x=\"20\" y=\"28\" class=\"t\">", f);
	text_escaped(f, title);
	fprintf(f, ": physical memory, %u RAM bank%s, %u domain%s%s</text>\n", plan->nr_ram,
	        plan->nr_ram == 1 ? "" : "s", plan->nr_domains, plan->nr_domains == 1 ? "" : "s",
	        plan->nr_errors ? " (plan has ERRORS)" : "");

	for (unsigned int b = 0; b < plan->nr_ram; b++)
		bank_column(f, plan, map, n, b, (int)b * COL_W, height);

	int lx = (int)cols * COL_W + 10, ly = TOP - 20;
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"h\">Legend</text>\n", lx, ly);
	ly += 12;
	for (unsigned int d = 0; d < plan->nr_domains; d++, ly += 24) {
		char text[PLAN_NAME_MAX + 32];
		snprintf(text, sizeof(text), "%s (static RAM)", plan->domains[d].name);
		swatch(f, lx, ly, domain_colour[d % nc], text);
	}
	char pat[24];
	snprintf(pat, sizeof(pat), "url(#module0)");
	swatch(f, lx, ly, pat, "boot module (domain colour)");
	ly += 24;
	static const enum plan_kind kinds[] = {PLAN_KIND_HYPERVISOR, PLAN_KIND_DTB, PLAN_KIND_HEAP,
	                                       PLAN_KIND_RESERVED, PLAN_KIND_UNUSED};
	static const char *const names[] = {"hypervisor image", "host DTB", "hypervisor heap",
	                                    "reserved", "unused"};
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++, ly += 24)
		swatch(f, lx, ly, kind_colour(kinds[k]), names[k]);
	/* The messages too: a picture of a broken plan must say it is broken. */
	int my = TOP + height + 40;
	for (int i = 0; i < nerr; i++, my += 20) {
		const struct plan_message *m = &plan->messages[i];
		fprintf(f, "<text x=\"20\" y=\"%d\" class=\"l\" style=\"fill:%s\">%s: ", my,
		        m->severity == PLAN_ERROR ? "#c00000" : "#a06000",
		        m->severity == PLAN_ERROR ? "error" : "warning");
		text_escaped(f, m->text);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n", f);
	free(map);
}
