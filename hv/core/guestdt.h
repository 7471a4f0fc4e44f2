/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device tree a domain boots with.
 *
 * Built from the domain's plan (RAM banks, vCPUs, emulated GIC and UART)
 * and, for passthrough, from the partial device tree the integrator gave
 * as a `multiboot,device-tree` module. The tree is what arm64 Linux and
 * our bare-metal test guests read: memory, cpus with PSCI, the
 * architected timer, a GICv3, an optional PL011 and /chosen.
 *
 * libfdt's sequential-write API writes straight into the caller's buffer:
 * no allocation, and a tree that is valid by construction.
 */
#ifndef BULKHEAD_CORE_GUESTDT_H
#define BULKHEAD_CORE_GUESTDT_H

#include "plan.h"

/* Fixed facts of the guest tree, exposed for tests and the vGIC. */
#define GUESTDT_PL011_CLOCK_HZ 24000000u /* the fixed apb_pclk, as on QEMU virt */
#define GUESTDT_GIC_PPI_FLAGS  4u        /* level-high, what QEMU virt (GICv3) uses */

/** Run-time facts for guestdt_build() that the plan does not hold. */
struct guestdt_extra {
	/* Where the ramdisk was copied in guest RAM; initrd_size 0: no ramdisk. */
	ipa_t initrd;
	uint64_t initrd_size;
	/*
	 * The domain's partial device tree (its multiboot,device-tree
	 * module), or NULL. Any bytes are accepted: the blob is checked with
	 * fdt_check_full() against partial_size before anything is read.
	 */
	const void *partial;
	size_t partial_size;
	/*
	 * Which boot of the domain this is (1 = first), written as
	 * /chosen/bulkhead,boots so that a guest can tell a reboot; 0: none.
	 */
	uint32_t boot;
	/* Receives a one-line reason on failure; may be NULL. */
	char *err;
	size_t err_size;
};

/**
 * guestdt_build() - write the guest device tree of a domain.
 * @d:    the domain's plan (banks[].ipa, vcpus, gicd/gicr/pl011 bases,
 *        pl011_intid, vpl011, bootargs, node for messages).
 * @x:    run-time facts: initrd placement and the partial DT; may be NULL.
 * @buf:  where the blob is written (any alignment libfdt accepts: 8 bytes).
 * @size: bytes available at @buf.
 *
 * The tree has: root ("linux,dummy-virt", 2 address and 2 size cells,
 * interrupt-parent the GIC), one /memory node listing every bank at its
 * guest address, /cpus with cpu@0..vcpus-1 (reg = the vCPU number, which
 * is the vMPIDR affinity, enable-method "psci"), /psci (1.0 and 0.2,
 * method "hvc"), /timer (PPIs 13, 14, 11, 10), the GICv3 (distributor,
 * then vcpus * 0x20000 of redistributors), the PL011 with its 24 MHz
 * fixed clock when the domain has vpl011, /chosen (bootargs, stdout-path,
 * linux,initrd-start/end, bulkhead,boots) and, from the partial DT, a /passthrough
 * simple-bus with the partial's /passthrough children (xen,* properties
 * dropped; an interrupt-parent or interrupts-extended parent naming the
 * partial's /gic placeholder is pointed at our GIC, one naming a node
 * outside /passthrough is refused).
 *
 * Return: the size of the blob (fdt_totalsize) on success; -HV_ENOSPC
 * when @size is too small; -HV_EINVAL when the plan or the partial DT
 * cannot be expressed (the reason, naming the node and property, is
 * written to x->err).
 */
int guestdt_build(const struct plan_domain *d, const struct guestdt_extra *x, void *buf,
                  size_t size);

#endif
