/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arm64's per-domain and per-vCPU state, embedded in struct domain and
 * struct vcpu (hv/core/arch.h): created, reset and destroyed with them by
 * arch_domain_init/reset/destroy, never kept in side tables.
 */
#ifndef BULKHEAD_ARM64_ARCH_TYPES_H
#define BULKHEAD_ARM64_ARCH_TYPES_H

#include "core/vgic.h"

/* Most list registers used (ICH_VTR_EL2.ListRegs + 1 is at most 16). */
#define ARCH_MAX_LRS 16

struct domain_arch {
	/* The domain's virtual GICv3: distributor, redistributors. */
	struct vgic vgic;
};

struct vcpu_arch {
	/* What vgic_vcpu_enter() put into the list registers. */
	unsigned int nr_lrs;
	struct vgic_lr lrs[ARCH_MAX_LRS];
};

#endif
