// SPDX-License-Identifier: Apache-2.0
/*
 * Hypercall dispatch: see hypercall.h. Each handler acts on the calling
 * domain only and checks every guest pointer before it acts.
 */
#include "hypercall.h"
#include "errno.h"
#include "guestmem.h"
#include "memop.h"

static int64_t console_io(struct domain *d, const uint64_t args[5])
{
	char buf[256];
	uint64_t count = args[1], ipa = args[2];

	if (args[0] != CONSOLEIO_WRITE)
		return -HV_ENOSYS;
	if (count > CONSOLEIO_MAX)
		return -HV_EINVAL;
	/* All or nothing: check the whole buffer before printing any of it. */
	if (guestmem_check(&d->mem, ipa_init(ipa), count))
		return -HV_EFAULT;
	for (uint64_t done = 0; done < count;) {
		uint64_t n = count - done < sizeof(buf) ? count - done : sizeof(buf);
		if (guestmem_read(&d->mem, buf, ipa_init(ipa + done), n))
			return -HV_EFAULT;
		for (uint64_t i = 0; i < n; i++)
			domain_console_putc(d, buf[i]);
		done += n;
	}
	return (int64_t)count;
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
