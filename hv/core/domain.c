// SPDX-License-Identifier: Apache-2.0
/*
 * Running the plan: create, destroy and re-create domains.
 *
 * Order of creation (any failure undoes what was done):
 *   stage-2 root -> static banks acquired and mapped -> passthrough MMIO
 *   mapped -> kernel/DT placement (kimage) -> guest DT (guestdt) ->
 *   kernel, ramdisk and DT copied -> vCPU 0 pending at the kernel entry.
 * Destroy unmaps everything, sends every static page back to its domain's
 * reserve through mm_release() and scrubs it: the memory stays bound to
 * the domain's id and a reboot finds it zeroed.
 */
#include <stdarg.h>
#include <string.h>
#include "domain.h"
#include "arch.h"
#include "errno.h"
#include "fmt.h"
#include "guestdt.h"
#include "kimage.h"
#include "mm.h"
#include "dommem.h"
#include "staticmem.h"

static struct mm *mm;
static struct domain domains[PLAN_MAX_DOMAINS];
static unsigned int nr_domains;
/* Guest DT scratch buffer: built and copied under the domain lock. */
static uint64_t dt_buf[KIMAGE_GUEST_DT_MAX / 8];

/* kimage_map_fn: guest RAM through the stage-2 tables. */
static void *map_guest(void *ctx, ipa_t ipa, uint64_t *len)
{
	struct domain *d = ctx;
	pa_t pa;
	enum p2m_type type;

	if (!p2m_lookup(&d->mem.p2m, ipa, &pa, &type) || type != P2M_RAM_RW)
		return NULL;
	uint64_t room = PAGE_SIZE - (ipa_addr(ipa) & PAGE_MASK);
	if (*len > room)
		*len = room;
	return arch_phys_to_virt(pa);
}

void domain_log(const struct domain *d, const char *fmt, ...)
{
	char msg[PLAN_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hv_printf("bulkhead: domain %s: %s\n", d->cfg->name, msg);
}

/* Zero the static memory now rather than at the next creation. */
static void scrub_static(struct domain *d)
{
	int rc = dommem_scrub(&d->mem);

	if (rc)
		domain_log(d, "scrubbing its static memory failed (error %d)", rc);
}

/* Passthrough MMIO, then kernel, ramdisk and DT into the new memory. */
static int domain_load(struct domain *d)
{
	const struct plan_domain *c = d->cfg;
	int rc;

	for (unsigned int i = 0; i < c->nr_pt; i++) {
		for (unsigned int r = 0; r < c->pt[i].nr_regs; r++) {
			rc = p2m_map_range(&d->mem.p2m, c->pt[i].regs[r].ipa, c->pt[i].regs[r].pa,
			                   c->pt[i].regs[r].size, P2M_DEVICE_RW);
			if (rc) {
				domain_log(d, "%s xen,reg: stage-2 mapping: error %d",
				           c->pt[i].node, rc);
				return rc;
			}
		}
	}

	const struct plan_module *kernel = NULL;
	for (unsigned int m = 0; m < c->nr_modules; m++)
		if (c->modules[m].kind == PLAN_MODULE_KERNEL)
			kernel = &c->modules[m];
	if (!kernel) {
		domain_log(d, "%s: no multiboot,kernel module (error %d)", c->node, -HV_ENOENT);
		return -HV_ENOENT;
	}
	struct kimage_layout l;
	char err[PLAN_MESSAGE_MAX] = "";
	uint64_t head_len =
	    kernel->range.size < KIMAGE_HEADER_SIZE ? kernel->range.size : KIMAGE_HEADER_SIZE;
	rc = kimage_plan(c, arch_phys_to_virt(pa_init(kernel->range.base)), head_len,
	                 KIMAGE_GUEST_DT_MAX, &l, err, sizeof(err));
	if (rc) {
		domain_log(d, "%s (error %d)", err, rc);
		return rc;
	}
	struct guestdt_extra x = {.initrd = l.initrd,
	                          .initrd_size = l.initrd_size,
	                          .boot = d->boots + 1,
	                          .err = err,
	                          .err_size = sizeof(err)};
	for (unsigned int m = 0; m < c->nr_modules; m++)
		if (c->modules[m].kind == PLAN_MODULE_DEVICE_TREE) {
			x.partial = arch_phys_to_virt(pa_init(c->modules[m].range.base));
			x.partial_size = c->modules[m].range.size;
		}
	rc = guestdt_build(c, &x, dt_buf, sizeof(dt_buf));
	if (rc < 0) {
		domain_log(d, "guest device tree: %s (error %d)", err, rc);
		return rc;
	}
	rc = kimage_load(&l, dt_buf, (size_t)rc, map_guest, d);
	if (rc) {
		domain_log(d, "%s: loading the kernel: error %d", c->node, rc);
		return rc;
	}
	d->kernel_entry = l.kernel_entry;
	d->dtb_ipa = l.dtb;
	return 0;
}

static int domain_build(struct domain *d, bool scrub)
{
	int rc = scrub ? dommem_create(&d->mem, mm, d->cfg, d->domid)
	               : dommem_create_unscrubbed(&d->mem, mm, d->cfg, d->domid);

	if (rc) {
		domain_log(d, "%s: memory: error %d", d->cfg->node, rc);
		return rc;
	}
	rc = domain_load(d);
	if (rc) {
		dommem_destroy(&d->mem);
		scrub_static(d);
	}
	return rc;
}

/* A new life: fresh devices, vCPU 0 pending at the kernel entry. Lock held. */
static void domain_go(struct domain *d)
{
	d->state = DOMAIN_RUNNING;
	d->boots++;
	d->line_len = 0;
	d->stop_reason[0] = 0;
	vuart_reset(&d->uart);
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		d->vcpus[i].state = VCPU_OFF;
	arch_domain_reset(d);
	struct vcpu *v = &d->vcpus[0];
	v->entry = d->kernel_entry;
	v->context = ipa_addr(d->dtb_ipa); /* x0: the DT's guest address */
	v->state = VCPU_PENDING;
	arch_vcpu_kick(v);
}

unsigned int domain_start_all(const struct plan *plan, struct mm *core_mm, bool scrub_at_boot)
{
	unsigned int started = 0;

	arch_domain_lock();
	mm = core_mm;
	nr_domains = plan->nr_domains;
	for (unsigned int i = 0; i < nr_domains; i++) {
		struct domain *d = &domains[i];
		/*
		 * Nothing of an earlier call may remain (host tests boot many
		 * plans); a domain never used is still zero (.bss), and clearing
		 * 8 KiB per domain shows on the boot path.
		 */
		if (d->domid)
			memset(d, 0, sizeof(*d));
		d->domid = i + 1;
		d->cfg = &plan->domains[i];
		d->nr_vcpus = d->cfg->vcpus;
		for (unsigned int v = 0; v < d->nr_vcpus; v++) {
			d->vcpus[v].dom = d;
			d->vcpus[v].id = v;
			d->vcpus[v].pcpu = d->cfg->first_cpu + v;
		}
		arch_domain_init(d);
		if (domain_build(d, scrub_at_boot) != 0) {
			d->state = DOMAIN_FAILED;
			fmt_snprintf(d->stop_reason, sizeof(d->stop_reason), "not started");
			continue;
		}
		hv_printf("bulkhead: domain %s (id %u) starts at 0x%llx, device tree at 0x%llx\n",
		          d->cfg->name, domain_id(d), (unsigned long long)ipa_addr(d->kernel_entry),
		          (unsigned long long)ipa_addr(d->dtb_ipa));
		domain_go(d);
		started++;
	}
	arch_domain_unlock();
	return started;
}

unsigned int domain_count(void)
{
	return nr_domains;
}

uint64_t domain_table_pages(void)
{
	uint64_t tables = 0;

	for (unsigned int i = 0; i < nr_domains; i++)
		tables += domains[i].mem.p2m.table_pages;
	return tables;
}

struct domain *domain_by_id(unsigned int domid)
{
	if (domid == 0 || domid > nr_domains || domains[domid - 1].state == DOMAIN_UNUSED)
		return NULL;
	return &domains[domid - 1];
}

unsigned int domain_id(const struct domain *d)
{
	return d->domid;
}

/* Another domain's line is due: end a live line left open (a prompt). */
static void end_open_lines(const struct domain *d)
{
	for (unsigned int i = 0; i < nr_domains; i++) {
		if (&domains[i] != d && domains[i].line_open) {
			arch_console_write("\n", 1);
			domains[i].line_open = false;
		}
	}
}

static void flush_line(struct domain *d)
{
	end_open_lines(d);
	d->line[d->line_len] = 0;
	hv_printf("(%s) %s\n", d->cfg->name, d->line);
	d->line_len = 0;
}

/* Live console: the line so far is on the terminal, behind its prefix. */
static void live_putc(struct domain *d, char c)
{
	if (!d->line_open) {
		end_open_lines(d);
		hv_printf("(%s) ", d->cfg->name);
		d->line_open = true;
	}
	arch_console_write(&c, 1);
	if (c == '\n')
		d->line_open = false;
}

void domain_console_putc(struct domain *d, char c)
{
	if (c == '\r')
		return;
	/*
	 * Guests must not drive the host terminal: no control characters
	 * (backspace only for the domain being typed to: line editing).
	 */
	if (((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || (unsigned char)c >= 0x80) &&
	    !(c == '\b' && d->console_live))
		c = '.';
	if (d->console_live) {
		live_putc(d, c);
		return;
	}
	if (c == '\n') {
		flush_line(d);
		return;
	}
	d->line[d->line_len++] = c;
	if (d->line_len == sizeof(d->line) - 1)
		flush_line(d);
}

void domain_console_live(struct domain *d, bool live)
{
	if (live == d->console_live)
		return;
	if (live && d->line_len) { /* show the partial line (a prompt) now */
		end_open_lines(d);
		d->line[d->line_len] = 0;
		hv_printf("(%s) %s", d->cfg->name, d->line);
		d->line_open = true;
		d->line_len = 0;
	} else if (!live && d->line_open) {
		hv_printf("\n");
		d->line_open = false;
	}
	d->console_live = live;
}

/*
 * Take every vCPU of a running domain off its CPU and give its memory
 * back (static pages to the domain's reserve, marked for scrub). Shared by
 * stop and reboot so that both tear a domain down the same way.
 * Called with the domain lock held.
 */
static void halt_and_release_locked(struct domain *d)
{
	if (d->line_len)
		flush_line(d);
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		d->vcpus[i].state = VCPU_OFF;
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		arch_vcpu_stop_wait(&d->vcpus[i]);
	arch_domain_destroy(d);
	dommem_destroy(&d->mem);
}

/* Called with the domain lock held. */
static void stop_locked(struct domain *d, bool crashed, const char *why)
{
	if (d->state != DOMAIN_RUNNING)
		return;
	halt_and_release_locked(d);
	d->state = crashed ? DOMAIN_CRASHED : DOMAIN_OFF;
	fmt_snprintf(d->stop_reason, sizeof(d->stop_reason), "%s", why);
	scrub_static(d);
}

void domain_shutdown(struct domain *d, bool crashed, const char *why)
{
	arch_domain_lock();
	stop_locked(d, crashed, why);
	arch_domain_unlock();
	hv_printf("bulkhead: domain %s stopped: %s\n", d->cfg->name, why);
}

void domain_crash_fault(struct domain *d, const char *what, ipa_t ipa, uint64_t pc)
{
	char why[96];

	fmt_snprintf(why, sizeof(why), "%s at IPA 0x%llx, PC 0x%llx", what,
	             (unsigned long long)ipa_addr(ipa), (unsigned long long)pc);
	hv_printf("bulkhead: domain %s: stage-2 fault: %s\n", d->cfg->name, why);
	domain_shutdown(d, true, why);
}

int domain_reboot(struct domain *d)
{
	int rc;

	arch_domain_lock();
	if (d->state != DOMAIN_RUNNING) {
		arch_domain_unlock();
		return -HV_EINVAL;
	}
	halt_and_release_locked(d);
	rc = domain_build(d, true); /* the same static pages, zeroed */
	if (rc) {
		d->state = DOMAIN_CRASHED;
		fmt_snprintf(d->stop_reason, sizeof(d->stop_reason), "reboot failed (%d)", rc);
		arch_domain_unlock();
		return rc;
	}
	hv_printf("bulkhead: domain %s rebooted on the same memory (boot %u)\n", d->cfg->name,
	          d->boots + 1);
	domain_go(d);
	arch_domain_unlock();
	return 0;
}

bool domain_all_stopped(void)
{
	for (unsigned int i = 0; i < nr_domains; i++)
		if (domains[i].state == DOMAIN_RUNNING)
			return false;
	return true;
}

static const char *state_name(enum domain_state s)
{
	switch (s) {
	case DOMAIN_RUNNING:
		return "running";
	case DOMAIN_OFF:
		return "off";
	case DOMAIN_CRASHED:
		return "crashed";
	case DOMAIN_FAILED:
		return "failed";
	default:
		return "unused";
	}
}

void domain_print_summary(void)
{
	for (unsigned int i = 0; i < nr_domains; i++) {
		const struct domain *d = &domains[i];
		hv_printf("bulkhead: summary: %s id %u %s after %u boot(s), %llu KiB: %s\n",
		          d->cfg->name, domain_id(d), state_name(d->state), d->boots,
		          (unsigned long long)d->cfg->memory_kib,
		          d->stop_reason[0] ? d->stop_reason : "-");
	}
}
