// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer drive of the domain life cycle through the host stand-in of
 * the arch interface: two domains of two vCPUs each, booted by the core's
 * boot sequence, then any sequence of PSCI calls, memory_op and console
 * hypercalls, CPUs entering their vCPUs, faults, and actions of one vCPU
 * injected while another waits for the domain lock.
 *
 * The host stand-in aborts on any broken rule of arch.h (a vCPU entered
 * in a stopped domain, a teardown with a vCPU in the guest, reset and
 * destroy out of order). After every operation this checks: a stopped
 * domain has no vCPU on and no memory, and its static memory reads as
 * zero; a running one has a vCPU on; each domain holds exactly the pages
 * it counts; lives are counted once each.
 *
 * Input: 4 bytes per operation: [0] op, [1] domain and vCPU, [2..3] argument.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/hypercall.h"
#include "../../hv/core/memop.h"
#include "../../hv/core/vpsci.h"
#include "../common/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *board;

static void fail(const char *what, unsigned long long a, unsigned long long b)
{
	fprintf(stderr, "fuzz_domain: %s (0x%llx, 0x%llx)\n", what, a, b);
	abort();
}

static const uint32_t psci_fns[] = {PSCI_CPU_ON_64,  PSCI_CPU_OFF,  PSCI_AFFINITY_INFO_64,
                                    PSCI_SYSTEM_OFF, PSCI_VERSION,  PSCI_SYSTEM_RESET,
                                    PSCI_FEATURES,   SMCCC_VERSION, PSCI_CPU_SUSPEND_64};

/* One operation of vCPU @vc of domain @d; @a is the 16-bit argument. */
static void operate(uint8_t op, struct domain *d, unsigned int vc, uint16_t a)
{
	struct vcpu *v = &d->vcpus[vc];
	uint64_t ram = vm_ram_base(d), gfn = (ram >> PAGE_SHIFT) + (a & 0x3ff);

	switch (op % 8) {
	case 0:
		host_cpu_run(v->pcpu);
		break;
	case 1: {
		uint64_t args[4] = {psci_fns[(a >> 8) % ARRAY_SIZE(psci_fns)], a & 3,
		                    ram + ((a >> 2) & 0x3f) * PAGE_SIZE, a};
		if ((a & 0xf0) == 0xf0)
			args[1] = (uint64_t)a << 24; /* affinity levels above 0 */
		vpsci_call(v, args);
		break;
	}
	case 2:
	case 3: { /* decrease_reservation / populate_physmap of one extent */
		uint8_t r[XMR_SIZE] = {0};
		uint64_t list = ram + PAGE_SIZE, nr = 1;
		uint32_t order = (a >> 10) & 3;
		uint16_t self = DOMID_SELF;
		gfn &= ~((1ull << order) - 1);
		memcpy(r + XMR_EXTENT_START, &list, 8);
		memcpy(r + XMR_NR_EXTENTS, &nr, 8);
		memcpy(r + XMR_EXTENT_ORDER, &order, 4);
		memcpy(r + XMR_DOMID, &self, 2);
		if (d->mem.live && vm_guest_write(d, ram, r, sizeof(r)) == 0 &&
		    vm_guest_write(d, list, &gfn, 8) == 0) {
			uint64_t args[5] = {op % 8 == 2 ? XENMEM_decrease_reservation
			                                : XENMEM_populate_physmap,
			                    ram};
			hypercall_dispatch(d, HYPERCALL_MEMORY_OP, args);
		}
		break;
	}
	case 4: { /* remove_from_physmap */
		uint8_t r[XRFP_SIZE] = {0};
		uint16_t self = DOMID_SELF;
		memcpy(r + XRFP_DOMID, &self, 2);
		memcpy(r + XRFP_GPFN, &gfn, 8);
		if (d->mem.live && vm_guest_write(d, ram, r, sizeof(r)) == 0) {
			uint64_t args[5] = {XENMEM_remove_from_physmap, ram};
			hypercall_dispatch(d, HYPERCALL_MEMORY_OP, args);
		}
		break;
	}
	case 5: { /* console_io from anywhere */
		uint64_t args[5] = {CONSOLEIO_WRITE, a >> 6, ram + (a & 0x3f) * 64};
		hypercall_dispatch(d, HYPERCALL_CONSOLE_IO, args);
		break;
	}
	case 6: /* the guest writes a secret into its memory */
		if (d->mem.live)
			vm_guest_write(d, ram + (uint64_t)a * 64, "secret!", 8);
		break;
	default:
		if (d->state == DOMAIN_RUNNING && (a & 0xff) == 0x5a)
			domain_crash_fault(d, "data abort", ipa_init(a), 0);
		break;
	}
}

/* The operation injected while the next caller waits for the lock. */
static struct {
	uint8_t op, who;
	uint16_t a;
} pending;

static struct domain *dom_of(uint8_t who, unsigned int *vc)
{
	*vc = (who >> 1) & 1;
	return domain_by_id(1 + (who & 1));
}

static void injected(void *ctx)
{
	(void)ctx;
	unsigned int vc;
	struct domain *d = dom_of(pending.who, &vc);
	operate(pending.op, d, vc, pending.a);
}

static bool all_zero(uint64_t pa, uint64_t len)
{
	const uint64_t *p = arch_phys_to_virt(pa_init(pa));
	for (uint64_t i = 0; i < len / 8; i++)
		if (p[i])
			return false;
	return true;
}

static void check(void)
{
	uint64_t owned[2] = {0}, promised = 0;
	for (unsigned int id = 1; id <= 2; id++) {
		const struct domain_mem *m = &domain_by_id(id)->mem;
		if (m->table_limit && dommem_tables_held(m) > m->table_limit)
			fail("domain holds more tables than its budget", id, dommem_tables_held(m));
		promised += m->table_limit ? m->table_limit - dommem_tables_held(m) : 0;
	}
	if (promised != vm_mm.reserved_pages)
		fail("stage-2 budget accounting", promised, vm_mm.reserved_pages);
	for (uint32_t i = 0; i < vm_mm.ps.nr; i++) {
		const struct page_state *e = &vm_mm.ps.ext[i];
		if (e->state == PG_INUSE && e->owner >= 1 && e->owner <= 2)
			owned[e->owner - 1] += e->count;
	}
	for (unsigned int id = 1; id <= 2; id++) {
		struct domain *d = domain_by_id(id);
		unsigned int on = 0;
		for (unsigned int i = 0; i < d->nr_vcpus; i++)
			on += d->vcpus[i].state != VCPU_OFF;
		if (d->arch.resets != d->boots || d->arch.destroys + d->arch.live != d->arch.resets)
			fail("lives miscounted", d->arch.resets, d->arch.destroys);
		if (d->state == DOMAIN_RUNNING) {
			if (!on || !d->mem.live || !d->arch.live)
				fail("running domain with no vCPU or no memory", id, on);
			if (owned[id - 1] != d->mem.tot_pages)
				fail("pages held != pages counted", owned[id - 1],
				     d->mem.tot_pages);
		} else {
			if (on || d->mem.live || d->arch.live || owned[id - 1])
				fail("stopped domain still has vCPUs or memory", id, on);
			const struct plan_bank *b = &d->cfg->banks[0];
			if (!all_zero(pa_addr(b->pa), b->size))
				fail("stopped domain's memory not scrubbed", id, pa_addr(b->pa));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!board) {
		board = vm_board(NULL, NULL);
		if (!board)
			abort();
	}
	if (vm_boot(board) != 2)
		fail("boot", 0, 0);
	host_run_pending();
	for (size_t i = 0; i + 4 <= size && i < 4 * 256; i += 4) {
		unsigned int vc;
		uint16_t a = (uint16_t)(data[i + 2] | data[i + 3] << 8);
		struct domain *d = dom_of(data[i + 1], &vc);
		if ((data[i] & 0xf0) == 0xf0) { /* the next op waits while this one runs */
			pending.op = data[i];
			pending.who = data[i + 1] >> 2;
			pending.a = a;
			host_on_next_lock(injected, NULL);
			continue;
		}
		operate(data[i], d, vc, a);
		host_on_next_lock(NULL, NULL);
		check();
	}
	return 0;
}
