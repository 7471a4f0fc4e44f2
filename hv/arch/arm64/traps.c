// SPDX-License-Identifier: Apache-2.0
/*
 * Entering vCPUs and handling their traps. Each physical CPU runs at most
 * one vCPU, so there is no context switch: EL1 state belongs to that vCPU
 * and is only reset when it (re)starts.
 */
#include "arm64.h"
#include "core/arch.h"
#include "core/domain.h"
#include "core/fmt.h"
#include "core/hypercall.h"
#include "core/vpsci.h"

#define CPTR_EL2_RES1 0x33ffull /* TFP clear: guests may use FP/SIMD */

/*
 * One lock for all domain state. Every guest trap is handled under it,
 * and the core calls it again from inside handlers: recursive per CPU.
 */
static spinlock_t domain_lock;
static volatile unsigned int lock_owner = ~0u;
static unsigned int lock_depth;

void arch_domain_lock(void)
{
	unsigned int me = this_cpu()->index;

	if (lock_owner == me) {
		lock_depth++;
		return;
	}
	spin_lock(&domain_lock);
	lock_owner = me;
	lock_depth = 1;
}

void arch_domain_unlock(void)
{
	if (--lock_depth)
		return;
	lock_owner = ~0u;
	spin_unlock(&domain_lock);
}

void arch_vcpu_kick(struct vcpu *v)
{
	struct cpu *c = &cpus[v->pcpu];

	c->vcpu = v;
	if (!c->present && v->state == VCPU_PENDING) {
		c->present = true; /* powered on once; it idles with wfe afterwards */
		c->mpidr = boot_cpu_mpidr(c->index);
		int64_t r = fw_psci_cpu_on(c->mpidr, (uintptr_t)secondary_entry, c->index);
		if (r != 0)
			hv_printf("bulkhead: CPU %u (mpidr 0x%llx) did not start: PSCI %lld\n",
			          c->index, (unsigned long long)c->mpidr, (long long)r);
	}
	dsb(ish);
	sev();
}

void arch_vcpu_stop_wait(struct vcpu *v)
{
	struct cpu *c = &cpus[v->pcpu];

	if (c == this_cpu() || !c->present || c->vcpu != v)
		return;
	/* The kick SGI makes it trap; trap entry clears in_guest and signals. */
	if (c->in_guest)
		gic_send_kick(c->mpidr);
	while (c->in_guest)
		wfe();
}

/* Reset the EL1 state and the frame so that the vCPU starts afresh. */
static void vcpu_load(struct vcpu *v, struct trap_frame *f)
{
	struct domain *d = v->dom;

	for (unsigned int i = 0; i < 31; i++)
		f->x[i] = 0;
	f->x[0] = v->context;
	f->elr = ipa_addr(v->entry);
	f->spsr = SPSR_EL1H_MASKED;

	write_sysreg(sctlr_el1, SCTLR_EL1_GUEST_RESET);
	write_sysreg(vbar_el1, 0);
	write_sysreg(tcr_el1, 0);
	write_sysreg(mair_el1, 0);
	write_sysreg(ttbr0_el1, 0);
	write_sysreg(ttbr1_el1, 0);
	write_sysreg(cpacr_el1, 0);
	write_sysreg(cntkctl_el1, 0);
	write_sysreg(tpidr_el1, 0);
	write_sysreg(sp_el1, 0);
	write_sysreg(elr_el1, 0);
	write_sysreg(spsr_el1, 0);
	write_sysreg(esr_el1, 0);
	write_sysreg(far_el1, 0);
	/* Nothing of a previous life (reboot) may survive in EL0/EL1 state. */
	write_sysreg(par_el1, 0);
	write_sysreg(contextidr_el1, 0);
	write_sysreg(amair_el1, 0);
	write_sysreg(afsr0_el1, 0);
	write_sysreg(afsr1_el1, 0);
	write_sysreg(mdscr_el1, 0);
	write_sysreg(sp_el0, 0);
	write_sysreg(tpidr_el0, 0);
	write_sysreg(tpidrro_el0, 0);
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	write_sysreg(cntv_cval_el0, 0);
	write_sysreg(cntp_cval_el0, 0);
	fp_reset();
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, (1ull << 31) | v->id);
	write_sysreg(cptr_el2, CPTR_EL2_RES1);
	write_sysreg(cnthctl_el2, 3); /* EL1PCTEN, EL1PCEN: guests read the counter */
	write_sysreg(cntvoff_el2, 0);
	vgic_vcpu_reset(v);
	write_sysreg(mdcr_el2, 0);
	write_sysreg(vtcr_el2, p2m_vtcr(&d->mem.p2m, mmu_pa_bits()));
	write_sysreg(vttbr_el2, p2m_vttbr(&d->mem.p2m));
	write_sysreg(hcr_el2, HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB |
	                          HCR_BSU_IS | HCR_TSC | HCR_RW);
	isb();
	/* New memory contents (kernel copied by data writes): drop stale I-cache and TLB. */
	__asm__ volatile("dsb ish\n tlbi vmalls12e1\n ic iallu\n dsb ish\n isb" ::: "memory");
	v->state = VCPU_RUNNING;
}

static void enter_vcpu(struct trap_frame *f)
{
	struct cpu *c = this_cpu();

	vcpu_load(c->vcpu, f);
	vgic_vcpu_enter(c->vcpu);
	c->in_guest = true;
	arch_domain_unlock(); /* taken by cpu_run_vcpu() */
	guest_resume(f);
}

/*
 * Run this CPU's vCPU when it is pending; power the machine off when no
 * domain runs any more; otherwise wait. The decision to enter is taken
 * under the domain lock, so a domain being stopped is never entered.
 */
_Noreturn void cpu_run_vcpu(void)
{
	struct cpu *c = this_cpu();

	for (;;) {
		arch_domain_lock();
		if (domain_all_stopped()) {
			domain_print_summary();
			hv_printf("bulkhead: all domains stopped, powering off\n");
			fw_psci_system_off();
		}
		struct vcpu *v = c->vcpu;
		if (v && v->state == VCPU_PENDING) {
			/* The frame sits at the top of the stack: start over below it. */
			struct trap_frame *f =
			    (struct trap_frame *)(void *)(cpu_stacks[c->index] + CPU_STACK_SIZE -
			                                  sizeof(*f));
			call_on_frame(f, enter_vcpu);
		}
		arch_domain_unlock();
		wfe();
	}
}

/* Every trap from a guest: out of the guest, then under the domain lock. */
static void trap_enter(void)
{
	struct cpu *c = this_cpu();

	c->in_guest = false;
	dsb(ish);
	sev();
	arch_domain_lock();
	/*
	 * A vCPU stopped while this CPU waited for the lock (its domain
	 * rebooting) left list registers of its old life: they must not
	 * reach the new life's vGIC state; vcpu_load() clears them.
	 */
	vgic_vcpu_exit(c->vcpu, c->vcpu->state == VCPU_RUNNING);
}

/* After any trap: the vCPU may have been restarted or stopped meanwhile. */
static void trap_exit(struct trap_frame *f)
{
	struct cpu *c = this_cpu();
	struct vcpu *v = c->vcpu;

	if (v->state == VCPU_PENDING)
		vcpu_load(v, f);
	if (v->state == VCPU_RUNNING) {
		vgic_vcpu_enter(v);
		c->in_guest = true;
		arch_domain_unlock();
		return;
	}
	arch_domain_unlock();
	cpu_run_vcpu();
}

/* Undefined instruction at @pc, delivered to the guest's EL1 vectors. */
static void inject_undef(struct trap_frame *f, uint64_t pc)
{
	uint64_t mode = f->spsr & 0xf, offset;

	if (mode == 0x5) /* EL1h */
		offset = 0x200;
	else if (mode == 0x4) /* EL1t */
		offset = 0x000;
	else
		offset = 0x400; /* from EL0 (AArch64) */
	write_sysreg(esr_el1, ((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL);
	write_sysreg(elr_el1, pc);
	write_sysreg(spsr_el1, f->spsr);
	f->elr = read_sysreg(vbar_el1) + offset;
	f->spsr = SPSR_EL1H_MASKED;
}

/* The guest address of a stage-2 abort: HPFAR_EL2's page, FAR_EL2's offset. */
static ipa_t fault_ipa(void)
{
	uint64_t hpfar = read_sysreg(hpfar_el2), far = read_sysreg(far_el2);

	return ipa_init(((hpfar >> 4) << 12) | (far & 0xfff));
}

static void psci_trap(struct vcpu *v, struct trap_frame *f)
{
	uint64_t args[4] = {f->x[0], f->x[1], f->x[2], f->x[3]};

	f->x[0] = vpsci_call(v, args);
}

void trap_guest_sync(struct trap_frame *f)
{
	trap_enter();
	uint64_t esr = read_sysreg(esr_el2);
	struct vcpu *v = this_cpu()->vcpu;
	uint64_t imm = esr & 0xffff;

	/*
	 * Another vCPU stopped or rebooted the domain while this one waited
	 * for the lock: the request belongs to a life that is over.
	 */
	if (v->state != VCPU_RUNNING) {
		trap_exit(f);
		return;
	}
	switch (ESR_EC(esr)) {
	case EC_HVC64: /* ELR already points past the HVC */
		if (imm == HVC_IMM_XEN) {
			uint64_t args[5] = {f->x[0], f->x[1], f->x[2], f->x[3], f->x[4]};
			f->x[0] = (uint64_t)hypercall_dispatch(v->dom, f->x[16], args);
		} else if (imm == HVC_IMM_SMCCC) {
			psci_trap(v, f);
		} else {
			inject_undef(f, f->elr - 4);
		}
		break;
	case EC_SMC64: /* trapped by HCR_EL2.TSC: ELR points at the SMC */
		if (imm == SMC_IMM_SMCCC) {
			psci_trap(v, f);
			f->elr += 4;
		} else {
			inject_undef(f, f->elr);
		}
		break;
	case EC_DABT_LOW: {
		ipa_t ipa = fault_ipa();
		if (vpl011_access(v, ipa, esr, f) || vgic_mmio(v, ipa, esr, f)) {
			f->elr += (esr & ESR_IL) ? 4 : 2;
			break;
		}
		domain_crash_fault(v->dom, "data abort", ipa, f->elr);
		break;
	}
	case EC_SYSREG: /* ELR points at the MSR/MRS */
		if (vgic_sysreg(v, esr, f))
			f->elr += 4;
		else
			inject_undef(f, f->elr);
		break;
	case EC_IABT_LOW:
		domain_crash_fault(v->dom, "instruction abort", fault_ipa(), f->elr);
		break;
	default: /* nothing else is trapped on purpose: tell the guest */
		inject_undef(f, f->elr);
		break;
	}
	trap_exit(f);
}

void trap_guest_irq(struct trap_frame *f)
{
	trap_enter();
	vgic_handle_irqs();  /* list registers are refilled in trap_exit() */
	vpl011_poll_input(); /* the host UART's interrupt, or any other: input */
	trap_exit(f);
}

void trap_guest_serror(struct trap_frame *f)
{
	trap_enter();
	struct vcpu *v = this_cpu()->vcpu;

	if (v->state == VCPU_RUNNING) /* else: an SError of a life that is over */
		domain_crash_fault(v->dom, "SError", ipa_init(0), f->elr);
	trap_exit(f);
}

void trap_hyp_sync(struct trap_frame *f)
{
	hv_printf("bulkhead: EL2 exception: ESR 0x%llx ELR 0x%llx FAR 0x%llx\n",
	          (unsigned long long)read_sysreg(esr_el2), (unsigned long long)f->elr,
	          (unsigned long long)read_sysreg(far_el2));
	arch_panic("unexpected exception in the hypervisor");
}

void trap_hyp_other(struct trap_frame *f)
{
	hv_printf("bulkhead: EL2 interrupt or SError at ELR 0x%llx\n", (unsigned long long)f->elr);
	arch_panic("unexpected interrupt in the hypervisor");
}
