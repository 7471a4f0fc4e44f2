/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor's boot sequence, machine-independent:
 *
 *   plan_build()          read and validate the host device tree
 *   arch_machine_init()   console, RAM mapping, interrupt controller
 *   mm_init()             static memory carved out, the rest to the heap
 *   domain_start_all()    every domain built, vCPU 0 of each pending
 *
 * The arch layer calls boot_run() once the MMU is on, then runs its CPUs'
 * vCPUs. Host tests run the very same sequence on the simulated machine.
 */
#ifndef BULKHEAD_CORE_BOOT_H
#define BULKHEAD_CORE_BOOT_H

#include "mm.h"
#include "plan.h"

/** The bootarg that leaves static memory unscrubbed before the first boot. */
#define BOOT_ARG_NO_SCRUB "bulkhead.boot-scrub=off"

/**
 * boot_run() - plan, machine, memory, domains, in this order.
 * @in:      the host device tree and the facts not in it.
 * @t_entry: arch_counter_read() at the hypervisor's entry, for the
 *           "boot ticks" line (bench/boot.sh).
 * @plan:    filled in; must outlive the domains.
 * @mm:      the memory core; must outlive the domains.
 *
 * Prints the plan, its messages, and what was started.
 * Return: the number of domains started (0 is possible: each failure is
 * logged), or a negative error when nothing could be started: -HV_EINVAL
 * for a plan with errors, or the error of arch_machine_init() or
 * mm_init().
 */
int boot_run(const struct plan_input *in, uint64_t t_entry, struct plan *plan, struct mm *mm);

/**
 * boot_arg() - is @word one of the space-separated tokens of the host
 * tree's /chosen/xen,xen-bootargs?
 */
bool boot_arg(const void *fdt, const char *word);

#endif
