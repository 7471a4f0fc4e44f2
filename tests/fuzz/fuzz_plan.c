// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz_plan: any blob as the host device tree. plan_build() must give a
 * plan or errors, never crash, hang or leak; plan_memory_map() must
 * cover every RAM byte. The same input also serves as every boot module,
 * so the partial device tree (passthrough) parser sees fuzzed blobs too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct blob {
	const uint8_t *data;
	size_t size;
};

static const void *module_ptr(void *ctx, uint64_t pa, uint64_t size)
{
	const struct blob *b = ctx;
	(void)pa;
	return size <= b->size ? b->data : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct plan plan;
	static struct plan_map_entry map[64];
	/* libfdt wants the blob 8-byte aligned; the fuzzer's buffer may not be. */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	struct blob b = {copy, size};
	struct plan_input in = {
	    .fdt = copy,
	    .fdt_size = size,
	    .hv_image = {PLAN_DEFAULT_HV_BASE, PLAN_DEFAULT_HV_SIZE},
	    .dtb = {0x48000000, 0x10000},
	    .module_ptr = module_ptr,
	    .module_ctx = &b,
	};
	if (size >= 40)
		plan_build(&in, &plan);
	unsigned int n = plan_memory_map(&plan, map, 64);
	if (n <= 64 && plan.nr_ram == 1) {
		uint64_t covered = 0;
		for (unsigned int i = 0; i < n; i++)
			covered += map[i].range.size;
		if (covered != plan.ram[0].size)
			abort();
	}
	free(copy);
	return 0;
}
