/* SPDX-License-Identifier: Apache-2.0 */
/* The little runtime of the bare-metal test guests. */
#ifndef GUEST_H
#define GUEST_H

#pragma GCC visibility push(hidden)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bulkhead_abi.h" /* hv/public: the guest ABI */

/* For ABI numbers in inline assembly: "hvc #" STRINGIFY(HVC_IMM_XEN). */
#define STRINGIFY_(x) #x
#define STRINGIFY(x)  STRINGIFY_(x)

#define MAX_BANKS 8

struct guest_dt {
	uint64_t uart; /* PL011 base from the DT, 0 if none */
	unsigned int nr_banks;
	uint64_t bank_base[MAX_BANKS], bank_size[MAX_BANKS];
	uint32_t dt_size;
	char bootargs[128];
};

/* Parse the essentials of the device tree at @dtb. Return: false if invalid. */
bool dt_parse(const void *dtb, struct guest_dt *out);

void uart_init(uint64_t base);
void putc_(char c);
void puts_(const char *s);
/* %u %d %x %s; every number argument must be 64 bits wide. */
void printf_(const char *fmt, ...);

/* Xen hypercalls (HVC #HVC_IMM_XEN) and PSCI (HVC #HVC_IMM_SMCCC). */
int64_t hypercall2(uint64_t nr, uint64_t a0, uint64_t a1);
int64_t hypercall3(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);
int64_t psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
void psci_system_off(void);
void psci_system_reset(void);
int64_t console_write(const char *s, uint64_t len);

/* Called by start.S for any EL1 exception; returns where to resume. */
uint64_t guest_exception(uint64_t esr, uint64_t elr);
extern volatile uint64_t last_exception_esr;
extern volatile uint64_t exceptions_taken;
extern volatile uint64_t exception_resume; /* 0: skip the faulting instruction */

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

uint64_t rand64(uint64_t *state);

/* start.S: where a vCPU started by PSCI CPU_ON begins (x0 = stack top). */
void guest_secondary_entry(void);
/* Provided by guests that start secondary vCPUs. */
void secondary_main(void);

#endif
