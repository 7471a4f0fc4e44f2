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
 * The secret is also left in FP/SIMD register d7, which must be zeroed.
 */
#include "common/guest.h"

#define SECRET 0x5ec2e75ec2e75ec2ull

extern char __bss_end[];

void guest_main(void *dtb, uint64_t t0);

/* The secret also goes into FP/SIMD register d7: it must not survive. */
static uint64_t fp_read_d7(void)
{
	uint64_t v;

	__asm__ volatile(".arch_extension fp\n"
	                 "	msr	cpacr_el1, %1\n" /* FPEN: no trap at EL1/EL0 */
	                 "	isb\n"
	                 "	fmov	%0, d7\n"
	                 : "=r"(v)
	                 : "r"(3ull << 20));
	return v;
}

static void fp_write_d7(uint64_t v)
{
	__asm__ volatile(".arch_extension fp\n	fmov	d7, %0\n" ::"r"(v));
}

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
	if (fp_read_d7() == SECRET)
		puts_("FAIL reboot: the secret survived in d7\n");
	else
		puts_("PASS reboot: no trace of the secret in FP registers\n");

	for (unsigned int b = 0; b < dt.nr_banks; b++)
		for (uint64_t a = dt.bank_base[b]; a < dt.bank_base[b] + dt.bank_size[b];
		     a += 512) {
			if (a < start || (a + 8 > dt_lo && a < dt_hi))
				continue; /* own image and stack, the device tree */
			*(volatile uint64_t *)(uintptr_t)a = SECRET;
			written++;
		}
	fp_write_d7(SECRET);
	printf_("reboot: wrote the secret %u times, resetting\n", written);
	psci_system_reset();
	puts_("FAIL reboot: SYSTEM_RESET returned\n");
}
