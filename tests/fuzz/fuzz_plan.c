// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz_plan: any blob as the host device tree. plan_build() must give a
 * plan or errors, never crash, hang or leak; plan_memory_map() must
 * cover every RAM byte.
 *
 * Input layout: the host DT blob, then (from the next 8-byte boundary
 * after its totalsize) the contents of every boot module, so that the
 * partial device tree (passthrough) parser sees fuzzed blobs too. The
 * passthrough seeds are a board's DTB with its partial DT appended.
 */
#include <libfdt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct modules {
	const uint8_t *tail;
	size_t tail_size;
	void *buf[PLAN_MAX_DOMAINS * PLAN_MAX_MODULES];
	unsigned int n;
};

/* Every module reads as the input's tail, zero-padded to its reg size. */
static const void *module_ptr(void *ctx, uint64_t pa, uint64_t size)
{
	struct modules *m = ctx;
	(void)pa;
	if (size > (1u << 20) || m->n >= sizeof(m->buf) / sizeof(m->buf[0]))
		return NULL;
	uint8_t *b = calloc(1, size ? size : 1);
	if (!b)
		return NULL;
	if (m->tail)
		memcpy(b, m->tail, m->tail_size < size ? m->tail_size : size);
	m->buf[m->n++] = b;
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct plan plan;
	static struct plan_map_entry map[64];
	/* libfdt wants the blob 8-byte aligned; the fuzzer's buffer may not be. */
	uint8_t *copy = malloc(size ? size : 1);
	struct modules mods = {0};

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (size >= sizeof(struct fdt_header) && fdt_magic(copy) == FDT_MAGIC) {
		size_t t = ((size_t)fdt_totalsize(copy) + 7) & ~(size_t)7;
		if (t < size) {
			mods.tail = copy + t;
			mods.tail_size = size - t;
		}
	}
	struct plan_input in = {
	    .fdt = copy,
	    .fdt_size = size,
	    .hv_image = {PLAN_DEFAULT_HV_BASE, PLAN_DEFAULT_HV_SIZE},
	    .dtb = {0x48000000, 0x10000},
	    .module_ptr = module_ptr,
	    .module_ctx = &mods,
	};
	if (size > 0) /* fdt_size 0 would mean "trust the header" */
		plan_build(&in, &plan);
	unsigned int n = plan_memory_map(&plan, map, 64);
	if (n <= 64 && plan.nr_ram == 1) {
		uint64_t covered = 0;
		for (unsigned int i = 0; i < n; i++)
			covered += map[i].range.size;
		if (covered != plan.ram[0].size)
			abort();
	}
	for (unsigned int i = 0; i < mods.n; i++)
		free(mods.buf[i]);
	free(copy);
	return 0;
}
