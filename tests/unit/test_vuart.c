// SPDX-License-Identifier: Apache-2.0
/*
 * vuart and conmux: the emulated PL011's registers against the PL011
 * TRM's behaviour (what Linux's amba-pl011 driver relies on), and the
 * console switch.
 */
#include <string.h>

#include "../../hv/core/conmux.h"
#include "../../hv/core/vuart.h"
#include "../common/testlib.h"

TEST(vuart_identifies_as_pl011)
{
	struct vuart u;
	uint32_t pid = 0, cid = 0;

	vuart_reset(&u);
	for (unsigned int i = 0; i < 4; i++) {
		pid |= vuart_read(&u, 0xfe0 + 4 * i) << (8 * i);
		cid |= vuart_read(&u, 0xff0 + 4 * i) << (8 * i);
	}
	/* Linux matches the part number and designer, masking the revision. */
	CHECK_EQ(pid & 0x000fffff, 0x00041011);
	CHECK_EQ(cid, 0xb105f00d);
}

TEST(vuart_transmits_every_write)
{
	struct vuart u;
	char c = 0;

	vuart_reset(&u);
	CHECK(vuart_write(&u, VUART_DR, 0x141, &c)); /* only the low byte is data */
	CHECK_EQ(c, 'A');
	CHECK(!vuart_write(&u, VUART_CR, 0x301, &c));
	CHECK_EQ(vuart_read(&u, VUART_CR), 0x301);
	uint32_t fr = vuart_read(&u, VUART_FR);
	CHECK(fr & VUART_FR_TXFE);
	CHECK(!(fr & VUART_FR_TXFF));
	CHECK(fr & VUART_FR_RXFE);
	/* The TX FIFO is empty, so TXRIS is raised; masked, no interrupt. */
	CHECK(vuart_read(&u, VUART_RIS) & VUART_INT_TX);
	CHECK_EQ(vuart_read(&u, VUART_MIS), 0);
	CHECK(!vuart_irq_level(&u));
	vuart_write(&u, VUART_IMSC, VUART_INT_TX, &c);
	CHECK(vuart_irq_level(&u));
}

TEST(vuart_receive_fifo_and_level_interrupt)
{
	struct vuart u;
	char c;

	vuart_reset(&u);
	CHECK(vuart_receive(&u, 'x'));
	CHECK(!vuart_irq_level(&u)); /* IMSC masks everything after reset */
	CHECK(!(vuart_read(&u, VUART_FR) & VUART_FR_RXFE));
	CHECK_EQ(vuart_read(&u, VUART_RIS) & (VUART_INT_RX | VUART_INT_RT),
	         VUART_INT_RX | VUART_INT_RT);
	vuart_write(&u, VUART_IMSC, VUART_INT_RX | VUART_INT_RT, &c);
	CHECK(vuart_irq_level(&u));
	CHECK_EQ(vuart_read(&u, VUART_MIS), VUART_INT_RX | VUART_INT_RT);
	/* Level: clearing cannot drop an interrupt while data is waiting. */
	vuart_write(&u, VUART_ICR, VUART_INT_ALL, &c);
	CHECK(vuart_irq_level(&u));
	CHECK(vuart_receive(&u, 'y'));
	CHECK_EQ(vuart_read(&u, VUART_DR), 'x');
	CHECK(vuart_irq_level(&u));
	CHECK_EQ(vuart_read(&u, VUART_DR), 'y');
	CHECK(!vuart_irq_level(&u));
	CHECK(vuart_read(&u, VUART_FR) & VUART_FR_RXFE);
	CHECK_EQ(vuart_read(&u, VUART_DR), 0); /* empty FIFO */
}

TEST(vuart_fifo_full_drops_and_keeps_order)
{
	struct vuart u;

	vuart_reset(&u);
	for (unsigned int i = 0; i < VUART_RX_FIFO; i++)
		CHECK(vuart_receive(&u, (char)('a' + i % 26)));
	CHECK(vuart_read(&u, VUART_FR) & VUART_FR_RXFF);
	CHECK(!vuart_receive(&u, '!'));
	CHECK_EQ(u.rx_dropped, 1);
	for (unsigned int i = 0; i < VUART_RX_FIFO; i++)
		CHECK_EQ(vuart_read(&u, VUART_DR), (uint32_t)('a' + i % 26));
	CHECK(vuart_read(&u, VUART_FR) & VUART_FR_RXFE);
	/* Wrapped indices still deliver in order. */
	CHECK(vuart_receive(&u, '1'));
	CHECK(vuart_receive(&u, '2'));
	CHECK_EQ(vuart_read(&u, VUART_DR), '1');
	CHECK_EQ(vuart_read(&u, VUART_DR), '2');
}

TEST(vuart_keeps_line_settings)
{
	struct vuart u;
	char c;

	vuart_reset(&u);
	vuart_write(&u, VUART_IBRD, 13, &c);
	vuart_write(&u, VUART_FBRD, 1, &c);
	vuart_write(&u, VUART_LCR_H, 0x70, &c);
	vuart_write(&u, VUART_IFLS, 0x12, &c);
	CHECK_EQ(vuart_read(&u, VUART_IBRD), 13);
	CHECK_EQ(vuart_read(&u, VUART_FBRD), 1);
	CHECK_EQ(vuart_read(&u, VUART_LCR_H), 0x70);
	CHECK_EQ(vuart_read(&u, VUART_IFLS), 0x12);
	CHECK_EQ(vuart_read(&u, VUART_RSR), 0);
	CHECK_EQ(vuart_read(&u, 0x800), 0);
}

static unsigned int feed(struct conmux *m, const char *s, uint64_t running, char *out,
                         unsigned int *switches)
{
	unsigned int n = 0;
	bool sw;

	for (; *s; s++) {
		n += conmux_input(m, *s, running, out + n, &sw);
		*switches += sw;
	}
	out[n] = 0;
	return n;
}

TEST(conmux_switches_on_three_ctrl_a)
{
	struct conmux m;
	char out[64];
	unsigned int sw = 0;

	conmux_init(&m, 2, 1);
	CHECK_EQ(m.focus, 1);
	CHECK_EQ(feed(&m, "ls\r", 0x6, out, &sw), 3);
	CHECK(strcmp(out, "ls\r") == 0);
	CHECK_EQ(feed(&m, "\001\001\001", 0x6, out, &sw), 0);
	CHECK_EQ(sw, 1);
	CHECK_EQ(m.focus, 2);
	feed(&m, "\001\001\001", 0x6, out, &sw);
	CHECK_EQ(m.focus, CONMUX_HYPERVISOR);
	feed(&m, "\001\001\001", 0x6, out, &sw);
	CHECK_EQ(m.focus, 1);
	CHECK_EQ(sw, 3);
}

TEST(conmux_passes_short_ctrl_a_runs)
{
	struct conmux m;
	char out[64];
	unsigned int sw = 0;

	conmux_init(&m, 1, 1);
	CHECK_EQ(feed(&m, "\001x\001\001y", 0x2, out, &sw), 5);
	CHECK(memcmp(out, "\001x\001\001y", 5) == 0);
	CHECK_EQ(sw, 0);
	CHECK_EQ(m.focus, 1);
	/* Four in a row: the first three switch, the fourth is pending. */
	CHECK_EQ(feed(&m, "\001\001\001\001z", 0x2, out, &sw), 2);
	CHECK(memcmp(out, "\001z", 2) == 0);
	CHECK_EQ(m.focus, CONMUX_HYPERVISOR);
}

TEST(conmux_skips_stopped_domains)
{
	struct conmux m;
	char out[8];
	unsigned int sw = 0;

	conmux_init(&m, 3, 1);
	feed(&m, "\001\001\001", 0x2 | 0x8, out, &sw); /* domain 2 stopped */
	CHECK_EQ(m.focus, 3);
	CHECK(!conmux_leave(&m, 0x8));
	CHECK(conmux_leave(&m, 0x2)); /* domain 3 stopped: on to the hypervisor */
	CHECK_EQ(m.focus, CONMUX_HYPERVISOR);
	feed(&m, "\001\001\001", 0, out, &sw); /* nobody runs: stay */
	CHECK_EQ(m.focus, CONMUX_HYPERVISOR);
	conmux_init(&m, 2, 7); /* out of range: the hypervisor */
	CHECK_EQ(m.focus, CONMUX_HYPERVISOR);
}

int main(void)
{
	RUN(vuart_identifies_as_pl011);
	RUN(vuart_transmits_every_write);
	RUN(vuart_receive_fifo_and_level_interrupt);
	RUN(vuart_fifo_full_drops_and_keeps_order);
	RUN(vuart_keeps_line_settings);
	RUN(conmux_switches_on_three_ctrl_a);
	RUN(conmux_passes_short_ctrl_a_runs);
	RUN(conmux_skips_stopped_domains);
	return tl_finish();
}
