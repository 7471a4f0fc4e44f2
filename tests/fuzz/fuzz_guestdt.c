// SPDX-License-Identifier: Apache-2.0
/*
 * Arbitrary bytes as a domain's partial device tree. guestdt_build() must
 * never crash, and whatever it accepts must give a guest tree that passes
 * fdt_check_full(), carries no xen,* property, and whose interrupt-parent
 * and interrupts-extended phandles all resolve. A buffer one byte short must give -HV_ENOSPC.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/guestdt.h"

#define OUT_SIZE 65536

static void require(int cond)
{
	if (!cond)
		abort();
}

static void check_output(const void *fdt, int n)
{
	int node = 0, depth = 0;

	require(fdt_check_full(fdt, (size_t)n) == 0);
	require(fdt_totalsize(fdt) == (uint32_t)n);
	while (node >= 0 && depth >= 0) {
		int prop, len;
		fdt_for_each_property_offset(prop, fdt, node)
		{
			const char *name;
			const void *val = fdt_getprop_by_offset(fdt, prop, &name, &len);
			require(val != NULL);
			require(strncmp(name, "xen,", 4) != 0);
			if (strcmp(name, "interrupt-parent") == 0) {
				require(len == 4);
				require(fdt_node_offset_by_phandle(fdt, fdt32_ld(val)) >= 0);
			}
			if (strcmp(name, "interrupts-extended") == 0) {
				/* Every parent resolves and has the cells its specifier uses. */
				const fdt32_t *c = val;
				int cells = len / 4, i = 0, cl;
				require(len % 4 == 0);
				while (i < cells) {
					int parent =
					    fdt_node_offset_by_phandle(fdt, fdt32_ld(c + i));
					require(parent >= 0);
					const fdt32_t *ic =
					    fdt_getprop(fdt, parent, "#interrupt-cells", &cl);
					require(ic != NULL && cl == 4 && fdt32_ld(ic) >= 1);
					require(fdt32_ld(ic) <= (uint32_t)(cells - i - 1));
					i += 1 + (int)fdt32_ld(ic);
				}
			}
		}
		node = fdt_next_node(fdt, node, &depth);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct plan_domain d;
	static uint8_t out[OUT_SIZE];
	char err[200];

	memset(&d, 0, sizeof(d));
	strcpy(d.node, "/chosen/fuzz");
	d.vcpus = 2;
	d.nr_banks = 1;
	d.banks[0] = (struct plan_bank){
	    .pa = pa_init(0x70000000), .ipa = ipa_init(GUEST_RAM0_BASE), .size = 256 << 20};
	d.gicd_base = ipa_init(GUEST_GICD_BASE);
	d.gicr_base = ipa_init(GUEST_GICR_BASE);
	d.vpl011 = true;
	d.pl011_base = ipa_init(GUEST_PL011_BASE);
	d.pl011_intid = GUEST_PL011_INTID;

	/* An exact-size heap copy, so that ASan sees any read past the input. */
	uint8_t *blob = malloc(size ? size : 1);
	if (blob == NULL)
		return 0;
	memcpy(blob, data, size);
	struct guestdt_extra x = {
	    .partial = blob, .partial_size = size, .err = err, .err_size = sizeof(err)};

	int n = guestdt_build(&d, &x, out, sizeof(out));
	require(n > 0 || n == -HV_EINVAL || n == -HV_ENOSPC);
	if (n > 0) {
		check_output(out, n);
		uint8_t *small = malloc((size_t)n - 1);
		require(small != NULL);
		require(guestdt_build(&d, &x, small, (size_t)n - 1) == -HV_ENOSPC);
		free(small);
	} else {
		require(err[0] != '\0');
	}
	free(blob);
	return 0;
}
