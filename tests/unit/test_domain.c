// SPDX-License-Identifier: Apache-2.0
/*
 * Domain life cycle on the host stand-in of the arch interface: the
 * core's boot sequence on a device tree compiled by dtc, then create,
 * start, stop, crash, reboot and every state transition, checked against
 * what the fake machine saw (kicks, resets, destroys, CPUs entered) and
 * against the simulated physical memory (scrubbed, the same pages).
 */
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/p2m.h"
#include "../common/testlib.h"
#include "../common/vm.h"

static void *board;

static struct domain *dom(unsigned int id)
{
	return domain_by_id(id);
}

static bool console_has(const char *s)
{
	return host_console_buf && strstr(host_console_buf, s) != NULL;
}

/* The host byte behind guest address @ipa of @d. */
static uint8_t *host_byte(struct domain *d, uint64_t ipa)
{
	pa_t pa;
	if (!p2m_lookup(&d->mem.p2m, ipa_init(ipa), &pa, NULL))
		return NULL;
	return arch_phys_to_virt(pa);
}

TEST(boot_starts_both_domains_with_vcpu0_pending)
{
	CHECK_EQ(vm_boot(board), 2);
	CHECK(host_machine_plan == &vm_plan);
	CHECK(console_has("bulkhead: 2 of 2 domain(s) started"));
	CHECK(console_has("bulkhead: boot ticks: "));
	CHECK_EQ(domain_count(), 2);
	for (unsigned int id = 1; id <= 2; id++) {
		struct domain *d = dom(id);
		CHECK(d != NULL);
		CHECK_EQ(d->domid, id);
		CHECK_EQ(d->state, DOMAIN_RUNNING);
		CHECK_EQ(d->boots, 1);
		CHECK_EQ(d->arch.inits, 1);
		CHECK_EQ(d->arch.resets, 1);
		CHECK_EQ(d->arch.destroys, 0);
		CHECK_EQ(d->vcpus[0].state, VCPU_PENDING);
		CHECK_EQ(d->vcpus[0].arch.kicks, 1);
		CHECK_EQ(d->vcpus[1].state, VCPU_OFF);
		CHECK_EQ(d->vcpus[0].pcpu, (id - 1) * 2);
	}
	CHECK(dom(3) == NULL);
	CHECK(dom(0) == NULL);
	/* Each CPU enters its pending vCPU 0 at the kernel with x0 = the DT. */
	CHECK_EQ(host_run_pending(), 2);
	for (unsigned int id = 1; id <= 2; id++) {
		struct domain *d = dom(id);
		struct vcpu *v = &d->vcpus[0];
		CHECK_EQ(v->state, VCPU_RUNNING);
		CHECK_EQ(ipa_addr(v->arch.entered_at), vm_ram_base(d)); /* a raw binary: RAM base */
		CHECK_EQ(v->arch.entered_x0, ipa_addr(d->dtb_ipa));
		uint8_t k[VM_KERNEL_LEN];
		CHECK_EQ(vm_guest_read(d, ipa_addr(v->arch.entered_at), k, sizeof(k)), 0);
		for (unsigned int i = 0; i < VM_KERNEL_LEN; i++)
			if (k[i] != vm_kernel_byte(id, i)) {
				CHECK_EQ(k[i], vm_kernel_byte(id, i));
				break;
			}
		uint32_t magic;
		CHECK_EQ(vm_guest_read(d, ipa_addr(d->dtb_ipa), &magic, 4), 0);
		CHECK_EQ(magic, 0xedfe0dd0u); /* FDT magic, big endian */
	}
	CHECK_EQ(host_run_pending(), 0); /* nothing pending any more */
	/* domU1 is direct-mapped: guest == host; domU2 at Xen's layout. */
	CHECK(host_byte(dom(1), VM_D1_MEM) == arch_phys_to_virt(pa_init(VM_D1_MEM)));
	CHECK(host_byte(dom(2), GUEST_RAM0_BASE) == arch_phys_to_virt(pa_init(VM_D2_MEM)));
	CHECK(host_cleaned_bytes >= 2 * VM_KERNEL_LEN); /* copies made visible */
}

TEST(bad_plan_starts_nothing_and_leaves_the_machine_alone)
{
	void *bad = vm_board("xen,static-heap = <0x44000000 0x400000>;", NULL);
	CHECK(bad != NULL);
	CHECK_EQ(vm_boot(bad), -HV_EINVAL);
	CHECK(host_machine_plan == NULL);
	CHECK(console_has("error(s) in the configuration: no domain started"));
	CHECK(console_has("xen,static-heap"));
	CHECK(!console_has("domain(s) started"));
	CHECK_EQ(host_run_pending(), 0);
	free(bad);
}

TEST(machine_init_failure_starts_nothing)
{
	vm_power_on(board);
	host_machine_init_rc = -HV_ENOMEM;
	struct plan_input in = vm_input(board);
	CHECK_EQ(boot_run(&in, 0, &vm_plan, &vm_mm), -HV_ENOMEM);
	CHECK(console_has("machine set-up failed"));
	CHECK_EQ(host_run_pending(), 0);
}

TEST(boot_scrub_off_is_read_from_bootargs)
{
	void *b = vm_board("xen,xen-bootargs = \"console=x bulkhead.boot-scrub=off\";", NULL);
	CHECK(b != NULL);
	vm_power_on(b);
	memset(arch_phys_to_virt(pa_init(VM_D2_MEM + 3 * MiB)), 0xaa, 16);
	struct plan_input in = vm_input(b);
	CHECK_EQ(boot_run(&in, 0, &vm_plan, &vm_mm), 2);
	CHECK(console_has("static memory not scrubbed before first boot"));
	/* Not zeroed: what was there stays (the integrator's choice). */
	CHECK_EQ(*(uint8_t *)arch_phys_to_virt(pa_init(VM_D2_MEM + 3 * MiB)), 0xaa);
	/* With the default, the same byte is zero before the first instruction. */
	vm_power_on(board);
	memset(arch_phys_to_virt(pa_init(VM_D2_MEM + 3 * MiB)), 0xaa, 16);
	in = vm_input(board);
	CHECK_EQ(boot_run(&in, 0, &vm_plan, &vm_mm), 2);
	CHECK_EQ(*(uint8_t *)arch_phys_to_virt(pa_init(VM_D2_MEM + 3 * MiB)), 0);
	free(b);
}

TEST(shutdown_stops_scrubs_and_spares_the_other_domain)
{
	CHECK_EQ(vm_boot(board), 2);
	host_run_pending();
	struct domain *d1 = dom(1), *d2 = dom(2);
	const char secret[] = "domU1 secret";
	const char other[] = "domU2 data";
	CHECK_EQ(vm_guest_write(d1, VM_D1_MEM + MiB, secret, sizeof(secret)), 0);
	CHECK_EQ(vm_guest_write(d2, GUEST_RAM0_BASE + MiB, other, sizeof(other)), 0);
	domain_shutdown(d1, false, "test says off");
	CHECK_EQ(d1->state, DOMAIN_OFF);
	CHECK(!d1->mem.live);
	CHECK_EQ(d1->vcpus[0].state, VCPU_OFF);
	CHECK_EQ(d1->vcpus[1].state, VCPU_OFF);
	CHECK_EQ(d1->vcpus[0].arch.stop_waits, 1);
	CHECK_EQ(d1->vcpus[1].arch.stop_waits, 1);
	CHECK_EQ(d1->arch.destroys, 1);
	CHECK(!host_cpus[0].in_guest);
	CHECK(console_has("domain domU1 stopped: test says off"));
	/* Scrubbed when stopped, not when next used. */
	CHECK_EQ(memcmp(arch_phys_to_virt(pa_init(VM_D1_MEM + MiB)), "\0\0\0\0", 4), 0);
	/* Nothing of domU2 changed. */
	CHECK_EQ(d2->state, DOMAIN_RUNNING);
	CHECK_EQ(d2->vcpus[0].state, VCPU_RUNNING);
	CHECK_EQ(d2->arch.destroys, 0);
	char back[sizeof(other)];
	CHECK_EQ(vm_guest_read(d2, GUEST_RAM0_BASE + MiB, back, sizeof(back)), 0);
	CHECK_EQ(memcmp(back, other, sizeof(other)), 0);
	CHECK(!domain_all_stopped());
	/* A stopped domain stays stopped: a second stop, a reboot change nothing. */
	domain_shutdown(d1, true, "again");
	CHECK_EQ(d1->state, DOMAIN_OFF);
	CHECK_EQ(d1->arch.destroys, 1);
	CHECK_EQ(domain_reboot(d1), -HV_EINVAL);
	CHECK_EQ(d1->state, DOMAIN_OFF);
	CHECK_EQ(d1->boots, 1);
	CHECK_EQ(host_run_pending(), 0);
	domain_shutdown(d2, false, "done");
	CHECK(domain_all_stopped());
	host_console_clear();
	domain_print_summary();
	CHECK(console_has("summary: domU1 id 1 off after 1 boot(s), 4096 KiB: test says off"));
	CHECK(console_has("summary: domU2 id 2 off after 1 boot(s), 4096 KiB: done"));
}

TEST(crash_names_the_fault_and_stops_only_that_domain)
{
	CHECK_EQ(vm_boot(board), 2);
	host_run_pending();
	domain_crash_fault(dom(2), "data abort", ipa_init(0x1234000), 0x40001000);
	CHECK_EQ(dom(2)->state, DOMAIN_CRASHED);
	CHECK(
	    console_has("domain domU2: stage-2 fault: data abort at IPA 0x1234000, PC 0x40001000"));
	CHECK_EQ(dom(1)->state, DOMAIN_RUNNING);
	CHECK_EQ(domain_reboot(dom(2)), -HV_EINVAL);
	host_console_clear();
	domain_print_summary();
	CHECK(console_has("domU2 id 2 crashed after 1 boot(s)"));
}

TEST(reboot_recreates_on_the_same_memory_scrubbed)
{
	CHECK_EQ(vm_boot(board), 2);
	host_run_pending();
	struct domain *d = dom(2);
	CHECK_EQ(vm_cpu_on(d, 1), 0);
	uint8_t *before = host_byte(d, GUEST_RAM0_BASE + 1 * MiB);
	const char secret[] = "first life";
	CHECK_EQ(vm_guest_write(d, GUEST_RAM0_BASE + 1 * MiB, secret, sizeof(secret)), 0);
	CHECK_EQ(domain_reboot(d), 0);
	CHECK_EQ(d->state, DOMAIN_RUNNING);
	CHECK_EQ(d->boots, 2);
	CHECK_EQ(d->arch.resets, 2);
	CHECK_EQ(d->arch.destroys, 1);
	CHECK_EQ(d->vcpus[0].state, VCPU_PENDING);
	CHECK_EQ(d->vcpus[1].state, VCPU_OFF); /* the running vCPU 1 was stopped */
	CHECK_EQ(d->vcpus[1].arch.stop_waits, 1);
	CHECK(host_byte(d, GUEST_RAM0_BASE + 1 * MiB) == before); /* the same page */
	CHECK_EQ(memcmp(before, "\0\0\0\0\0\0\0\0\0\0", 10), 0);  /* zeroed */
	CHECK(console_has("domain domU2 rebooted on the same memory (boot 2)"));
	CHECK_EQ(host_run_pending(), 1);
	CHECK_EQ(d->vcpus[0].arch.entries, 2);
	uint8_t k0;
	CHECK_EQ(vm_guest_read(d, GUEST_RAM0_BASE, &k0, 1), 0);
	CHECK_EQ(k0, 'K'); /* the kernel is loaded again */
	CHECK_EQ(dom(1)->boots, 1);
	CHECK_EQ(dom(1)->arch.destroys, 0);
}

TEST(reboot_that_cannot_rebuild_leaves_the_domain_crashed)
{
	CHECK_EQ(vm_boot(board), 2);
	host_run_pending();
	/* The kernel module now says it is an Image too big for 4 MiB. */
	uint8_t *k = arch_phys_to_virt(pa_init(VM_D1_KERNEL));
	memset(k, 0, 64);
	k[0x10] = 0;
	k[0x13] = 0x10; /* image_size = 256 MiB (little endian) */
	memcpy(k + 0x38, "ARM\x64", 4);
	CHECK(domain_reboot(dom(1)) < 0);
	CHECK_EQ(dom(1)->state, DOMAIN_CRASHED);
	CHECK(!dom(1)->mem.live);
	CHECK_EQ(dom(1)->arch.destroys, 1);
	CHECK_EQ(dom(1)->arch.resets, 1);
	CHECK_EQ(host_run_pending(), 0);
	host_console_clear();
	domain_print_summary();
	CHECK(console_has("domU1 id 1 crashed after 1 boot(s), 4096 KiB: reboot failed"));
	CHECK_EQ(dom(2)->state, DOMAIN_RUNNING);
}

TEST(creation_failure_marks_only_that_domain_failed)
{
	vm_power_on(board);
	struct plan_input in = vm_input(board);
	CHECK_EQ(plan_build(&in, &vm_plan), 0);
	CHECK_EQ(mm_init(&vm_mm, &vm_plan), 0);
	/* domU2's kernel bytes changed after the plan was checked. */
	uint8_t *k = arch_phys_to_virt(pa_init(VM_D2_KERNEL));
	memset(k, 0, 64);
	k[0x13] = 0x10;
	memcpy(k + 0x38, "ARM\x64", 4);
	CHECK_EQ(domain_start_all(&vm_plan, &vm_mm, true), 1);
	CHECK_EQ(dom(2)->state, DOMAIN_FAILED);
	CHECK_EQ(dom(2)->arch.resets, 0);
	CHECK(!dom(2)->mem.live);
	CHECK_EQ(dom(2)->vcpus[0].arch.kicks, 0);
	CHECK_EQ(dom(1)->state, DOMAIN_RUNNING);
	CHECK(console_has("bulkhead: domain domU2: "));
	/* Its static memory went back to its reserve: a second try can take it. */
	CHECK_EQ(domain_reboot(dom(2)), -HV_EINVAL);
}

TEST(console_lines_carry_the_domain_name)
{
	CHECK_EQ(vm_boot(board), 2);
	host_console_clear();
	const char *s = "hello\r\nworld\x1b[2J\n";
	for (const char *p = s; *p; p++)
		domain_console_putc(dom(1), *p);
	CHECK(console_has("(domU1) hello\n"));
	CHECK(console_has("(domU1) world.[2J\n")); /* no escape sequences reach the terminal */
	/* A live domain's partial line shows at once; another's line ends it. */
	domain_console_putc(dom(2), '$');
	domain_console_live(dom(2), true);
	CHECK(console_has("(domU2) $"));
	domain_console_putc(dom(1), 'x');
	domain_console_putc(dom(1), '\n');
	CHECK(console_has("(domU2) $\n(domU1) x\n"));
}

int main(void)
{
	board = vm_board(NULL, NULL);
	if (!board)
		return 1;
	RUN(boot_starts_both_domains_with_vcpu0_pending);
	RUN(bad_plan_starts_nothing_and_leaves_the_machine_alone);
	RUN(machine_init_failure_starts_nothing);
	RUN(boot_scrub_off_is_read_from_bootargs);
	RUN(shutdown_stops_scrubs_and_spares_the_other_domain);
	RUN(crash_names_the_fault_and_stops_only_that_domain);
	RUN(reboot_recreates_on_the_same_memory_scrubbed);
	RUN(reboot_that_cannot_rebuild_leaves_the_domain_crashed);
	RUN(creation_failure_marks_only_that_domain_failed);
	RUN(console_lines_carry_the_domain_name);
	free(board);
	return tl_finish();
}
