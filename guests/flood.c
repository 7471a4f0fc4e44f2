// SPDX-License-Identifier: Apache-2.0
/*
 * flood: console_io writes of 4096 bytes (the most one call takes:
 * CONSOLEIO_MAX) as fast as it can for FLOOD_SECONDS, ignoring short
 * counts as Linux's hvc_xen does, then says how many bytes it offered and
 * how many the hypervisor took, and powers off. Beside it,
 * guests/lines.c must still get every line out (tests/qemu/run-console.sh):
 * a domain's output may only cost itself.
 */
#include "common/guest.h"

#define FLOOD_SECONDS 3
#define WRITE_SIZE    4096 /* the hypervisor's CONSOLEIO_MAX */
#define LINE          64

static char buf[WRITE_SIZE];

void guest_main(void *dtb, uint64_t t0);

/* "flood NNNN xxxx...x\n": LINE bytes each, numbered. */
static void fill(void)
{
	for (unsigned int l = 0; l < WRITE_SIZE / LINE; l++) {
		char *p = buf + l * LINE;
		unsigned int n = l;
		p[0] = 'f', p[1] = 'l', p[2] = 'o', p[3] = 'o', p[4] = 'd', p[5] = ' ';
		for (int i = 9; i >= 6; i--, n /= 10)
			p[i] = (char)('0' + n % 10);
		for (unsigned int i = 10; i < LINE - 1; i++)
			p[i] = (i == 10) ? ' ' : 'x';
		p[LINE - 1] = '\n';
	}
}

void guest_main(void *dtb, uint64_t t0)
{
	struct guest_dt dt;
	uint64_t calls = 0, offered = 0, taken = 0, errors = 0;

	(void)t0;
	if (!dt_parse(dtb, &dt) || !dt.uart) {
		console_write("FAIL flood: no device tree\n", 27);
		psci_system_off();
	}
	uart_init(dt.uart);
	fill();
	puts_("flood: starting\n");
	uint64_t end = guest_counter() + FLOOD_SECONDS * guest_counter_freq();
	while (guest_counter() < end) {
		int64_t r = console_write(buf, WRITE_SIZE);
		calls++;
		offered += WRITE_SIZE;
		if (r >= 0 && r <= WRITE_SIZE)
			taken += (uint64_t)r;
		else
			errors++;
	}
	/* Through the vPL011, which waits while the ring is full: this line arrives. */
	printf_("flood: done: %u calls, %u bytes offered, %u taken, %u not taken, %u errors\n",
	        calls, offered, taken, offered - taken, errors);
	psci_system_off();
}
