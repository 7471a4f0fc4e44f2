// SPDX-License-Identifier: Apache-2.0
/*
 * The host GICv3, only for what the hypervisor itself needs: one SGI
 * (GIC_SGI_KICK) to pull a CPU out of its guest, so that a domain can be
 * stopped while its other vCPUs run. Guests get no physical interrupt.
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
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)

static uint64_t gicr_base;

static volatile uint32_t *reg32(uint64_t a)
{
	return (volatile uint32_t *)(uintptr_t)a;
}

void gic_init_global(uint64_t gicd, uint64_t gicr)
{
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
	*reg32(r + GICR_IGROUPR0) |= 1u << GIC_SGI_KICK;
	((volatile uint8_t *)(uintptr_t)(r + GICR_IPRIORITYR))[GIC_SGI_KICK] = 0x80;
	*reg32(r + GICR_ISENABLER0) = 1u << GIC_SGI_KICK;
	write_sysreg(S3_4_C12_C9_5, 0xf); /* ICC_SRE_EL2: SRE, DFB, DIB, Enable */
	isb();
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

void gic_ack_all(void)
{
	for (;;) {
		uint64_t iar = read_sysreg(S3_0_C12_C12_0); /* ICC_IAR1_EL1 */
		if ((iar & 0xffffff) >= 1020)
			return;
		write_sysreg(S3_0_C12_C12_1, iar); /* ICC_EOIR1_EL1 */
		isb();
	}
}
