// SPDX-License-Identifier: Apache-2.0
/*
 * The hypervisor console's UART: the host PL011 named by
 * /chosen/stdout-path (QEMU virt's 0x09000000 until the plan is read).
 * hv/core/console.c decides what is written and when, and lets one CPU
 * at a time write (its drain owner), without the console lock held.
 * arch_console_tx() never waits: it stops when the transmit FIFO is full
 * (FR.TXFF), which is what keeps a drain bounded on a slow UART.
 */
#include "arm64.h"
#include "core/arch.h"

#define PL011_DR   0x00
#define PL011_FR   0x18
#define PL011_IMSC 0x38
#define FR_RXFE    (1u << 4)
#define FR_TXFF    (1u << 5)
#define INT_RX_RT  ((1u << 4) | (1u << 6))

static uint64_t uart_base = 0x09000000;
static spinlock_t console_lock;
/* "\r" of a "\r\n" went out, the "\n" did not fit yet (drain owner only). */
static bool cr_sent;

static volatile uint32_t *uart_reg(unsigned int off)
{
	return (volatile uint32_t *)(uintptr_t)(uart_base + off);
}

void uart_set_base(uint64_t base)
{
	if (base)
		uart_base = base;
}

static bool tx_full(void)
{
	return (*uart_reg(PL011_FR) & FR_TXFF) != 0;
}

int uart_getc(void)
{
	if (*uart_reg(PL011_FR) & FR_RXFE)
		return -1;
	return (int)(*uart_reg(PL011_DR) & 0xff);
}

void uart_rx_irq_enable(void)
{
	*uart_reg(PL011_IMSC) |= INT_RX_RT;
}

void uart_wait_tx_room(void)
{
	while (tx_full())
		cpu_relax();
}

size_t arch_console_tx(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n' && !cr_sent) {
			if (tx_full())
				break;
			*uart_reg(PL011_DR) = '\r';
			cr_sent = true;
		}
		if (tx_full())
			break;
		*uart_reg(PL011_DR) = (unsigned char)s[i];
		cr_sent = false;
	}
	return i;
}

void arch_console_write(const char *s, size_t len)
{
	for (;;) {
		size_t n = arch_console_tx(s, len);
		s += n;
		len -= n;
		if (!len)
			return;
		uart_wait_tx_room();
	}
}

void arch_console_lock(void)
{
	spin_lock(&console_lock);
}

bool arch_console_trylock(void)
{
	return spin_trylock(&console_lock);
}

void arch_console_unlock(void)
{
	spin_unlock(&console_lock);
}

void uart_panic_write(const char *s)
{
	/* No lock: the CPU that panics may hold it, and nothing runs after this. */
	for (; *s; s++) {
		if (*s == '\n') {
			uart_wait_tx_room();
			*uart_reg(PL011_DR) = '\r';
		}
		uart_wait_tx_room();
		*uart_reg(PL011_DR) = (unsigned char)*s;
	}
}
