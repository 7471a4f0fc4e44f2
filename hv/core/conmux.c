// SPDX-License-Identifier: Apache-2.0
/* Console input routing (see conmux.h). */
#include "conmux.h"

void conmux_init(struct conmux *m, unsigned int nr_domains, unsigned int focus)
{
	m->nr_stops = nr_domains + 1;
	m->focus = focus < m->nr_stops ? focus : CONMUX_HYPERVISOR;
	m->ctrl_a = 0;
}

static bool is_running(const struct conmux *m, unsigned int stop, uint64_t running)
{
	return stop == CONMUX_HYPERVISOR ||
	       (stop < 64 && stop < m->nr_stops && (running >> stop) & 1);
}

/* The next running stop after the current one; the hypervisor always is. */
static void advance(struct conmux *m, uint64_t running)
{
	unsigned int s = m->focus;

	do
		s = (s + 1) % m->nr_stops;
	while (!is_running(m, s, running));
	m->focus = s;
}

unsigned int conmux_input(struct conmux *m, char c, uint64_t running, char *out, bool *switched)
{
	unsigned int n = 0;

	*switched = false;
	if (c == CONMUX_SWITCH_KEY) {
		if (++m->ctrl_a < 3)
			return 0;
		m->ctrl_a = 0;
		advance(m, running);
		*switched = true;
		return 0;
	}
	while (m->ctrl_a) {
		out[n++] = CONMUX_SWITCH_KEY;
		m->ctrl_a--;
	}
	out[n++] = c;
	return n;
}

bool conmux_leave(struct conmux *m, uint64_t running)
{
	if (is_running(m, m->focus, running))
		return false;
	advance(m, running);
	m->ctrl_a = 0;
	return true;
}
