/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domains: running the boot plan.
 *
 * Arch-independent orchestration. A domain is created from its
 * plan_domain: static memory acquired through the memory core, stage-2
 * mappings, kernel copied, guest device tree written, vCPU 0 made ready
 * at the kernel entry. Each vCPU owns one physical CPU (no scheduler):
 * the arch layer enters a vCPU when it becomes VCPU_PENDING and parks the
 * CPU when it stops. Destroying a domain scrubs its static memory and
 * keeps it reserved for it; rebooting re-creates it on the same memory.
 */
#ifndef BULKHEAD_CORE_DOMAIN_H
#define BULKHEAD_CORE_DOMAIN_H

#include "arch_types.h"
#include "dommem.h"
#include "plan.h"
#include "vuart.h"

enum vcpu_state {
	VCPU_OFF,     /* not started, or stopped */
	VCPU_PENDING, /* to be (re)entered at entry with x0 = context */
	VCPU_RUNNING,
};

enum domain_state {
	DOMAIN_UNUSED,
	DOMAIN_RUNNING,
	DOMAIN_OFF,     /* the guest asked (PSCI SYSTEM_OFF) */
	DOMAIN_CRASHED, /* stopped by the hypervisor (a fault) */
	DOMAIN_FAILED,  /* could not be built */
};

#define DOMAIN_LINE_MAX 160

struct domain;

struct vcpu {
	struct domain *dom;
	unsigned int id;   /* vCPU index in the domain */
	unsigned int pcpu; /* the physical CPU it owns */
	volatile enum vcpu_state state;
	ipa_t entry;           /* guest address to start at */
	uint64_t context;      /* x0 at start (the DT's guest address, or CPU_ON's context) */
	struct vcpu_arch arch; /* the machine's per-vCPU state (arch.h) */
};

struct domain {
	unsigned int domid;            /* Xen's domain id: 1.. in plan (device-tree) order */
	const struct plan_domain *cfg; /* &plan->domains[domid - 1] */
	volatile enum domain_state state;
	struct domain_mem mem; /* pages and stage-2 (dommem) */
	unsigned int nr_vcpus;
	struct vcpu vcpus[PLAN_MAX_CPUS];
	ipa_t kernel_entry;
	ipa_t dtb_ipa;
	unsigned int boots;
	char stop_reason[96];
	/* Console: one line buffered so that the name prefixes every line. */
	char line[DOMAIN_LINE_MAX];
	unsigned int line_len;
	struct vuart uart; /* the vpl011's registers and receive FIFO */
	/* Input goes to this domain: its output is shown as it comes. */
	bool console_live;
	bool line_open;          /* live: a line is on the terminal, not ended */
	struct domain_arch arch; /* the machine's per-domain state (arch.h) */
};

/**
 * domain_start_all() - build every domain of a valid plan and make each
 * vCPU 0 pending on its CPU.
 * @plan: validated; outlives the domains (they are re-created from it).
 * @mm:   the memory core, initialised from @plan (mm_init()).
 * @scrub_at_boot: zero static memory before each domain's first boot.
 *        Off is for integrators who know the memory holds nothing of
 *        another domain (cold boot, same plan): boot time then no longer
 *        grows with memory size. Reboots and destroys always scrub.
 * Forgets any domain of an earlier call (host tests boot many plans).
 * Return: the number of domains started; failures are logged per domain
 * and leave that domain DOMAIN_FAILED.
 */
unsigned int domain_start_all(const struct plan *plan, struct mm *mm, bool scrub_at_boot);

/** domain_count() - how many domains the plan has (started or not). */
unsigned int domain_count(void);

/** domain_table_pages() - stage-2 table pages all domains hold now. */
uint64_t domain_table_pages(void);

/**
 * domain_log() - one line on the hypervisor console about @d:
 * "bulkhead: domain NAME: " then @fmt.
 */
void domain_log(const struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** domain_by_id() - the domain with Xen-style id @domid (1..), or NULL. */
struct domain *domain_by_id(unsigned int domid);

/** domain_id() - the domain's id as guests see it (d->domid). */
unsigned int domain_id(const struct domain *d);

/**
 * domain_shutdown() - stop @d for good: every vCPU off, memory scrubbed
 * and kept reserved for it. @crashed tells a fault from the guest's own
 * SYSTEM_OFF; @why goes into the summary.
 */
void domain_shutdown(struct domain *d, bool crashed, const char *why);

/**
 * domain_crash_fault() - stop @d after a stage-2 fault, with the log line
 * naming the domain, the IPA and the PC.
 */
void domain_crash_fault(struct domain *d, const char *what, ipa_t ipa, uint64_t pc);

/**
 * domain_reboot() - destroy @d and re-create it on the same memory
 * (scrubbed, kernel and device tree written again, vCPU 0 pending).
 * Return: 0, or a negative error after which the domain is stopped.
 */
int domain_reboot(struct domain *d);

/**
 * domain_console_putc() - one byte of guest output: line-buffered, or
 * shown at once while the domain is live (it gets the console input).
 */
void domain_console_putc(struct domain *d, char c);

/**
 * domain_console_live() - someone types to @d (@live) or no longer: a
 * live domain's partial lines (prompts, echo) show at once; another
 * domain's line ends an open live line first, so every line on the
 * terminal still starts with its domain's name.
 */
void domain_console_live(struct domain *d, bool live);

/** domain_all_stopped() - true when no domain is running any more. */
bool domain_all_stopped(void);

/** domain_print_summary() - one line per domain: state, boots, memory. */
void domain_print_summary(void);

#endif
