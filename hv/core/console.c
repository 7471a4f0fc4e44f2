// SPDX-License-Identifier: Apache-2.0
/*
 * The hypervisor console: per-domain output rings and the drain that
 * prints them line by line (see console.h).
 *
 * The drain builds the output one piece at a time (a line prefix, a byte,
 * an escape sequence, a line end, a note) in a small staging buffer and
 * hands it to the UART with arch_console_tx(), which takes only what the
 * UART accepts without waiting; the rest of the piece waits in the
 * staging buffer for the next call. One line is "open" at a time (cur):
 * its stream's bytes follow until its end, so no line mixes two streams.
 * At a line end the next stream is chosen: the hypervisor's first, then
 * the domains round-robin, each giving one line (or one note) per turn,
 * so a domain that always has output cannot hold back another.
 *
 * A line of a domain that is not live starts only when all of it is in
 * the ring (a newline, CONSOLE_LINE_MAX bytes, or an event ends it), so
 * once started it never waits for the guest. A live domain's line may
 * start with a partial line and then wait for the guest; it is ended
 * (a newline printed) as soon as another stream has a line ready.
 */
#include <string.h>

#include "console.h"
#include "arch.h"
#include "fmt.h"
#include "plan.h"

#define RING_MASK (CONSOLE_RING_SIZE - 1)
#define ESC       0x1b

_Static_assert((CONSOLE_RING_SIZE & RING_MASK) == 0, "CONSOLE_RING_SIZE: a power of two");
_Static_assert(CONSOLE_LINE_MAX > CONSOLE_CSI_MAX && CONSOLE_RING_SIZE > CONSOLE_LINE_MAX,
               "a line holds an escape sequence, the ring a line");

/*
 * Under the console lock; cur, rr and the staging buffer are changed only
 * by the drain's owner (see own()), which reads the staging buffer
 * without the lock while it writes it to the UART.
 */
static struct console_stream hv_stream; /* hypervisor messages once async */
static struct console_stream *streams[PLAN_MAX_DOMAINS];
static unsigned int nr_streams;
static unsigned int rr; /* index of the domain stream served last */
static bool async_mode;
static struct console_stream *cur; /* its line is open on the terminal */
static char stage[CONSOLE_NOTE_MAX + 64];
static size_t stage_len, stage_pos;
static volatile bool draining; /* a CPU owns the drain state and the UART */

/* ---- Stream helpers ----------------------------------------------------- */

static uint64_t used(const struct console_stream *s)
{
	return s->wr - s->rd;
}

static unsigned char byte_at(const struct console_stream *s, uint64_t pos)
{
	return (unsigned char)s->ring[pos & RING_MASK];
}

/* Longest line in ring bytes: domains wrap, the hypervisor's lines are whole. */
static unsigned int line_cap(const struct console_stream *s)
{
	return s->name ? CONSOLE_LINE_MAX : CONSOLE_RING_SIZE;
}

static struct console_event *ev_first(struct console_stream *s)
{
	return s->ev_count ? &s->ev[s->ev_head] : NULL;
}

static struct console_event *ev_last(struct console_stream *s)
{
	return s->ev_count ? &s->ev[(s->ev_head + s->ev_count - 1) % CONSOLE_EVENTS] : NULL;
}

static struct console_event *ev_push(struct console_stream *s)
{
	struct console_event *e = &s->ev[(s->ev_head + s->ev_count) % CONSOLE_EVENTS];

	s->ev_count++;
	e->at = s->wr;
	e->dropped = 0;
	e->notes_lost = 0;
	e->len = 0;
	return e;
}

static void ev_pop(struct console_stream *s)
{
	s->ev_head = (s->ev_head + 1) % CONSOLE_EVENTS;
	s->ev_count--;
}

/*
 * Every event slot is taken and another is needed: drop everything @s has
 * pending (bytes and events, counted in one marker) rather than lose the
 * order. Only reached when CONSOLE_EVENTS notes or markers wait behind
 * output the UART has not taken (a domain rebooting in a loop while the
 * console is stuck).
 */
static void overflow(struct console_stream *s)
{
	uint64_t lost = used(s), marked = 0;
	unsigned int notes = 0;

	for (unsigned int i = 0; i < s->ev_count; i++) {
		const struct console_event *e = &s->ev[(s->ev_head + i) % CONSOLE_EVENTS];
		if (e->len)
			notes++;
		else
			marked += e->dropped; /* already in s->dropped */
		notes += e->notes_lost;
	}
	s->rd = s->wr;
	s->newlines = 0;
	s->ev_head = s->ev_count = 0;
	s->dropped += lost;
	struct console_event *e = ev_push(s); /* closes the stream (see closed()) */
	e->dropped = lost + marked;
	e->notes_lost = notes;
}

/*
 * A drop marker is the last event: the ring filled and takes nothing until
 * the drain has printed all it held and the marker. So each gap gets its
 * marker where it is, and a stream has at most one marker pending; a note
 * (a new life) opens it again.
 */
static bool closed(struct console_stream *s)
{
	const struct console_event *e = ev_last(s);

	return e && !e->len;
}

static bool takes(struct console_stream *s)
{
	return used(s) < CONSOLE_RING_SIZE && !closed(s);
}

static void drop_locked(struct console_stream *s, uint64_t n)
{
	if (!n)
		return;
	s->dropped += n;
	if (closed(s)) { /* the same gap: its marker counts these too */
		ev_last(s)->dropped += n;
		return;
	}
	if (s->ev_count == CONSOLE_EVENTS)
		overflow(s); /* counts what the ring held in a marker: it takes n too */
	else
		ev_push(s);
	ev_last(s)->dropped += n;
}

static void put_locked(struct console_stream *s, char c)
{
	if (c == '\r')
		return;
	if (!takes(s)) {
		drop_locked(s, 1);
		return;
	}
	s->ring[s->wr & RING_MASK] = c;
	s->wr++;
	if (c == '\n')
		s->newlines++;
}

/* ---- Escape sequences --------------------------------------------------- */

enum csi { CSI_OK, CSI_BAD, CSI_MORE };

/*
 * The escape sequence at @s->rd: a CSI sequence (ESC [, parameter bytes
 * 0x30-0x3f, intermediate bytes 0x20-0x2f, a final byte 0x40-0x7e, ECMA-48
 * 5.4) of at most CONSOLE_CSI_MAX bytes is CSI_OK (@len set); anything
 * else is CSI_BAD. CSI_MORE: it may still complete, the guest has not
 * written the rest yet. An event (a reboot, a drop) cuts it: CSI_BAD.
 */
static enum csi scan_csi(struct console_stream *s, unsigned int *len)
{
	const struct console_event *e = ev_first(s);
	uint64_t end = e ? e->at : s->wr;
	bool intermediate = false;

	for (unsigned int n = 1;; n++) {
		uint64_t p = s->rd + n;
		if (n >= CONSOLE_CSI_MAX)
			return CSI_BAD;
		if (p == end)
			return e ? CSI_BAD : CSI_MORE;
		unsigned char c = byte_at(s, p);
		if (n == 1) {
			if (c != '[')
				return CSI_BAD;
		} else if (c >= 0x30 && c <= 0x3f && !intermediate) {
			continue;
		} else if (c >= 0x20 && c <= 0x2f) {
			intermediate = true;
		} else if (c >= 0x40 && c <= 0x7e) {
			*len = n + 1;
			return CSI_OK;
		} else {
			return CSI_BAD;
		}
	}
}

/* What the terminal gets for guest byte @c (escape sequences aside). */
static char shown(const struct console_stream *s, unsigned char c)
{
	if (!s->name || c == '\t' || (c >= 0x20 && c < 0x7f))
		return (char)c;
	if (c == '\b' && s->live) /* line editing of the domain being typed to */
		return '\b';
	return '.';
}

/* ---- The drain ---------------------------------------------------------- */

/*
 * @s can start a line: an event is due, or a whole line is in the ring, or
 * @s is live and has something to show.
 */
static bool line_ready(struct console_stream *s)
{
	unsigned int len;

	if (s->ev_count || s->newlines || used(s) >= line_cap(s))
		return true;
	if (!s->live || !used(s))
		return false;
	return byte_at(s, s->rd) != ESC || scan_csi(s, &len) != CSI_MORE;
}

static bool other_ready(const struct console_stream *s)
{
	if (s != &hv_stream && line_ready(&hv_stream))
		return true;
	for (unsigned int i = 0; i < nr_streams; i++)
		if (streams[i] != s && line_ready(streams[i]))
			return true;
	return false;
}

static void stage_put(const char *p, size_t n)
{
	if (n > sizeof(stage) - stage_len) /* cannot happen: pieces are bounded */
		n = sizeof(stage) - stage_len;
	memcpy(stage + stage_len, p, n);
	stage_len += n;
}

static void stage_prefix(const struct console_stream *s)
{
	if (s->name) {
		stage_put("(", 1);
		stage_put(s->name, strlen(s->name));
		stage_put(") ", 2);
	} else {
		stage_put("bulkhead: ", 10);
	}
}

static bool end_line(struct console_stream *s)
{
	stage_put("\n", 1);
	s->col = 0;
	cur = NULL;
	return true;
}

/* Nothing to show yet: a live line waits, unless someone else has a line. */
static bool wait_or_cut(struct console_stream *s)
{
	if (s->live && !other_ready(s))
		return false;
	return end_line(s);
}

/* The next piece of the open line of @s. Return: false when it waits. */
static bool continue_line(struct console_stream *s)
{
	const struct console_event *e = ev_first(s);
	unsigned int len;

	if ((e && e->at == s->rd) || s->col >= line_cap(s))
		return end_line(s);
	if (s->rd == s->wr)
		return wait_or_cut(s);
	unsigned char c = byte_at(s, s->rd);
	if (c == '\n') {
		s->rd++;
		s->newlines--;
		return end_line(s);
	}
	if (c == ESC && s->name) {
		enum csi r = scan_csi(s, &len);
		if (r == CSI_MORE)
			return wait_or_cut(s);
		if (r == CSI_OK) {
			if (s->col && s->col + len > line_cap(s))
				return end_line(s); /* never split a sequence */
			/* The live domain drives the terminal; others' sequences vanish. */
			for (unsigned int i = 0; s->live && i < len; i++) {
				char b = (char)byte_at(s, s->rd + i);
				stage_put(&b, 1);
			}
			s->rd += len;
			s->col += len;
			return true;
		}
	}
	char o = shown(s, c);
	stage_put(&o, 1);
	s->rd++;
	s->col++;
	return true;
}

static void stage_event(struct console_stream *s, const struct console_event *e)
{
	char buf[96];
	int n;

	if (e->len) {
		stage_put(e->text, e->len);
		return;
	}
	if (e->notes_lost)
		n = fmt_snprintf(buf, sizeof(buf), "[%llu bytes and %u notes dropped]\n",
		                 (unsigned long long)e->dropped, e->notes_lost);
	else
		n = fmt_snprintf(buf, sizeof(buf), "[%llu bytes dropped]\n",
		                 (unsigned long long)e->dropped);
	stage_prefix(s);
	stage_put(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* At a line boundary: the next line, or event, of the stream whose turn it is. */
static bool start_line(void)
{
	struct console_stream *s = NULL;

	if (line_ready(&hv_stream)) {
		s = &hv_stream;
	} else {
		for (unsigned int i = 1; i <= nr_streams; i++) {
			unsigned int k = (rr + i) % nr_streams;
			if (line_ready(streams[k])) {
				s = streams[k];
				rr = k;
				break;
			}
		}
	}
	if (!s)
		return false;
	const struct console_event *e = ev_first(s);
	if (e && e->at == s->rd) {
		stage_event(s, e);
		ev_pop(s);
		return true;
	}
	if (s->name)
		stage_prefix(s);
	s->col = 0;
	cur = s;
	return true;
}

/* Stage the next piece of output. Return: false when nothing is ready. */
static bool compose(void)
{
	return cur ? continue_line(cur) : start_line();
}

/*
 * A drain for @self (a domain's trap) goes on while @self or the hypervisor
 * has output due: it prints the lines whose turn comes first (one per
 * stream at most, round-robin) and then @self's, but never works for
 * another domain while @self has nothing to print. NULL: anything due.
 */
static bool due(struct console_stream *self)
{
	return !self || cur == self || cur == &hv_stream || line_ready(self) ||
	       line_ready(&hv_stream);
}

/*
 * The drain's state (stage, cur, rr) and the UART belong to one CPU at a
 * time, the owner (draining, changed under the console lock). The owner
 * composes under the lock and writes to the UART without it: a guest
 * appending to its ring never waits for the UART, only for a compose.
 */

/* Lock held. Take the drain now, or (@wait) once its owner is done. */
static bool own(bool wait)
{
	while (draining) {
		if (!wait)
			return false;
		arch_console_unlock(); /* the owner needs the lock to finish */
		while (draining)       /* cleared under the lock: wait without it */
			;
		arch_console_lock();
	}
	draining = true;
	return true;
}

/* Lock held, drain owned: write @len bytes of @p to the UART, lock released meanwhile. */
static size_t uart_out(const char *p, size_t len, bool blocking)
{
	arch_console_unlock();
	if (blocking)
		arch_console_write(p, len);
	else
		len = arch_console_tx(p, len);
	arch_console_lock();
	return len;
}

/*
 * Lock held, drain owned. Hand staged pieces to the UART: at most @budget
 * bytes without waiting, or (@blocking) everything ready, waiting for the
 * UART; for @self (see due()). Return: true when output is still due.
 */
static bool pump(struct console_stream *self, unsigned int budget, bool blocking)
{
	for (;;) {
		if (stage_pos < stage_len) {
			size_t want = stage_len - stage_pos;
			if (!blocking) {
				if (!budget)
					return true;
				if (want > budget)
					want = budget;
			}
			size_t n = uart_out(stage + stage_pos, want, blocking);
			stage_pos += n;
			if (blocking)
				continue;
			budget -= (unsigned int)n;
			if (n < want)
				return true; /* the UART is full */
			continue;
		}
		stage_pos = stage_len = 0;
		if (!due(self) || !compose())
			return false;
	}
}

/* Lock held, drain owned: before the hypervisor writes directly, the open line ends. */
static void settle(void)
{
	for (;;) {
		if (stage_pos < stage_len) {
			uart_out(stage + stage_pos, stage_len - stage_pos, true);
			stage_pos = stage_len = 0;
		}
		if (!cur)
			return;
		if (!continue_line(cur))
			end_line(cur);
	}
}

/* Lock held: hypervisor text straight to the UART, on a line of its own. */
static void write_now(const char *p, size_t len)
{
	own(true);
	settle();
	uart_out(p, len, true);
	if (!len || p[len - 1] != '\n')
		uart_out("\n", 1, true);
	draining = false;
}

/* ---- Interface ---------------------------------------------------------- */

void console_init(void)
{
	arch_console_lock();
	nr_streams = 0;
	rr = 0;
	async_mode = false;
	cur = NULL;
	stage_len = stage_pos = 0;
	draining = false;
	memset(&hv_stream, 0, sizeof(hv_stream));
	arch_console_unlock();
}

void console_add(struct console_stream *s, const char *name)
{
	arch_console_lock();
	if (nr_streams < PLAN_MAX_DOMAINS) {
		s->name = name;
		streams[nr_streams++] = s;
		rr = nr_streams - 1; /* the first added is served first */
	}
	arch_console_unlock();
}

void console_async(void)
{
	arch_console_lock();
	async_mode = true;
	arch_console_unlock();
}

void console_sync(void)
{
	arch_console_lock();
	own(true);
	pump(NULL, 0, true);
	async_mode = false;
	settle();
	draining = false;
	arch_console_unlock();
}

void console_putc(struct console_stream *s, char c)
{
	arch_console_lock();
	put_locked(s, c);
	arch_console_unlock();
}

size_t console_write(struct console_stream *s, const char *buf, size_t len)
{
	size_t i;

	arch_console_lock();
	for (i = 0; i < len && takes(s); i++)
		put_locked(s, buf[i]);
	arch_console_unlock();
	return i;
}

size_t console_room(struct console_stream *s)
{
	arch_console_lock();
	size_t room = takes(s) ? CONSOLE_RING_SIZE - used(s) : 0;
	arch_console_unlock();
	return room;
}

bool console_full(struct console_stream *s)
{
	return console_room(s) == 0;
}

void console_drop(struct console_stream *s, uint64_t n)
{
	arch_console_lock();
	drop_locked(s, n);
	arch_console_unlock();
}

uint64_t console_dropped(struct console_stream *s)
{
	arch_console_lock();
	uint64_t n = s->dropped;
	arch_console_unlock();
	return n;
}

void console_note(struct console_stream *s, const char *text)
{
	size_t len = strlen(text);

	if (len > CONSOLE_NOTE_MAX - 1)
		len = CONSOLE_NOTE_MAX - 1;
	arch_console_lock();
	if (!async_mode && s->rd == s->wr && !s->ev_count) {
		write_now(text, len);
	} else {
		if (s->ev_count == CONSOLE_EVENTS)
			overflow(s);
		struct console_event *e = ev_push(s);
		memcpy(e->text, text, len);
		if (!len || text[len - 1] != '\n')
			e->text[len++] = '\n';
		e->len = (unsigned int)len;
	}
	arch_console_unlock();
}

void console_set_live(struct console_stream *s, bool live)
{
	arch_console_lock();
	s->live = live;
	arch_console_unlock();
}

bool console_drain(struct console_stream *self, unsigned int budget)
{
	bool more = false;

	if (!arch_console_trylock())
		return false; /* busy: whoever holds it unlocks, which wakes idle CPUs */
	if (own(false)) {     /* else another CPU drains */
		more = pump(self, budget, false);
		draining = false;
	}
	arch_console_unlock();
	return more;
}

void console_flush(void)
{
	arch_console_lock();
	own(true);
	pump(NULL, 0, true);
	draining = false;
	arch_console_unlock();
}

void console_hv_write(const char *p, size_t len)
{
	arch_console_lock();
	if (async_mode) {
		size_t i;
		for (i = 0; i < len && takes(&hv_stream); i++)
			put_locked(&hv_stream, p[i]);
		drop_locked(&hv_stream, len - i);
	} else {
		write_now(p, len);
	}
	arch_console_unlock();
}
