// SPDX-License-Identifier: Apache-2.0
/*
 * balloon: Xen's memory_op from a static domain. Gives 16 pages back
 * (decrease_reservation), checks the reservation count, takes them again
 * (populate_physmap), checks they come back zeroed; the same with one
 * order-4 extent; then the error paths (bad pointer, foreign domain,
 * increase_reservation on static memory).
 */
#include "common/guest.h"

#define NR 16

static uint64_t frames[NR];
static struct xen_memory_reservation res;
static uint16_t domid_arg;

void guest_main(void *dtb, uint64_t t0);

static void check(bool cond, const char *name, int64_t got)
{
	printf_("%s balloon: %s (got %d)\n", cond ? "PASS" : "FAIL", name, got);
}

static int64_t reservation(unsigned int op, uint16_t domid)
{
	domid_arg = domid;
	return hypercall2(HYPERCALL_MEMORY_OP, op, (uint64_t)(uintptr_t)&domid_arg);
}

static int64_t resv_op(unsigned int op, uint64_t nr, uint32_t order, uint16_t domid)
{
	res.extent_start = (uint64_t)(uintptr_t)frames;
	res.nr_extents = nr;
	res.extent_order = order;
	res.mem_flags = 0;
	res.domid = domid;
	return hypercall2(HYPERCALL_MEMORY_OP, op, (uint64_t)(uintptr_t)&res);
}

static bool zeroed(uint64_t base, uint64_t bytes)
{
	for (uint64_t a = base; a < base + bytes; a += 8)
		if (*(volatile uint64_t *)(uintptr_t)a)
			return false;
	return true;
}

void guest_main(void *dtb, uint64_t t0)
{
	struct guest_dt dt;

	(void)t0;
	if (!dt_parse(dtb, &dt) || !dt.nr_banks) {
		console_write("FAIL balloon: no device tree\n", 29);
		return;
	}
	uart_init(dt.uart);
	uint64_t max = (uint64_t)reservation(XENMEM_maximum_reservation, DOMID_SELF);
	int64_t cur = reservation(XENMEM_current_reservation, DOMID_SELF);
	check(max == dt.bank_size[0] >> 12 && cur == (int64_t)max,
	      "current and maximum reservation equal the RAM size", cur);

	/* 16 single pages at 8 MiB into RAM: far from the image and the DT. */
	uint64_t base = dt.bank_base[0] + (8u << 20);
	for (unsigned int i = 0; i < NR; i++) {
		frames[i] = (base >> 12) + i;
		*(volatile uint64_t *)(uintptr_t)(base + i * 4096 + 64) = 0xdeadbeef00 + i;
	}
	int64_t r = resv_op(XENMEM_decrease_reservation, NR, 0, DOMID_SELF);
	check(r == NR, "decrease_reservation of 16 pages", r);
	cur = reservation(XENMEM_current_reservation, DOMID_SELF);
	check(cur == (int64_t)max - NR, "current_reservation is 16 pages lower", cur);
	r = resv_op(XENMEM_populate_physmap, NR, 0, DOMID_SELF);
	check(r == NR, "populate_physmap of the same 16 frames", r);
	cur = reservation(XENMEM_current_reservation, DOMID_SELF);
	check(cur == (int64_t)max, "current_reservation back to the RAM size", cur);
	check(zeroed(base, NR * 4096), "repopulated pages are zeroed", 0);

	/* One order-4 extent (16 pages, 64 KiB aligned). */
	uint64_t big = dt.bank_base[0] + (9u << 20);
	*(volatile uint64_t *)(uintptr_t)(big + 12345 * 8) = 0x1234;
	frames[0] = big >> 12;
	r = resv_op(XENMEM_decrease_reservation, 1, 4, DOMID_SELF);
	check(r == 1, "decrease_reservation of one order-4 extent", r);
	cur = reservation(XENMEM_current_reservation, DOMID_SELF);
	check(cur == (int64_t)max - 16, "current_reservation counts the extent's 16 pages", cur);
	r = resv_op(XENMEM_populate_physmap, 1, 4, DOMID_SELF);
	check(r == 1 && zeroed(big, 16 * 4096), "populate_physmap order 4, zeroed", r);

	/* Error paths. */
	r = hypercall2(HYPERCALL_MEMORY_OP, XENMEM_decrease_reservation, 0x10);
	check(r == -XEN_EFAULT, "argument outside guest RAM is -EFAULT", r);
	frames[0] = base >> 12;
	r = resv_op(XENMEM_decrease_reservation, 1, 0, 2);
	check(r == -XEN_EPERM, "naming another domain is -EPERM", r);
	r = resv_op(XENMEM_increase_reservation, 1, 0, DOMID_SELF);
	check(r == -XEN_EPERM, "increase_reservation on static memory is -EPERM", r);
	cur = reservation(XENMEM_current_reservation, DOMID_SELF);
	check(cur == (int64_t)max, "nothing changed by the failed calls", cur);
	puts_("balloon: done\n");
	psci_system_off();
}
