// SPDX-License-Identifier: Apache-2.0
/*
 * Virtual GICv3 distributor and redistributors (see vgic.h). Register
 * layout and semantics from the GICv3 architecture specification (IHI
 * 0069): bit-per-interrupt set/clear registers, byte-per-interrupt
 * priorities, two config bits per interrupt, 64-bit IROUTER per SPI.
 */
#include <string.h>
#include "vgic.h"

/* Distributor. */
#define GICD_CTLR       0x0000u
#define GICD_TYPER      0x0004u
#define GICD_IIDR       0x0008u
#define GICD_IGROUPR    0x0080u
#define GICD_ISENABLER  0x0100u
#define GICD_ICENABLER  0x0180u
#define GICD_ISPENDR    0x0200u
#define GICD_ICPENDR    0x0280u
#define GICD_ISACTIVER  0x0300u
#define GICD_ICACTIVER  0x0380u
#define GICD_IPRIORITYR 0x0400u
#define GICD_ICFGR      0x0c00u
#define GICD_IGRPMODR   0x0d00u
#define GICD_IROUTER    0x6000u
#define GICD_PIDR2      0xffe8u

#define CTLR_ENABLE_GRP0 (1u << 0)
#define CTLR_ENABLE_GRP1 (1u << 1)
#define CTLR_ARE         (1u << 4)
#define CTLR_DS          (1u << 6)

/* Redistributor RD frame, then SGI frame at +0x10000. */
#define GICR_CTLR  0x0000u
#define GICR_IIDR  0x0004u
#define GICR_TYPER 0x0008u
#define GICR_WAKER 0x0014u
#define GICR_PIDR2 0xffe8u
#define GICR_SGI   0x10000u

#define WAKER_SLEEP  (1u << 1)
#define WAKER_ASLEEP (1u << 2)

/* JEP106 ARM (0x43B) in IIDR[11:0]; product 0x42 ('B') for Bulkhead. */
#define VGIC_IIDR  (0x43bu | (0x42u << 24))
#define PIDR2_GIC3 0x3bu /* ArchRev 3 in [7:4], JEDEC bit and designer bits */

static bool group_enabled(const struct vgic *g, const struct vgic_irq *irq)
{
	return g->ctlr & ((irq->flags & VGIC_GROUP1) ? CTLR_ENABLE_GRP1 : CTLR_ENABLE_GRP0);
}

static bool is_pending(const struct vgic_irq *irq)
{
	return (irq->flags & VGIC_LATCH) ||
	       (!(irq->flags & VGIC_EDGE) && !(irq->flags & VGIC_HW) && (irq->flags & VGIC_LINE));
}

struct vgic_irq *vgic_irq_of(struct vgic *g, unsigned int vcpu, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return vcpu < g->nr_vcpus ? &g->cpu[vcpu].priv[intid] : NULL;
	if (intid < VGIC_NR_IRQS)
		return &g->spi[intid - VGIC_NR_PRIVATE];
	return NULL;
}

unsigned int vgic_spi_target(const struct vgic *g, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS)
		return 0;
	const struct vgic_irq *irq = &g->spi[intid - VGIC_NR_PRIVATE];
	/* Aff3..Aff1 must be 0 and Aff0 a vCPU; anything else reaches no vCPU. */
	if (irq->route_any)
		return 0;
	if ((irq->route & 0xffffff00u) || (irq->route & 0xff) >= g->nr_vcpus)
		return VGIC_MAX_VCPUS;
	return irq->route & 0xff;
}

/* Mask of the vCPUs that must look at @intid again. */
static uint32_t owner_mask(const struct vgic *g, unsigned int vcpu, uint32_t intid)
{
	const struct vgic_irq *irq =
	    intid < VGIC_NR_PRIVATE ? &g->cpu[vcpu].priv[intid] : &g->spi[intid - VGIC_NR_PRIVATE];
	uint32_t m = 0;

	if (irq->lr_vcpu != VGIC_NO_LR)
		m |= 1u << irq->lr_vcpu;
	if (intid < VGIC_NR_PRIVATE) {
		m |= 1u << vcpu;
	} else {
		unsigned int t = vgic_spi_target(g, intid);
		if (t < g->nr_vcpus)
			m |= 1u << t;
	}
	return m;
}

void vgic_init(struct vgic *g, unsigned int nr_vcpus)
{
	/*
	 * Zero is the reset state of almost every field; only the list
	 * register owner, the SGIs' edge trigger and the redistributors'
	 * sleep differ. Private state beyond nr_vcpus is never reached (every
	 * access checks the vCPU), so it is left as it is: this runs on the
	 * boot path of every domain life.
	 */
	memset(g, 0, sizeof(*g));
	g->nr_vcpus = nr_vcpus > VGIC_MAX_VCPUS ? VGIC_MAX_VCPUS : nr_vcpus;
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++)
		g->spi[i].lr_vcpu = VGIC_NO_LR;
	for (unsigned int c = 0; c < g->nr_vcpus; c++) {
		g->cpu[c].sleep = true;
		for (unsigned int i = 0; i < VGIC_NR_PRIVATE; i++) {
			g->cpu[c].priv[i].lr_vcpu = VGIC_NO_LR;
			if (i < 16)
				g->cpu[c].priv[i].flags =
				    VGIC_EDGE; /* SGIs are always edge-triggered */
		}
	}
}

/*
 * Registers with one bit per interrupt. @first is the INTID of bit 0 of
 * the 32-bit word; @vcpu picks the private interrupts.
 */
enum bitreg {
	BR_GROUP,
	BR_SENABLE,
	BR_CENABLE,
	BR_SPEND,
	BR_CPEND,
	BR_SACTIVE,
	BR_CACTIVE,
	BR_GRPMOD
};

static uint32_t bitreg_read(struct vgic *g, unsigned int vcpu, uint32_t first, enum bitreg r)
{
	uint32_t v = 0;

	for (unsigned int b = 0; b < 32; b++) {
		const struct vgic_irq *irq = vgic_irq_of(g, vcpu, first + b);
		bool set = false;
		if (!irq)
			continue;
		switch (r) {
		case BR_GROUP:
			set = irq->flags & VGIC_GROUP1;
			break;
		case BR_SENABLE:
		case BR_CENABLE:
			set = irq->flags & VGIC_ENABLED;
			break;
		case BR_SPEND:
		case BR_CPEND:
			set = is_pending(irq);
			break;
		case BR_SACTIVE:
		case BR_CACTIVE:
			set = irq->flags & VGIC_ACTIVE;
			break;
		case BR_GRPMOD:
			set = irq->flags & VGIC_GRPMOD;
			break;
		}
		if (set)
			v |= 1u << b;
	}
	return v;
}

static uint32_t bitreg_write(struct vgic *g, unsigned int vcpu, uint32_t first, enum bitreg r,
                             uint32_t v)
{
	uint32_t kick = 0;

	for (unsigned int b = 0; b < 32; b++) {
		struct vgic_irq *irq = vgic_irq_of(g, vcpu, first + b);
		bool one = (v >> b) & 1;
		uint8_t before;
		if (!irq)
			continue;
		before = irq->flags;
		switch (r) {
		case BR_GROUP:
			irq->flags = one ? irq->flags | VGIC_GROUP1 : irq->flags & ~VGIC_GROUP1;
			break;
		case BR_GRPMOD:
			irq->flags = one ? irq->flags | VGIC_GRPMOD : irq->flags & ~VGIC_GRPMOD;
			break;
		case BR_SENABLE:
			if (one)
				irq->flags |= VGIC_ENABLED;
			break;
		case BR_CENABLE:
			if (one)
				irq->flags &= ~VGIC_ENABLED;
			break;
		case BR_SPEND:
			if (one)
				irq->flags |= VGIC_LATCH;
			break;
		case BR_CPEND:
			/* Clears the latch only: a level line still high keeps it pending. */
			if (one)
				irq->flags &= ~VGIC_LATCH;
			break;
		case BR_SACTIVE:
			if (one)
				irq->flags |= VGIC_ACTIVE;
			break;
		case BR_CACTIVE:
			if (one)
				irq->flags &= ~VGIC_ACTIVE;
			break;
		}
		if (irq->flags != before)
			kick |= owner_mask(g, vcpu, first + b);
	}
	return kick;
}

/* Byte-per-interrupt priorities, @size bytes from INTID @first. */
static uint32_t prio_access(struct vgic *g, unsigned int vcpu, uint32_t first, unsigned int size,
                            bool write, uint64_t *val)
{
	uint32_t kick = 0;
	uint64_t v = 0;

	for (unsigned int i = 0; i < size; i++) {
		struct vgic_irq *irq = vgic_irq_of(g, vcpu, first + i);
		if (!irq)
			continue;
		if (write) {
			irq->priority = (uint8_t)(*val >> (8 * i));
			kick |= owner_mask(g, vcpu, first + i);
		} else {
			v |= (uint64_t)irq->priority << (8 * i);
		}
	}
	if (!write)
		*val = v;
	return kick;
}

/* Two config bits per interrupt (bit 1: edge), 16 interrupts from @first. */
static uint32_t cfg_access(struct vgic *g, unsigned int vcpu, uint32_t first, bool write,
                           uint64_t *val)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < 16; i++) {
		struct vgic_irq *irq = vgic_irq_of(g, vcpu, first + i);
		if (!irq)
			continue;
		if (write && first + i >= 16) { /* SGI config is read-only */
			bool edge = (*val >> (2 * i + 1)) & 1;
			irq->flags = edge ? irq->flags | VGIC_EDGE : irq->flags & ~VGIC_EDGE;
		}
		if (irq->flags & VGIC_EDGE)
			v |= 2u << (2 * i);
	}
	if (!write)
		*val = v;
	return 0;
}

/* The registers shared by GICD (SPIs) and the GICR SGI frame (private). */
static bool common_access(struct vgic *g, unsigned int vcpu, uint32_t off, uint32_t base,
                          unsigned int size, bool write, uint64_t *val, uint32_t *kick)
{
	static const struct {
		uint32_t off;
		enum bitreg r;
	} bitregs[] = {
	    {GICD_IGROUPR, BR_GROUP},     {GICD_ISENABLER, BR_SENABLE},
	    {GICD_ICENABLER, BR_CENABLE}, {GICD_ISPENDR, BR_SPEND},
	    {GICD_ICPENDR, BR_CPEND},     {GICD_ISACTIVER, BR_SACTIVE},
	    {GICD_ICACTIVER, BR_CACTIVE}, {GICD_IGRPMODR, BR_GRPMOD},
	};

	for (unsigned int i = 0; i < sizeof(bitregs) / sizeof(bitregs[0]); i++) {
		if (off < bitregs[i].off || off >= bitregs[i].off + VGIC_NR_IRQS / 8)
			continue;
		if (size != 4)
			return true; /* word access only: RAZ/WI */
		uint32_t first = (off - bitregs[i].off) * 8 + base;
		if (write)
			*kick |= bitreg_write(g, vcpu, first, bitregs[i].r, (uint32_t)*val);
		else
			*val = bitreg_read(g, vcpu, first, bitregs[i].r);
		return true;
	}
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + VGIC_NR_IRQS) {
		if (size != 1 && size != 4)
			return true;
		*kick |= prio_access(g, vcpu, off - GICD_IPRIORITYR + base, size, write, val);
		return true;
	}
	if (off >= GICD_ICFGR && off < GICD_ICFGR + VGIC_NR_IRQS / 4) {
		if (size != 4)
			return true;
		cfg_access(g, vcpu, (off - GICD_ICFGR) * 4 + base, write, val);
		return true;
	}
	return false;
}

static uint32_t dist_access(struct vgic *g, uint32_t off, unsigned int size, bool write,
                            uint64_t *val)
{
	uint32_t kick = 0;
	uint64_t rd = 0;

	if (!write)
		*val = 0;
	if (off >= VGIC_GICD_SIZE || (size != 1 && size != 2 && size != 4 && size != 8) ||
	    (off & (size - 1)))
		return 0;
	if (size == 8 && (off < GICD_IROUTER || off >= GICD_IROUTER + 8 * VGIC_NR_IRQS))
		return 0;
	switch (off) {
	case GICD_CTLR:
		if (size != 4)
			return 0;
		if (write) {
			g->ctlr = (uint32_t)*val & (CTLR_ENABLE_GRP0 | CTLR_ENABLE_GRP1);
			return (1u << g->nr_vcpus) - 1;
		}
		*val = g->ctlr | CTLR_ARE | CTLR_DS; /* ARE and DS: RAO/WI */
		return 0;
	case GICD_TYPER:
		if (size == 4 && !write) /* IDbits = 9 (10 bits), ITLinesNumber */
			*val = (9u << 19) | (VGIC_NR_IRQS / 32 - 1);
		return 0;
	case GICD_IIDR:
		if (size == 4 && !write)
			*val = VGIC_IIDR;
		return 0;
	case GICD_PIDR2:
		if (size == 4 && !write)
			*val = PIDR2_GIC3;
		return 0;
	default:
		break;
	}
	if (off >= GICD_IROUTER && off < GICD_IROUTER + 8 * VGIC_NR_IRQS) {
		uint32_t intid = (off - GICD_IROUTER) / 8;
		if (intid < VGIC_NR_PRIVATE || (size != 8 && size != 4))
			return 0;
		struct vgic_irq *irq = &g->spi[intid - VGIC_NR_PRIVATE];
		bool high = (off & 4) != 0;
		uint64_t cur = (uint64_t)(irq->route & 0xffffff) |
		               (irq->route_any ? 1ull << 31 : 0) |
		               ((uint64_t)(irq->route >> 24) << 32);
		if (!write) {
			*val = size == 8 ? cur : high ? cur >> 32 : cur & 0xffffffffu;
			return 0;
		}
		uint64_t nv = size == 8 ? *val
		              : high    ? (cur & 0xffffffffu) | (*val << 32)
		                        : (cur & ~0xffffffffull) | (*val & 0xffffffffu);
		kick = owner_mask(g, 0, intid);
		irq->route = (uint32_t)(nv & 0xffffff) | (uint32_t)((nv >> 32) & 0xff) << 24;
		irq->route_any = (nv >> 31) & 1;
		return kick | owner_mask(g, 0, intid);
	}
	/* INTIDs 0..31 live in the redistributors while ARE = 1: RAZ/WI here. */
	if (off == GICD_IGRPMODR ||
	    (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + VGIC_NR_PRIVATE) ||
	    (off >= GICD_ICFGR && off < GICD_ICFGR + 8) ||
	    (off < GICD_IPRIORITYR && off >= GICD_IGROUPR && (off & 0x7f) < 4))
		return 0;
	if (common_access(g, 0, off, 0, size, write, write ? val : &rd, &kick)) {
		if (!write)
			*val = rd;
		return kick;
	}
	return 0;
}

static uint32_t rd_frame(struct vgic *g, unsigned int vcpu, uint32_t off, unsigned int size,
                         bool write, uint64_t *val)
{
	struct vgic_cpu *c = &g->cpu[vcpu];

	if (off == GICR_TYPER && size == 8 && !write) {
		/* Affinity 0.0.0.vcpu, Processor_Number = vcpu, Last on the final one. */
		*val = ((uint64_t)vcpu << 32) | ((uint64_t)vcpu << 8) |
		       (vcpu + 1 == g->nr_vcpus ? 1u << 4 : 0);
		return 0;
	}
	if (off == GICR_TYPER + 4 && size == 4 && !write) {
		*val = vcpu;
		return 0;
	}
	if (off == GICR_TYPER && size == 4 && !write) {
		*val = (vcpu << 8) | (vcpu + 1 == g->nr_vcpus ? 1u << 4 : 0);
		return 0;
	}
	if (size != 4)
		return 0;
	switch (off) {
	case GICR_IIDR:
		if (!write)
			*val = VGIC_IIDR;
		break;
	case GICR_WAKER:
		if (write)
			c->sleep = (*val & WAKER_SLEEP) != 0;
		else
			*val = c->sleep ? WAKER_SLEEP | WAKER_ASLEEP : 0;
		break;
	case GICR_PIDR2:
		if (!write)
			*val = PIDR2_GIC3;
		break;
	default: /* GICR_CTLR (no LPIs) and the rest: RAZ/WI */
		break;
	}
	return 0;
}

static uint32_t rdist_access(struct vgic *g, uint32_t off, unsigned int size, bool write,
                             uint64_t *val)
{
	unsigned int vcpu = off / VGIC_GICR_STRIDE;
	uint32_t kick = 0;
	uint64_t rd = 0;

	if (!write)
		*val = 0;
	if (vcpu >= g->nr_vcpus || (size != 1 && size != 2 && size != 4 && size != 8) ||
	    (off & (size - 1)))
		return 0;
	off %= VGIC_GICR_STRIDE;
	if (off < GICR_SGI)
		return rd_frame(g, vcpu, off, size, write, val);
	off -= GICR_SGI;
	/* Only the registers of INTIDs 0..31 exist in the SGI frame. */
	bool word0 = (off & 0x7f) < 4 && off >= GICD_IGROUPR && off < GICD_IPRIORITYR;
	bool prio = off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + VGIC_NR_PRIVATE;
	bool cfg = off >= GICD_ICFGR && off < GICD_ICFGR + 8;
	bool grpmod = off == GICD_IGRPMODR;
	if (!word0 && !prio && !cfg && !grpmod)
		return 0;
	if (common_access(g, vcpu, off, 0, size, write, write ? val : &rd, &kick) && !write)
		*val = rd;
	return kick;
}

static uint32_t pend_private(struct vgic *g, unsigned int vcpu, uint32_t intid);

static uint32_t send_sgi(struct vgic *g, unsigned int src, uint64_t sgi1r)
{
	uint32_t intid = (sgi1r >> 24) & 0xf, kick = 0;

	if (src >= g->nr_vcpus)
		return 0;
	if ((sgi1r >> 40) & 1) { /* IRM: every PE but the sender */
		for (unsigned int v = 0; v < g->nr_vcpus; v++)
			if (v != src)
				kick |= pend_private(g, v, intid);
		return kick;
	}
	uint64_t aff1 = (sgi1r >> 16) & 0xff, aff2 = (sgi1r >> 32) & 0xff,
	         aff3 = (sgi1r >> 48) & 0xff;
	unsigned int rs = (sgi1r >> 44) & 0xf;
	if (aff1 || aff2 || aff3)
		return 0; /* our vCPUs all have Aff3.Aff2.Aff1 = 0.0.0 */
	for (unsigned int b = 0; b < 16; b++) {
		unsigned int v = rs * 16 + b;
		if (((sgi1r >> b) & 1) && v < g->nr_vcpus)
			kick |= pend_private(g, v, intid);
	}
	return kick;
}

static uint32_t pend_private(struct vgic *g, unsigned int vcpu, uint32_t intid)
{
	struct vgic_irq *irq;

	if (intid < VGIC_NR_PRIVATE && vcpu >= g->nr_vcpus)
		return 0;
	if (intid >= VGIC_NR_PRIVATE)
		vcpu = 0;
	irq = vgic_irq_of(g, vcpu, intid);
	if (!irq)
		return 0;
	irq->flags |= VGIC_LATCH;
	return owner_mask(g, vcpu, intid);
}

uint32_t vgic_line(struct vgic *g, uint32_t intid, bool high)
{
	struct vgic_irq *irq;
	uint32_t kick;

	if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS)
		return 0;
	irq = &g->spi[intid - VGIC_NR_PRIVATE];
	uint8_t before = irq->flags;
	irq->flags = high ? irq->flags | VGIC_LINE : irq->flags & ~VGIC_LINE;
	kick = irq->flags != before ? owner_mask(g, 0, intid) : 0;
	g->hint |= kick;
	return kick;
}

uint32_t vgic_dist_access(struct vgic *g, uint32_t off, unsigned int size, bool write,
                          uint64_t *val)
{
	uint32_t kick = dist_access(g, off, size, write, val);

	g->hint |= kick;
	return kick;
}

uint32_t vgic_rdist_access(struct vgic *g, uint32_t off, unsigned int size, bool write,
                           uint64_t *val)
{
	uint32_t kick = rdist_access(g, off, size, write, val);

	g->hint |= kick;
	return kick;
}

uint32_t vgic_send_sgi(struct vgic *g, unsigned int src, uint64_t sgi1r)
{
	uint32_t kick = send_sgi(g, src, sgi1r);

	g->hint |= kick;
	return kick;
}

uint32_t vgic_pend(struct vgic *g, unsigned int vcpu, uint32_t intid)
{
	uint32_t kick = pend_private(g, vcpu, intid);

	g->hint |= kick;
	return kick;
}

void vgic_set_hw(struct vgic *g, unsigned int vcpu, uint32_t intid, bool hw)
{
	struct vgic_irq *irq = vgic_irq_of(g, intid < VGIC_NR_PRIVATE ? vcpu : 0, intid);

	if (irq)
		irq->flags = hw ? irq->flags | VGIC_HW : irq->flags & ~VGIC_HW;
}

/* Can @irq (INTID @intid) be signalled to @vcpu now? */
static bool deliverable(const struct vgic *g, unsigned int vcpu, const struct vgic_irq *irq,
                        uint32_t intid)
{
	if (!(irq->flags & VGIC_ENABLED) || !is_pending(irq) || (irq->flags & VGIC_ACTIVE) ||
	    !group_enabled(g, irq))
		return false;
	return intid < VGIC_NR_PRIVATE || vgic_spi_target(g, intid) == vcpu;
}

static const struct vgic_irq *irq_at(const struct vgic *g, unsigned int vcpu, uint32_t intid)
{
	return intid < VGIC_NR_PRIVATE ? &g->cpu[vcpu].priv[intid]
	                               : &g->spi[intid - VGIC_NR_PRIVATE];
}

uint32_t vgic_highest_pending(const struct vgic *g, unsigned int vcpu)
{
	uint32_t best = VGIC_SPURIOUS;
	unsigned int best_prio = 0x100;

	if (vcpu >= g->nr_vcpus)
		return VGIC_SPURIOUS;
	for (uint32_t i = 0; i < VGIC_NR_IRQS; i++) {
		const struct vgic_irq *irq = irq_at(g, vcpu, i);
		if (irq->priority < best_prio && deliverable(g, vcpu, irq, i)) {
			best = i;
			best_prio = irq->priority;
		}
	}
	return best;
}

static void fill_lr(struct vgic_irq *irq, uint32_t intid, unsigned int vcpu, struct vgic_lr *lr)
{
	lr->intid = intid;
	lr->priority = irq->priority;
	lr->group1 = (irq->flags & VGIC_GROUP1) != 0;
	lr->hw = (irq->flags & VGIC_HW) != 0;
	lr->active = (irq->flags & VGIC_ACTIVE) != 0;
	lr->pending = is_pending(irq);
	irq->lr_vcpu = (uint8_t)vcpu;
	irq->lr_latch = (irq->flags & VGIC_LATCH) != 0;
	/* The list register now holds the pending state (a level line stays here). */
	irq->flags &= (uint8_t)~VGIC_LATCH;
	irq->flags &= (uint8_t)~VGIC_ACTIVE;
}

/* An active interrupt of @vcpu that no list register holds. */
static bool active_out(const struct vgic *g, unsigned int vcpu, const struct vgic_irq *irq,
                       uint32_t intid)
{
	if (!(irq->flags & VGIC_ACTIVE) || irq->lr_vcpu != VGIC_NO_LR)
		return false;
	return intid < VGIC_NR_PRIVATE || vgic_spi_target(g, intid) == vcpu;
}

/* Order of service: priority (lower value first), then INTID. */
static uint32_t rank(const struct vgic_irq *irq, uint32_t intid)
{
	return ((uint32_t)irq->priority << 16) | intid;
}

/*
 * The best @max of a kind, in order of service: @top holds @*n INTIDs,
 * @keys their ranks; @*total counts every candidate seen.
 */
struct best {
	uint32_t top[VGIC_MAX_LRS], keys[VGIC_MAX_LRS];
	unsigned int n, total;
};

static void best_add(struct best *b, unsigned int max, uint32_t key, uint32_t intid)
{
	unsigned int k;

	b->total++;
	if (b->n == max && (max == 0 || key >= b->keys[max - 1]))
		return;
	if (b->n < max)
		b->n++;
	for (k = b->n - 1; k > 0 && b->keys[k - 1] > key; k--) {
		b->keys[k] = b->keys[k - 1];
		b->top[k] = b->top[k - 1];
	}
	b->keys[k] = key;
	b->top[k] = intid;
}

unsigned int vgic_lr_collect(struct vgic *g, unsigned int vcpu, struct vgic_lr *lrs,
                             unsigned int max, bool *more, unsigned int *maint)
{
	struct best act = {.n = 0}, pend = {.n = 0};
	unsigned int n = 0;

	*more = false;
	*maint = 0;
	if (vcpu >= g->nr_vcpus || !(g->hint & (1u << vcpu)))
		return 0;
	if (max > VGIC_MAX_LRS)
		max = VGIC_MAX_LRS;
	/* One pass: the best active and the best deliverable pending ones. */
	for (uint32_t i = 0; i < VGIC_NR_IRQS; i++) {
		const struct vgic_irq *irq = irq_at(g, vcpu, i);
		if (irq->lr_vcpu != VGIC_NO_LR)
			continue;
		if (active_out(g, vcpu, irq, i))
			best_add(&act, max, rank(irq, i), i);
		else if (deliverable(g, vcpu, irq, i))
			best_add(&pend, max, rank(irq, i), i);
	}
	/*
	 * Active interrupts first (the guest's EOI should find them in a list
	 * register), the highest-priority ones: those are the innermost of
	 * nested ones, ended first. But one list register stays for the
	 * highest-priority pending interrupt: with actives in all of them the
	 * guest could never take an interrupt above its running priority, and
	 * "no pending entry" would already be true.
	 */
	unsigned int nact = act.n;
	if (pend.n && nact == max && max)
		nact--;
	for (unsigned int k = 0; k < nact; k++)
		fill_lr(vgic_irq_of(g, vcpu, act.top[k]), act.top[k], vcpu, &lrs[n++]);
	unsigned int npend = 0;
	for (; npend < pend.n && n < max; npend++)
		fill_lr(vgic_irq_of(g, vcpu, pend.top[npend]), pend.top[npend], vcpu, &lrs[n++]);
	bool act_left = act.total > nact, pend_left = pend.total > npend;
	/*
	 * Come back for what was left out, with conditions false right now
	 * (one that is already true interrupts at once, forever: the storm):
	 * - pending ones wait: NP, and a pending-only entry is loaded (the
	 *   reserved one), so it fires once the guest took them all;
	 * - active ones wait: LRENP fires when the guest ends one of them
	 *   (EOIcount starts at 0); U fires once the guest ended all but one
	 *   of the loaded entries, to load the rest, if two or more are.
	 * Each maintenance interrupt thus needs the guest to act first.
	 */
	if (pend_left && npend)
		*maint |= VGIC_MI_NP;
	if (act_left) {
		*maint |= VGIC_MI_LRENP;
		if (n >= 2)
			*maint |= VGIC_MI_U;
	}
	*more = act_left || pend_left;
	/* What is left out waits for a change (which sets the hint) or a sync. */
	if (!*more)
		g->hint &= ~(1u << vcpu);
	return n;
}

unsigned int vgic_lr_eoi_missed(struct vgic *g, unsigned int vcpu, unsigned int count, uint32_t *hw)
{
	unsigned int nhw = 0;

	if (vcpu >= g->nr_vcpus)
		return 0;
	for (; count; count--) {
		uint32_t best = VGIC_SPURIOUS, best_rank = UINT32_MAX;
		for (uint32_t i = 0; i < VGIC_NR_IRQS; i++) {
			const struct vgic_irq *irq = irq_at(g, vcpu, i);
			if (active_out(g, vcpu, irq, i) && rank(irq, i) < best_rank) {
				best = i;
				best_rank = rank(irq, i);
			}
		}
		if (best == VGIC_SPURIOUS)
			break; /* ended more than were left out: nothing of ours */
		struct vgic_irq *irq = vgic_irq_of(g, vcpu, best);
		irq->flags &= (uint8_t)~VGIC_ACTIVE;
		if (irq->flags & VGIC_HW)
			hw[nhw++] = best;
		/* A pending state behind it is deliverable now; the rest may fit. */
		g->hint |= 1u << vcpu;
	}
	return nhw;
}

uint32_t vgic_lr_sync(struct vgic *g, unsigned int vcpu, const struct vgic_lr *lrs, unsigned int n)
{
	uint32_t others = 0;

	if (vcpu >= g->nr_vcpus)
		return 0;
	for (unsigned int k = 0; k < n; k++) {
		struct vgic_irq *irq = vgic_irq_of(g, vcpu, lrs[k].intid);
		if (!irq || irq->lr_vcpu != vcpu)
			continue;
		irq->lr_vcpu = VGIC_NO_LR;
		if (lrs[k].active)
			irq->flags |= VGIC_ACTIVE;
		/*
		 * Pending still in the register: a latch (edge event, inject,
		 * ISPENDR) that was not acknowledged goes back; a pending state
		 * that came from a level line only is resampled from VGIC_LINE.
		 */
		if (lrs[k].pending && irq->lr_latch)
			irq->flags |= VGIC_LATCH;
		irq->lr_latch = false;
		/* Still pending (a level line still high, too) or active: look again. */
		if (is_pending(irq) || (irq->flags & VGIC_ACTIVE)) {
			g->hint |= 1u << vcpu;
			/*
			 * An SPI routed elsewhere while this vCPU held it: its
			 * target skipped it meanwhile and must look again now.
			 */
			if (lrs[k].intid >= VGIC_NR_PRIVATE) {
				unsigned int t = vgic_spi_target(g, lrs[k].intid);
				if (t < g->nr_vcpus && t != vcpu)
					others |= 1u << t;
			}
		}
	}
	g->hint |= others;
	return others;
}
