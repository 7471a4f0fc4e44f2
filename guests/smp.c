// SPDX-License-Identifier: Apache-2.0
/*
 * smp: vCPU 0 starts vCPU 1 with PSCI CPU_ON; vCPU 1 says so and then
 * spins without ever trapping. vCPU 0 checks AFFINITY_INFO and a second
 * CPU_ON, then ends the domain while vCPU 1 still runs: with
 * SYSTEM_OFF, or (bootargs "mode=fault") with a stage-2 fault. The
 * hypervisor must pull vCPU 1 out of the guest either way, or the
 * machine would never power off. With "mode=race" vCPU 1 does not spin
 * quietly but calls CPU_ON for vCPU 0 over and over, so that one of its
 * calls waits for the hypervisor while vCPU 0's SYSTEM_OFF stops the
 * domain: that request belongs to a life that is over and must not start
 * vCPU 0 again (it would run on a torn-down stage 2).
 */
#include "common/guest.h"

static uint64_t stack1[1024] __attribute__((aligned(16)));
static volatile uint64_t vcpu1_up, spins, race;

void guest_main(void *dtb, uint64_t t0);

void secondary_main(void)
{
	console_write("smp: vcpu1 up\n", 14);
	vcpu1_up = 1;
	for (;;) {
		if (race)
			(void)psci(PSCI_CPU_ON_64, 0, (uint64_t)(uintptr_t)&guest_secondary_entry,
			           0);
		spins++;
	}
}

static void check(bool cond, const char *name, int64_t got)
{
	char line[96];
	unsigned int n = 0;
	const char *p = cond ? "PASS smp: " : "FAIL smp: ";

	while (*p)
		line[n++] = *p++;
	for (p = name; *p && n < sizeof(line) - 1; p++)
		line[n++] = *p;
	line[n++] = '\n';
	console_write(line, n); /* one call: never mixed with vCPU 1's line */
	(void)got;
}

static bool has(const char *s, const char *w)
{
	for (; *s; s++) {
		unsigned int i = 0;
		while (w[i] && s[i] == w[i])
			i++;
		if (!w[i])
			return true;
	}
	return false;
}

void guest_main(void *dtb, uint64_t t0)
{
	struct guest_dt dt;

	(void)t0;
	if (!dt_parse(dtb, &dt) || !dt.nr_banks) {
		console_write("FAIL smp: no device tree\n", 25);
		return;
	}
	race = has(dt.bootargs, "mode=race");
	int64_t r = psci(PSCI_CPU_ON_64, 1, (uint64_t)(uintptr_t)&guest_secondary_entry,
	                 (uint64_t)(uintptr_t)&stack1[1024]);
	check(r == PSCI_SUCCESS, "CPU_ON vCPU 1", r);
	for (unsigned int i = 0; i < 100000000 && !vcpu1_up; i++)
		__asm__ volatile("yield");
	check(vcpu1_up, "vCPU 1 runs", 0);
	r = psci(PSCI_AFFINITY_INFO_64, 1, 0, 0);
	check(r == PSCI_AFFINITY_ON, "AFFINITY_INFO says vCPU 1 is on", r);
	r = psci(PSCI_CPU_ON_64, 1, (uint64_t)(uintptr_t)&guest_secondary_entry, 0);
	check(r == PSCI_ALREADY_ON, "CPU_ON again is ALREADY_ON", r);
	r = psci(PSCI_CPU_ON_64, 5, 0, 0);
	check(r == PSCI_INVALID_PARAMS,
	      "CPU_ON of a vCPU that does not exist is INVALID_PARAMETERS", r);
	if (has(dt.bootargs, "mode=fault")) {
		console_write("smp: faulting with vCPU 1 running\n", 34);
		(void)*(volatile uint64_t *)(uintptr_t)(dt.bank_base[0] + dt.bank_size[0]);
	}
	console_write("smp: SYSTEM_OFF with vCPU 1 running\n", 36);
	psci_system_off();
}
