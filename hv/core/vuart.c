// SPDX-License-Identifier: Apache-2.0
/* The emulated PL011's registers (see vuart.h). */
#include "vuart.h"

#include <string.h>

/* PeriphID0..3 then PCellID0..3, at 0xfe0..0xffc: ARM PL011 r1p5. */
static const uint8_t id_regs[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

void vuart_reset(struct vuart *u)
{
	memset(u, 0, sizeof(*u));
}

static uint32_t ris(const struct vuart *u)
{
	uint32_t r = VUART_INT_TX | u->other_ris; /* the TX FIFO is always empty */

	if (u->rx_count)
		r |= VUART_INT_RX | VUART_INT_RT;
	return r;
}

static uint32_t fr(const struct vuart *u)
{
	uint32_t f = VUART_FR_TXFE;

	if (u->rx_count == 0)
		f |= VUART_FR_RXFE;
	if (u->rx_count == VUART_RX_FIFO)
		f |= VUART_FR_RXFF;
	return f;
}

uint32_t vuart_read(struct vuart *u, uint64_t off)
{
	if (off >= 0xfe0 && off <= 0xffc && (off & 3) == 0)
		return id_regs[(off - 0xfe0) / 4];
	switch (off) {
	case VUART_DR: {
		if (u->rx_count == 0)
			return 0;
		uint8_t c = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % VUART_RX_FIFO;
		u->rx_count--;
		return c;
	}
	case VUART_FR:
		return fr(u);
	case VUART_IBRD:
		return u->ibrd;
	case VUART_FBRD:
		return u->fbrd;
	case VUART_LCR_H:
		return u->lcr_h;
	case VUART_CR:
		return u->cr;
	case VUART_IFLS:
		return u->ifls;
	case VUART_IMSC:
		return u->imsc;
	case VUART_RIS:
		return ris(u);
	case VUART_MIS:
		return ris(u) & u->imsc;
	case VUART_DMACR:
		return u->dmacr;
	default: /* RSR: no errors; ILPR and the rest: nothing */
		return 0;
	}
}

bool vuart_write(struct vuart *u, uint64_t off, uint32_t val, char *tx)
{
	switch (off) {
	case VUART_DR:
		*tx = (char)(val & 0xff);
		return true;
	case VUART_IBRD:
		u->ibrd = val & 0xffff;
		break;
	case VUART_FBRD:
		u->fbrd = val & 0x3f;
		break;
	case VUART_LCR_H:
		u->lcr_h = val & 0xff;
		break;
	case VUART_CR:
		u->cr = val & 0xffff;
		break;
	case VUART_IFLS:
		u->ifls = val & 0x3f;
		break;
	case VUART_IMSC:
		u->imsc = val & VUART_INT_ALL;
		break;
	case VUART_ICR:
		/* TX, RX and RT follow the FIFOs: only the others can be cleared. */
		u->other_ris &= ~val;
		break;
	case VUART_DMACR:
		u->dmacr = val & 0x7;
		break;
	default: /* RSR/ECR (clear errors: there are none) and read-only registers */
		break;
	}
	return false;
}

bool vuart_receive(struct vuart *u, char c)
{
	if (u->rx_count == VUART_RX_FIFO) {
		u->rx_dropped++;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % VUART_RX_FIFO] = (uint8_t)c;
	u->rx_count++;
	return true;
}

bool vuart_irq_level(const struct vuart *u)
{
	return (ris(u) & u->imsc) != 0;
}
