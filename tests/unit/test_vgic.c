// SPDX-License-Identifier: Apache-2.0
/*
 * vgic: the virtual GICv3 distributor/redistributor state machine,
 * checked against the register semantics of the GICv3 architecture
 * (IHI 0069) and, for interrupt selection, against an independent model
 * kept by the test from the values it wrote.
 */
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/vgic.h"
#include "../common/testlib.h"

static struct vgic g;

static uint64_t dread(uint32_t off, unsigned int size)
{
	uint64_t v = 0xdeadbeef;
	vgic_dist_access(&g, off, size, false, &v);
	return v;
}

static uint32_t dwrite(uint32_t off, unsigned int size, uint64_t v)
{
	return vgic_dist_access(&g, off, size, true, &v);
}

static uint64_t rread(unsigned int cpu, uint32_t off, unsigned int size)
{
	uint64_t v = 0xdeadbeef;
	vgic_rdist_access(&g, cpu * VGIC_GICR_STRIDE + off, size, false, &v);
	return v;
}

static uint32_t rwrite(unsigned int cpu, uint32_t off, unsigned int size, uint64_t v)
{
	return vgic_rdist_access(&g, cpu * VGIC_GICR_STRIDE + off, size, true, &v);
}

#define SGI 0x10000u

TEST(identification_registers)
{
	vgic_init(&g, 3);
	uint64_t ctlr = dread(0x0, 4);
	CHECK_EQ(ctlr & (1u << 4), 1u << 4); /* ARE: affinity routing only */
	CHECK_EQ(ctlr & (1u << 6), 1u << 6); /* DS: one security state */
	CHECK_EQ(ctlr & 3, 0);               /* groups disabled at reset */
	uint64_t typer = dread(0x4, 4);
	CHECK_EQ(32 * ((typer & 0x1f) + 1), VGIC_NR_IRQS);
	CHECK_EQ((typer >> 17) & 1, 0);             /* no LPIs */
	CHECK_EQ((dread(0xffe8, 4) >> 4) & 0xf, 3); /* ArchRev GICv3 */
	CHECK_EQ((rread(2, 0xffe8, 4) >> 4) & 0xf, 3);
	CHECK_EQ(dread(0x8, 4) & 0xfff, 0x43b); /* implementer: ARM JEP106 */
	for (unsigned int c = 0; c < 3; c++) {
		uint64_t t = rread(c, 0x8, 8);
		CHECK_EQ(t >> 32, c);                   /* Affinity = 0.0.0.c */
		CHECK_EQ((t >> 8) & 0xffff, c);         /* Processor_Number */
		CHECK_EQ((t >> 4) & 1, c == 2 ? 1 : 0); /* Last */
		CHECK_EQ(rread(c, 0xc, 4), c);          /* upper half as a word */
	}
	/* Writes to read-only registers are ignored. */
	dwrite(0x4, 4, 0);
	CHECK_EQ(dread(0x4, 4), typer);
	dwrite(0x0, 4, 0);
	CHECK_EQ(dread(0x0, 4), ctlr);
}

TEST(waker_handshake)
{
	vgic_init(&g, 2);
	CHECK_EQ(rread(1, 0x14, 4), 6); /* ProcessorSleep and ChildrenAsleep at reset */
	rwrite(1, 0x14, 4, 0);
	CHECK_EQ(rread(1, 0x14, 4), 0);
	CHECK_EQ(rread(0, 0x14, 4), 6); /* per redistributor */
	rwrite(1, 0x14, 4, 2);
	CHECK_EQ(rread(1, 0x14, 4), 6);
}

TEST(set_clear_enable_pending_active)
{
	vgic_init(&g, 1);
	/* SPIs 32..63 are word 1 of the distributor's bit registers. */
	dwrite(0x104, 4, 0x00000005);
	dwrite(0x104, 4, 0x00000100); /* set registers OR in, zeros do nothing */
	CHECK_EQ(dread(0x104, 4), 0x105);
	CHECK_EQ(dread(0x184, 4), 0x105); /* ICENABLER reads the same state */
	dwrite(0x184, 4, 0x1);
	CHECK_EQ(dread(0x104, 4), 0x104);
	dwrite(0x204, 4, 0xf0);
	CHECK_EQ(dread(0x284, 4), 0xf0);
	dwrite(0x284, 4, 0x30);
	CHECK_EQ(dread(0x204, 4), 0xc0);
	dwrite(0x304, 4, 0x3);
	dwrite(0x384, 4, 0x1);
	CHECK_EQ(dread(0x304, 4), 0x2);
	/* Group and group modifier are plain read/write. */
	dwrite(0x84, 4, 0xffffffff);
	CHECK_EQ(dread(0x84, 4), 0xffffffff);
	dwrite(0xd04, 4, 0x12345678);
	CHECK_EQ(dread(0xd04, 4), 0x12345678);
	/* Beyond the implemented INTIDs: RAZ/WI. */
	dwrite(0x100 + VGIC_NR_IRQS / 8, 4, 0xffffffff);
	CHECK_EQ(dread(0x100 + VGIC_NR_IRQS / 8, 4), 0);
}

TEST(private_interrupts_live_in_redistributors)
{
	vgic_init(&g, 2);
	/* With ARE = 1 the distributor's registers for INTIDs 0..31 are RAZ/WI. */
	dwrite(0x100, 4, 0xffffffff);
	CHECK_EQ(dread(0x100, 4), 0);
	dwrite(0x400, 4, 0x80808080);
	CHECK_EQ(dread(0x400, 4), 0);
	dwrite(0x80, 4, 0xffffffff);
	CHECK_EQ(dread(0x80, 4), 0);
	/* Each vCPU has its own. */
	rwrite(0, SGI + 0x100, 4, 1u << 27);
	rwrite(1, SGI + 0x100, 4, 1u << 3);
	CHECK_EQ(rread(0, SGI + 0x100, 4), 1u << 27);
	CHECK_EQ(rread(1, SGI + 0x180, 4), 1u << 3);
	rwrite(0, SGI + 0x80, 4, 0xffffffff);
	CHECK_EQ(rread(0, SGI + 0x80, 4), 0xffffffff);
	CHECK_EQ(rread(1, SGI + 0x80, 4), 0);
	rwrite(1, SGI + 0x200, 4, 1u << 5);
	CHECK_EQ(rread(1, SGI + 0x280, 4), 1u << 5);
	rwrite(1, SGI + 0x280, 4, 1u << 5);
	CHECK_EQ(rread(1, SGI + 0x200, 4), 0);
	rwrite(1, SGI + 0x300, 4, 1u << 9);
	CHECK_EQ(rread(1, SGI + 0x380, 4), 1u << 9);
	/* The SGI frame has only word 0; word 1 is RAZ/WI. */
	rwrite(0, SGI + 0x104, 4, 0xffffffff);
	CHECK_EQ(rread(0, SGI + 0x104, 4), 0);
	/* Beyond the last redistributor: RAZ/WI, no crash. */
	rwrite(2, SGI + 0x100, 4, 0xffffffff);
	CHECK_EQ(rread(2, SGI + 0x100, 4), 0);
	CHECK_EQ(rread(2, 0x8, 8), 0);
}

TEST(priority_bytes_and_words)
{
	vgic_init(&g, 1);
	dwrite(0x400 + 40, 4, 0x44332211);
	CHECK_EQ(dread(0x400 + 41, 1), 0x22);
	dwrite(0x400 + 43, 1, 0xa0);
	CHECK_EQ(dread(0x400 + 40, 4), 0xa0332211);
	rwrite(0, SGI + 0x400 + 27, 1, 0x90);
	CHECK_EQ(rread(0, SGI + 0x400 + 24, 4), 0x90000000);
	/* Unaligned word access: RAZ/WI. */
	dwrite(0x400 + 41, 4, 0xffffffff);
	CHECK_EQ(dread(0x400 + 40, 4), 0xa0332211);
}

TEST(config_sgis_fixed_edge)
{
	vgic_init(&g, 1);
	CHECK_EQ(rread(0, SGI + 0xc00, 4), 0xaaaaaaaa); /* SGIs edge */
	rwrite(0, SGI + 0xc00, 4, 0);
	CHECK_EQ(rread(0, SGI + 0xc00, 4), 0xaaaaaaaa); /* read-only */
	CHECK_EQ(rread(0, SGI + 0xc04, 4), 0);          /* PPIs level at reset */
	rwrite(0, SGI + 0xc04, 4, 2u << 2);
	CHECK_EQ(rread(0, SGI + 0xc04, 4), 2u << 2);
	dwrite(0xc08, 4, 0xaaaa0000); /* SPIs 32..47: 40..47 edge */
	CHECK_EQ(dread(0xc08, 4), 0xaaaa0000);
	CHECK_EQ(dread(0xc00, 4), 0); /* private: RAZ/WI in the distributor */
}

TEST(irouter_routes_spis)
{
	vgic_init(&g, 2);
	CHECK_EQ(dread(0x6000 + 8 * 40, 8), 0);
	dwrite(0x6000 + 8 * 40, 8, 1);
	CHECK_EQ(dread(0x6000 + 8 * 40, 8), 1);
	CHECK_EQ(vgic_spi_target(&g, 40), 1);
	dwrite(0x6000 + 8 * 41, 4, 1);     /* lower word */
	dwrite(0x6000 + 8 * 41 + 4, 4, 0); /* upper word (Aff3) */
	CHECK_EQ(dread(0x6000 + 8 * 41, 8), 1);
	dwrite(0x6000 + 8 * 42, 8, 1ull << 31); /* IRM: any */
	CHECK_EQ(dread(0x6000 + 8 * 42, 8), 1ull << 31);
	dwrite(0x6000 + 8 * 43, 8, 0x0000000500000100ull); /* Aff3 = 5, Aff1 = 1 */
	CHECK_EQ(dread(0x6000 + 8 * 43, 8), 0x0000000500000100ull);
	CHECK_EQ(vgic_spi_target(&g, 43), VGIC_MAX_VCPUS); /* nobody has that affinity */
	CHECK_EQ(dread(0x6000 + 8 * 5, 8), 0);             /* private INTIDs have no IROUTER */

	/* Delivery follows the route. */
	dwrite(0x0, 4, 2);
	dwrite(0x84, 4, 0xffffffff);
	dwrite(0x104, 4, 1u << 8); /* enable 40 */
	uint32_t kick = vgic_pend(&g, 0, 40);
	CHECK_EQ(kick, 1u << 1);
	CHECK_EQ(vgic_highest_pending(&g, 1), 40);
	CHECK_EQ(vgic_highest_pending(&g, 0), VGIC_SPURIOUS);
	kick = dwrite(0x6000 + 8 * 40, 8, 0);
	CHECK_EQ(kick, 3u); /* both the old and the new target look again */
	CHECK_EQ(vgic_highest_pending(&g, 0), 40);
}

TEST(unknown_offsets_raz_wi)
{
	vgic_init(&g, 1);
	static const uint32_t offs[] = {0x10, 0x40, 0x7c, 0xe00, 0xf00, 0x5ffc, 0xfff0, 0xfffc};
	for (unsigned int i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		dwrite(offs[i], 4, 0xffffffff);
		CHECK_EQ(dread(offs[i], 4), 0);
	}
	CHECK_EQ(dread(0x10000, 4), 0); /* outside the frame */
	CHECK_EQ(dread(0x0, 8), 0);     /* 64-bit access to a 32-bit register */
	CHECK_EQ(dread(0x0, 3), 0);     /* no such size */
	rwrite(0, 0x0, 4, 0xffffffff);  /* GICR_CTLR: no LPIs to enable */
	CHECK_EQ(rread(0, 0x0, 4), 0);
	CHECK_EQ(rread(0, SGI + 0x800, 4), 0);
}

TEST(group_enable_gates_delivery)
{
	vgic_init(&g, 1);
	rwrite(0, SGI + 0x100, 4, 1u << 27);
	rwrite(0, SGI + 0x200, 4, 1u << 27);
	CHECK_EQ(vgic_highest_pending(&g, 0), VGIC_SPURIOUS); /* group 0 disabled */
	dwrite(0x0, 4, 2);                                    /* EnableGrp1 only */
	CHECK_EQ(vgic_highest_pending(&g, 0), VGIC_SPURIOUS); /* 27 is group 0 */
	rwrite(0, SGI + 0x80, 4, 1u << 27);
	CHECK_EQ(vgic_highest_pending(&g, 0), 27);
	rwrite(0, SGI + 0x180, 4, 1u << 27);
	CHECK_EQ(vgic_highest_pending(&g, 0), VGIC_SPURIOUS); /* disabled */
	rwrite(0, SGI + 0x100, 4, 1u << 27);
	rwrite(0, SGI + 0x300, 4, 1u << 27);
	CHECK_EQ(vgic_highest_pending(&g, 0), VGIC_SPURIOUS); /* active */
}

/* The test's own model of what it wrote. */
struct model {
	bool en[VGIC_MAX_VCPUS][VGIC_NR_IRQS], pend[VGIC_MAX_VCPUS][VGIC_NR_IRQS];
	bool act[VGIC_MAX_VCPUS][VGIC_NR_IRQS], grp1[VGIC_MAX_VCPUS][VGIC_NR_IRQS];
	uint8_t prio[VGIC_MAX_VCPUS][VGIC_NR_IRQS];
	unsigned int target[VGIC_NR_IRQS];
};

static uint32_t model_best(const struct model *m, unsigned int cpu, unsigned int ncpu)
{
	uint32_t best = VGIC_SPURIOUS;
	for (uint32_t i = 0; i < VGIC_NR_IRQS; i++) {
		unsigned int c = i < 32 ? cpu : 0;
		if (i >= 32 && (m->target[i] != cpu || cpu >= ncpu))
			continue;
		if (!m->en[c][i] || !m->pend[c][i] || m->act[c][i] || !m->grp1[c][i])
			continue;
		if (best == VGIC_SPURIOUS || m->prio[c][i] < m->prio[best < 32 ? cpu : 0][best])
			best = i;
	}
	return best;
}

TEST(highest_pending_matches_model)
{
	static struct model m;
	uint64_t seed = 0x1234567;
	for (unsigned int round = 0; round < 200; round++) {
		unsigned int ncpu = 1 + round % 4;
		memset(&m, 0, sizeof(m));
		vgic_init(&g, ncpu);
		dwrite(0x0, 4, 2);
		for (uint32_t i = 0; i < VGIC_NR_IRQS; i++) {
			for (unsigned int c = 0; c < (i < 32 ? ncpu : 1); c++) {
				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				uint64_t r = seed >> 16;
				bool en = r & 1, pend = (r >> 1) % 5 == 0, act = (r >> 4) % 7 == 0;
				bool grp = (r >> 8) % 8 != 0;
				uint8_t prio = (uint8_t)((r >> 12) & 0xf0);
				uint32_t word = (i / 32) * 4, bit = 1u << (i % 32);
				if (i < 32) {
					rwrite(c, SGI + (en ? 0x100 : 0x180), 4, bit);
					if (pend)
						rwrite(c, SGI + 0x200, 4, bit);
					if (act)
						rwrite(c, SGI + 0x300, 4, bit);
					uint64_t gv = rread(c, SGI + 0x80, 4);
					rwrite(c, SGI + 0x80, 4, grp ? gv | bit : gv & ~bit);
					rwrite(c, SGI + 0x400 + i, 1, prio);
				} else {
					dwrite(0x100 + word, 4, en ? bit : 0);
					if (pend)
						dwrite(0x200 + word, 4, bit);
					if (act)
						dwrite(0x300 + word, 4, bit);
					uint64_t gv = dread(0x80 + word, 4);
					dwrite(0x80 + word, 4, grp ? gv | bit : gv & ~bit);
					dwrite(0x400 + i, 1, prio);
					m.target[i] = (unsigned int)((r >> 20) % (ncpu + 1));
					dwrite(0x6000 + 8 * i, 8, m.target[i]);
				}
				m.en[c][i] = en;
				m.pend[c][i] = pend;
				m.act[c][i] = act;
				m.grp1[c][i] = grp;
				m.prio[c][i] = prio;
			}
		}
		for (unsigned int c = 0; c < ncpu; c++)
			CHECK_EQ(vgic_highest_pending(&g, c), model_best(&m, c, ncpu));
	}
}

TEST(sgi_targeting_by_affinity)
{
	vgic_init(&g, 4);
	dwrite(0x0, 4, 2);
	for (unsigned int c = 0; c < 4; c++) {
		rwrite(c, SGI + 0x80, 4, 0xffff);
		rwrite(c, SGI + 0x100, 4, 0xffff);
	}
	/* TargetList {1, 3}, INTID 5. */
	CHECK_EQ(vgic_send_sgi(&g, 0, (5ull << 24) | 0xa), 0xa);
	CHECK_EQ(vgic_highest_pending(&g, 1), 5);
	CHECK_EQ(vgic_highest_pending(&g, 3), 5);
	CHECK_EQ(vgic_highest_pending(&g, 0), VGIC_SPURIOUS);
	CHECK_EQ(vgic_highest_pending(&g, 2), VGIC_SPURIOUS);
	/* IRM = 1: everyone but the sender. */
	CHECK_EQ(vgic_send_sgi(&g, 2, (1ull << 40) | (7ull << 24)), 0xb);
	CHECK_EQ(rread(0, SGI + 0x200, 4), 1u << 7);
	CHECK_EQ(rread(2, SGI + 0x200, 4), 0);
	/* Aff1 != 0 or RS selecting 16.. reaches nobody here. */
	CHECK_EQ(vgic_send_sgi(&g, 0, (1ull << 16) | (3ull << 24) | 1), 0);
	CHECK_EQ(vgic_send_sgi(&g, 0, (1ull << 44) | (3ull << 24) | 1), 0);
	CHECK_EQ(vgic_send_sgi(&g, 0, (1ull << 32) | (3ull << 24) | 1), 0);
	/* Targets that do not exist are ignored. */
	CHECK_EQ(vgic_send_sgi(&g, 0, (3ull << 24) | 0xfff0), 0);
	/* To itself. */
	CHECK_EQ(vgic_send_sgi(&g, 2, (2ull << 24) | 4), 4);
	CHECK_EQ(vgic_highest_pending(&g, 2), 2);
}

/* Run one list-register round trip: collect, let @guest act, sync. */
static unsigned int last_maint; /* what the last collect() asked to arm */

static unsigned int collect(unsigned int cpu, struct vgic_lr *lrs, unsigned int max, bool *more)
{
	return vgic_lr_collect(&g, cpu, lrs, max, more, &last_maint);
}

TEST(list_registers_edge_lifecycle)
{
	struct vgic_lr lrs[4];
	bool more;

	vgic_init(&g, 1);
	dwrite(0x0, 4, 2);
	rwrite(0, SGI + 0x80, 4, 0xffffffff);
	rwrite(0, SGI + 0x100, 4, 0xffffffff);
	rwrite(0, SGI + 0x400 + 27, 1, 0x20);
	rwrite(0, SGI + 0x400 + 1, 1, 0x80);
	vgic_pend(&g, 0, 1);
	vgic_pend(&g, 0, 27);
	unsigned int n = collect(0, lrs, 4, &more);
	CHECK_EQ(n, 2);
	CHECK(!more);
	CHECK_EQ(lrs[0].intid, 27); /* higher priority first */
	CHECK_EQ(lrs[0].priority, 0x20);
	CHECK(lrs[0].pending && !lrs[0].active && lrs[0].group1);
	CHECK_EQ(lrs[1].intid, 1);
	/* Nothing else to deliver while the list registers hold them. */
	CHECK_EQ(collect(0, lrs + 2, 2, &more), 0);
	/* Guest acknowledged 27 (now active), did not see 1 yet. */
	lrs[0].pending = false;
	lrs[0].active = true;
	vgic_lr_sync(&g, 0, lrs, 2);
	CHECK_EQ(rread(0, SGI + 0x300, 4), 1u << 27);
	CHECK_EQ(rread(0, SGI + 0x200, 4), 1u << 1);
	/* Active comes back first even though 1 is only pending. */
	vgic_pend(&g, 0, 27); /* fires again while active */
	n = collect(0, lrs, 4, &more);
	CHECK_EQ(n, 2);
	CHECK_EQ(lrs[0].intid, 27);
	CHECK(lrs[0].active && lrs[0].pending);
	/* Guest EOIs 27 and takes the pending one... */
	lrs[0].active = false;
	lrs[0].pending = true;
	lrs[1].pending = false;
	lrs[1].active = false;
	vgic_lr_sync(&g, 0, lrs, n);
	CHECK_EQ(rread(0, SGI + 0x300, 4), 0);
	CHECK_EQ(rread(0, SGI + 0x200, 4), 1u << 27);
	CHECK_EQ(vgic_highest_pending(&g, 0), 27);
}

TEST(list_registers_overflow_and_level)
{
	struct vgic_lr lrs[4];
	bool more;

	vgic_init(&g, 1);
	dwrite(0x0, 4, 2);
	dwrite(0x84, 4, 0xffffffff);
	dwrite(0x104, 4, 0xffffffff);
	for (uint32_t i = 32; i < 38; i++) {
		dwrite(0x400 + i, 1, (uint8_t)(0xf0 - 0x10 * (i - 32)));
		vgic_line(&g, i, true);
	}
	unsigned int n = collect(0, lrs, 4, &more);
	CHECK_EQ(n, 4);
	CHECK(more); /* two left: the arch layer arms the maintenance interrupt */
	CHECK_EQ(lrs[0].intid, 37);
	CHECK_EQ(lrs[3].intid, 34);
	/* Lines of 36 and 35 drop before the guest acknowledged them. */
	vgic_line(&g, 36, false);
	vgic_line(&g, 35, false);
	vgic_lr_sync(&g, 0, lrs, n);
	CHECK_EQ(dread(0x204, 4), (1u << 5) | (1u << 2) | (1u << 1) | 1u);
	CHECK_EQ(vgic_highest_pending(&g, 0), 37);
	/* A level interrupt whose line stays high is pending again after EOI. */
	vgic_line(&g, 37, true);
	n = collect(0, lrs, 4, &more);
	CHECK_EQ(lrs[0].intid, 37);
	lrs[0].pending = false;
	vgic_lr_sync(&g, 0, lrs, n);
	CHECK_EQ(vgic_highest_pending(&g, 0), 37);
	vgic_line(&g, 37, false);
	CHECK_EQ(vgic_highest_pending(&g, 0), 34);
}

TEST(many_intids_and_bad_arguments)
{
	struct vgic_lr lrs[16];
	bool more;

	vgic_init(&g, 2);
	dwrite(0x0, 4, 3);
	for (uint32_t w = 1; w < VGIC_NR_IRQS / 32; w++) {
		dwrite(0x100 + 4 * w, 4, 0xffffffff);
		dwrite(0x200 + 4 * w, 4, 0xffffffff);
	}
	for (uint32_t i = 32; i < VGIC_NR_IRQS; i++)
		dwrite(0x400 + i, 1, (uint8_t)(VGIC_NR_IRQS - 1 - i));
	/* Every SPI, delivered 16 at a time in priority order, each exactly once. */
	uint32_t seen = 0, last = VGIC_NR_IRQS;
	for (;;) {
		unsigned int n = collect(0, lrs, 16, &more);
		if (!n)
			break;
		for (unsigned int k = 0; k < n; k++) {
			CHECK(lrs[k].intid < last);
			last = lrs[k].intid;
			lrs[k].pending = false;
			seen++;
		}
		vgic_lr_sync(&g, 0, lrs, n);
	}
	CHECK_EQ(seen, VGIC_NR_SPIS);
	CHECK(!more);
	CHECK_EQ(vgic_pend(&g, 0, VGIC_NR_IRQS), 0);
	CHECK_EQ(vgic_pend(&g, 2, 5), 0);
	CHECK_EQ(vgic_line(&g, 5, true), 0);
	CHECK(vgic_irq_of(&g, 0, 1020) == NULL);
	CHECK_EQ(vgic_highest_pending(&g, 7), VGIC_SPURIOUS);
	CHECK_EQ(collect(5, lrs, 4, &more), 0);
}

/*
 * Every change that can make an interrupt deliverable must be seen by the
 * next collect, even after a collect that found nothing (the hint).
 */
TEST(collect_sees_every_enabling_change)
{
	struct vgic_lr lrs[4];
	bool more;

	vgic_init(&g, 2);
	vgic_pend(&g, 0, 40);
	CHECK_EQ(collect(0, lrs, 4, &more), 0); /* disabled, group 0 disabled */
	dwrite(0x104, 4, 1u << 8);
	CHECK_EQ(collect(0, lrs, 4, &more), 0);
	dwrite(0x0, 4, 1); /* EnableGrp0: 40 is group 0 */
	CHECK_EQ(collect(0, lrs, 4, &more), 1);
	lrs[0].pending = false;
	vgic_lr_sync(&g, 0, lrs, 1);
	/* Pending, but routed to vCPU 1; then routed back. */
	dwrite(0x6000 + 8 * 40, 8, 1);
	vgic_pend(&g, 0, 40);
	CHECK_EQ(collect(0, lrs, 4, &more), 0);
	dwrite(0x6000 + 8 * 40, 8, 0);
	CHECK_EQ(collect(0, lrs, 4, &more), 1);
	CHECK_EQ(lrs[0].intid, 40);
	/* Guest left it active: it comes back on every entry until deactivated. */
	lrs[0].pending = false;
	lrs[0].active = true;
	vgic_lr_sync(&g, 0, lrs, 1);
	CHECK_EQ(collect(0, lrs, 4, &more), 1);
	CHECK(lrs[0].active);
	lrs[0].active = false;
	vgic_lr_sync(&g, 0, lrs, 1);
	CHECK_EQ(collect(0, lrs, 4, &more), 0);
	/* A level line still high after the EOI: delivered again. */
	dwrite(0x105, 1, 0); /* (byte access to a bit register: ignored) */
	dwrite(0x104, 4, 1u << 9);
	vgic_line(&g, 41, true);
	CHECK_EQ(collect(0, lrs, 4, &more), 1);
	CHECK_EQ(lrs[0].intid, 41);
	lrs[0].pending = false;
	vgic_lr_sync(&g, 0, lrs, 1);
	CHECK_EQ(collect(0, lrs, 4, &more), 1);
	CHECK_EQ(lrs[0].intid, 41);
	vgic_line(&g, 41, false);
	lrs[0].pending = false;
	vgic_lr_sync(&g, 0, lrs, 1);
	CHECK_EQ(collect(0, lrs, 4, &more), 0);
	/* A PPI pended for vCPU 1 is for vCPU 1 only. */
	rwrite(1, SGI + 0x100, 4, 1u << 20);
	vgic_pend(&g, 1, 20);
	CHECK_EQ(collect(0, lrs, 4, &more), 0);
	CHECK_EQ(collect(1, lrs, 4, &more), 1);
	CHECK_EQ(lrs[0].intid, 20);
}

/*
 * Would one of the maintenance conditions @maint hold at once for these
 * list registers (ICH_MISR_EL2: NP while no entry is pending, U while at
 * most one is valid)? Then the maintenance interrupt fires as soon as the
 * guest runs, and again after every refill: the storm. LRENP holds only
 * once the guest ended an interrupt no entry held (EOIcount starts at 0).
 */
static bool maint_true_now(const struct vgic_lr *lrs, unsigned int n, unsigned int maint)
{
	bool pending = false;

	for (unsigned int i = 0; i < n; i++)
		if (lrs[i].pending && !lrs[i].active) /* not "pending and active" */
			pending = true;
	return ((maint & VGIC_MI_NP) && !pending) || ((maint & VGIC_MI_U) && n <= 1);
}

/* One vCPU, SPIs 48..53 made active through GICD_ISACTIVER1, priorities mixed. */
static void six_active_spis(void)
{
	static const uint8_t prio[6] = {0x90, 0x80, 0xa0, 0x70, 0xb0, 0x60};

	vgic_init(&g, 1);
	dwrite(0x0, 4, 2);
	dwrite(0x84, 4, 0xffffffff);
	rwrite(0, SGI + 0x80, 4, 0xffffffff);
	rwrite(0, SGI + 0x100, 4, 0xffff); /* SGIs enabled */
	for (unsigned int i = 0; i < 6; i++)
		dwrite(0x400 + 48 + i, 1, prio[i]);
	dwrite(0x304, 4, 0x3fu << 16);
}

/* The hostile case: more actives than list registers, nothing pending. */
TEST(spill_actives_without_pending)
{
	struct vgic_lr lrs[4];
	bool more;

	six_active_spis();
	unsigned int n = collect(0, lrs, 4, &more);
	CHECK_EQ(n, 4);
	/* The highest-priority ones, in order: 53 (0x60), 51, 49, 48 (0x90). */
	CHECK_EQ(lrs[0].intid, 53);
	CHECK_EQ(lrs[1].intid, 51);
	CHECK_EQ(lrs[2].intid, 49);
	CHECK_EQ(lrs[3].intid, 48);
	for (unsigned int k = 0; k < n; k++)
		CHECK(lrs[k].active && !lrs[k].pending);
	CHECK(more); /* 50 and 52 left out */
	/* No NP (true at once with no pending entry): LRENP and U. */
	CHECK_EQ(last_maint, VGIC_MI_LRENP | VGIC_MI_U);
	CHECK(!maint_true_now(lrs, n, last_maint));
	/* The guest ran and ended none: the same again. */
	vgic_lr_sync(&g, 0, lrs, n);
	n = collect(0, lrs, 4, &more);
	CHECK_EQ(n, 4);
	CHECK_EQ(lrs[0].intid, 53);
	CHECK_EQ(last_maint, VGIC_MI_LRENP | VGIC_MI_U);
	/* It ended three (U fired): those left out come back, nothing waits. */
	lrs[0].active = lrs[1].active = lrs[2].active = false;
	vgic_lr_sync(&g, 0, lrs, n);
	n = collect(0, lrs, 4, &more);
	CHECK_EQ(n, 3);
	CHECK_EQ(lrs[0].intid, 48);
	CHECK_EQ(lrs[1].intid, 50);
	CHECK_EQ(lrs[2].intid, 52);
	CHECK(!more);
	CHECK_EQ(last_maint, 0);
	vgic_lr_sync(&g, 0, lrs, n);
	CHECK_EQ(dread(0x304, 4), (1u << 16) | (1u << 18) | (1u << 20));
	dwrite(0x384, 4, 0x3fu << 16); /* ICACTIVER1 */
	CHECK_EQ(collect(0, lrs, 4, &more), 0);
	CHECK(!more);
	CHECK_EQ(last_maint, 0);
}

/* Actives fill the list registers, yet pending interrupts get one. */
TEST(spill_keeps_one_lr_for_pending)
{
	struct vgic_lr lrs[4];
	bool more;

	six_active_spis();
	rwrite(0, SGI + 0x400 + 1, 1, 0xa0);
	rwrite(0, SGI + 0x400 + 2, 1, 0x40);
	rwrite(0, SGI + 0x400 + 3, 1, 0x50);
	vgic_pend(&g, 0, 1);
	unsigned int n = collect(0, lrs, 4, &more);
	CHECK_EQ(n, 4);
	CHECK_EQ(lrs[0].intid, 53);
	CHECK_EQ(lrs[1].intid, 51);
	CHECK_EQ(lrs[2].intid, 49);
	CHECK_EQ(lrs[3].intid, 1);
	CHECK(lrs[3].pending && !lrs[3].active);
	CHECK(more);
	CHECK_EQ(last_maint, VGIC_MI_LRENP | VGIC_MI_U); /* no other pending one */
	CHECK(!maint_true_now(lrs, n, last_maint));
	/* The guest takes SGI 1; SGIs 2 and 3 arrive: two pending, one list register. */
	lrs[3].pending = false;
	lrs[3].active = true;
	vgic_lr_sync(&g, 0, lrs, n);
	vgic_pend(&g, 0, 3);
	vgic_pend(&g, 0, 2);
	n = collect(0, lrs, 4, &more);
	CHECK_EQ(n, 4);
	CHECK_EQ(lrs[3].intid, 2); /* 0x40 before 0x50 */
	CHECK(lrs[3].pending && !lrs[3].active);
	CHECK(more);
	CHECK_EQ(last_maint, VGIC_MI_NP | VGIC_MI_LRENP | VGIC_MI_U);
	CHECK(!maint_true_now(lrs, n, last_maint));
	/* It takes SGI 2 (NP fires): 2 is the highest active now, 3 loaded. */
	lrs[3].pending = false;
	lrs[3].active = true;
	vgic_lr_sync(&g, 0, lrs, n);
	n = collect(0, lrs, 4, &more);
	CHECK_EQ(n, 4);
	CHECK_EQ(lrs[0].intid, 2);
	CHECK_EQ(lrs[1].intid, 53);
	CHECK_EQ(lrs[2].intid, 51);
	CHECK_EQ(lrs[3].intid, 3);
	CHECK(lrs[3].pending);
	CHECK_EQ(last_maint, VGIC_MI_LRENP | VGIC_MI_U);
	CHECK(!maint_true_now(lrs, n, last_maint));
}

/* One list register: U would be true at once, the pending one still goes first. */
TEST(spill_with_one_list_register)
{
	struct vgic_lr lrs[1];
	bool more;

	six_active_spis();
	CHECK_EQ(collect(0, lrs, 1, &more), 1);
	CHECK_EQ(lrs[0].intid, 53);
	CHECK(more);
	CHECK_EQ(last_maint, VGIC_MI_LRENP);
	vgic_lr_sync(&g, 0, lrs, 1);
	vgic_pend(&g, 0, 1);
	CHECK_EQ(collect(0, lrs, 1, &more), 1);
	CHECK_EQ(lrs[0].intid, 1);
	CHECK(lrs[0].pending && !lrs[0].active);
	CHECK_EQ(last_maint, VGIC_MI_LRENP);
	vgic_lr_sync(&g, 0, lrs, 1); /* not taken yet */
	vgic_pend(&g, 0, 2);
	CHECK_EQ(collect(0, lrs, 1, &more), 1);
	CHECK_EQ(lrs[0].intid, 1); /* priority 0 both: lower INTID */
	CHECK_EQ(last_maint, VGIC_MI_NP | VGIC_MI_LRENP);
	CHECK(!maint_true_now(lrs, 1, last_maint));
	vgic_lr_sync(&g, 0, lrs, 1);
	/* No list register at all: only LRENP, which waits for the guest. */
	CHECK_EQ(collect(0, lrs, 0, &more), 0);
	CHECK(more);
	CHECK_EQ(last_maint, VGIC_MI_LRENP);
	CHECK(!maint_true_now(lrs, 0, last_maint));
}

/* EOIcount: the guest ended interrupts that no list register held. */
TEST(spill_eoi_missed_ends_the_highest_left_out)
{
	struct vgic_lr lrs[4];
	uint32_t hw[8];
	bool more;

	six_active_spis();
	vgic_set_hw(&g, 0, 50, true);
	dwrite(0x104, 4, 1u << 20); /* 52 enabled, pending behind its active state */
	vgic_pend(&g, 0, 52);
	unsigned int n = collect(0, lrs, 4, &more);
	CHECK_EQ(n, 4); /* 53, 51, 49, 48; 50 (0xa0, hardware) and 52 (0xb0) left out */
	CHECK_EQ(last_maint, VGIC_MI_LRENP | VGIC_MI_U);
	/* Ended one left out: 50, the higher of the two; its physical one is to end. */
	CHECK_EQ(vgic_lr_eoi_missed(&g, 0, 1, hw), 1);
	CHECK_EQ(hw[0], 50);
	CHECK_EQ(vgic_irq_of(&g, 0, 50)->flags & VGIC_ACTIVE, 0);
	CHECK(vgic_irq_of(&g, 0, 52)->flags & VGIC_ACTIVE);
	/* The loaded ones are untouched. */
	for (unsigned int k = 0; k < n; k++)
		CHECK_EQ(vgic_irq_of(&g, 0, lrs[k].intid)->lr_vcpu, 0);
	/* More ended than were left out: 52 only (not hardware-linked). */
	CHECK_EQ(vgic_lr_eoi_missed(&g, 0, 5, hw), 0);
	CHECK_EQ(vgic_irq_of(&g, 0, 52)->flags & VGIC_ACTIVE, 0);
	CHECK_EQ(vgic_lr_eoi_missed(&g, 3, 1, hw), 0); /* no such vCPU */
	/* Next entry: 52 is deliverable now and gets the last list register. */
	vgic_lr_sync(&g, 0, lrs, n);
	n = collect(0, lrs, 4, &more);
	CHECK_EQ(n, 4);
	CHECK_EQ(lrs[0].intid, 53);
	CHECK_EQ(lrs[2].intid, 49);
	CHECK_EQ(lrs[3].intid, 52);
	CHECK(lrs[3].pending && !lrs[3].active);
	CHECK(more); /* 48 left out */
	CHECK_EQ(last_maint, VGIC_MI_LRENP | VGIC_MI_U);
}

/* An SPI routed elsewhere while a list register held it: its target looks again. */
TEST(sync_kicks_the_new_target_of_a_held_spi)
{
	struct vgic_lr lrs[4], other[4];
	bool more;

	vgic_init(&g, 2);
	dwrite(0x0, 4, 2);
	dwrite(0x84, 4, 0xffffffff);
	dwrite(0x104, 4, 1u << 8);
	vgic_pend(&g, 0, 40);
	unsigned int n = collect(0, lrs, 4, &more);
	CHECK_EQ(n, 1);
	CHECK(dwrite(0x6000 + 8 * 40, 8, 1) & 2);
	CHECK_EQ(collect(1, other, 4, &more), 0); /* vCPU 0 still holds it */
	CHECK(!more);
	CHECK_EQ(vgic_lr_sync(&g, 0, lrs, n), 2u); /* not taken there */
	CHECK_EQ(collect(1, other, 4, &more), 1);
	CHECK_EQ(other[0].intid, 40);
}

TEST(init_resets_everything)
{
	vgic_init(&g, 2);
	dwrite(0x0, 4, 3);
	dwrite(0x104, 4, 0xffffffff);
	vgic_pend(&g, 0, 40);
	rwrite(1, 0x14, 4, 0);
	vgic_set_hw(&g, 0, 27, true);
	vgic_init(&g, 2);
	CHECK_EQ(dread(0x0, 4) & 3, 0);
	CHECK_EQ(dread(0x104, 4), 0);
	CHECK_EQ(dread(0x204, 4), 0);
	CHECK_EQ(rread(1, 0x14, 4), 6);
	CHECK_EQ(g.cpu[0].priv[27].flags & VGIC_HW, 0);
}

int main(void)
{
	RUN(identification_registers);
	RUN(waker_handshake);
	RUN(set_clear_enable_pending_active);
	RUN(private_interrupts_live_in_redistributors);
	RUN(priority_bytes_and_words);
	RUN(config_sgis_fixed_edge);
	RUN(irouter_routes_spis);
	RUN(unknown_offsets_raz_wi);
	RUN(group_enable_gates_delivery);
	RUN(highest_pending_matches_model);
	RUN(sgi_targeting_by_affinity);
	RUN(list_registers_edge_lifecycle);
	RUN(list_registers_overflow_and_level);
	RUN(many_intids_and_bad_arguments);
	RUN(collect_sees_every_enabling_change);
	RUN(spill_actives_without_pending);
	RUN(spill_keeps_one_lr_for_pending);
	RUN(spill_with_one_list_register);
	RUN(spill_eoi_missed_ends_the_highest_left_out);
	RUN(sync_kicks_the_new_target_of_a_held_spi);
	RUN(init_resets_everything);
	return tl_finish();
}
