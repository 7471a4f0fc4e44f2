// SPDX-License-Identifier: Apache-2.0
/*
 * The hosted "architecture": every hook of hv/core/arch.h, for unit
 * tests, fuzzers, benchmarks and the host tools (see host_arch.h).
 *
 * Physical memory is simulated by windows of host memory registered with
 * host_ram_add(); large windows are reserved with MAP_NORESERVE so that a
 * 16 GiB board costs nothing until pages are touched.
 */
#include "host_arch.h"
#include "../core/domain.h"

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
uint64_t host_cleaned_bytes;
char *host_console_buf;
size_t host_console_len, host_console_cap;
struct host_cpu host_cpus[PLAN_MAX_CPUS];
unsigned int host_lock_depth;
uint64_t host_lock_taken;
const struct plan *host_machine_plan;
int host_machine_init_rc;
static uint64_t counter;
static void (*next_lock_fn)(void *ctx);
static void *next_lock_ctx;

/* A rule of arch.h broken by the core: fail the test loudly. */
static _Noreturn void violation(const char *what)
{
	fprintf(stderr, "host arch: rule broken: %s\n", what);
	abort();
}

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

void *host_ram_find(uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < host_ram_count; i++)
		if (host_ram[i].base == base && host_ram[i].size == size)
			return host_ram[i].mem;
	return NULL;
}

void host_machine_reset(void)
{
	host_tlb_flushes = 0;
	host_scrubbed_bytes = 0;
	host_cleaned_bytes = 0;
	memset(host_cpus, 0, sizeof(host_cpus));
	if (host_lock_depth)
		violation("machine reset with the domain lock held");
	host_lock_taken = 0;
	next_lock_fn = NULL;
	host_machine_plan = NULL;
	host_machine_init_rc = 0;
}

void host_ram_reset(void)
{
	for (unsigned int i = 0; i < host_ram_count; i++)
		munmap(host_ram[i].mem, host_ram[i].size);
	host_ram_count = 0;
	host_machine_reset();
}

void host_console_clear(void)
{
	host_console_len = 0;
	if (host_console_buf)
		host_console_buf[0] = '\0';
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

void arch_dcache_clean(const void *va, size_t len)
{
	(void)va;
	host_cleaned_bytes += len;
}

uint64_t arch_counter_read(void)
{
	return ++counter;
}

int arch_machine_init(const struct plan *plan)
{
	host_machine_plan = plan;
	return host_machine_init_rc;
}

void host_on_next_lock(void (*fn)(void *ctx), void *ctx)
{
	next_lock_fn = fn;
	next_lock_ctx = ctx;
}

void arch_domain_lock(void)
{
	if (host_lock_depth == 0 && next_lock_fn) {
		void (*fn)(void *) = next_lock_fn;
		next_lock_fn = NULL;
		fn(next_lock_ctx); /* the other vCPU held the lock first */
		if (host_lock_depth)
			violation("the injected action left the domain lock held");
	}
	if (host_lock_depth++ == 0)
		host_lock_taken++;
}

void arch_domain_unlock(void)
{
	if (host_lock_depth == 0)
		violation("arch_domain_unlock() without the lock");
	host_lock_depth--;
}

static void need_lock(const char *hook)
{
	if (host_lock_depth == 0)
		violation(hook);
}

void arch_vcpu_kick(struct vcpu *v)
{
	struct host_cpu *c = &host_cpus[v->pcpu];

	need_lock("arch_vcpu_kick() without the domain lock");
	if (v->pcpu >= PLAN_MAX_CPUS || (c->vcpu && c->vcpu != v))
		violation("arch_vcpu_kick(): CPU owned by another vCPU");
	v->arch.kicks++;
	c->vcpu = v;
	if (v->state == VCPU_PENDING)
		c->powered = true;
}

void arch_vcpu_stop_wait(struct vcpu *v)
{
	need_lock("arch_vcpu_stop_wait() without the domain lock");
	if (v->state == VCPU_RUNNING)
		violation("arch_vcpu_stop_wait() on a running vCPU");
	v->arch.stop_waits++;
	if (host_cpus[v->pcpu].vcpu == v)
		host_cpus[v->pcpu].in_guest = false;
}

void arch_domain_init(struct domain *d)
{
	need_lock("arch_domain_init() without the domain lock");
	memset(&d->arch, 0, sizeof(d->arch));
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		memset(&d->vcpus[i].arch, 0, sizeof(d->vcpus[i].arch));
	d->arch.inits++;
}

void arch_domain_reset(struct domain *d)
{
	need_lock("arch_domain_reset() without the domain lock");
	if (d->arch.live)
		violation("arch_domain_reset() of a live domain (no destroy since)");
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i].state == VCPU_RUNNING)
			violation("arch_domain_reset() with a vCPU running");
	d->arch.live = true;
	d->arch.resets++;
}

void arch_domain_destroy(struct domain *d)
{
	need_lock("arch_domain_destroy() without the domain lock");
	if (!d->arch.live)
		violation("arch_domain_destroy() of a domain not live");
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		const struct vcpu *v = &d->vcpus[i];
		if (v->state == VCPU_RUNNING ||
		    (host_cpus[v->pcpu].vcpu == v && host_cpus[v->pcpu].in_guest))
			violation("arch_domain_destroy() with a vCPU still in the guest");
	}
	d->arch.live = false;
	d->arch.destroys++;
}

bool host_cpu_run(unsigned int pcpu)
{
	struct host_cpu *c = &host_cpus[pcpu];
	bool entered = false;

	arch_domain_lock();
	struct vcpu *v = c->vcpu;
	if (c->powered && v && v->state == VCPU_PENDING) {
		if (v->dom->state != DOMAIN_RUNNING || !v->dom->mem.live)
			violation("a pending vCPU of a domain that is not running");
		v->state = VCPU_RUNNING;
		v->arch.entries++;
		v->arch.entered_at = v->entry;
		v->arch.entered_x0 = v->context;
		c->in_guest = true;
		entered = true;
	}
	arch_domain_unlock();
	return entered;
}

unsigned int host_run_pending(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < PLAN_MAX_CPUS; i++)
		n += host_cpu_run(i);
	return n;
}
