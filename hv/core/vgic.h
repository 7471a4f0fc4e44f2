/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual GICv3 of a domain: distributor and redistributor register
 * emulation and the interrupt state behind them, independent of the
 * machine (unit-tested on the host).
 *
 * What the guest sees (single security state, GICD_CTLR.DS = 1, affinity
 * routing always on, no LPIs/ITS): VGIC_NR_IRQS INTIDs, 0..15 SGIs and
 * 16..31 PPIs per vCPU (redistributor SGI frame), 32.. SPIs (distributor).
 * The CPU interface is the hardware's (ICH_* list registers): the arch
 * layer moves interrupts between this state and the list registers with
 * vgic_lr_collect() on guest entry and vgic_lr_sync() on guest exit.
 *
 * Per-interrupt state follows the GICv3 architecture: an interrupt is
 * delivered when enabled, pending, not active, its group enabled in
 * GICD_CTLR, and (SPIs) routed to the vCPU by GICD_IROUTER. Edge
 * interrupts latch pending; level interrupts are pending while their
 * line is high (plus a software latch from ISPENDR). "Hardware" interrupts
 * (virtual timer, passthrough SPIs) are linked to the physical INTID of
 * the same number: the guest's deactivation deactivates the physical one.
 *
 * vCPU n has affinity 0.0.0.n (MPIDR Aff0 = n), as vmpidr_el2 says.
 *
 * Locking: none here. The arch layer serialises every call for a domain
 * (the domain lock) and kicks the vCPUs named in the returned masks.
 */
#ifndef BULKHEAD_CORE_VGIC_H
#define BULKHEAD_CORE_VGIC_H

#include "types.h"
#include "plan.h"

#define VGIC_NR_PRIVATE 32u
#define VGIC_NR_IRQS    256u /* GICD_TYPER.ITLinesNumber = 7 */
#define VGIC_NR_SPIS    (VGIC_NR_IRQS - VGIC_NR_PRIVATE)
#define VGIC_MAX_VCPUS  PLAN_MAX_CPUS
#define VGIC_SPURIOUS   1023u
#define VGIC_MAX_LRS    16u /* ICH_VTR_EL2.ListRegs + 1 is at most 16 */

/* Frame sizes: distributor 64 KiB, redistributor RD + SGI frames. */
#define VGIC_GICD_SIZE   0x10000u
#define VGIC_GICR_STRIDE 0x20000u

/* Interrupt state bits (struct vgic_irq.flags). */
#define VGIC_ENABLED (1u << 0)
#define VGIC_LATCH   (1u << 1) /* pending latch: edge event or ISPENDR */
#define VGIC_LINE    (1u << 2) /* level of the input line */
#define VGIC_ACTIVE  (1u << 3)
#define VGIC_EDGE    (1u << 4) /* ICFGR: edge-triggered */
#define VGIC_GROUP1  (1u << 5) /* IGROUPR */
#define VGIC_GRPMOD  (1u << 6) /* IGRPMODR (stored, no effect with DS = 1) */
#define VGIC_HW      (1u << 7) /* linked to the physical INTID of the same number */

/* 8 bytes: every domain holds one per SPI and per private interrupt of each vCPU. */
struct vgic_irq {
	uint32_t route; /* SPIs: IROUTER Aff3:Aff2:Aff1:Aff0 as 4 bytes */
	uint8_t flags;
	uint8_t priority;
	uint8_t lr_vcpu;    /* vCPU whose list registers hold it, VGIC_NO_LR if none */
	bool lr_latch : 1;  /* the list register holds a latched (not line) pending state */
	bool route_any : 1; /* SPIs: IROUTER.IRM */
};
_Static_assert(sizeof(struct vgic_irq) == 8, "vgic_irq packs into 8 bytes");
#define VGIC_NO_LR 0xffu

struct vgic_cpu {
	struct vgic_irq priv[VGIC_NR_PRIVATE];
	bool sleep; /* GICR_WAKER.ProcessorSleep */
};

struct vgic {
	unsigned int nr_vcpus;
	/*
	 * vCPUs that may have something to deliver: set by every change that
	 * returns a kick mask and by vgic_lr_sync(), cleared when
	 * vgic_lr_collect() finds nothing left out. Lets the common trap
	 * (nothing new) skip the scan of every INTID.
	 */
	uint32_t hint;
	uint32_t ctlr; /* GICD_CTLR: EnableGrp0 (bit 0), EnableGrp1 (bit 1) */
	struct vgic_irq spi[VGIC_NR_SPIS];
	struct vgic_cpu cpu[VGIC_MAX_VCPUS];
};

/** One interrupt for a list register: what the arch layer writes. */
struct vgic_lr {
	uint32_t intid;
	uint8_t priority;
	bool group1;
	bool hw; /* pINTID = intid */
	bool pending;
	bool active;
};

/**
 * vgic_init() - reset @g to the architectural reset state for @nr_vcpus
 * vCPUs: everything disabled, inactive, not pending, group 0, priority
 * 0, SGIs edge and PPIs/SPIs level, SPIs routed to vCPU 0, redistributors
 * asleep.
 */
void vgic_init(struct vgic *g, unsigned int nr_vcpus);

/**
 * vgic_dist_access() - a guest access to the distributor frame.
 * @off:   offset in the frame (0..VGIC_GICD_SIZE-1).
 * @size:  1, 2, 4 or 8 bytes.
 * @val:   value written, or where the read value goes.
 * Unknown offsets and unsupported sizes read as zero and ignore writes.
 * Return: mask of vCPUs that may have a new interrupt to deliver.
 */
uint32_t vgic_dist_access(struct vgic *g, uint32_t off, unsigned int size, bool write,
                          uint64_t *val);

/**
 * vgic_rdist_access() - a guest access to the redistributor region.
 * @off: offset from the first redistributor (VGIC_GICR_STRIDE per vCPU,
 *       RD frame then SGI frame at +0x10000). Beyond the last vCPU: RAZ/WI.
 * Otherwise as vgic_dist_access().
 */
uint32_t vgic_rdist_access(struct vgic *g, uint32_t off, unsigned int size, bool write,
                           uint64_t *val);

/**
 * vgic_send_sgi() - vCPU @src wrote @sgi1r to ICC_SGI1R_EL1: pend the SGI
 * on each target (TargetList/Aff1..3/RS, or every other vCPU with IRM).
 * Return: mask of target vCPUs.
 */
uint32_t vgic_send_sgi(struct vgic *g, unsigned int src, uint64_t sgi1r);

/**
 * vgic_pend() - an edge event on @intid: set its pending latch. For SGIs
 * and PPIs @vcpu names the redistributor; SPIs ignore it (GICD_IROUTER).
 * Return: mask of vCPUs to kick; 0 for an invalid INTID or vCPU.
 */
uint32_t vgic_pend(struct vgic *g, unsigned int vcpu, uint32_t intid);

/**
 * vgic_line() - set the input line of SPI @intid high or low (level
 * interrupts are pending while high). Return: as vgic_pend().
 */
uint32_t vgic_line(struct vgic *g, uint32_t intid, bool high);

/** vgic_set_hw() - mark @intid of @vcpu (SPI: any) as linked to the physical INTID. */
void vgic_set_hw(struct vgic *g, unsigned int vcpu, uint32_t intid, bool hw);

/**
 * vgic_highest_pending() - the INTID the virtual CPU interface of @vcpu
 * would signal next (highest priority = lowest value, then lowest INTID),
 * ignoring the guest's priority mask; VGIC_SPURIOUS if none.
 */
uint32_t vgic_highest_pending(const struct vgic *g, unsigned int vcpu);

/*
 * Maintenance conditions vgic_lr_collect() asks the arch layer to arm
 * (ICH_HCR_EL2 has one enable bit for each). Each is chosen so that it is
 * false for the list registers as collected: the interrupt only comes
 * after the guest acted (acknowledged, deactivated, ended), never at once.
 */
#define VGIC_MI_NP    (1u << 0) /* NPIE: no list register holds a pending interrupt */
#define VGIC_MI_U     (1u << 1) /* UIE: at most one list register holds an interrupt */
#define VGIC_MI_LRENP (1u << 2) /* LRENPIE: the guest ended one held by no list register */

/**
 * vgic_lr_collect() - choose what @vcpu's @max list registers hold on
 * entry: its active interrupts, highest priority first, then deliverable
 * pending ones by priority. When any is deliverable, the highest-priority
 * pending interrupt always gets a list register, even if that leaves an
 * active one out ("spilled"): the guest may take it above its actives.
 * Each chosen interrupt is owned by the list registers until
 * vgic_lr_sync(); an edge latch moves into the list register.
 * Entries come active ones first, then pending ones.
 * @more:  set when interrupts were left out: deliverable ones, or active
 *         ones (the guest may end those before they come back).
 * @maint: the VGIC_MI_* conditions to arm for what was left out: NP when
 *         deliverable ones wait (a pending entry is loaded, so not yet
 *         true), LRENP when active ones wait (see vgic_lr_eoi_missed()),
 *         with U too when two or more entries are loaded (refill them as
 *         the guest ends the loaded ones). 0 when nothing waits.
 * Return: number of entries written to @lrs.
 */
unsigned int vgic_lr_collect(struct vgic *g, unsigned int vcpu, struct vgic_lr *lrs,
                             unsigned int max, bool *more, unsigned int *maint);

/**
 * vgic_lr_eoi_missed() - the guest of @vcpu ended (EOIR with EOImode 0,
 * or DIR) @count interrupts that no list register held: the hardware
 * counted them in ICH_HCR_EL2.EOIcount without knowing which. Deactivate
 * that many of @vcpu's active interrupts left out of the list registers,
 * highest priority first: a guest ends nested interrupts innermost
 * first, and the innermost ones, highest in priority, are the ones kept
 * in the list registers, so the first one left out is the one it ended.
 * Call after the guest ran and before vgic_lr_sync(), while the entries
 * still held are marked as such.
 * @hw: gets the hardware-linked INTIDs among them (at most @count): their
 *      physical interrupt, still active, is the arch layer's to end.
 * Return: number of INTIDs written to @hw.
 */
unsigned int vgic_lr_eoi_missed(struct vgic *g, unsigned int vcpu, unsigned int count,
                                uint32_t *hw);

/**
 * vgic_lr_sync() - take back the @n list registers of @vcpu that
 * vgic_lr_collect() filled, with their state after the guest ran.
 * Return: mask of other vCPUs to kick: SPIs this one held that are now
 * routed to them (their collect skipped them while held here).
 */
uint32_t vgic_lr_sync(struct vgic *g, unsigned int vcpu, const struct vgic_lr *lrs, unsigned int n);

/** vgic_irq_of() - state of @intid as seen by @vcpu (SPIs: shared), or NULL. */
struct vgic_irq *vgic_irq_of(struct vgic *g, unsigned int vcpu, uint32_t intid);

/** vgic_spi_target() - the vCPU an SPI is delivered to (its IROUTER; IRM: vCPU 0). */
unsigned int vgic_spi_target(const struct vgic *g, uint32_t intid);

#endif
