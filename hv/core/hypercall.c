// SPDX-License-Identifier: Apache-2.0
#include <string.h>
#include "hypercall.h"
#include "arch.h"
#include "errno.h"

int guest_copy_from(struct domain *d, void *dst, uint64_t ipa, uint64_t len)
{
	char *out = dst;

	if (ipa + len < ipa)
		return -HV_EFAULT;
	while (len) {
		pa_t pa;
		enum p2m_type type;
		uint64_t chunk = PAGE_SIZE - (ipa & PAGE_MASK);

		if (chunk > len)
			chunk = len;
		/* Only guest RAM: never let a guest make us read a device. */
		if (!p2m_lookup(&d->p2m, ipa_init(ipa), &pa, &type) || type != P2M_RAM_RW)
			return -HV_EFAULT;
		memcpy(out, arch_phys_to_virt(pa), chunk);
		out += chunk;
		ipa += chunk;
		len -= chunk;
	}
	return 0;
}

static int64_t console_io(struct domain *d, const uint64_t args[5])
{
	char buf[256];
	uint64_t count = args[1], ipa = args[2];

	if (args[0] != CONSOLEIO_WRITE)
		return -HV_ENOSYS;
	if (count > CONSOLEIO_MAX)
		return -HV_EINVAL;
	for (uint64_t done = 0; done < count;) {
		uint64_t n = count - done < sizeof(buf) ? count - done : sizeof(buf);
		if (guest_copy_from(d, buf, ipa + done, n))
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
	default:
		return -HV_ENOSYS;
	}
}
