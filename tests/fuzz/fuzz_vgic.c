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

static void round_trip(struct input *in, unsigned int vcpu, unsigned int max)
{
	struct vgic_lr lrs[16];
	bool more;
	unsigned int n = vgic_lr_collect(&g, vcpu, lrs, max, &more);

	require(n <= max);
	for (unsigned int i = 0; i < n; i++) {
		require(lrs[i].intid < VGIC_NR_IRQS);
		require(lrs[i].pending || lrs[i].active);
		for (unsigned int j = 0; j < i; j++)
			require(lrs[j].intid != lrs[i].intid);
	}
	if (!more && n < max) { /* a level line keeps a loaded one pending: that one may show */
		uint32_t h = vgic_highest_pending(&g, vcpu);
		require(h == VGIC_SPURIOUS || vgic_irq_of(&g, vcpu, h)->lr_vcpu == vcpu);
	}
	/* The guest acknowledges, ends, or leaves each one as it likes. */
	uint64_t moves = take(in, 4);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int m = (moves >> (2 * i)) & 3;
		lrs[i].pending = m & 1;
		lrs[i].active = (m >> 1) & 1;
	}
	vgic_lr_sync(&g, vcpu, lrs, n);
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
			kick =
			    vgic_line(&g, (uint32_t)take(&in, 2) % (VGIC_NR_IRQS + 8), op & 0x80);
			break;
		default:
			if (vcpu < nr)
				round_trip(&in, vcpu, 1 + (op >> 3) % 16);
			break;
		}
		require((kick >> nr) == 0);
		uint32_t h = vgic_highest_pending(&g, vcpu);
		require(h == VGIC_SPURIOUS || h < VGIC_NR_IRQS);
	}
	return 0;
}
