// SPDX-License-Identifier: Apache-2.0
/*
 * PSCI for guests: see vpsci.h. Every state change is made under the
 * domain lock and only for a caller that is still running in the
 * domain's current life: a call that waited for the lock while another
 * vCPU stopped or rebooted the domain does nothing.
 */
#include "vpsci.h"
#include "arch.h"
#include "fmt.h"

/* The vCPU with affinity @mpidr in @d (Aff0 = vCPU index, see arch). */
static struct vcpu *vcpu_by_mpidr(struct domain *d, uint64_t mpidr)
{
	if ((mpidr & 0xff00ffff00ull) != 0 || (mpidr & 0xff) >= d->nr_vcpus)
		return NULL;
	return &d->vcpus[mpidr & 0xff];
}

static int64_t cpu_on(struct domain *d, uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
	struct vcpu *t = vcpu_by_mpidr(d, mpidr);
	int64_t rc = PSCI_SUCCESS;

	if (!t)
		return PSCI_INVALID_PARAMS;
	arch_domain_lock();
	if (d->state != DOMAIN_RUNNING) {
		/* Never start a vCPU of a stopped domain: it has no memory. */
		rc = PSCI_DENIED;
	} else if (t->state == VCPU_RUNNING) {
		rc = PSCI_ALREADY_ON;
	} else if (t->state == VCPU_PENDING) {
		rc = PSCI_ON_PENDING;
	} else {
		t->entry = ipa_init(entry); /* the guest's entry_point_address */
		t->context = ctx;
		t->state = VCPU_PENDING;
		arch_vcpu_kick(t);
	}
	arch_domain_unlock();
	return rc;
}

static int64_t affinity_info(struct domain *d, uint64_t mpidr, uint64_t level)
{
	struct vcpu *t = vcpu_by_mpidr(d, mpidr);

	if (!t || level != 0)
		return PSCI_INVALID_PARAMS;
	return t->state == VCPU_RUNNING   ? PSCI_AFFINITY_ON
	       : t->state == VCPU_PENDING ? PSCI_AFFINITY_ON_PENDING
	                                  : PSCI_AFFINITY_OFF;
}

static bool other_vcpus_off(const struct vcpu *v)
{
	const struct domain *d = v->dom;

	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (&d->vcpus[i] != v && d->vcpus[i].state != VCPU_OFF)
			return false;
	return true;
}

/* The call itself; the caller holds the lock and @v is running. */
static uint64_t call_locked(struct vcpu *v, const uint64_t args[4])
{
	struct domain *d = v->dom;
	uint32_t fn = (uint32_t)args[0];

	switch (fn) {
	case PSCI_VERSION:
		return PSCI_VERSION_1_1;
	case SMCCC_VERSION:
		return SMCCC_VERSION_1_1;
	case PSCI_FEATURES:
		switch ((uint32_t)args[1]) {
		case PSCI_VERSION:
		case PSCI_CPU_OFF:
		case PSCI_CPU_ON_64:
		case PSCI_AFFINITY_INFO_64:
		case PSCI_SYSTEM_OFF:
		case PSCI_SYSTEM_RESET:
		case PSCI_FEATURES:
			return PSCI_SUCCESS;
		default:
			return (uint64_t)(int64_t)PSCI_NOT_SUPPORTED;
		}
	case PSCI_CPU_ON_64:
		return (uint64_t)cpu_on(d, args[1], args[2], args[3]);
	case PSCI_AFFINITY_INFO_64:
		return (uint64_t)affinity_info(d, args[1], args[2]);
	case PSCI_CPU_OFF:
		if (other_vcpus_off(v)) /* the last vCPU going off is a domain off */
			domain_shutdown(d, false, "last vCPU off");
		v->state = VCPU_OFF;
		return (uint64_t)(int64_t)PSCI_SUCCESS;
	case PSCI_SYSTEM_OFF:
		domain_shutdown(d, false, "PSCI SYSTEM_OFF");
		return PSCI_SUCCESS;
	case PSCI_SYSTEM_RESET:
		/*
		 * Other vCPUs may still run (Linux parks them in a loop, it does
		 * not turn them off): domain_reboot() stops them all first.
		 */
		if (domain_reboot(d) != 0)
			hv_printf("bulkhead: domain %s: reboot failed, stopped\n", d->cfg->name);
		return PSCI_SUCCESS;
	default:
		return (uint64_t)(int64_t)PSCI_NOT_SUPPORTED;
	}
}

uint64_t vpsci_call(struct vcpu *v, const uint64_t args[4])
{
	uint64_t rc = (uint64_t)(int64_t)PSCI_DENIED;

	arch_domain_lock();
	if (v->state == VCPU_RUNNING && v->dom->state == DOMAIN_RUNNING)
		rc = call_locked(v, args);
	arch_domain_unlock();
	return rc;
}
