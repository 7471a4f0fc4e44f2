/* SPDX-License-Identifier: Apache-2.0 */
/* Hosted implementation of hv/core/arch.h, with hooks for tests. */
#ifndef BULKHEAD_HOST_ARCH_H
#define BULKHEAD_HOST_ARCH_H

#include "../core/arch.h"

/** Simulate RAM at [base, base+size); returns the host pointer, or NULL. */
void *host_ram_add(uint64_t base, uint64_t size);
/** Drop all simulated RAM and reset the counters. */
void host_ram_reset(void);

extern uint64_t host_tlb_flushes;    /* arch_guest_tlb_flush() calls */
extern uint64_t host_scrubbed_bytes; /* bytes zeroed by arch_scrub() */
extern char *host_console_buf;       /* everything written to the console */
extern size_t host_console_len;

#endif
