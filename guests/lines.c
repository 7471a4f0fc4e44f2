// SPDX-License-Identifier: Apache-2.0
/*
 * lines: LINES numbered lines through the vPL011 (a driver that waits
 * while FR.TXFF is set, as Linux's does), then how long they took, then
 * power off. tests/qemu/run-console.sh runs it beside guests/flood.c and
 * checks that every line arrives whole and in order.
 */
#include "common/guest.h"

#define LINES 200

void guest_main(void *dtb, uint64_t t0);

void guest_main(void *dtb, uint64_t t0)
{
	struct guest_dt dt;

	(void)t0;
	if (!dt_parse(dtb, &dt) || !dt.uart) {
		console_write("FAIL lines: no device tree\n", 27);
		psci_system_off();
	}
	uart_init(dt.uart);
	uint64_t start = guest_counter();
	for (uint64_t i = 1; i <= LINES; i++)
		printf_("lines: %u of %u: the quick brown fox jumps over the lazy dog\n", i,
		        (uint64_t)LINES);
	printf_("lines: done in %u ms\n", (guest_counter() - start) * 1000 / guest_counter_freq());
	psci_system_off();
}
