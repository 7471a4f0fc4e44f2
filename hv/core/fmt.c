// SPDX-License-Identifier: Apache-2.0
/* Formatted output for both builds: see fmt.h. */
#include "fmt.h"
#include "arch.h"

struct fmt_out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void out_str(struct fmt_out *o, const char *s, int width, bool left)
{
	int n = 0;

	while (s[n])
		n++;
	if (!left)
		out_pad(o, ' ', width - n);
	for (int i = 0; i < n; i++)
		out_char(o, s[i]);
	if (left)
		out_pad(o, ' ', width - n);
}

static void out_num(struct fmt_out *o, uint64_t v, unsigned base, bool upper, bool neg, int width,
                    bool zero, bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + (neg ? 1 : 0);
	if (!left && !zero)
		out_pad(o, ' ', width - len);
	if (neg)
		out_char(o, '-');
	if (!left && zero)
		out_pad(o, '0', width - len);
	while (n)
		out_char(o, tmp[--n]);
	if (left)
		out_pad(o, ' ', width - len);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = {buf, size, 0};

	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			out_char(&o, *p);
			continue;
		}
		p++;
		bool zero = false, left = false;
		for (;; p++) {
			if (*p == '0')
				zero = true;
			else if (*p == '-')
				left = true;
			else
				break;
		}
		int width = 0;
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		int lng = 0;
		while (*p == 'l') {
			lng++;
			p++;
		}
		if (*p == 'z') {
			lng = 2;
			p++;
		}
		switch (*p) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			out_str(&o, s ? s : "(null)", width, left);
			break;
		}
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
			out_num(&o, mag, 10, false, v < 0, width, zero, left);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			out_num(&o, v, *p == 'u' ? 10 : 16, *p == 'X', false, width, zero, left);
			break;
		}
		case 'p':
			out_char(&o, '0');
			out_char(&o, 'x');
			out_num(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, false, false,
			        width, zero, left);
			break;
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			p--;
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *p);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void hv_printf(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	arch_console_write(line, (size_t)n);
}
