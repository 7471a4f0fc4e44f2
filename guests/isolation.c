// SPDX-License-Identifier: Apache-2.0
/*
 * isolation: first the guest interface's error paths, then a read just
 * past the end of the guest's RAM, which must stop this domain (the test
 * asserts the hypervisor's fault line and that the other domain lives).
 *   - HVC with an immediate other than 0 and 0xEA1: undefined instruction
 *     injected (EC 0 in ESR_EL1), execution resumes after it;
 *   - unknown hypercall: -ENOSYS (-38);
 *   - console_io with a pointer outside guest RAM: -EFAULT (-14);
 *   - PSCI_VERSION 1.1; an unknown SMCCC function: -1; SMC #0 as HVC #0.
 */
#include "common/guest.h"

void guest_main(void *dtb, uint64_t t0);

static void check(bool cond, const char *name, int64_t got)
{
	printf_("%s %s (got %d)\n", cond ? "PASS" : "FAIL", name, got);
}

void guest_main(void *dtb, uint64_t t0)
{
	struct guest_dt dt;

	(void)t0;
	if (!dt_parse(dtb, &dt) || !dt.nr_banks) {
		console_write("FAIL isolation: no device tree\n", 31);
		return;
	}
	uart_init(dt.uart);

	uint64_t before = exceptions_taken;
	__asm__ volatile("hvc #0x1234" ::: "memory");
	check(exceptions_taken == before + 1 && (last_exception_esr >> 26) == 0,
	      "abi: hvc #0x1234 is an undefined instruction", (int64_t)(last_exception_esr >> 26));
	check(hypercall2(99, 0, 0) == -XEN_ENOSYS, "abi: unknown hypercall is -ENOSYS",
	      hypercall2(99, 0, 0));
	int64_t r = hypercall3(HYPERCALL_CONSOLE_IO, CONSOLEIO_WRITE, 16, 0x10);
	check(r == -XEN_EFAULT, "abi: console_io with a bad pointer is -EFAULT", r);
	r = hypercall3(HYPERCALL_CONSOLE_IO, CONSOLEIO_WRITE, 16,
	               dt.bank_base[0] + dt.bank_size[0] - 8);
	check(r == -XEN_EFAULT, "abi: console_io running off the end of RAM is -EFAULT", r);
	r = psci(PSCI_VERSION, 0, 0, 0);
	check(r == PSCI_VERSION_1_1, "abi: PSCI_VERSION is 1.1", r);
	r = psci(PSCI_FN32_BASE + 0xffff, 0, 0, 0); /* no such function */
	check(r == PSCI_NOT_SUPPORTED, "abi: unknown PSCI function is NOT_SUPPORTED", r);
	register uint64_t x0 __asm__("x0") = PSCI_VERSION;
	__asm__ volatile("smc #" STRINGIFY(SMC_IMM_SMCCC) : "+r"(x0)::"x1", "x2", "x3", "memory");
	check(x0 == PSCI_VERSION_1_1, "abi: SMC #0 reaches the virtual PSCI", (int64_t)x0);

	uint64_t end = dt.bank_base[dt.nr_banks - 1] + dt.bank_size[dt.nr_banks - 1];
	printf_("isolation: reading 0x%x, just past RAM\n", end);
	volatile uint64_t v = *(volatile uint64_t *)(uintptr_t)end;
	(void)v;
	puts_("FAIL isolation: read past RAM survived\n");
}
