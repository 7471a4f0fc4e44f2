// SPDX-License-Identifier: Apache-2.0
/*
 * The boot plan's physical memory map: every RAM byte, once, with its
 * owner. Built by sweeping each RAM bank from boundary to boundary, with
 * no sorting buffer: the claims are few (hundreds at most) and the map
 * is made once per boot or per check.
 */
#include "fmt.h"
#include "plan_priv.h"

/*
 * Where claims overlap (an invalid plan, or reserved memory that covers
 * the DTB), the map shows the one that matters most: what the hypervisor
 * cannot move first, what could be handed out last.
 */
static int rank(enum plan_kind k)
{
	switch (k) {
	case PLAN_KIND_HYPERVISOR:
		return 0;
	case PLAN_KIND_DTB:
		return 1;
	case PLAN_KIND_RESERVED:
		return 2;
	case PLAN_KIND_MODULE:
		return 3;
	case PLAN_KIND_STATIC:
		return 4;
	case PLAN_KIND_HEAP:
		return 5;
	case PLAN_KIND_UNUSED:
		break;
	}
	return 6;
}

/*
 * The owner of byte @at, and in *@stop the last byte (at most @last) up to
 * which nothing changes. Inclusive ends: a bank may end at 2^64 - 1.
 */
static bool owner_at(const struct plan *plan, uint64_t at, uint64_t last, struct plan_claim *best,
                     struct plan_claim_iter *best_id, uint64_t *stop)
{
	struct plan_claim_iter it = {0}, id = {0};
	struct plan_claim c;
	bool found = false;

	*stop = last;
	*best_id = id;
	while (plan_claim_next(plan, &it, &c)) {
		uint64_t clast = c.base + c.size - 1;
		if (c.base > at) {
			if (c.base - 1 < *stop)
				*stop = c.base - 1;
		} else if (at <= clast) {
			if (clast < *stop)
				*stop = clast;
			if (!found || rank(c.kind) < rank(best->kind)) {
				*best = c;
				*best_id = id;
				found = true;
			}
		}
		id = it;
	}
	return found;
}

unsigned int plan_memory_map(const struct plan *plan, struct plan_map_entry *map, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int b = 0; b < plan->nr_ram; b++) {
		uint64_t at = plan->ram[b].base;
		uint64_t last = at + plan->ram[b].size - 1;
		struct plan_claim_iter prev_id = {~0u, 0, 0};
		bool prev_used = false, have_prev = false;

		for (;;) {
			struct plan_claim c;
			struct plan_claim_iter id;
			uint64_t end;
			bool used = owner_at(plan, at, last, &c, &id, &end);

			bool same = have_prev && used == prev_used &&
			            (!used || (id.stage == prev_id.stage && id.dom == prev_id.dom &&
			                       id.k == prev_id.k));
			if (same) {
				if (n - 1 < max)
					map[n - 1].range.size += end - at + 1;
			} else {
				if (n < max) {
					struct plan_map_entry *e = &map[n];
					e->range.base = at;
					e->range.size = end - at + 1;
					e->kind = used ? c.kind : PLAN_KIND_UNUSED;
					e->domain = used ? c.domain : -1;
					if (used)
						plan_claim_label(&c, e->label, sizeof(e->label));
					else
						fmt_snprintf(e->label, sizeof(e->label), "unused");
				}
				n++;
			}
			have_prev = true;
			prev_used = used;
			prev_id = id;
			if (end >= last)
				break;
			at = end + 1;
		}
	}
	return n;
}
