// SPDX-License-Identifier: Apache-2.0
/*
 * Hypercall dispatch: see hypercall.h. Each handler acts on the calling
 * domain only and checks every guest pointer before it acts.
 */
#include "hypercall.h"
#include "errno.h"
#include "guestmem.h"
#include "memop.h"

/*
 * CONSOLEIO_write: the bytes go into the caller's console ring, never to
 * the UART (console.h), so a call costs at most one ring's worth of
 * copying whatever its length. It takes what fits and returns how many
 * bytes it took: Xen's guests must accept a short count. The rest is
 * counted as dropped, and marked in the output: Linux's hvc_xen
 * (dom0_write_console) ignores a short count, so for it they are lost; a
 * guest that writes them again sends them as new output.
 */
static int64_t console_io(struct domain *d, const uint64_t args[5])
{
	char buf[256];
	uint64_t count = args[1], ipa = args[2], taken = 0;

	if (args[0] != CONSOLEIO_WRITE)
		return -HV_ENOSYS;
	if (count > CONSOLEIO_MAX)
		return -HV_EINVAL;
	/* All or nothing: check the whole buffer before taking any of it. */
	if (guestmem_check(&d->mem, ipa_init(ipa), count))
		return -HV_EFAULT;
	uint64_t want = console_room(&d->con);
	if (want > count)
		want = count;
	while (taken < want) {
		uint64_t n = want - taken < sizeof(buf) ? want - taken : sizeof(buf);
		if (guestmem_read(&d->mem, buf, ipa_init(ipa + taken), n))
			return -HV_EFAULT;
		size_t got = console_write(&d->con, buf, n);
		taken += got;
		if (got < n)
			break; /* cannot happen: only the drain runs meanwhile, and it frees room */
	}
	console_drop(&d->con, count - taken);
	return (int64_t)taken;
}

int64_t hypercall_dispatch(struct domain *d, uint64_t nr, const uint64_t args[5])
{
	switch (nr) {
	case HYPERCALL_CONSOLE_IO:
		return console_io(d, args);
	case HYPERCALL_MEMORY_OP:
		return memop_dispatch(&d->mem, args[0], ipa_init(args[1]));
	default:
		return -HV_ENOSYS;
	}
}
