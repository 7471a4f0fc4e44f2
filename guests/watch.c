// SPDX-License-Identifier: Apache-2.0
/*
 * watch: fills 8 MiB of its RAM with a seeded pattern, then checksums it
 * over and over while another domain misbehaves; any change is a FAIL.
 * Reports every 32 rounds and powers off after 320: long enough to
 * outlive the hostile guest's calls (the test checks the order).
 */
#include "common/guest.h"

#define ROUNDS 320
#define BYTES  (8u << 20)

void guest_main(void *dtb, uint64_t t0);

static uint64_t checksum(uint64_t base)
{
	uint64_t sum = 0;

	for (uint64_t a = base; a < base + BYTES; a += 8)
		sum = (sum ^ *(volatile uint64_t *)(uintptr_t)a) * 0x100000001b3ull;
	return sum;
}

void guest_main(void *dtb, uint64_t t0)
{
	struct guest_dt dt;

	(void)t0;
	if (!dt_parse(dtb, &dt) || !dt.nr_banks) {
		console_write("FAIL watch: no device tree\n", 27);
		return;
	}
	uart_init(dt.uart);
	uint64_t base = dt.bank_base[0] + dt.bank_size[0] - BYTES, s = 42;
	for (uint64_t a = base; a < base + BYTES; a += 8)
		*(volatile uint64_t *)(uintptr_t)a = rand64(&s);
	uint64_t want = checksum(base);
	printf_("watch: 8 MiB at 0x%x, checksum 0x%x\n", base, want);
	for (unsigned int r = 1; r <= ROUNDS; r++) {
		uint64_t got = checksum(base);
		if (got != want) {
			printf_("FAIL watch: round %u checksum 0x%x\n", (uint64_t)r, got);
			break;
		}
		if (r % 32 == 0)
			printf_("watch: round %u unchanged\n", (uint64_t)r);
	}
	puts_("watch: done\n");
	psci_system_off();
}
