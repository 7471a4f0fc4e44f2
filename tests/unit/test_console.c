// SPDX-License-Identifier: Apache-2.0
/*
 * The console rings and their drain (hv/core/console.c) on the simulated
 * machine: two domains writing as guests do (vPL011 bytes, console_io),
 * the drain called as the arch layer calls it (after traps, on idle
 * CPUs), and a UART that takes only so many bytes per call
 * (host_console_tx_room) to play a slow serial line. What reaches the
 * UART is parsed line by line: every line carries one domain's name and
 * only that domain's bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/console.h"
#include "../../hv/core/errno.h"
#include "../../hv/core/fmt.h"
#include "../../hv/core/hypercall.h"
#include "../common/testlib.h"
#include "../common/vm.h"

static void *board;

static struct domain *dom(unsigned int id)
{
	return domain_by_id(id);
}

static void boot(void)
{
	CHECK_EQ(vm_boot(board), 2);
	CHECK_EQ(host_run_pending(), 2);
	console_flush();
	host_console_clear();
	host_console_locked_bytes = 0; /* booting printed under the lock; guests run now */
}

static void put(struct domain *d, const char *s)
{
	for (; *s; s++)
		domain_console_putc(d, *s);
}

static bool has(const char *s)
{
	return host_console_buf && strstr(host_console_buf, s) != NULL;
}

static const char *after(const char *s, const char *from)
{
	const char *p = from ? strstr(from, s) : NULL;
	return p ? p + strlen(s) : NULL;
}

/*
 * Printed lines: pointers into a copy of the console, '\n' replaced by 0;
 * the last one is partial when the output does not end with a newline.
 */
struct lines {
	char *buf;
	char *line[8192];
	unsigned int n;
	bool partial;
};

static void split(struct lines *l)
{
	l->buf = strdup(host_console_buf ? host_console_buf : "");
	l->n = 0;
	l->partial = false;
	for (char *p = l->buf; *p && l->n < ARRAY_SIZE(l->line);) {
		char *e = strchr(p, '\n');
		l->line[l->n++] = p;
		if (!e) {
			l->partial = true;
			break;
		}
		*e = 0;
		p = e + 1;
	}
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The text of domU@id's line @s, or NULL if @s is not one of its lines. */
static const char *of(const char *s, unsigned int id)
{
	char prefix[16];

	snprintf(prefix, sizeof(prefix), "(domU%u) ", id);
	return starts(s, prefix) ? s + strlen(prefix) : NULL;
}

/* Append @s (and a newline if @nl) to @buf of @size, never past its end. */
static void add(char *buf, size_t size, size_t *len, const char *s, bool nl)
{
	size_t n = strlen(s);

	if (*len + n + 2 > size)
		n = *len + 2 > size ? 0 : size - *len - 2;
	memcpy(buf + *len, s, n);
	*len += n;
	if (nl && *len + 1 < size)
		buf[(*len)++] = '\n';
	buf[*len] = 0;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

TEST(guest_output_never_reaches_the_uart_on_its_own_path)
{
	boot();
	/* A trap: the domain lock held, bytes and a console_io write. */
	const char msg[] = "from console_io\n";
	uint64_t ipa = GUEST_RAM0_BASE + 0x100000;
	CHECK_EQ(vm_guest_write(dom(2), ipa, msg, strlen(msg)), 0);
	arch_lock_acquire(&dom(1)->lock);
	put(dom(1), "from the vpl011\n");
	arch_lock_release(&dom(1)->lock);
	arch_lock_acquire(&dom(2)->lock); /* never two domain locks at once */
	const uint64_t args[5] = {CONSOLEIO_WRITE, strlen(msg), ipa, 0, 0};
	CHECK_EQ(hypercall_dispatch(dom(2), HYPERCALL_CONSOLE_IO, args), (int64_t)strlen(msg));
	hv_printf("bulkhead: a message while guests run\n");
	arch_lock_release(&dom(2)->lock);
	arch_lock_acquire(&dom(1)->lock);
	domain_shutdown(dom(1), false, "off");
	arch_lock_release(&dom(1)->lock);
	CHECK_EQ(host_console_len, 0);
	/* The drain, with no lock held, prints it all; nothing under the domain lock. */
	while (console_drain(NULL, CONSOLE_DRAIN_TRAP))
		;
	CHECK(has("(domU1) from the vpl011\n"));
	CHECK(has("(domU2) from console_io\n"));
	CHECK(has("bulkhead: a message while guests run\n"));
	CHECK(has("bulkhead: domain domU1 stopped: off\n"));
	CHECK_EQ(host_console_locked_bytes, 0);
}

TEST(a_drain_call_is_bounded_and_never_waits)
{
	boot();
	for (unsigned int i = 0; i < 50; i++)
		put(dom(1), "0123456789 0123456789 0123456789\n");
	CHECK(console_drain(NULL, 10));
	CHECK_EQ(host_console_len, 10);
	/* The UART takes nothing: the drain returns at once, output still waiting. */
	host_console_tx_room = 0;
	CHECK(console_drain(NULL, CONSOLE_DRAIN_IDLE));
	CHECK_EQ(host_console_len, 10);
	/* It takes 7 bytes: 7 go out, the rest stays for the next call. */
	host_console_tx_room = 7;
	CHECK(console_drain(NULL, CONSOLE_DRAIN_IDLE));
	CHECK_EQ(host_console_len, 17);
	host_console_tx_room = -1;
	while (console_drain(NULL, CONSOLE_DRAIN_TRAP))
		CHECK(host_console_len <= 50 * 41);
	CHECK(!console_drain(NULL, CONSOLE_DRAIN_TRAP)); /* nothing left */
	struct lines l;
	split(&l);
	CHECK_EQ(l.n, 50);
	CHECK(!l.partial);
	for (unsigned int i = 0; i < 50; i++)
		CHECK(strcmp(l.line[i], "(domU1) 0123456789 0123456789 0123456789") == 0);
	free(l.buf);
}

TEST(full_ring_drops_and_counts_and_the_other_domain_stays_whole)
{
	boot();
	char line[64];
	uint64_t offered = 0;
	for (unsigned int i = 0; i < 300; i++) { /* about 9 KiB, no drain: the ring fills */
		snprintf(line, sizeof(line), "flood %05u xxxxxxxxxxxxxxxxxx\n", i);
		put(dom(1), line);
		offered += strlen(line);
	}
	for (unsigned int i = 0; i < 5; i++) {
		snprintf(line, sizeof(line), "quiet line %u\n", i);
		put(dom(2), line);
	}
	uint64_t dropped = console_dropped(&dom(1)->con);
	CHECK_EQ(dropped, offered - CONSOLE_RING_SIZE);
	CHECK(console_full(&dom(1)->con));
	CHECK_EQ(console_dropped(&dom(2)->con), 0);
	console_flush();
	char marker[64];
	snprintf(marker, sizeof(marker), "(domU1) [%llu bytes dropped]\n",
	         (unsigned long long)dropped);
	CHECK(has(marker));
	for (unsigned int i = 0; i < 5; i++) {
		snprintf(line, sizeof(line), "\n(domU2) quiet line %u\n", i);
		CHECK(has(line));
	}
	/*
	 * What was kept came out in order, each line whole but the last: the
	 * ring filled in its middle, and the marker ends it.
	 */
	struct lines l;
	split(&l);
	unsigned int next = 0;
	bool marked = false;
	for (unsigned int i = 0; i < l.n; i++) {
		const char *t = of(l.line[i], 1);
		if (!t)
			continue;
		CHECK(!marked); /* nothing of domU1 after its marker */
		if (t[0] == '[') {
			marked = true;
			continue;
		}
		snprintf(line, sizeof(line), "flood %05u xxxxxxxxxxxxxxxxxx", next++);
		const char *n = i + 1 < l.n ? of(l.line[i + 1], 1) : NULL;
		if (n && n[0] == '[')
			CHECK(strncmp(t, line, strlen(t)) == 0);
		else
			CHECK(strcmp(t, line) == 0);
	}
	CHECK(marked);
	CHECK_EQ(next, CONSOLE_RING_SIZE / 31 + 1);
	free(l.buf);
	/* The summary reports it. */
	host_console_clear();
	domain_print_summary();
	console_flush();
	snprintf(marker, sizeof(marker), "console: %llu bytes dropped",
	         (unsigned long long)dropped);
	CHECK(has(marker));
}

TEST(a_full_ring_takes_nothing_until_its_gap_is_marked)
{
	boot();
	struct domain *d = dom(1);
	char line[64];
	for (unsigned int i = 0; i < CONSOLE_RING_SIZE / 32; i++) { /* exactly full */
		snprintf(line, sizeof(line), "line %04u .....................\n", i);
		put(d, line);
	}
	put(d, "X\n"); /* lost: the gap */
	CHECK_EQ(console_dropped(&d->con), 2);
	/* The drain frees room, but the ring stays shut until the marker is out. */
	CHECK(console_drain(NULL, 100));
	CHECK(console_full(&d->con));
	put(d, "late\n");
	CHECK_EQ(console_dropped(&d->con), 7);
	console_flush();
	CHECK(has("(domU1) line 0127 .....................\n(domU1) [7 bytes dropped]\n"));
	CHECK(!has("late"));
	/* Then it takes bytes again, after the marker. */
	CHECK(!console_full(&d->con));
	put(d, "again\n");
	console_flush();
	CHECK(has("(domU1) [7 bytes dropped]\n(domU1) again\n"));
}

TEST(round_robin_a_flooding_domain_cannot_starve_another)
{
	boot();
	char line[64];
	unsigned int flood = 0;
	/* domU2 has 20 lines to print; domU1 keeps its ring full all along. */
	for (unsigned int i = 0; i < 20; i++) {
		snprintf(line, sizeof(line), "quiet %02u\n", i);
		put(dom(2), line);
	}
	for (unsigned int step = 0; step < 4000 && !has("(domU2) quiet 19\n"); step++) {
		while (console_room(&dom(1)->con) > 40) {
			snprintf(line, sizeof(line), "flood %06u ................\n", flood++);
			put(dom(1), line);
		}
		host_console_tx_room = 25; /* a slow UART: 25 bytes per step */
		console_drain(NULL, CONSOLE_DRAIN_TRAP);
	}
	host_console_tx_room = -1;
	CHECK(has("(domU2) quiet 19\n"));
	struct lines l;
	split(&l);
	/* Both always had a line ready: they take turns, one line each. */
	unsigned int quiet = 0, run = 0;
	for (unsigned int i = 0; i < l.n - l.partial; i++) {
		const char *t1 = of(l.line[i], 1), *t2 = of(l.line[i], 2);
		CHECK(t1 || t2);
		if (t2) {
			snprintf(line, sizeof(line), "quiet %02u", quiet++);
			CHECK(strcmp(t2, line) == 0);
			run = 0;
		} else {
			CHECK(strncmp(t1, "flood ", 6) == 0 && strlen(t1) == 29);
			CHECK(++run <= 1);
		}
	}
	CHECK_EQ(quiet, 20);
	free(l.buf);
}

TEST(a_domain_trap_drains_only_when_it_has_output_due)
{
	boot();
	struct console_stream *c1 = &dom(1)->con, *c2 = &dom(2)->con;
	char line[64];
	for (unsigned int i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "flood %02u ...................\n", i);
		put(dom(1), line);
	}
	/* domU2 writes a line, byte by byte, draining after each "trap". */
	const char *q = "quiet line\n";
	for (const char *p = q; *p; p++) {
		domain_console_putc(dom(2), *p);
		bool more = console_drain(c2, CONSOLE_DRAIN_TRAP);
		if (p[1]) { /* its line is not complete: it prints nothing, for no one */
			CHECK(!more);
			CHECK_EQ(host_console_len, 0);
		}
	}
	/* The trap that ended it: one line of domU1 (its turn came first), then its own. */
	CHECK(strcmp(host_console_buf, "(domU1) flood 00 ...................\n"
	                               "(domU2) quiet line\n") == 0);
	CHECK(!console_drain(c2, CONSOLE_DRAIN_TRAP));
	/* A hypervisor line is due for everyone: any trap prints it, and only it. */
	host_console_clear();
	hv_printf("bulkhead: input to domU2\n");
	CHECK(!console_drain(c2, CONSOLE_DRAIN_TRAP));
	CHECK(strcmp(host_console_buf, "bulkhead: input to domU2\n") == 0);
	/* domU1's own traps print its backlog, bounded per trap. */
	host_console_clear();
	CHECK(console_drain(c1, CONSOLE_DRAIN_TRAP));
	CHECK_EQ(host_console_len, CONSOLE_DRAIN_TRAP);
	/* Its line left half printed: domU2's next line finishes it, then goes. */
	put(dom(2), "second\n");
	host_console_clear();
	CHECK(!console_drain(c2, CONSOLE_DRAIN_TRAP));
	const char *rest = strchr(host_console_buf, '\n');
	CHECK(rest && strcmp(rest + 1, "(domU2) second\n") == 0);
	/* An idle CPU prints the rest. */
	while (console_drain(NULL, CONSOLE_DRAIN_IDLE))
		;
	CHECK(has("(domU1) flood 39 ...................\n"));
}

TEST(no_line_mixes_two_domains_even_with_a_live_one_typing)
{
	/* domU1 prints whole lines; domU2 is typed to: prompt, echo, output. */
	static char text1[8192], text2[4096], bytes2[4096];
	size_t n1 = 0, n2 = 0, nb2 = 0;
	for (unsigned int i = 0; n1 < sizeof(text1) - 64; i++)
		n1 += (size_t)snprintf(text1 + n1, sizeof(text1) - n1, "one says %u%s\n", i,
		                       i % 7 ? "" : " and more words on this line");
	for (unsigned int i = 0; n2 < sizeof(text2) - 64; i++)
		n2 += (size_t)snprintf(text2 + n2, sizeof(text2) - n2, "$ echo %u\n%u\n", i, i);
	for (size_t i = 0; i < n2; i++) /* what domU2's lines hold, cut wherever */
		if (text2[i] != '\n')
			bytes2[nb2++] = text2[i];
	for (uint64_t seed = 1; seed <= 20; seed++) {
		boot();
		domain_console_live(dom(2), true);
		uint64_t s = seed * 0x9e3779b97f4a7c15ull;
		size_t p1 = 0, p2 = 0;
		while (p1 < n1 || p2 < n2) {
			uint64_t r = rnd(&s);
			if (r % 4 == 0 && p1 < n1 && console_room(&dom(1)->con) > 40) {
				/* as a driver does that checks TXFF: nothing is dropped */
				for (unsigned int k = (r >> 8) % 40; k-- && p1 < n1;)
					domain_console_putc(dom(1), text1[p1++]);
			} else if (r % 4 == 1 && p2 < n2) {
				domain_console_putc(dom(2), text2[p2++]); /* one key at a time */
			} else {
				host_console_tx_room = (long)((r >> 16) % 50);
				console_drain(NULL, (unsigned int)((r >> 24) % 100));
			}
		}
		host_console_tx_room = -1;
		console_flush();
		CHECK_EQ(console_dropped(&dom(1)->con) + console_dropped(&dom(2)->con), 0);
		struct lines l;
		split(&l);
		/* domU1: its lines whole and in order. domU2: its bytes in order, cut anywhere. */
		static char got1[8192 + 64], got2[4096 + 64];
		size_t g1 = 0, g2 = 0;
		for (unsigned int i = 0; i < l.n; i++) {
			const char *t1 = of(l.line[i], 1), *t2 = of(l.line[i], 2);
			if (t1) {
				add(got1, sizeof(got1), &g1, t1, true);
			} else if (t2) {
				add(got2, sizeof(got2), &g2, t2, false);
			} else {
				CHECK(0); /* nothing else is printed */
			}
		}
		CHECK_EQ(g1, n1);
		CHECK(memcmp(got1, text1, n1) == 0);
		CHECK_EQ(g2, nb2);
		CHECK(memcmp(got2, bytes2, nb2) == 0);
		free(l.buf);
	}
}

TEST(a_live_partial_line_shows_and_another_line_ends_it)
{
	boot();
	domain_console_live(dom(2), true);
	put(dom(2), "~ # ");
	console_flush();
	CHECK(strcmp(host_console_buf, "(domU2) ~ # ") == 0);
	put(dom(2), "l");
	console_flush();
	CHECK(strcmp(host_console_buf, "(domU2) ~ # l") == 0);
	/* domU1's line is not cut into the prompt: the live line ends first... */
	put(dom(1), "boot message\n");
	console_flush();
	CHECK(strcmp(host_console_buf, "(domU2) ~ # l\n(domU1) boot message\n") == 0);
	/* ...and goes on, on a line of its own. */
	put(dom(2), "s");
	console_flush();
	CHECK(strcmp(host_console_buf, "(domU2) ~ # l\n(domU1) boot message\n(domU2) s") == 0);
	/* A hypervisor message ends it too, and goes before domain lines. */
	put(dom(1), "another\n");
	hv_printf("bulkhead: input to domU1\n");
	console_flush();
	CHECK(after("(domU2) s\nbulkhead: input to domU1\n(domU1) another\n", host_console_buf));
	/* No longer live: a partial line waits for its end. */
	domain_console_live(dom(2), false);
	host_console_clear();
	put(dom(2), "partial");
	console_flush();
	CHECK_EQ(host_console_len, 0);
	put(dom(2), " line\n");
	console_flush();
	CHECK(strcmp(host_console_buf, "(domU2) partial line\n") == 0);
}

TEST(escape_sequences_reach_the_terminal_only_from_the_live_domain)
{
	boot();
	/* busybox's cursor query after its prompt, and a colour. */
	const char *s = "~ # \x1b[6n\x1b[1;32mok\x1b[0m\n";
	put(dom(1), s);
	console_flush();
	CHECK(has("(domU1) ~ # ok\n")); /* not typed to: sequences removed */
	domain_console_live(dom(2), true);
	put(dom(2), s);
	console_flush();
	CHECK(has("(domU2) ~ # \x1b[6n\x1b[1;32mok\x1b[0m\n"));
	/* Anything else escapes nobody: ESC becomes '.', and so do other controls. */
	host_console_clear();
	put(dom(2), "a\x1b]0;title\x07 b\x1bX \x01\xff\tc\n");
	put(dom(1), "a\x1b[2J\x08\x7f \x1b[99999999999999999999m\n");
	console_flush();
	CHECK(has("(domU2) a.]0;title. b.X ..\tc\n"));
	CHECK(has("(domU1) a.. .[99999999999999999999m\n"));
	/* Backspace edits the live line only. */
	host_console_clear();
	put(dom(2), "ab\b\n");
	console_flush();
	CHECK(has("(domU2) ab\b\n"));
	/* A sequence still being written waits whole; it is never split. */
	host_console_clear();
	put(dom(2), "x\x1b[1");
	console_flush();
	CHECK(strcmp(host_console_buf, "(domU2) x") == 0);
	put(dom(1), "line\n"); /* ends the live line: the sequence goes on the next */
	console_flush();
	put(dom(2), ";2H\n");
	console_flush();
	CHECK(strcmp(host_console_buf, "(domU2) x\n(domU1) line\n(domU2) \x1b[1;2H\n") == 0);
}

TEST(long_lines_wrap_each_part_with_the_name)
{
	boot();
	char big[401];
	memset(big, 'y', 400);
	big[400] = 0;
	put(dom(1), big);
	put(dom(1), "\n");
	console_flush();
	struct lines l;
	split(&l);
	CHECK_EQ(l.n, 3);
	CHECK_EQ(strlen(of(l.line[0], 1)), CONSOLE_LINE_MAX);
	CHECK_EQ(strlen(of(l.line[1], 1)), CONSOLE_LINE_MAX);
	CHECK_EQ(strlen(of(l.line[2], 1)), 400 - 2 * CONSOLE_LINE_MAX);
	free(l.buf);
}

/* Domain @id's lines and the hypervisor's lines about it, in order. */
static void only(unsigned int id, char *out, size_t size)
{
	struct lines l;
	char about[32];
	size_t n = 0;

	snprintf(about, sizeof(about), "bulkhead: domain domU%u ", id);
	split(&l);
	out[0] = 0;
	for (unsigned int i = 0; i < l.n; i++)
		if (of(l.line[i], id) || starts(l.line[i], about))
			n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s\n", l.line[i]);
	free(l.buf);
}

TEST(a_reboot_prints_the_old_life_before_the_reboot_line)
{
	boot();
	put(dom(2), "old complete\nold partial");
	domain_console_live(dom(1), true);
	put(dom(1), "prompt$ \x1b[");
	CHECK_EQ(domain_reboot(dom(2)), 0);
	CHECK_EQ(domain_reboot(dom(1)), 0);
	CHECK_EQ(host_run_pending(), 2);
	put(dom(2), "new life\n");
	put(dom(1), "1mnew too\n");
	CHECK_EQ(host_console_len, 0);
	console_flush();
	char out[1024];
	only(2, out, sizeof(out));
	CHECK(strcmp(out, "(domU2) old complete\n(domU2) old partial\n"
	                  "bulkhead: domain domU2 rebooted on the same memory (boot 2)\n"
	                  "(domU2) new life\n") == 0);
	/* The live domain's open line and its unfinished sequence end with its life. */
	only(1, out, sizeof(out));
	CHECK(strcmp(out, "(domU1) prompt$ .[\n"
	                  "bulkhead: domain domU1 rebooted on the same memory (boot 2)\n"
	                  "(domU1) 1mnew too\n") == 0);
	/* A stop: the last partial line, then the stop line. */
	host_console_clear();
	put(dom(2), "last words");
	domain_shutdown(dom(2), false, "PSCI SYSTEM_OFF");
	put(dom(2), "from a trap of a life that is over\n");
	console_flush();
	CHECK(strcmp(host_console_buf, "(domU2) last words\n"
	                               "bulkhead: domain domU2 stopped: PSCI SYSTEM_OFF\n") == 0);
}

TEST(rebooting_faster_than_the_uart_never_mixes_lives)
{
	boot();
	struct domain *d = dom(2);
	char line[64];
	/* Ten lives, each printing and rebooting, the UART stuck meanwhile. */
	for (unsigned int life = 1; life <= 10; life++) {
		snprintf(line, sizeof(line), "life %u line\nlife %u partial", life, life);
		put(d, line);
		CHECK_EQ(domain_reboot(d), 0);
		host_run_pending();
	}
	put(d, "life 11 line\n");
	console_flush();
	struct lines l;
	split(&l);
	/* After "boot N" only life N or later; the last reboot line is always there. */
	unsigned int boot_seen = 1, last_life = 0;
	bool lost = false;
	for (unsigned int i = 0; i < l.n; i++) {
		unsigned int b, lf;
		const char *t = of(l.line[i], 2);
		if (sscanf(l.line[i],
		           "bulkhead: domain domU2 rebooted on the same memory (boot %u)",
		           &b) == 1) {
			CHECK(b > boot_seen);
			boot_seen = b;
		} else if (t && sscanf(t, "life %u", &lf) == 1) {
			CHECK_EQ(lf, boot_seen);
			CHECK(lf >= last_life);
			last_life = lf;
		} else if (t && t[0] == '[') {
			lost = true;
		}
	}
	CHECK_EQ(boot_seen, 11);
	CHECK_EQ(last_life, 11);
	CHECK(lost); /* more lives than event slots: some were dropped, and said so */
	free(l.buf);
}

TEST(console_io_takes_what_fits_and_returns_the_count)
{
	boot();
	struct domain *d = dom(2);
	static char buf[CONSOLEIO_MAX];
	uint64_t ipa = GUEST_RAM0_BASE + 0x100000;
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);
	CHECK_EQ(vm_guest_write(d, ipa, buf, sizeof(buf)), 0);
	uint64_t args[5] = {CONSOLEIO_WRITE, 100, ipa, 0, 0};
	CHECK_EQ(hypercall_dispatch(d, HYPERCALL_CONSOLE_IO, args), 100);
	/* 3996 bytes of room left: a 4096-byte write takes 3996. */
	args[1] = CONSOLEIO_MAX;
	CHECK_EQ(hypercall_dispatch(d, HYPERCALL_CONSOLE_IO, args), CONSOLE_RING_SIZE - 100);
	CHECK_EQ(console_dropped(&d->con), 100);
	args[1] = 10; /* full: nothing taken */
	CHECK_EQ(hypercall_dispatch(d, HYPERCALL_CONSOLE_IO, args), 0);
	CHECK_EQ(console_dropped(&d->con), 110);
	/* Errors are checked before anything is taken or counted. */
	args[1] = CONSOLEIO_MAX + 1;
	CHECK_EQ(hypercall_dispatch(d, HYPERCALL_CONSOLE_IO, args), -HV_EINVAL);
	args[1] = 16;
	args[2] = GUEST_RAM0_BASE + VM_DOM_MEM - 8;
	CHECK_EQ(hypercall_dispatch(d, HYPERCALL_CONSOLE_IO, args), -HV_EFAULT);
	CHECK_EQ(console_dropped(&d->con), 110);
	console_flush();
	CHECK(has("(domU2) [110 bytes dropped]\n"));
	/* Drained: a whole write fits again. */
	args[1] = CONSOLEIO_MAX;
	args[2] = ipa;
	CHECK_EQ(hypercall_dispatch(d, HYPERCALL_CONSOLE_IO, args), CONSOLEIO_MAX);
}

TEST(vpl011_shows_the_full_ring_as_txff)
{
	boot();
	struct domain *d = dom(1);
	struct vuart *u = &d->uart;
	u->tx_full = console_full(&d->con);
	CHECK(vuart_read(u, VUART_FR) & VUART_FR_TXFE);
	for (unsigned int i = 0; i < CONSOLE_RING_SIZE; i++)
		domain_console_putc(d, 'z');
	u->tx_full = console_full(&d->con);
	uint32_t fr = vuart_read(u, VUART_FR);
	CHECK(fr & VUART_FR_TXFF);
	CHECK(!(fr & VUART_FR_TXFE));
	CHECK(vuart_read(u, VUART_RIS) & VUART_INT_TX); /* never hidden: see vuart.h */
	CHECK_EQ(console_dropped(&d->con), 0);
	console_drain(NULL, CONSOLE_DRAIN_TRAP);
	CHECK(!console_full(&d->con));
}

int main(void)
{
	board = vm_board(NULL, NULL);
	if (!board)
		return 1;
	RUN(guest_output_never_reaches_the_uart_on_its_own_path);
	RUN(a_drain_call_is_bounded_and_never_waits);
	RUN(full_ring_drops_and_counts_and_the_other_domain_stays_whole);
	RUN(a_full_ring_takes_nothing_until_its_gap_is_marked);
	RUN(round_robin_a_flooding_domain_cannot_starve_another);
	RUN(a_domain_trap_drains_only_when_it_has_output_due);
	RUN(no_line_mixes_two_domains_even_with_a_live_one_typing);
	RUN(a_live_partial_line_shows_and_another_line_ends_it);
	RUN(escape_sequences_reach_the_terminal_only_from_the_live_domain);
	RUN(long_lines_wrap_each_part_with_the_name);
	RUN(a_reboot_prints_the_old_life_before_the_reboot_line);
	RUN(rebooting_faster_than_the_uart_never_mixes_lives);
	RUN(console_io_takes_what_fits_and_returns_the_count);
	RUN(vpl011_shows_the_full_ring_as_txff);
	free(board);
	return tl_finish();
}
