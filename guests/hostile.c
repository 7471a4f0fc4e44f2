// SPDX-License-Identifier: Apache-2.0
/*
 * hostile: thousands of seeded random hypercalls (numbers, sub-ops,
 * arguments and guest buffers all random), random HVC immediates and
 * random SMCCC/PSCI calls (except SYSTEM_OFF, SYSTEM_RESET and CPU_OFF,
 * which would end the run), then a probe phase reading random addresses
 * until the hypervisor stops it. The upper half of its RAM is the
 * sacrificial window: memory_op may balloon it in and out; code, stack
 * and the arguments live in the lower half.
 * The seed comes from bootargs ("seed=N"), default 1.
 */
#include "common/guest.h"

#define CALLS 4000

static uint64_t frames[64];
static struct xen_memory_reservation res;
static uint8_t junk[512];

void guest_main(void *dtb, uint64_t t0);

static uint64_t parse_seed(const char *s)
{
	uint64_t v = 0;

	for (; *s; s++)
		if (s[0] == 's' && s[1] == 'e' && s[2] == 'e' && s[3] == 'd' && s[4] == '=') {
			for (s += 5; *s >= '0' && *s <= '9'; s++)
				v = v * 10 + (uint64_t)(*s - '0');
			break;
		}
	return v ? v : 1;
}

void guest_main(void *dtb, uint64_t t0)
{
	struct guest_dt dt;

	(void)t0;
	if (!dt_parse(dtb, &dt) || !dt.nr_banks) {
		console_write("FAIL hostile: no device tree\n", 29);
		return;
	}
	uart_init(dt.uart);
	uint64_t seed = parse_seed(dt.bootargs), s = seed;
	uint64_t ram = dt.bank_base[0], size = dt.bank_size[0];
	uint64_t win = (ram + size / 2) >> 12, win_pages = (size / 2) >> 12;
	uint64_t results[4] = {0, 0, 0, 0}; /* >= 0, -EFAULT, other errors, undef */

	printf_("hostile: seed %u, %u calls\n", seed, (uint64_t)CALLS);
	for (unsigned int i = 0; i < CALLS; i++) {
		uint64_t r = rand64(&s), kind = r % 8;
		int64_t ret;

		for (unsigned int j = 0; j < 64; j++)
			frames[j] = (rand64(&s) & 1) ? win + rand64(&s) % win_pages : rand64(&s);
		if (i % 64 == 0)
			for (unsigned int j = 0; j < sizeof(junk); j++)
				junk[j] = (uint8_t)rand64(&s);
		if (i % 1000 == 0)
			printf_("hostile: call %u\n", (uint64_t)i);
		res.extent_start = (rand64(&s) & 3) ? (uint64_t)(uintptr_t)frames : rand64(&s);
		res.nr_extents = (rand64(&s) & 1) ? rand64(&s) % 80 : rand64(&s);
		res.extent_order = (uint32_t)((rand64(&s) & 1) ? rand64(&s) % 6 : rand64(&s));
		res.mem_flags = (rand64(&s) & 3) ? 0 : (uint32_t)rand64(&s);
		res.domid = (rand64(&s) & 3) ? DOMID_SELF : (uint16_t)rand64(&s);
		uint64_t ptr = (rand64(&s) & 1)   ? (uint64_t)(uintptr_t)&res
		               : (rand64(&s) & 1) ? ram + rand64(&s) % (size + 8192) - 4096
		                                  : rand64(&s);

		switch (kind) {
		case 0:
		case 1:
		case 2: /* memory_op, any sub-op, random or real argument */
			ret = hypercall2(HYPERCALL_MEMORY_OP,
			                 (rand64(&s) & 1) ? rand64(&s) % 20 : rand64(&s), ptr);
			break;
		case 3: /* console_io, random count and buffer (printing junk is fine) */
			ret = hypercall3(HYPERCALL_CONSOLE_IO, rand64(&s) % 3, rand64(&s) % 300,
			                 (rand64(&s) & 1) ? (uint64_t)(uintptr_t)junk : ptr);
			break;
		case 4: /* any hypercall number */
			ret = hypercall3(rand64(&s), rand64(&s), rand64(&s), rand64(&s));
			break;
		case 5: { /* SMCCC: random function, never the three that end the run */
			uint64_t fn = (rand64(&s) & 1) ? PSCI_FN32_BASE + rand64(&s) % 16
			                               : PSCI_FN64_BASE + rand64(&s) % 16;
			if ((rand64(&s) & 3) == 0)
				fn = rand64(&s);
			uint32_t f = (uint32_t)fn;
			if (f == PSCI_SYSTEM_OFF || f == PSCI_SYSTEM_RESET || f == PSCI_CPU_OFF)
				fn = PSCI_VERSION;
			ret = psci(fn, rand64(&s), rand64(&s), rand64(&s));
			break;
		}
		case 6: { /* HVC immediates other than 0 and 0xEA1: undefined instruction */
			uint64_t before = exceptions_taken;
			if (r & 8)
				__asm__ volatile("hvc #0x7" ::: "memory");
			else
				__asm__ volatile("hvc #0xffff" ::: "memory");
			ret = exceptions_taken == before + 1 ? -1000 : -1001;
			break;
		}
		default: /* memory_op on the sacrificial window with real arguments */
			res.extent_start = (uint64_t)(uintptr_t)frames;
			res.nr_extents = rand64(&s) % 64;
			res.extent_order = 0;
			res.mem_flags = 0;
			res.domid = DOMID_SELF;
			for (unsigned int j = 0; j < 64; j++)
				frames[j] = win + rand64(&s) % win_pages;
			ret = hypercall2(HYPERCALL_MEMORY_OP,
			                 (rand64(&s) & 1) ? XENMEM_decrease_reservation
			                                  : XENMEM_populate_physmap,
			                 (uint64_t)(uintptr_t)&res);
			break;
		}
		if (ret == -1001) {
			printf_("FAIL hostile: call %u: no undefined-instruction exception\n",
			        (uint64_t)i);
			results[2]++;
		} else if (ret == -1000) {
			results[3]++;
		} else if (ret >= 0) {
			results[0]++;
		} else if (ret == -XEN_EFAULT) {
			results[1]++;
		} else {
			results[2]++;
		}
	}
	printf_("hostile: %u calls: %u succeeded, %u -EFAULT, %u other errors, %u undef\n",
	        (uint64_t)CALLS, results[0], results[1], results[2], results[3]);
	puts_("PASS hostile: survived every call\n");
	puts_("hostile: probe phase\n");
	for (unsigned int i = 0; i < 100000; i++) {
		uint64_t a =
		    (rand64(&s) & 1) ? ram + rand64(&s) % (size * 4) : rand64(&s) & 0xffffffffff;
		a &= ~7ull;
		if (a >= ram && a < ram + size / 2)
			continue; /* never our own code, stack or data */
		(void)*(volatile uint64_t *)(uintptr_t)a;
	}
	puts_("FAIL hostile: probes never faulted\n");
}
