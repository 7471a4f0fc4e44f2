// SPDX-License-Identifier: Apache-2.0
/*
 * Emulated PL011 for guests with the `vpl011` property: accesses to its
 * page fault at stage 2 (it is never mapped) and are decoded here. Only
 * transmit is implemented: DR writes go to the domain's console line,
 * FR says the transmit FIFO is empty and the receive FIFO is empty.
 * Other registers read as zero and ignore writes.
 */
#include "arm64.h"
#include "core/domain.h"

#define PL011_DR   0x000
#define PL011_FR   0x018
#define FR_RXFE    (1u << 4)
#define FR_TXFE    (1u << 7)
#define PL011_SIZE 0x1000

bool vpl011_access(struct vcpu *v, uint64_t ipa, uint64_t esr, struct trap_frame *f)
{
	struct domain *d = v->dom;
	uint64_t base = d->cfg->pl011_base;

	if (!d->cfg->vpl011 || ipa < base || ipa >= base + PL011_SIZE)
		return false;
	if (!(esr & DABT_ISV))
		return false; /* no syndrome (e.g. a load pair): cannot emulate */
	unsigned int reg = DABT_SRT(esr);
	uint64_t off = ipa - base;

	if (esr & DABT_WNR) {
		uint64_t val = reg == 31 ? 0 : f->x[reg];
		if (off == PL011_DR)
			domain_console_putc(d, (char)(val & 0xff));
	} else if (reg != 31) {
		f->x[reg] = off == PL011_FR ? (FR_TXFE | FR_RXFE) : 0;
	}
	return true;
}
