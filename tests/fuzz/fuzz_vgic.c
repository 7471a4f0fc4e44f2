// SPDX-License-Identifier: Apache-2.0
/*
 * Arbitrary guest behaviour against the vGIC state machine: any sequence
 * of distributor/redistributor accesses (any offset, size, value), SGIs,
 * device events and list-register round trips in which the "guest"
 * changes list-register states at will. Must never crash, and:
 * collect returns at most the list registers asked for, each INTID valid
 * and loaded once; after a sync nothing is left owned by a list register;
 * kick masks name existing vCPUs only; highest_pending names a
 * deliverable INTID or the spurious one; a collect that says nothing
 * more waits leaves nothing deliverable behind.
 * List-register spill (QEMU's 4 list registers, and others): the
 * maintenance conditions a collect asks for are never already true for
 * the entries it returned (NP needs a pending-only entry, U two entries;
 * LRENP starts with EOIcount 0 and needs an active one left out to end),
 * are asked for exactly when something was left out, the highest-priority
 * deliverable interrupt is always loaded, and the actives loaded outrank
 * those left out. An EOIcount (the guest ending interrupts no entry held)
 * deactivates that many of those left out, never a loaded one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/vgic.h"

static void require(int cond)
{
	if (!cond)
		abort();
}

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint64_t)*in->p << (8 * i);
	return v;
}

static struct vgic g;

static uint32_t rank(const struct vgic_irq *irq, uint32_t intid)
{
	return ((uint32_t)irq->priority << 16) | intid;
}

/* Active interrupts of @vcpu that no list register holds; the best rank in @best. */
static unsigned int actives_out(unsigned int vcpu, uint32_t *best)
{
	unsigned int k = 0;

	*best = UINT32_MAX;
	for (uint32_t i = 0; i < VGIC_NR_IRQS; i++) {
		struct vgic_irq *irq = vgic_irq_of(&g, vcpu, i);
		if (!(irq->flags & VGIC_ACTIVE) || irq->lr_vcpu != VGIC_NO_LR)
			continue;
		if (i >= VGIC_NR_PRIVATE && vgic_spi_target(&g, i) != vcpu)
			continue;
		k++;
		if (rank(irq, i) < *best)
			*best = rank(irq, i);
	}
	return k;
}

static void round_trip(struct input *in, unsigned int vcpu, unsigned int max)
{
	struct vgic_lr lrs[16];
	bool more;
	unsigned int maint;
	uint32_t best_out, hw[32];
	/* Nothing is held between round trips: the best one must be loaded. */
	uint32_t h = vgic_highest_pending(&g, vcpu);
	unsigned int n = vgic_lr_collect(&g, vcpu, lrs, max, &more, &maint);

	require(n <= max);
	for (unsigned int i = 0; i < n; i++) {
		require(lrs[i].intid < VGIC_NR_IRQS);
		require(lrs[i].pending || lrs[i].active);
		for (unsigned int j = 0; j < i; j++)
			require(lrs[j].intid != lrs[i].intid);
	}
	if (!more && n < max) { /* a level line keeps a loaded one pending: that one may show */
		uint32_t h2 = vgic_highest_pending(&g, vcpu);
		require(h2 == VGIC_SPURIOUS || vgic_irq_of(&g, vcpu, h2)->lr_vcpu == vcpu);
	}
	/*
	 * The maintenance model (ICH_MISR_EL2): NP holds while no entry is
	 * pending (pending and active does not count), U while at most one
	 * entry is valid, LRENP while EOIcount != 0, which entry sets to 0.
	 * A condition asked for must not hold yet, or it fires forever.
	 */
	bool pending_only = false, loaded_h = false;
	uint32_t worst_loaded = 0;
	for (unsigned int i = 0; i < n; i++) {
		if (lrs[i].pending && !lrs[i].active)
			pending_only = true;
		if (lrs[i].intid == h && lrs[i].pending && !lrs[i].active)
			loaded_h = true;
		uint32_t r = ((uint32_t)lrs[i].priority << 16) | lrs[i].intid;
		if (lrs[i].active && r > worst_loaded)
			worst_loaded = r;
	}
	require(!(maint & ~(unsigned int)(VGIC_MI_NP | VGIC_MI_U | VGIC_MI_LRENP)));
	if (maint & VGIC_MI_NP)
		require(pending_only);
	if (maint & VGIC_MI_U)
		require(n >= 2);
	unsigned int out = actives_out(vcpu, &best_out);
	if (maint & VGIC_MI_LRENP)
		require(out > 0);
	/* Asked for exactly when something was left out (every max >= 1 here). */
	require(more == (maint != 0));
	if (out)
		require(more && best_out > worst_loaded);
	if (h != VGIC_SPURIOUS)
		require(loaded_h);
	/* The guest acknowledges, ends, or leaves each one as it likes... */
	uint64_t moves = take(in, 5);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int m = (moves >> (2 * i)) & 3;
		lrs[i].pending = m & 1;
		lrs[i].active = (m >> 1) & 1;
	}
	/* ...and may end some that no list register held (EOIcount). */
	unsigned int missed = (unsigned int)(moves >> 32) % 4, ended = missed < out ? missed : out;
	unsigned int nhw = vgic_lr_eoi_missed(&g, vcpu, missed, hw);
	require(nhw <= ended);
	for (unsigned int i = 0; i < nhw; i++) {
		struct vgic_irq *irq = vgic_irq_of(&g, vcpu, hw[i]);
		require(irq && (irq->flags & VGIC_HW) && !(irq->flags & VGIC_ACTIVE));
	}
	require(actives_out(vcpu, &best_out) == out - ended);
	for (unsigned int i = 0; i < n; i++)
		require(vgic_irq_of(&g, vcpu, lrs[i].intid)->lr_vcpu == vcpu);
	uint32_t others = vgic_lr_sync(&g, vcpu, lrs, n);
	require((others >> g.nr_vcpus) == 0 && !(others & (1u << vcpu)));
	for (unsigned int i = 0; i < VGIC_NR_IRQS; i++) {
		struct vgic_irq *irq = vgic_irq_of(&g, vcpu, i);
		require(irq && irq->lr_vcpu != vcpu);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	unsigned int nr = 1 + (unsigned int)(take(&in, 1) % VGIC_MAX_VCPUS);

	vgic_init(&g, nr);
	while (in.n) {
		unsigned int op = (unsigned int)take(&in, 1);
		unsigned int vcpu = (unsigned int)take(&in, 1) % (nr + 1); /* one too many */
		uint32_t kick = 0;
		uint64_t v;
		switch (op % 8) {
		case 0:
		case 1: {
			uint32_t off = (uint32_t)take(&in, 2);
			unsigned int len = 1u << (take(&in, 1) % 4);
			v = take(&in, 8);
			kick = vgic_dist_access(&g, off, len, op & 0x80, &v);
			break;
		}
		case 2:
		case 3: {
			uint32_t off = (uint32_t)take(&in, 3) % (VGIC_GICR_STRIDE * (nr + 1));
			unsigned int len = 1u << (take(&in, 1) % 4);
			v = take(&in, 8);
			kick = vgic_rdist_access(&g, off, len, op & 0x80, &v);
			break;
		}
		case 4:
			kick = vgic_send_sgi(&g, vcpu, take(&in, 8));
			break;
		case 5:
			kick = vgic_pend(&g, vcpu, (uint32_t)take(&in, 2) % (VGIC_NR_IRQS + 8));
			break;
		case 6:
			v = take(&in, 2) % (VGIC_NR_IRQS + 8);
			if (op & 0x40) /* the timer and passthrough SPIs are hardware-linked */
				vgic_set_hw(&g, vcpu, (uint32_t)v, op & 0x80);
			else
				kick = vgic_line(&g, (uint32_t)v, op & 0x80);
			break;
		default: /* often QEMU's 4 list registers */
			if (vcpu < nr)
				round_trip(&in, vcpu, (op & 0x08) ? 4 : 1 + (op >> 4) % 16);
			break;
		}
		require((kick >> nr) == 0);
		uint32_t h = vgic_highest_pending(&g, vcpu);
		require(h == VGIC_SPURIOUS || h < VGIC_NR_IRQS);
	}
	return 0;
}
