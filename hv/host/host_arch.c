// SPDX-License-Identifier: Apache-2.0
/*
 * The hosted "architecture": what hv/core needs from below, for unit
 * tests, fuzzers, benchmarks and the host tools.
 *
 * Physical memory is simulated by windows of host memory registered with
 * host_ram_add(); large windows are reserved with MAP_NORESERVE so that a
 * 16 GiB board costs nothing until pages are touched.
 */
#include "host_arch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HOST_RAM_MAX 16

static struct host_ram {
	uint64_t base, size;
	uint8_t *mem;
} host_ram[HOST_RAM_MAX];
static unsigned int host_ram_count;

uint64_t host_tlb_flushes;
uint64_t host_scrubbed_bytes;
char *host_console_buf;
size_t host_console_len, host_console_cap;

void *host_ram_add(uint64_t base, uint64_t size)
{
	if (host_ram_count == HOST_RAM_MAX)
		return NULL;
	void *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	host_ram[host_ram_count++] = (struct host_ram){base, size, m};
	return m;
}

void host_ram_reset(void)
{
	for (unsigned int i = 0; i < host_ram_count; i++)
		munmap(host_ram[i].mem, host_ram[i].size);
	host_ram_count = 0;
	host_tlb_flushes = 0;
	host_scrubbed_bytes = 0;
}

void *arch_phys_to_virt(pa_t pa)
{
	uint64_t a = pa_addr(pa);

	for (unsigned int i = 0; i < host_ram_count; i++)
		if (a >= host_ram[i].base && a - host_ram[i].base < host_ram[i].size)
			return host_ram[i].mem + (a - host_ram[i].base);
	fprintf(stderr, "arch_phys_to_virt: 0x%llx is not RAM\n", (unsigned long long)a);
	abort();
}

void arch_console_write(const char *s, size_t len)
{
	if (host_console_buf == NULL || host_console_len + len + 1 > host_console_cap) {
		size_t cap = (host_console_cap + len + 1) * 2;
		char *n = realloc(host_console_buf, cap);
		if (n == NULL)
			abort();
		host_console_buf = n;
		host_console_cap = cap;
	}
	memcpy(host_console_buf + host_console_len, s, len);
	host_console_len += len;
	host_console_buf[host_console_len] = '\0';
	if (getenv("BULKHEAD_HOST_CONSOLE"))
		fwrite(s, 1, len, stderr);
}

void arch_scrub(pa_t pa, uint64_t len)
{
	/* Scrub each registered window piecewise; a range never spans two. */
	memset(arch_phys_to_virt(pa), 0, len);
	host_scrubbed_bytes += len;
}

void arch_guest_tlb_flush(uint16_t vmid)
{
	(void)vmid;
	host_tlb_flushes++;
}

_Noreturn void arch_panic(const char *why)
{
	fprintf(stderr, "panic: %s\n", why);
	abort();
}
