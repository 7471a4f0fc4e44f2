// SPDX-License-Identifier: Apache-2.0
/*
 * Emulated PL011 for guests with the `vpl011` property, and the console
 * input switch.
 *
 * Accesses to the vPL011 page fault at stage 2 (it is never mapped) and
 * are decoded here; the registers are hv/core/vuart.c. Bytes typed on
 * the host UART go to one stop at a time (hv/core/conmux.c): a domain's
 * receive FIFO, or the hypervisor. The receive interrupt is a level on
 * the domain's pl011_intid, given to the vGIC after every change.
 */
#include "arm64.h"
#include "core/conmux.h"
#include "core/domain.h"
#include "core/fmt.h"
#include "core/vgic.h"

/* Serialises every vuart and the switch: input arrives on any CPU. */
static spinlock_t vuart_lock;
static struct conmux mux;
static unsigned int nr_doms;

/* The vPL011 interrupt line of @d is now @level: tell the vGIC of changes only. */
static void vpl011_irq(struct domain *d, bool level)
{
	if (level == d->uart.line)
		return;
	d->uart.line = level;
	vgic_set_level(d, d->cfg->pl011_intid, level);
}

bool vpl011_access(struct vcpu *v, ipa_t ipa, uint64_t esr, struct trap_frame *f)
{
	struct domain *d = v->dom;
	uint64_t a = ipa_addr(ipa), base = ipa_addr(d->cfg->pl011_base);
	char c;
	bool tx = false, level;

	if (!d->cfg->vpl011 || a < base || a >= base + PL011_PAGE)
		return false;
	if (!(esr & DABT_ISV))
		return false; /* no syndrome (e.g. a load pair): cannot emulate */
	unsigned int reg = DABT_SRT(esr);
	uint64_t off = a - base;

	/* A guest polling its receive FIFO gets what was typed, interrupt or not. */
	if (!(esr & DABT_WNR) && (off == VUART_FR || off == VUART_DR))
		vpl011_poll_input();
	spin_lock(&vuart_lock);
	if (esr & DABT_WNR)
		tx = vuart_write(&d->uart, off, reg == 31 ? 0 : (uint32_t)f->x[reg], &c);
	else if (reg != 31)
		f->x[reg] = vuart_read(&d->uart, off);
	else
		(void)vuart_read(&d->uart, off); /* a read to xzr still pops DR */
	level = vuart_irq_level(&d->uart);
	spin_unlock(&vuart_lock);
	if (tx)
		domain_console_putc(d, c);
	vpl011_irq(d, level);
	return true;
}

static uint64_t running_mask(void)
{
	uint64_t m = 0;

	for (unsigned int id = 1; id <= nr_doms && id < 64; id++) {
		struct domain *d = domain_by_id(id);
		if (d && d->state == DOMAIN_RUNNING && d->cfg->vpl011)
			m |= 1ull << id;
	}
	return m;
}

static void announce(unsigned int stop)
{
	struct domain *d = stop == CONMUX_HYPERVISOR ? NULL : domain_by_id(stop);

	for (unsigned int id = 1; id <= nr_doms; id++) {
		struct domain *o = domain_by_id(id);
		if (o && o != d)
			domain_console_live(o, false);
	}

	if (d) {
		hv_printf("bulkhead: input to %s (Ctrl-A x3 to switch)\n", d->cfg->name);
	} else
		hv_printf("bulkhead: input to the hypervisor (Ctrl-A x3 to switch; s: summary)\n");
}

void vpl011_console_start(unsigned int nr_domains, uint32_t uart_intid)
{
	nr_doms = nr_domains;
	/* Typed bytes interrupt CPU 0, which then drains the UART (trap_guest_irq). */
	if (uart_intid >= 32) {
		gic_spi_assign(uart_intid, cpus[0].mpidr, true);
		uart_rx_irq_enable();
	}
	conmux_init(&mux, nr_domains, 1);
	(void)conmux_leave(&mux, running_mask()); /* domU1 may have failed */
	announce(mux.focus);
}

/* A byte for the hypervisor stop: a tiny command line. */
static void hypervisor_input(char c)
{
	if (c == 's')
		domain_print_summary();
}

void vpl011_poll_input(void)
{
	int ch;

	while ((ch = uart_getc()) >= 0) {
		char out[CONMUX_MAX_OUT];
		bool switched, moved, level = false;
		struct domain *d = NULL;

		spin_lock(&vuart_lock);
		uint64_t running = running_mask();
		moved = conmux_leave(&mux, running);
		unsigned int n = conmux_input(&mux, (char)ch, running, out, &switched);
		unsigned int stop = mux.focus;
		if (stop != CONMUX_HYPERVISOR && n) {
			d = domain_by_id(stop);
			for (unsigned int i = 0; d && i < n; i++)
				vuart_receive(&d->uart, out[i]);
			if (d)
				level = vuart_irq_level(&d->uart);
		}
		spin_unlock(&vuart_lock);
		if (moved || switched)
			announce(stop);
		if (d) {
			domain_console_live(d, true); /* someone types to it: show its echo */
			vpl011_irq(d, level);
		} else
			for (unsigned int i = 0; i < n; i++)
				hypervisor_input(out[i]);
	}
}
