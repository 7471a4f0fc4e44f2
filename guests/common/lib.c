// SPDX-License-Identifier: Apache-2.0
/* The test guests' runtime: UART output, printf, hypercalls, PSCI, a tiny DT reader. */
#include <stdarg.h>
#include "guest.h"

static volatile uint32_t *uart_dr;

void *memset(void *d, int c, size_t n)
{
	volatile unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	volatile unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

void uart_init(uint64_t base)
{
	uart_dr = (volatile uint32_t *)(uintptr_t)base;
}

void putc_(char c)
{
	if (!uart_dr)
		return;
	while (uart_dr[0x18 / 4] & (1u << 5)) /* FR.TXFF */
		;
	uart_dr[0] = (unsigned char)c;
}

void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void put_num(uint64_t v, unsigned int base, int width)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		putc_('0');
	while (n)
		putc_(tmp[--n]);
}

void printf_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			putc_(*p);
			continue;
		}
		p++;
		int width = 0;
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		while (*p == 'l')
			p++;
		switch (*p) {
		case 'd': {
			long long v = va_arg(ap, long long);
			if (v < 0) {
				putc_('-');
				v = -v;
			}
			put_num((uint64_t)v, 10, width);
			break;
		}
		case 'u':
			put_num(va_arg(ap, unsigned long long), 10, width);
			break;
		case 'x':
			put_num(va_arg(ap, unsigned long long), 16, width);
			break;
		case 's':
			puts_(va_arg(ap, const char *));
			break;
		default:
			putc_(*p);
		}
	}
	va_end(ap);
}

/* ---- device tree: just what the guests need, byte reads only ---- */

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static bool starts_with(const char *a, const char *prefix)
{
	while (*prefix)
		if (*a++ != *prefix++)
			return false;
	return true;
}

static bool list_has(const uint8_t *v, uint32_t len, const char *want)
{
	uint32_t i = 0;

	while (i < len) {
		if (str_eq((const char *)v + i, want))
			return true;
		while (i < len && v[i])
			i++;
		i++;
	}
	return false;
}

static uint64_t cells(const uint8_t *p, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n; i++)
		v = (v << 32) | be32(p + 4 * i);
	return v;
}

bool dt_parse(const void *dtb, struct guest_dt *out)
{
	const uint8_t *b = dtb;

	memset(out, 0, sizeof(*out));
	if (be32(b) != 0xd00dfeed)
		return false;
	out->dt_size = be32(b + 4);
	const uint8_t *st = b + be32(b + 8);
	const char *strs = (const char *)b + be32(b + 12);
	uint32_t ac = 2, sc = 2, off = 0;
	int depth = 0;
	bool is_mem = false, is_uart = false, is_chosen = false;
	const uint8_t *reg = NULL;
	uint32_t reg_len = 0;

	for (;;) {
		uint32_t tok = be32(st + off);
		off += 4;
		if (tok == 1) { /* BEGIN_NODE */
			const char *name = (const char *)st + off;
			uint32_t n = 0;
			while (name[n])
				n++;
			off = (off + n + 1 + 3) & ~3u;
			depth++;
			is_mem = depth == 2 && starts_with(name, "memory");
			is_chosen = depth == 2 && str_eq(name, "chosen");
			is_uart = false;
			reg = NULL;
		} else if (tok == 3) { /* PROP */
			uint32_t len = be32(st + off), nameoff = be32(st + off + 4);
			const uint8_t *val = st + off + 8;
			const char *pname = strs + nameoff;
			off = (off + 8 + len + 3) & ~3u;
			if (depth == 1 && str_eq(pname, "#address-cells"))
				ac = be32(val);
			else if (depth == 1 && str_eq(pname, "#size-cells"))
				sc = be32(val);
			else if (str_eq(pname, "reg")) {
				reg = val;
				reg_len = len;
			} else if (str_eq(pname, "compatible") &&
			           (list_has(val, len, "arm,pl011") ||
			            list_has(val, len, "arm,sbsa-uart")))
				is_uart = true;
			else if (is_chosen && str_eq(pname, "bootargs")) {
				uint32_t n =
				    len < sizeof(out->bootargs) ? len : sizeof(out->bootargs) - 1;
				memcpy(out->bootargs, val, n);
			}
		} else if (tok == 2) { /* END_NODE: act on what the node said */
			if (is_mem && reg) {
				for (uint32_t i = 0;
				     i + 4 * (ac + sc) <= reg_len && out->nr_banks < MAX_BANKS;
				     i += 4 * (ac + sc)) {
					out->bank_base[out->nr_banks] = cells(reg + i, ac);
					out->bank_size[out->nr_banks++] =
					    cells(reg + i + 4 * ac, sc);
				}
			}
			if (is_uart && reg && !out->uart)
				out->uart = cells(reg, ac);
			is_mem = is_uart = false;
			reg = NULL;
			depth--;
		} else if (tok == 4) { /* NOP */
		} else {
			break; /* END or garbage */
		}
	}
	return true;
}

/* ---- hypervisor interface ---- */

int64_t hypercall3(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	register uint64_t x0 __asm__("x0") = a0;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x16 __asm__("x16") = nr;

	__asm__ volatile("hvc #" STRINGIFY(HVC_IMM_XEN)
	                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x16)
	                 :
	                 : "memory");
	return (int64_t)x0;
}

int64_t hypercall2(uint64_t nr, uint64_t a0, uint64_t a1)
{
	return hypercall3(nr, a0, a1, 0);
}

int64_t psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #" STRINGIFY(HVC_IMM_SMCCC)
	                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
	                 :
	                 : "memory");
	return (int64_t)x0;
}

void psci_system_off(void)
{
	psci(PSCI_SYSTEM_OFF, 0, 0, 0);
}

void psci_system_reset(void)
{
	psci(PSCI_SYSTEM_RESET, 0, 0, 0);
}

int64_t console_write(const char *s, uint64_t len)
{
	return hypercall3(HYPERCALL_CONSOLE_IO, CONSOLEIO_WRITE, len, (uint64_t)(uintptr_t)s);
}

volatile uint64_t last_exception_esr;
volatile uint64_t exceptions_taken;
volatile uint64_t exception_resume;

uint64_t guest_exception(uint64_t esr, uint64_t elr)
{
	last_exception_esr = esr;
	exceptions_taken++;
	if (exception_resume)
		return exception_resume;
	return elr + 4;
}

uint64_t rand64(uint64_t *s)
{
	/* xorshift64*: deterministic from the seed. */
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Guests that start no secondary vCPU link this one. */
__attribute__((weak)) void secondary_main(void)
{
	for (;;)
		__asm__ volatile("wfe");
}
