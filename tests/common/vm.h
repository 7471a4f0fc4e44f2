/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A whole simulated machine for host tests and fuzzers: a QEMU-virt-like
 * board (256 MiB of RAM at 0x40000000, 4 CPUs, GICv3, PL011) described by
 * a device tree that the real dtc compiles, booted through the core's own
 * boot sequence (boot_run) on the host stand-in of the arch interface.
 *
 * The board has two domains of 2 vCPUs each, 4 MiB of static memory
 * each: domU1 direct-mapped on CPUs 0-1, domU2 at Xen's guest layout on
 * CPUs 2-3. Their kernels are raw binaries (the first bytes say which
 * domain they belong to).
 */
#ifndef BULKHEAD_TESTS_VM_H
#define BULKHEAD_TESTS_VM_H

#include "../../hv/core/boot.h"
#include "../../hv/core/domain.h"
#include "../../hv/host/host_arch.h"

#define VM_RAM_BASE   0x40000000ull
#define VM_RAM_SIZE   (256ull << 20)
#define VM_D1_MEM     0x44000000ull /* domU1: direct-mapped, guest == host */
#define VM_D2_MEM     0x45000000ull /* domU2: at GUEST_RAM0_BASE in the guest */
#define VM_DOM_MEM    (4ull << 20)
#define VM_D1_KERNEL  0x49000000ull
#define VM_D2_KERNEL  0x4a000000ull
#define VM_KERNEL_LEN 0x1000ull
#define VM_DTB_BASE   0x48000000ull

extern struct plan vm_plan;
extern struct mm vm_mm;

/**
 * vm_board() - the board's DTS with @chosen_extra added to /chosen (a
 * xen,xen-bootargs line, for example) and @dom_extra to each domain
 * node, compiled by dtc. Return: a malloc'ed blob, NULL if dtc failed.
 */
void *vm_board(const char *chosen_extra, const char *dom_extra);

/**
 * vm_power_on() - a machine reset: RAM simulated (keeping what an earlier
 * run left there, as real RAM does), both kernels written at their module
 * addresses, the DTB at VM_DTB_BASE. Nothing booted.
 */
void vm_power_on(const void *fdt);

/** vm_input() - the plan_input the hypervisor would pass for @fdt. */
struct plan_input vm_input(const void *fdt);

/** vm_boot() - vm_power_on() then boot_run(); boot_run()'s result. */
int vm_boot(const void *fdt);

/** vm_kernel_byte() - byte @i of domain @domid's kernel as written. */
uint8_t vm_kernel_byte(unsigned int domid, unsigned int i);

/** vm_guest_read() - read guest memory of @d (0 or -HV_EFAULT). */
int vm_guest_read(struct domain *d, uint64_t ipa, void *buf, uint64_t len);

/** vm_guest_write() - write guest memory of @d as the guest would. */
int vm_guest_write(struct domain *d, uint64_t ipa, const void *buf, uint64_t len);

/** vm_ram_base() - the guest address of @d's first RAM byte. */
uint64_t vm_ram_base(const struct domain *d);

/**
 * vm_cpu_on() - vCPU 0 of @d starts vCPU @i at the RAM base with PSCI
 * CPU_ON, then @i's CPU enters it. Return: 0, or the PSCI error (or -100
 * when the CPU did not enter it).
 */
int vm_cpu_on(struct domain *d, unsigned int i);

/** vm_mpidr() - the MPIDR value a guest passes to PSCI for its vCPU @i. */
static inline uint64_t vm_mpidr(unsigned int i)
{
	return i;
}

#endif
