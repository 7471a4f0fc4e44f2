// SPDX-License-Identifier: Apache-2.0
/*
 * placement: write a marker 1 MiB into the first RAM bank, say where, and
 * stay alive so that the test can look for it in physical memory through
 * the QEMU monitor (an oracle outside the hypervisor).
 */
#include "common/guest.h"

void guest_main(void *dtb, uint64_t t0);

void guest_main(void *dtb, uint64_t t0)
{
	struct guest_dt dt;

	(void)t0;
	if (!dt_parse(dtb, &dt) || !dt.nr_banks) {
		console_write("FAIL placement: no device tree\n", 31);
		return;
	}
	uart_init(dt.uart);
	uint64_t ipa = dt.bank_base[0] + 0x100000;
	uint64_t marker = 0xb0b0cafe00000000ull | (ipa >> 12);
	*(volatile uint64_t *)(uintptr_t)ipa = marker;
	printf_("placement: wrote 0x%x at IPA 0x%x\n", marker, ipa);
	for (;;)
		__asm__ volatile("wfe");
}
