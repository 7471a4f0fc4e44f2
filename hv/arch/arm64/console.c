// SPDX-License-Identifier: Apache-2.0
/*
 * The hypervisor console: the host PL011 named by /chosen/stdout-path.
 * Until the plan is read, QEMU virt's UART (0x09000000) is assumed.
 * One lock for all CPUs so that lines never interleave mid-line.
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

void uart_set_base(uint64_t base)
{
	if (base)
		uart_base = base;
}

static void uart_putc(char c)
{
	volatile uint32_t *fr = (volatile uint32_t *)(uintptr_t)(uart_base + PL011_FR);
	volatile uint32_t *dr = (volatile uint32_t *)(uintptr_t)(uart_base + PL011_DR);

	while (*fr & FR_TXFF)
		;
	*dr = (unsigned char)c;
}

int uart_getc(void)
{
	volatile uint32_t *fr = (volatile uint32_t *)(uintptr_t)(uart_base + PL011_FR);
	volatile uint32_t *dr = (volatile uint32_t *)(uintptr_t)(uart_base + PL011_DR);

	if (*fr & FR_RXFE)
		return -1;
	return (int)(*dr & 0xff);
}

void uart_rx_irq_enable(void)
{
	volatile uint32_t *imsc = (volatile uint32_t *)(uintptr_t)(uart_base + PL011_IMSC);

	*imsc |= INT_RX_RT;
}

void arch_console_write(const char *s, size_t len)
{
	spin_lock(&console_lock);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
	spin_unlock(&console_lock);
}
