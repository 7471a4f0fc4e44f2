/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor console: one physical UART shared by every domain and
 * the hypervisor itself.
 *
 * Output is never written on the path that produces it. Each domain owns
 * a ring (struct console_stream, embedded in struct domain): a guest byte
 * (vPL011 DR write, console_io) is appended in constant time, or dropped
 * and counted when the ring is full; a full ring then takes nothing until
 * the drain has printed it and a "[N bytes dropped]" line in its place.
 * A drain moves whole lines from the rings to the UART, round-robin
 * between domains, each line prefixed "(name) ", never two domains' bytes
 * within one line. The drain is bounded per call (console_drain(budget))
 * and never waits for the UART: it writes only what the UART takes at
 * once (arch_console_tx) and keeps the rest for the next call. The arch
 * layer calls it where it costs no one a lock: after a trap, with the
 * domain lock released, for the trapping domain (which so pays for its
 * own output: it prints its lines, and the lines of others that come
 * before them in turn, one per domain at most), and on idle CPUs for
 * everyone.
 *
 * The domain being typed to is "live": its partial line (a prompt, the
 * echo) shows at once, and its complete ANSI CSI sequences (ESC [ ...)
 * reach the terminal unmodified, so line editing works. Another domain's
 * line ends a live line left open (the live domain continues on a new
 * line). Domains that are not live never drive the terminal: their CSI
 * sequences are removed, other control bytes become '.'.
 *
 * Hypervisor lines about a domain (stopped, crashed, rebooted, build
 * errors) are notes in that domain's stream: they come out after what
 * the domain printed before the event and before anything it prints
 * after it. A reboot therefore shows what the old life left unsent, then
 * the reboot line, then the new life: no byte of one life is printed in
 * the next, and no line mixes two lives.
 *
 * Other hypervisor messages (hv_printf) are written at once while the
 * hypervisor boots (after ending a line in progress), and once
 * console_async() was called they go into a hypervisor stream of their
 * own, drained before any domain line.
 *
 * Locking: one console lock (arch_console_lock), innermost: it may be
 * taken with the domain lock held, never the other way round. It covers
 * the rings, the drain state and the UART.
 */
#ifndef BULKHEAD_CORE_CONSOLE_H
#define BULKHEAD_CORE_CONSOLE_H

#include "types.h"

/*
 * Per-domain output ring. 4 KiB: more than a full console_io write and
 * about 50 lines, i.e. about 0.35 s of a 115200-baud UART, which is what
 * a burst needs to wait for its turn behind the other domains; a domain
 * that writes faster than the UART for longer only waits longer, so a
 * bigger ring would hold more stale output, not lose less. 16 domains
 * cost 64 KiB of .bss. A power of two: positions are masked.
 */
#define CONSOLE_RING_SIZE 4096u
#define CONSOLE_LINE_MAX  160u /* ring bytes per printed line; longer lines wrap */
#define CONSOLE_CSI_MAX   16u  /* longest escape sequence let through */
#define CONSOLE_EVENTS    4u   /* notes and drop markers pending per stream */
#define CONSOLE_NOTE_MAX  256u /* one hypervisor line, with its newline */

/*
 * Bytes per drain call after a trap: the trapping domain's line and one
 * line of a few others ahead of it, so that the trap that ends a line
 * usually prints it (the vCPU may not trap again soon). On an idle CPU,
 * per call of a loop.
 */
#define CONSOLE_DRAIN_TRAP 512u
#define CONSOLE_DRAIN_IDLE 256u

/* Something to print at a position of a stream: a note, or a drop marker. */
struct console_event {
	uint64_t at;             /* stream position it comes before */
	uint64_t dropped;        /* a drop marker: bytes lost here (0 for a note) */
	unsigned int notes_lost; /* notes lost with them (see console.c, overflow) */
	unsigned int len;        /* a note: its length in text[] */
	char text[CONSOLE_NOTE_MAX];
};

/*
 * One producer's output: a domain's, or the hypervisor's. Positions count
 * bytes since the stream was set up; the ring holds [rd, wr).
 */
struct console_stream {
	const char *name;  /* the line prefix; NULL: the hypervisor (no prefix, no filter) */
	uint64_t wr, rd;   /* appended / taken by the drain */
	uint64_t newlines; /* '\n' in [rd, wr) */
	uint64_t dropped;  /* bytes lost since set-up: the summary reports it */
	unsigned int ev_head, ev_count;
	struct console_event ev[CONSOLE_EVENTS];
	unsigned int col; /* ring bytes of the line being printed */
	bool live;        /* typed to: partial lines and escape sequences shown */
	char ring[CONSOLE_RING_SIZE];
};

/**
 * console_init() - forget every stream and go back to writing hypervisor
 * messages at once (the state at power-on). Called when domains are set
 * up (domain_start_all()).
 */
void console_init(void);

/**
 * console_add() - @s (zeroed, in its domain) becomes a domain stream
 * printed as "(@name) LINE". Domain streams are served round-robin in the
 * order they were added.
 */
void console_add(struct console_stream *s, const char *name);

/**
 * console_async() - from now on hypervisor messages go to the hypervisor
 * stream and are drained like domain lines: nothing the hypervisor prints
 * while guests run waits for the UART. Called when boot is over.
 */
void console_async(void);

/**
 * console_sync() - everything pending is written (console_flush()), and
 * hypervisor messages are written at once again: before power-off.
 */
void console_sync(void);

/**
 * console_putc() - one byte of guest output: appended, or dropped and
 * counted when the ring is full. Never touches the UART. '\r' is dropped
 * (every line is ended with "\r\n" by the UART layer).
 */
void console_putc(struct console_stream *s, char c);

/**
 * console_write() - @len bytes of guest output, appended while they fit.
 * Return: how many bytes of @buf were taken (the rest is not counted as
 * dropped: see console_drop()).
 */
size_t console_write(struct console_stream *s, const char *buf, size_t len);

/** console_room() - bytes console_write() would take now (at least). */
size_t console_room(struct console_stream *s);

/** console_full() - the ring has no room: a vPL011 reports TXFF. */
bool console_full(struct console_stream *s);

/**
 * console_drop() - @n bytes of @s's output were not taken: count them, and
 * mark the place with a "[N bytes dropped]" line.
 */
void console_drop(struct console_stream *s, uint64_t n);

/** console_dropped() - bytes of @s lost since it was set up. */
uint64_t console_dropped(struct console_stream *s);

/**
 * console_note() - a hypervisor line (ending in '\n') about @s's domain,
 * printed after everything @s holds now and before anything it gets
 * later (see above). While the hypervisor boots and @s holds nothing, it
 * is written at once.
 */
void console_note(struct console_stream *s, const char *text);

/**
 * console_set_live() - input goes to @s's domain (@live) or no longer: see
 * above. Takes effect at the next drain.
 */
void console_set_live(struct console_stream *s, bool live);

/**
 * console_drain() - move up to @budget bytes to the UART, without waiting
 * for it (what it does not take now stays for the next call). Returns at
 * once when another CPU is draining.
 * @self: the stream of the domain whose trap this is: the drain works only
 *        while @self or the hypervisor has output due, printing the lines
 *        that come before @self's in turn and then @self's; it never
 *        prints for another domain while @self has nothing to print.
 *        NULL (an idle CPU): whatever is due.
 * Return: true when output is still due (call again when the UART has
 * room), false when nothing is.
 */
bool console_drain(struct console_stream *self, unsigned int budget);

/**
 * console_flush() - write everything ready to print, waiting for the UART
 * as needed (power-off, tests). Lines of running domains not yet ended
 * stay.
 */
void console_flush(void);

/**
 * console_hv_write() - hypervisor text (hv_printf): written at once after
 * ending a line in progress, or queued in the hypervisor stream once
 * console_async() was called (dropped and counted when that is full).
 */
void console_hv_write(const char *s, size_t len);

#endif
