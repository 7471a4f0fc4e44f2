// SPDX-License-Identifier: Apache-2.0
/*
 * Hypercall dispatch on the host stand-in: Xen's numbers reach the right
 * handler, arguments are checked before anything happens, and a call
 * acts on the caller alone.
 */
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/hypercall.h"
#include "../../hv/core/memop.h"
#include "../common/testlib.h"
#include "../common/vm.h"

static void *board;

static int64_t hcall(struct domain *d, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	const uint64_t args[5] = {a0, a1, a2, 0, 0};
	return hypercall_dispatch(d, nr, args);
}

static bool console_has(const char *s)
{
	return host_console_buf && strstr(host_console_buf, s) != NULL;
}

static void boot(void)
{
	CHECK_EQ(vm_boot(board), 2);
	CHECK_EQ(host_run_pending(), 2);
	host_console_clear();
}

TEST(unknown_calls_are_enosys)
{
	boot();
	struct domain *d = domain_by_id(1);
	const uint64_t nrs[] = {0, 1, 11, 13, 17, 19, 29, 32, 1000, ~0ull};
	for (unsigned int i = 0; i < ARRAY_SIZE(nrs); i++)
		CHECK_EQ(hcall(d, nrs[i], 0, 0, 0), -HV_ENOSYS);
	CHECK_EQ(host_console_len, 0);
}

TEST(console_io_writes_the_callers_bytes_with_its_name)
{
	boot();
	struct domain *d = domain_by_id(2);
	const char msg[] = "hello from two\n";
	uint64_t ipa = GUEST_RAM0_BASE + 0x100000;
	CHECK_EQ(vm_guest_write(d, ipa, msg, strlen(msg)), 0);
	CHECK_EQ(hcall(d, HYPERCALL_CONSOLE_IO, CONSOLEIO_WRITE, strlen(msg), ipa),
	         (int64_t)strlen(msg));
	CHECK(console_has("(domU2) hello from two\n"));
	/* Other sub-ops, a bad length, a buffer partly outside its RAM: nothing printed. */
	host_console_clear();
	CHECK_EQ(hcall(d, HYPERCALL_CONSOLE_IO, 1, 4, ipa), -HV_ENOSYS);
	CHECK_EQ(hcall(d, HYPERCALL_CONSOLE_IO, CONSOLEIO_WRITE, CONSOLEIO_MAX + 1, ipa),
	         -HV_EINVAL);
	uint64_t end = GUEST_RAM0_BASE + VM_DOM_MEM;
	CHECK_EQ(hcall(d, HYPERCALL_CONSOLE_IO, CONSOLEIO_WRITE, 16, end - 8), -HV_EFAULT);
	/* domU1's memory is not domU2's: the same host address is not mapped for domU2. */
	CHECK_EQ(hcall(d, HYPERCALL_CONSOLE_IO, CONSOLEIO_WRITE, 4, VM_D1_MEM), -HV_EFAULT);
	CHECK_EQ(hcall(d, HYPERCALL_CONSOLE_IO, CONSOLEIO_WRITE, 4, ~0ull - 1), -HV_EFAULT);
	CHECK_EQ(host_console_len, 0);
	CHECK_EQ(hcall(d, HYPERCALL_CONSOLE_IO, CONSOLEIO_WRITE, 0, 0), 0);
}

TEST(memory_op_reaches_the_callers_memory)
{
	boot();
	struct domain *d1 = domain_by_id(1), *d2 = domain_by_id(2);
	uint16_t self = DOMID_SELF;
	uint64_t arg = VM_D1_MEM + 0x1000;
	CHECK_EQ(vm_guest_write(d1, arg, &self, 2), 0);
	CHECK_EQ(hcall(d1, HYPERCALL_MEMORY_OP, XENMEM_current_reservation, arg, 0),
	         VM_DOM_MEM / PAGE_SIZE);
	CHECK_EQ(hcall(d1, HYPERCALL_MEMORY_OP, XENMEM_maximum_reservation, arg, 0),
	         VM_DOM_MEM / PAGE_SIZE);
	/* Naming the other domain is refused. */
	uint16_t other = 2;
	CHECK_EQ(vm_guest_write(d1, arg, &other, 2), 0);
	CHECK_EQ(hcall(d1, HYPERCALL_MEMORY_OP, XENMEM_current_reservation, arg, 0), -HV_EPERM);
	/* Balloon one page out through dispatch: only the caller shrinks. */
	uint8_t r[XRFP_SIZE] = {0};
	uint64_t gpfn = (VM_D1_MEM + MiB) >> PAGE_SHIFT;
	memcpy(r + XRFP_DOMID, &self, 2);
	memcpy(r + XRFP_GPFN, &gpfn, 8);
	CHECK_EQ(vm_guest_write(d1, arg, r, sizeof(r)), 0);
	CHECK_EQ(hcall(d1, HYPERCALL_MEMORY_OP, XENMEM_remove_from_physmap, arg, 0), 0);
	CHECK_EQ(d1->mem.tot_pages, VM_DOM_MEM / PAGE_SIZE - 1);
	CHECK_EQ(d2->mem.tot_pages, VM_DOM_MEM / PAGE_SIZE);
	CHECK_EQ(hcall(d1, HYPERCALL_MEMORY_OP, XENMEM_remove_from_physmap, arg, 0), -HV_ENOENT);
	CHECK_EQ(hcall(d1, HYPERCALL_MEMORY_OP, 999, arg, 0), -HV_ENOSYS);
	/* Argument outside the caller's RAM. */
	CHECK_EQ(hcall(d1, HYPERCALL_MEMORY_OP, XENMEM_current_reservation, VM_D2_MEM, 0),
	         -HV_EFAULT);
}

TEST(calls_for_a_stopped_domain_do_nothing)
{
	boot();
	struct domain *d = domain_by_id(1);
	uint64_t arg = VM_D1_MEM + 0x1000;
	domain_shutdown(d, false, "off");
	host_console_clear();
	CHECK_EQ(hcall(d, HYPERCALL_MEMORY_OP, XENMEM_current_reservation, arg, 0), -HV_EINVAL);
	CHECK(hcall(d, HYPERCALL_CONSOLE_IO, CONSOLEIO_WRITE, 4, arg) < 0);
	CHECK_EQ(host_console_len, 0);
}

int main(void)
{
	board = vm_board(NULL, NULL);
	if (!board)
		return 1;
	RUN(unknown_calls_are_enosys);
	RUN(console_io_writes_the_callers_bytes_with_its_name);
	RUN(memory_op_reaches_the_callers_memory);
	RUN(calls_for_a_stopped_domain_do_nothing);
	free(board);
	return tl_finish();
}
