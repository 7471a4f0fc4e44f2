// SPDX-License-Identifier: Apache-2.0
/*
 * The guests' virtual GICv3 on the hardware: the distributor and
 * redistributor frames are emulated (stage-2 faults decoded here, state in
 * hv/core/vgic.c); the CPU interface is the hardware's virtual one,
 * fed through the ICH_LR<n>_EL2 list registers.
 *
 * Every guest trap runs under the domain lock (traps.c). On trap entry
 * the list registers go back into the core state (vgic_vcpu_exit); before
 * returning to the guest they are refilled with the highest-priority
 * interrupts (vgic_vcpu_enter). When more interrupts wait than there are
 * list registers, the maintenance interrupt brings the CPU back, under
 * the conditions vgic_lr_collect() chose (NPIE, UIE, LRENPIE: never one
 * already true); ICH_HCR_EL2.EOIcount tells how many interrupts the guest
 * ended that no list register held (vgic_lr_eoi_missed).
 *
 * A change for a vCPU running on another CPU is signalled with the kick
 * SGI: that CPU traps, syncs and refills.
 *
 * Hardware-linked interrupts (HW = 1, pINTID = vINTID): the virtual timer
 * PPI 27 and passthrough SPIs. The hypervisor acknowledges the physical
 * interrupt and only drops its priority (EOImode = 1); the physical
 * interrupt stays active, so it cannot fire again, until the guest's EOI
 * of the virtual one deactivates it in hardware. The guest uses CNTV
 * directly (no trap on timer registers).
 */
#include "arm64.h"
#include "core/arch.h"
#include "core/domain.h"
#include "core/fmt.h"
#include "core/vgic.h"

/* ICH_* (EL2) and ICC_* registers by encoding: older assemblers lack the names. */
#define ICH_AP0R0_EL2 S3_4_C12_C8_0
#define ICH_AP1R0_EL2 S3_4_C12_C9_0
#define ICH_HCR_EL2   S3_4_C12_C11_0
#define ICH_VTR_EL2   S3_4_C12_C11_1
#define ICH_VMCR_EL2  S3_4_C12_C11_7

#define ICH_HCR_EN            (1ull << 0)
#define ICH_HCR_UIE           (1ull << 1)
#define ICH_HCR_LRENPIE       (1ull << 2)
#define ICH_HCR_NPIE          (1ull << 3)
#define ICH_HCR_EOICOUNT(hcr) (((hcr) >> 27) & 0x1f)

#define LR_STATE_PENDING (1ull << 62)
#define LR_STATE_ACTIVE  (1ull << 63)
#define LR_HW            (1ull << 61)
#define LR_GROUP1        (1ull << 60)
#define LR_PRIO_SHIFT    48
#define LR_PINTID_SHIFT  32

/* ESR ISS of a trapped MSR/MRS (EC 0x18). */
#define SYSREG_ISS_MASK 0x3ffc1eull /* Op0, Op2, Op1, CRn, CRm */
#define SYSREG_ENC(op0, op1, crn, crm, op2)                                                        \
	(((uint64_t)(op0) << 20) | ((uint64_t)(op2) << 17) | ((uint64_t)(op1) << 14) |             \
	 ((uint64_t)(crn) << 10) | ((uint64_t)(crm) << 1))
#define ICC_SGI1R_ENC  SYSREG_ENC(3, 0, 12, 11, 5)
#define ICC_ASGI1R_ENC SYSREG_ENC(3, 0, 12, 11, 6)
#define ICC_SGI0R_ENC  SYSREG_ENC(3, 0, 12, 11, 7)

/*
 * The physical GIC's view: which domain a passthrough SPI is forwarded to
 * while that domain lives (set by arch_domain_reset, cleared by
 * arch_domain_destroy). Indexed by physical INTID, since the interrupt
 * handler starts from one; everything else of a domain is in d->arch.
 */
static struct domain *spi_owner[VGIC_NR_IRQS];

static unsigned int nr_lrs(void)
{
	unsigned int n = (read_sysreg(ICH_VTR_EL2) & 0x1f) + 1;
	return n > ARCH_MAX_LRS ? ARCH_MAX_LRS : n;
}

static uint64_t lr_read(unsigned int i)
{
	switch (i) {
	case 0:
		return read_sysreg(S3_4_C12_C12_0);
	case 1:
		return read_sysreg(S3_4_C12_C12_1);
	case 2:
		return read_sysreg(S3_4_C12_C12_2);
	case 3:
		return read_sysreg(S3_4_C12_C12_3);
	case 4:
		return read_sysreg(S3_4_C12_C12_4);
	case 5:
		return read_sysreg(S3_4_C12_C12_5);
	case 6:
		return read_sysreg(S3_4_C12_C12_6);
	case 7:
		return read_sysreg(S3_4_C12_C12_7);
	case 8:
		return read_sysreg(S3_4_C12_C13_0);
	case 9:
		return read_sysreg(S3_4_C12_C13_1);
	case 10:
		return read_sysreg(S3_4_C12_C13_2);
	case 11:
		return read_sysreg(S3_4_C12_C13_3);
	case 12:
		return read_sysreg(S3_4_C12_C13_4);
	case 13:
		return read_sysreg(S3_4_C12_C13_5);
	case 14:
		return read_sysreg(S3_4_C12_C13_6);
	default:
		return read_sysreg(S3_4_C12_C13_7);
	}
}

static void lr_write(unsigned int i, uint64_t v)
{
	switch (i) {
	case 0:
		write_sysreg(S3_4_C12_C12_0, v);
		break;
	case 1:
		write_sysreg(S3_4_C12_C12_1, v);
		break;
	case 2:
		write_sysreg(S3_4_C12_C12_2, v);
		break;
	case 3:
		write_sysreg(S3_4_C12_C12_3, v);
		break;
	case 4:
		write_sysreg(S3_4_C12_C12_4, v);
		break;
	case 5:
		write_sysreg(S3_4_C12_C12_5, v);
		break;
	case 6:
		write_sysreg(S3_4_C12_C12_6, v);
		break;
	case 7:
		write_sysreg(S3_4_C12_C12_7, v);
		break;
	case 8:
		write_sysreg(S3_4_C12_C13_0, v);
		break;
	case 9:
		write_sysreg(S3_4_C12_C13_1, v);
		break;
	case 10:
		write_sysreg(S3_4_C12_C13_2, v);
		break;
	case 11:
		write_sysreg(S3_4_C12_C13_3, v);
		break;
	case 12:
		write_sysreg(S3_4_C12_C13_4, v);
		break;
	case 13:
		write_sysreg(S3_4_C12_C13_5, v);
		break;
	case 14:
		write_sysreg(S3_4_C12_C13_6, v);
		break;
	default:
		write_sysreg(S3_4_C12_C13_7, v);
		break;
	}
}

static struct vgic *vgic_of(struct domain *d)
{
	return &d->arch.vgic;
}

/* Make the CPUs of the vCPUs in @mask look at their interrupts again. */
static void kick(struct domain *d, uint32_t mask)
{
	struct cpu *me = this_cpu();

	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		if (!(mask & (1u << i)))
			continue;
		struct cpu *c = &cpus[d->vcpus[i].pcpu];
		/* A CPU not in its guest refills anyway before it enters it. */
		if (c != me && c->present && c->vcpu == &d->vcpus[i] && c->in_guest)
			gic_send_kick(c->mpidr);
	}
}

void arch_domain_init(struct domain *d)
{
	/* The vGIC is set up for each life by arch_domain_reset(). */
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		d->vcpus[i].arch.nr_lrs = 0;
}

/* A new life of @d: fresh distributor state, passthrough SPIs re-armed. */
void arch_domain_reset(struct domain *d)
{
	struct vgic *g = vgic_of(d);
	const struct plan_domain *c = d->cfg;
	/* Physically to vCPU 0's CPU; the guest may route it elsewhere. */
	uint64_t mpidr = boot_cpu_mpidr(d->vcpus[0].pcpu);

	vgic_init(g, d->nr_vcpus);
	for (unsigned int v = 0; v < d->nr_vcpus; v++)
		vgic_set_hw(g, v, GIC_PPI_VTIMER, true);
	for (unsigned int i = 0; i < c->nr_pt; i++) {
		for (unsigned int k = 0; k < c->pt[i].nr_irqs; k++) {
			uint32_t intid = c->pt[i].irqs[k];
			if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS)
				continue;
			vgic_set_hw(g, 0, intid, true);
			spi_owner[intid] = d;
			gic_spi_assign(intid, mpidr, true);
		}
	}
}

/* @d is torn down: its passthrough SPIs off until its next life. */
void arch_domain_destroy(struct domain *d)
{
	for (unsigned int i = 0; i < VGIC_NR_IRQS; i++) {
		if (spi_owner[i] == d) {
			gic_spi_assign(i, 0, false);
			spi_owner[i] = NULL;
		}
	}
}

void vgic_vcpu_reset(struct vcpu *v)
{
	struct cpu *c = this_cpu();

	for (unsigned int i = 0; i < nr_lrs(); i++)
		lr_write(i, 0);
	v->arch.nr_lrs = 0;
	write_sysreg(ICH_AP0R0_EL2, 0);
	write_sysreg(ICH_AP1R0_EL2, 0);
	write_sysreg(ICH_VMCR_EL2, 0);
	write_sysreg(ICH_HCR_EL2, ICH_HCR_EN);
	/* The previous life's timer: off, and its physical PPI no longer active. */
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntv_cval_el0, 0);
	isb();
	gic_ppi_clear_active(c->index, GIC_PPI_VTIMER);
}

/*
 * Hardware-linked @intid of @v is deactivated virtually: deactivate the
 * physical interrupt too, once the virtual one is idle (a physical
 * interrupt whose virtual one is idle would stay active forever). Only the
 * guest's own: its vCPU's timer PPI on this CPU, or an SPI its domain owns.
 * A line still high fires again.
 */
static void hw_deactivate(struct vcpu *v, uint32_t intid)
{
	struct vgic_irq *irq = vgic_irq_of(vgic_of(v->dom), v->id, intid);

	if (!irq || !(irq->flags & VGIC_HW))
		return;
	if ((irq->flags & (VGIC_LATCH | VGIC_ACTIVE)) || irq->lr_vcpu != VGIC_NO_LR)
		return;
	if (intid == GIC_PPI_VTIMER)
		gic_ppi_clear_active(this_cpu()->index, intid);
	else if (intid >= VGIC_NR_PRIVATE && intid < VGIC_NR_IRQS && spi_owner[intid] == v->dom)
		gic_spi_clear_active(intid);
}

void vgic_vcpu_exit(struct vcpu *v, bool live)
{
	unsigned int n = v ? v->arch.nr_lrs : 0;
	struct vgic_lr *lrs = v ? v->arch.lrs : NULL;
	uint64_t hcr = read_sysreg(ICH_HCR_EL2);

	/*
	 * Maintenance interrupt conditions off first: with the list registers
	 * emptied below, NPIE would hold PPI 25 asserted and
	 * vgic_handle_irqs() would acknowledge it forever. This also zeroes
	 * EOIcount, read above.
	 */
	write_sysreg(ICH_HCR_EL2, ICH_HCR_EN);
	isb();
	if (!v)
		return;
	if (!live) { /* a stopped vCPU's entries: dropped, never synced */
		for (unsigned int i = 0; i < n; i++)
			lr_write(i, 0);
		v->arch.nr_lrs = 0;
		return;
	}
	struct vgic *g = vgic_of(v->dom);
	/*
	 * The guest ended interrupts no list register held: before the sync,
	 * while the loaded ones are still told apart from those left out.
	 */
	if (ICH_HCR_EOICOUNT(hcr)) {
		uint32_t hw[32];
		unsigned int nhw = vgic_lr_eoi_missed(g, v->id, ICH_HCR_EOICOUNT(hcr), hw);
		for (unsigned int i = 0; i < nhw; i++)
			hw_deactivate(v, hw[i]);
	}
	if (!n)
		return;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t lr = lr_read(i);
		lrs[i].pending = (lr & LR_STATE_PENDING) != 0;
		lrs[i].active = (lr & LR_STATE_ACTIVE) != 0;
		lr_write(i, 0);
	}
	v->arch.nr_lrs = 0;
	kick(v->dom, vgic_lr_sync(g, v->id, lrs, n));
}

void vgic_vcpu_enter(struct vcpu *v)
{
	struct vgic_lr *lrs = v->arch.lrs;
	unsigned int maint;
	bool more;
	unsigned int n = vgic_lr_collect(vgic_of(v->dom), v->id, lrs, nr_lrs(), &more, &maint);
	uint64_t hcr = ICH_HCR_EN; /* EOIcount 0: LRENPIE counts from here */

	for (unsigned int i = 0; i < n; i++) {
		uint64_t lr = lrs[i].intid | ((uint64_t)lrs[i].priority << LR_PRIO_SHIFT);
		if (lrs[i].group1)
			lr |= LR_GROUP1;
		if (lrs[i].pending)
			lr |= LR_STATE_PENDING;
		if (lrs[i].active)
			lr |= LR_STATE_ACTIVE;
		/* Pending and active together is not allowed with HW = 1. */
		if (lrs[i].hw && !(lrs[i].pending && lrs[i].active))
			lr |= LR_HW | ((uint64_t)lrs[i].intid << LR_PINTID_SHIFT);
		lr_write(i, lr);
	}
	v->arch.nr_lrs = n;
	/* Each condition is false for the list registers just written. */
	if (maint & VGIC_MI_NP)
		hcr |= ICH_HCR_NPIE;
	if (maint & VGIC_MI_U)
		hcr |= ICH_HCR_UIE;
	if (maint & VGIC_MI_LRENP)
		hcr |= ICH_HCR_LRENPIE;
	write_sysreg(ICH_HCR_EL2, hcr);
	isb();
}

void vgic_handle_irqs(void)
{
	struct cpu *c = this_cpu();
	struct vcpu *v = c->vcpu;

	/*
	 * Bounded: a level interrupt that nobody silences must not keep the
	 * CPU here with the domain lock held; it traps again after the eret.
	 */
	for (unsigned int k = 0; k < 32; k++) {
		uint32_t intid = gic_ack();
		if (intid >= 1020)
			return;
		gic_priority_drop(intid);
		if (intid == GIC_PPI_VTIMER) {
			if (v && v->state == VCPU_RUNNING) {
				/* Stays active until the guest's EOI (HW list register). */
				vgic_pend(vgic_of(v->dom), v->id, intid);
				continue;
			}
			/* The timer of a vCPU that was stopped: silence it. */
			write_sysreg(cntv_ctl_el0, 0);
			isb();
		} else if (intid >= VGIC_NR_PRIVATE && intid < VGIC_NR_IRQS) {
			struct domain *d = spi_owner[intid];
			if (d && d->state == DOMAIN_RUNNING) {
				kick(d, vgic_pend(vgic_of(d), 0, intid));
				continue;
			}
			/*
			 * The owner stopped: off. An SPI without owner is the
			 * hypervisor's own (the host UART): only deactivated.
			 */
			if (d)
				gic_spi_assign(intid, 0, false);
		}
		/*
		 * The host UART's receive interrupt is a level: drain the UART
		 * before deactivating, or it fires again at once.
		 */
		if (intid >= VGIC_NR_PRIVATE)
			vpl011_poll_input();
		/* The kick SGI, the maintenance interrupt, strays: work is in trap_exit(). */
		gic_deactivate(intid);
	}
}

/*
 * The guest cleared pending or active state (ICPENDR/ICACTIVER at @off of
 * the distributor, or of its own redistributor's SGI frame for @ppi) of
 * hardware-linked interrupts (Linux clears them all at boot, and a
 * passed-through device may have raised its line before).
 */
static void hw_state_cleared(struct vcpu *v, uint32_t off, uint64_t bits, bool ppi)
{
	bool clears = (off >= 0x280 && off < 0x300) || (off >= 0x380 && off < 0x400);

	if (!clears)
		return;
	uint32_t first = (off & 0x7f) * 8;
	for (unsigned int b = 0; b < 32; b++) {
		uint32_t intid = first + b;
		if (!((bits >> b) & 1))
			continue;
		/* The distributor's view has no PPIs, the redistributor's no SPIs. */
		if (ppi ? intid == GIC_PPI_VTIMER : intid >= VGIC_NR_PRIVATE)
			hw_deactivate(v, intid);
	}
}

/* Data abort in the vGIC frames of @v's domain: emulate the access. */
bool vgic_mmio(struct vcpu *v, ipa_t ipa, uint64_t esr, struct trap_frame *f)
{
	struct domain *d = v->dom;
	const struct plan_domain *c = d->cfg;
	/* Offsets into the frames: guest address minus the domain's guest bases. */
	uint64_t a = ipa_addr(ipa);
	uint64_t gicd = ipa_addr(c->gicd_base), gicr = ipa_addr(c->gicr_base);
	bool in_d = a >= gicd && a < gicd + VGIC_GICD_SIZE;
	bool in_r = a >= gicr && a < gicr + (uint64_t)d->nr_vcpus * VGIC_GICR_STRIDE;

	if ((!in_d && !in_r) || !(esr & DABT_ISV))
		return false;
	unsigned int reg = DABT_SRT(esr), size = 1u << DABT_SAS(esr);
	bool write = (esr & DABT_WNR) != 0;
	uint64_t val = write && reg != 31 ? f->x[reg] : 0;
	struct vgic *g = vgic_of(d);
	uint32_t mask;

	if (size < 8)
		val &= (1ull << (8 * size)) - 1;
	if (in_d)
		mask = vgic_dist_access(g, (uint32_t)(a - gicd), size, write, &val);
	else
		mask = vgic_rdist_access(g, (uint32_t)(a - gicr), size, write, &val);
	if (!write && reg != 31)
		f->x[reg] = val;
	if (write && size == 4 && in_d)
		hw_state_cleared(v, (uint32_t)(a - gicd), val, false);
	else if (write && size == 4 &&
	         a - gicr == (uint64_t)v->id * VGIC_GICR_STRIDE + 0x10000 + ((a - gicr) & 0xffff))
		hw_state_cleared(v, (uint32_t)((a - gicr) & 0xffff), val, true);
	kick(d, mask);
	return true;
}

/* Trapped MSR/MRS: the SGI generation registers (HCR_EL2.IMO traps them). */
bool vgic_sysreg(struct vcpu *v, uint64_t esr, struct trap_frame *f)
{
	uint64_t enc = esr & SYSREG_ISS_MASK;
	unsigned int rt = (esr >> 5) & 31;
	bool read = esr & 1;

	if (enc != ICC_SGI1R_ENC && enc != ICC_ASGI1R_ENC && enc != ICC_SGI0R_ENC)
		return false;
	if (read) { /* write-only registers */
		if (rt != 31)
			f->x[rt] = 0;
		return true;
	}
	/* Group 1 SGIs only; ASGI1R (other security state) and SGI0R are ignored. */
	if (enc == ICC_SGI1R_ENC) {
		struct domain *d = v->dom;
		kick(d, vgic_send_sgi(vgic_of(d), v->id, rt == 31 ? 0 : f->x[rt]));
	}
	return true;
}

void vgic_inject(struct domain *d, unsigned int vcpu, uint32_t intid)
{
	arch_domain_lock();
	if (d->state == DOMAIN_RUNNING)
		kick(d, vgic_pend(vgic_of(d), vcpu, intid));
	arch_domain_unlock();
}

void vgic_set_level(struct domain *d, uint32_t intid, bool high)
{
	arch_domain_lock();
	if (d->state == DOMAIN_RUNNING)
		kick(d, vgic_line(vgic_of(d), intid, high));
	arch_domain_unlock();
}
