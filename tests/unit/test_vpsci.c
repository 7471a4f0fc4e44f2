// SPDX-License-Identifier: Apache-2.0
/*
 * PSCI for guests on the host stand-in: every call a guest can make, its
 * bad arguments, and the races between vCPUs of one domain (another vCPU
 * acting while the caller waits for the domain lock), which must never
 * revive a stopped domain or act on a request from an earlier life.
 */
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/vpsci.h"
#include "../common/testlib.h"
#include "../common/vm.h"

static void *board;

static int64_t call(struct vcpu *v, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	const uint64_t args[4] = {fn, a1, a2, a3};
	return (int64_t)vpsci_call(v, args);
}

/* Both domains booted, each vCPU 0 running. */
static void boot(void)
{
	CHECK_EQ(vm_boot(board), 2);
	CHECK_EQ(host_run_pending(), 2);
}

static struct vcpu *vcpu(unsigned int domid, unsigned int i)
{
	return &domain_by_id(domid)->vcpus[i];
}

TEST(version_and_features)
{
	boot();
	struct vcpu *v = vcpu(1, 0);
	CHECK_EQ(call(v, PSCI_VERSION, 0, 0, 0), 0x10001);
	CHECK_EQ(call(v, SMCCC_VERSION, 0, 0, 0), 0x10001);
	const uint32_t supported[] = {PSCI_VERSION,          PSCI_CPU_OFF,    PSCI_CPU_ON_64,
	                              PSCI_AFFINITY_INFO_64, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET,
	                              PSCI_FEATURES};
	for (unsigned int i = 0; i < ARRAY_SIZE(supported); i++)
		CHECK_EQ(call(v, PSCI_FEATURES, supported[i], 0, 0), PSCI_SUCCESS);
	CHECK_EQ(call(v, PSCI_FEATURES, PSCI_CPU_SUSPEND_64, 0, 0), PSCI_NOT_SUPPORTED);
	CHECK_EQ(call(v, PSCI_FEATURES, 0x12345678, 0, 0), PSCI_NOT_SUPPORTED);
	CHECK_EQ(call(v, PSCI_CPU_SUSPEND_64, 0, 0, 0), PSCI_NOT_SUPPORTED);
	CHECK_EQ(call(v, 0xc4000003ull | (1ull << 32), 1, 0, 0), PSCI_SUCCESS); /* w0 only */
}

TEST(cpu_on_starts_the_target_once)
{
	boot();
	struct vcpu *v0 = vcpu(2, 0), *v1 = vcpu(2, 1);
	CHECK_EQ(call(v0, PSCI_AFFINITY_INFO_64, 1, 0, 0), PSCI_AFFINITY_OFF);
	CHECK_EQ(call(v0, PSCI_CPU_ON_64, 1, 0x40080000, 0xabcd), PSCI_SUCCESS);
	CHECK_EQ(v1->state, VCPU_PENDING);
	CHECK_EQ(v1->arch.kicks, 1);
	CHECK_EQ(call(v0, PSCI_AFFINITY_INFO_64, 1, 0, 0), PSCI_AFFINITY_ON_PENDING);
	CHECK_EQ(call(v0, PSCI_CPU_ON_64, 1, 0x40090000, 0), PSCI_ON_PENDING);
	CHECK(host_cpu_run(v1->pcpu));
	CHECK_EQ(ipa_addr(v1->arch.entered_at), 0x40080000); /* the first call's entry */
	CHECK_EQ(v1->arch.entered_x0, 0xabcd);
	CHECK_EQ(call(v0, PSCI_AFFINITY_INFO_64, 1, 0, 0), PSCI_AFFINITY_ON);
	CHECK_EQ(call(v0, PSCI_CPU_ON_64, 1, 0x40090000, 0), PSCI_ALREADY_ON);
	CHECK_EQ(call(v1, PSCI_CPU_ON_64, 0, 0x40090000, 0), PSCI_ALREADY_ON);
	/* The other domain saw nothing. */
	CHECK_EQ(vcpu(1, 1)->state, VCPU_OFF);
	CHECK_EQ(vcpu(1, 1)->arch.kicks, 0);
}

TEST(bad_affinities_are_refused)
{
	boot();
	struct vcpu *v = vcpu(1, 0);
	const uint64_t bad[] = {2, 0xff, 0x100, 0x10000, 0x100000000ull, 0xff00000000ull, ~0ull};
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_EQ(call(v, PSCI_CPU_ON_64, bad[i], 0x44000000, 0), PSCI_INVALID_PARAMS);
		CHECK_EQ(call(v, PSCI_AFFINITY_INFO_64, bad[i], 0, 0), PSCI_INVALID_PARAMS);
	}
	CHECK_EQ(call(v, PSCI_AFFINITY_INFO_64, 0, 1, 0), PSCI_INVALID_PARAMS); /* level 1 */
	CHECK_EQ(vcpu(1, 1)->state, VCPU_OFF);
	CHECK_EQ(vcpu(2, 0)->arch.kicks, 1); /* never another domain's vCPU */
}

TEST(cpu_off_then_last_cpu_off_stops_the_domain)
{
	boot();
	struct vcpu *v0 = vcpu(1, 0), *v1 = vcpu(1, 1);
	CHECK_EQ(vm_cpu_on(domain_by_id(1), 1), 0);
	CHECK_EQ(call(v1, PSCI_CPU_OFF, 0, 0, 0), PSCI_SUCCESS);
	CHECK_EQ(v1->state, VCPU_OFF);
	CHECK_EQ(domain_by_id(1)->state, DOMAIN_RUNNING);
	/* Started again after CPU_OFF: allowed. */
	CHECK_EQ(vm_cpu_on(domain_by_id(1), 1), 0);
	CHECK_EQ(v1->arch.entries, 2);
	CHECK_EQ(call(v1, PSCI_CPU_OFF, 0, 0, 0), PSCI_SUCCESS);
	CHECK_EQ(call(v0, PSCI_CPU_OFF, 0, 0, 0), PSCI_SUCCESS);
	CHECK_EQ(domain_by_id(1)->state, DOMAIN_OFF);
	CHECK(!domain_by_id(1)->mem.live);
	CHECK_EQ(domain_by_id(1)->arch.destroys, 1);
	CHECK_EQ(domain_by_id(2)->state, DOMAIN_RUNNING);
}

TEST(system_off_and_reset)
{
	boot();
	struct domain *d1 = domain_by_id(1), *d2 = domain_by_id(2);
	CHECK_EQ(vm_cpu_on(d2, 1), 0);
	/* SYSTEM_RESET from vCPU 1 while vCPU 0 runs: both stop, vCPU 0 restarts. */
	CHECK_EQ(call(vcpu(2, 1), PSCI_SYSTEM_RESET, 0, 0, 0), PSCI_SUCCESS);
	CHECK_EQ(d2->boots, 2);
	CHECK_EQ(d2->state, DOMAIN_RUNNING);
	CHECK_EQ(vcpu(2, 0)->state, VCPU_PENDING);
	CHECK_EQ(vcpu(2, 1)->state, VCPU_OFF);
	CHECK_EQ(host_run_pending(), 1);
	CHECK_EQ(call(vcpu(1, 0), PSCI_SYSTEM_OFF, 0, 0, 0), PSCI_SUCCESS);
	CHECK_EQ(d1->state, DOMAIN_OFF);
	CHECK_EQ(d2->state, DOMAIN_RUNNING);
	CHECK(!domain_all_stopped());
	CHECK_EQ(call(vcpu(2, 0), PSCI_SYSTEM_OFF, 0, 0, 0), PSCI_SUCCESS);
	CHECK(domain_all_stopped());
}

TEST(a_stopped_vcpu_can_do_nothing)
{
	boot();
	struct vcpu *v1 = vcpu(1, 1);
	/* vCPU 1 never started: a call "from" it is a stale trap. */
	CHECK_EQ(call(v1, PSCI_CPU_ON_64, 0, 0, 0), PSCI_DENIED);
	CHECK_EQ(call(v1, PSCI_SYSTEM_RESET, 0, 0, 0), PSCI_DENIED);
	CHECK_EQ(call(v1, PSCI_SYSTEM_OFF, 0, 0, 0), PSCI_DENIED);
	CHECK_EQ(domain_by_id(1)->state, DOMAIN_RUNNING);
	CHECK_EQ(domain_by_id(1)->boots, 1);
}

/* Injected: vCPU 0 of domU1 powers the domain off while the caller waits. */
static void other_vcpu_system_off(void *ctx)
{
	(void)ctx;
	CHECK_EQ(call(vcpu(1, 0), PSCI_SYSTEM_OFF, 0, 0, 0), PSCI_SUCCESS);
}

TEST(cpu_on_racing_system_off_never_revives_the_domain)
{
	boot();
	struct domain *d = domain_by_id(1);
	CHECK_EQ(vm_cpu_on(d, 1), 0);
	/* vCPU 1 asks to start vCPU 0 (a hostile loop); vCPU 0 gets the lock first. */
	host_on_next_lock(other_vcpu_system_off, NULL);
	int64_t rc = call(vcpu(1, 1), PSCI_CPU_ON_64, 0, 0x44000000, 0);
	CHECK(rc == PSCI_DENIED || rc == PSCI_ALREADY_ON);
	CHECK_EQ(d->state, DOMAIN_OFF);
	CHECK_EQ(vcpu(1, 0)->state, VCPU_OFF);
	CHECK_EQ(vcpu(1, 1)->state, VCPU_OFF);
	CHECK_EQ(host_run_pending(), 0); /* no CPU enters a domain with no memory */
	/* And directly, a CPU_ON naming a vCPU of the stopped domain: denied. */
	d->vcpus[1].state = VCPU_RUNNING; /* as if its trap were still on the way */
	CHECK_EQ(call(vcpu(1, 1), PSCI_CPU_ON_64, 0, 0x44000000, 0), PSCI_DENIED);
	d->vcpus[1].state = VCPU_OFF;
	CHECK_EQ(vcpu(1, 0)->state, VCPU_OFF);
}

/* Injected: vCPU 0 of domU2 reboots the domain while the caller waits. */
static void other_vcpu_reset(void *ctx)
{
	(void)ctx;
	CHECK_EQ(call(vcpu(2, 0), PSCI_SYSTEM_RESET, 0, 0, 0), PSCI_SUCCESS);
}

TEST(a_request_from_the_previous_life_is_dropped)
{
	boot();
	struct domain *d = domain_by_id(2);
	CHECK_EQ(vm_cpu_on(d, 1), 0);
	/* Both vCPUs reset at once: the second request belongs to a life that is over. */
	host_on_next_lock(other_vcpu_reset, NULL);
	CHECK_EQ(call(vcpu(2, 1), PSCI_SYSTEM_RESET, 0, 0, 0), PSCI_DENIED);
	CHECK_EQ(d->boots, 2);
	CHECK_EQ(d->arch.resets, 2);
	/* Likewise a CPU_ON of the old life does not start vCPU 1 in the new one. */
	CHECK_EQ(host_run_pending(), 1);
	CHECK_EQ(vm_cpu_on(d, 1), 0);
	host_on_next_lock(other_vcpu_reset, NULL);
	CHECK_EQ(call(vcpu(2, 1), PSCI_CPU_ON_64, 0, 0x40000000, 0), PSCI_DENIED);
	CHECK_EQ(d->boots, 3);
	CHECK_EQ(vcpu(2, 1)->state, VCPU_OFF);
	CHECK_EQ(vcpu(2, 0)->state, VCPU_PENDING);
}

int main(void)
{
	board = vm_board(NULL, NULL);
	if (!board)
		return 1;
	RUN(version_and_features);
	RUN(cpu_on_starts_the_target_once);
	RUN(bad_affinities_are_refused);
	RUN(cpu_off_then_last_cpu_off_stops_the_domain);
	RUN(system_off_and_reset);
	RUN(a_stopped_vcpu_can_do_nothing);
	RUN(cpu_on_racing_system_off_never_revives_the_domain);
	RUN(a_request_from_the_previous_life_is_dropped);
	free(board);
	return tl_finish();
}
