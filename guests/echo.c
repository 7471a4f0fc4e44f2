// SPDX-License-Identifier: Apache-2.0
/*
 * echo: read lines from the vPL011's receive FIFO by polling FR.RXFE,
 * print each as "echo: LINE"; "off" powers the domain off. The console
 * switch test (tests/qemu/run-console.sh) types to two of them.
 */
#include "common/guest.h"

#define PL011_DR  0x000
#define PL011_FR  0x018
#define FR_RXFE   (1u << 4)
#define LINE_MAX_ 64

void guest_main(void *dtb, uint64_t t0);

static uint64_t uart;

static char getc_(void)
{
	volatile uint32_t *fr = (volatile uint32_t *)(uintptr_t)(uart + PL011_FR);
	volatile uint32_t *dr = (volatile uint32_t *)(uintptr_t)(uart + PL011_DR);

	while (*fr & FR_RXFE)
		;
	return (char)(*dr & 0xff);
}

void guest_main(void *dtb, uint64_t t0)
{
	struct guest_dt dt;
	char line[LINE_MAX_ + 1];
	unsigned int n = 0;

	(void)t0;
	if (!dt_parse(dtb, &dt) || !dt.uart)
		psci_system_off();
	uart = dt.uart;
	uart_init(uart);
	puts_("echo: ready\n");
	for (;;) {
		char c = getc_();
		if (c != '\r' && c != '\n') {
			if (n < LINE_MAX_)
				line[n++] = c;
			continue;
		}
		line[n] = 0;
		printf_("echo: %s\n", line);
		if (n == 3 && line[0] == 'o' && line[1] == 'f' && line[2] == 'f')
			psci_system_off();
		n = 0;
	}
}
