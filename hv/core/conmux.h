/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One physical console, several domains: where typed input goes.
 *
 * Input goes to one stop at a time: the hypervisor (stop 0) or a domain
 * (stop = its id, 1..). Ctrl-A typed three times in a row moves to the
 * next stop whose domain is running (the hypervisor always is one);
 * the three Ctrl-A are swallowed. One or two Ctrl-A followed by another
 * byte are delivered as typed, so a guest still gets its own Ctrl-A.
 * Pure state machine: the caller reads the UART, delivers and announces.
 */
#ifndef BULKHEAD_CORE_CONMUX_H
#define BULKHEAD_CORE_CONMUX_H

#include "types.h"

#define CONMUX_HYPERVISOR 0u
#define CONMUX_SWITCH_KEY 0x01 /* Ctrl-A */
#define CONMUX_MAX_OUT    3u   /* most bytes one input can release */

struct conmux {
	unsigned int focus;    /* the stop receiving input */
	unsigned int nr_stops; /* 1 + number of domains */
	unsigned int ctrl_a;   /* Ctrl-A seen in a row, held back */
};

/** conmux_init() - @nr_domains domains; input starts at stop @focus. */
void conmux_init(struct conmux *m, unsigned int nr_domains, unsigned int focus);

/**
 * conmux_input() - one byte typed on the console.
 * @running: bit i set when stop i (domain id i) is running; bit 0 (the
 *           hypervisor) is implied.
 * @out:     receives the bytes to deliver to m->focus (up to
 *           CONMUX_MAX_OUT).
 * @switched: set when this byte moved the focus (the caller announces
 *           the new m->focus).
 * Return: the number of bytes in @out.
 */
unsigned int conmux_input(struct conmux *m, char c, uint64_t running, char *out, bool *switched);

/**
 * conmux_leave() - the focused domain stopped: move to the next running
 * stop. Return: true when the focus moved.
 */
bool conmux_leave(struct conmux *m, uint64_t running);

#endif
