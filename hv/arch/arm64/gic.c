// SPDX-License-Identifier: Apache-2.0
/*
 * The host GICv3: one SGI (GIC_SGI_KICK) to pull a CPU out of its guest
 * (to stop a domain, or to make it refill its list registers), the
 * maintenance interrupt, the virtual timer PPI and passthrough SPIs, which
 * vgic_arch.c forwards to guests. EOImode = 1: the hypervisor drops the
 * priority at once and a forwarded interrupt stays active until the
 * guest deactivates it through its hardware-linked list register.
 * QEMU virt has one security state (GICD_CTLR.DS = 1).
 */
#include "arm64.h"

#define GICD_CTLR       0x0000
#define GICD_CTLR_GRP1  (1u << 1)
#define GICD_CTLR_ARE   (1u << 4)
#define GICD_CTLR_RWP   (1u << 31)
#define GICR_STRIDE     0x20000
#define GICR_WAKER      0x0014
#define WAKER_SLEEP     (1u << 1)
#define WAKER_ASLEEP    (1u << 2)
#define GICR_SGI        0x10000
#define GICR_IGROUPR0   (GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_ICACTIVER0 (GICR_SGI + 0x0380)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)
#define GICD_IGROUPR    0x0080
#define GICD_ISENABLER  0x0100
#define GICD_ICENABLER  0x0180
#define GICD_ICPENDR    0x0280
#define GICD_ICACTIVER  0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER    0x6000
#define GIC_PRIO_GUEST  0xa0 /* forwarded interrupts, below the kick SGI */

static uint64_t gicd_base, gicr_base;

static volatile uint32_t *reg32(uint64_t a)
{
	return (volatile uint32_t *)(uintptr_t)a;
}

void gic_init_global(uint64_t gicd, uint64_t gicr)
{
	gicd_base = gicd;
	gicr_base = gicr;
	if (!gicd || !gicr)
		return;
	*reg32(gicd + GICD_CTLR) |= GICD_CTLR_ARE | GICD_CTLR_GRP1;
	while (*reg32(gicd + GICD_CTLR) & GICD_CTLR_RWP)
		;
}

void gic_init_cpu(unsigned int index)
{
	if (!gicr_base)
		return;
	uint64_t r = gicr_base + (uint64_t)index * GICR_STRIDE;

	*reg32(r + GICR_WAKER) &= ~WAKER_SLEEP;
	while (*reg32(r + GICR_WAKER) & WAKER_ASLEEP)
		;
	uint32_t mine = (1u << GIC_SGI_KICK) | (1u << GIC_PPI_MAINT) | (1u << GIC_PPI_VTIMER);
	*reg32(r + GICR_IGROUPR0) |= mine;
	((volatile uint8_t *)(uintptr_t)(r + GICR_IPRIORITYR))[GIC_SGI_KICK] = 0x80;
	((volatile uint8_t *)(uintptr_t)(r + GICR_IPRIORITYR))[GIC_PPI_MAINT] = 0x80;
	((volatile uint8_t *)(uintptr_t)(r + GICR_IPRIORITYR))[GIC_PPI_VTIMER] = GIC_PRIO_GUEST;
	*reg32(r + GICR_ISENABLER0) = mine;
	write_sysreg(S3_4_C12_C9_5, 0xf); /* ICC_SRE_EL2: SRE, DFB, DIB, Enable */
	isb();
	write_sysreg(S3_0_C12_C12_4, 2);  /* ICC_CTLR_EL1.EOImode: EOIR drops, DIR deactivates */
	write_sysreg(S3_0_C4_C6_0, 0xff); /* ICC_PMR_EL1: every priority */
	write_sysreg(S3_0_C12_C12_7, 1);  /* ICC_IGRPEN1_EL1 */
	isb();
}

void gic_send_kick(uint64_t mpidr)
{
	uint64_t aff0 = mpidr & 0xff, aff1 = (mpidr >> 8) & 0xff, aff2 = (mpidr >> 16) & 0xff;
	uint64_t aff3 = (mpidr >> 32) & 0xff;
	uint64_t v = (aff3 << 48) | (aff2 << 32) | ((aff0 >> 4) << 44) | (aff1 << 16) |
	             ((uint64_t)GIC_SGI_KICK << 24) | (1ull << (aff0 & 0xf));

	dsb(ish);
	write_sysreg(S3_0_C12_C11_5, v); /* ICC_SGI1R_EL1 */
	isb();
}

uint32_t gic_ack(void)
{
	return (uint32_t)read_sysreg(S3_0_C12_C12_0) & 0xffffff; /* ICC_IAR1_EL1 */
}

void gic_priority_drop(uint32_t intid)
{
	write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
	isb();
}

void gic_deactivate(uint32_t intid)
{
	write_sysreg(S3_0_C12_C11_1, intid); /* ICC_DIR_EL1 */
	isb();
}

void gic_ppi_clear_active(unsigned int index, uint32_t intid)
{
	if (gicr_base && intid < 32)
		*reg32(gicr_base + (uint64_t)index * GICR_STRIDE + GICR_ICACTIVER0) = 1u << intid;
}

void gic_spi_clear_active(uint32_t intid)
{
	if (gicd_base && intid >= 32 && intid < 1020)
		*reg32(gicd_base + GICD_ICACTIVER + (intid / 32) * 4) = 1u << (intid % 32);
}

void gic_spi_assign(uint32_t intid, uint64_t mpidr, bool enable)
{
	if (!gicd_base || intid < 32 || intid >= 1020)
		return;
	uint64_t word = (intid / 32) * 4;
	uint32_t bit = 1u << (intid % 32);

	*reg32(gicd_base + GICD_ICENABLER + word) = bit;
	while (*reg32(gicd_base + GICD_CTLR) & GICD_CTLR_RWP)
		;
	*reg32(gicd_base + GICD_ICACTIVER + word) = bit;
	*reg32(gicd_base + GICD_ICPENDR + word) = bit;
	if (!enable)
		return;
	*reg32(gicd_base + GICD_IGROUPR + word) |= bit;
	((volatile uint8_t *)(uintptr_t)(gicd_base + GICD_IPRIORITYR))[intid] = GIC_PRIO_GUEST;
	*(volatile uint64_t *)(uintptr_t)(gicd_base + GICD_IROUTER + 8ull * intid) =
	    (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 32;
	*reg32(gicd_base + GICD_ISENABLER + word) = bit;
}
