/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Output of a boot plan for the host tool: the memory map as a table,
 * the whole plan as JSON, the physical memory as an SVG picture.
 */
#ifndef BULKHEAD_TOOLS_PLAN_OUT_H
#define BULKHEAD_TOOLS_PLAN_OUT_H

#include <stdio.h>

#include "core/plan.h"

/** The memory map with every RAM byte once; caller frees. Sets *@n. */
struct plan_map_entry *plan_out_map(const struct plan *plan, unsigned int *n);

/** Who owns a map entry: the domain name, or the kind ("heap", "-"). */
const char *plan_out_owner(const struct plan *plan, const struct plan_map_entry *e);

/** "512 MiB", "4 KiB", "100 B": exact, in the largest unit that divides. */
void plan_out_size(char *buf, size_t size, unsigned long long bytes);

/** The memory map as a table: range, size, owner, kind, detail. */
void plan_out_table(FILE *f, const struct plan *plan);

/** The whole plan as JSON (addresses as "0x..." strings). */
void plan_out_json(FILE *f, const struct plan *plan);

/** Physical memory as SVG: one band per RAM bank, a legend; @title on top. */
void plan_out_svg(FILE *f, const struct plan *plan, const char *title);

#endif
