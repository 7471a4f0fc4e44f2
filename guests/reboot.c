// SPDX-License-Identifier: Apache-2.0
/*
 * reboot: every life scans all of its RAM for a secret, reports whether
 * any trace is left, then writes the secret all over its free RAM and asks
 * for PSCI SYSTEM_RESET.
 *
 * A guest cannot tell its first life from the next one: the hypervisor
 * scrubs the memory, which is the only place it could remember anything
 * (that is the point). So it reboots forever, and the test stops QEMU
 * once the hypervisor has reported a few reboots: every life after a
 * reset must say "no trace". A life that finds the secret prints FAIL.
 */
#include "common/guest.h"

#define SECRET 0x5ec2e75ec2e75ec2ull

extern char __bss_end[];

void guest_main(void *dtb, uint64_t t0);

void guest_main(void *dtb, uint64_t t0)
{
	struct guest_dt dt;

	if (!dt_parse(dtb, &dt) || !dt.nr_banks) {
		console_write("FAIL reboot: no device tree\n", 28);
		return;
	}
	uart_init(dt.uart);
	uint64_t start = ((uint64_t)(uintptr_t)__bss_end + 0xfff) & ~0xfffull;
	uint64_t dt_lo = (uint64_t)(uintptr_t)dtb, dt_hi = dt_lo + dt.dt_size;
	uint64_t found = 0, written = 0;

	printf_("reboot: life starts at counter %u, RAM 0x%x-0x%x\n", t0, dt.bank_base[0],
	        dt.bank_base[0] + dt.bank_size[0] - 1);
	for (unsigned int b = 0; b < dt.nr_banks; b++)
		for (uint64_t a = dt.bank_base[b]; a < dt.bank_base[b] + dt.bank_size[b]; a += 8)
			if (*(volatile uint64_t *)(uintptr_t)a == SECRET)
				found++;
	if (found)
		printf_("FAIL reboot: %u words of the secret survived\n", found);
	else
		puts_("PASS reboot: no trace of the secret in RAM\n");

	for (unsigned int b = 0; b < dt.nr_banks; b++)
		for (uint64_t a = dt.bank_base[b]; a < dt.bank_base[b] + dt.bank_size[b];
		     a += 512) {
			if (a < start || (a + 8 > dt_lo && a < dt_hi))
				continue; /* own image and stack, the device tree */
			*(volatile uint64_t *)(uintptr_t)a = SECRET;
			written++;
		}
	printf_("reboot: wrote the secret %u times, resetting\n", written);
	psci_system_reset();
	puts_("FAIL reboot: SYSTEM_RESET returned\n");
}
