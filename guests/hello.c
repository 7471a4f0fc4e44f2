// SPDX-License-Identifier: Apache-2.0
/*
 * hello: read the device tree, print the RAM banks through the vPL011,
 * check that the DT lies in RAM and that the code runs inside RAM, power
 * off with PSCI.
 */
#include "common/guest.h"

void guest_main(void *dtb, uint64_t t0);

void guest_main(void *dtb, uint64_t t0)
{
	struct guest_dt dt;
	bool ok = dt_parse(dtb, &dt);

	uart_init(dt.uart);
	printf_("hello: first instruction at counter %u\n", t0);
	if (!ok) {
		console_write("FAIL hello: no device tree\n", 27);
		return;
	}
	printf_("hello: device tree at 0x%x (%u bytes), uart 0x%x\n", (uint64_t)(uintptr_t)dtb,
	        (uint64_t)dt.dt_size, dt.uart);
	bool dt_in_ram = false, code_in_ram = false;
	uint64_t pc = (uint64_t)(uintptr_t)&guest_main;
	for (unsigned int i = 0; i < dt.nr_banks; i++) {
		uint64_t b = dt.bank_base[i], s = dt.bank_size[i];
		printf_("hello: memory bank %u: 0x%x-0x%x (%u MiB)\n", i, b, b + s - 1, s >> 20);
		if ((uint64_t)(uintptr_t)dtb >= b && (uint64_t)(uintptr_t)dtb < b + s)
			dt_in_ram = true;
		if (pc >= b && pc < b + s)
			code_in_ram = true;
	}
	if (dt.uart && dt.nr_banks && dt_in_ram && code_in_ram)
		puts_("PASS hello\n");
	else
		puts_("FAIL hello: layout\n");
	psci_system_off();
}
