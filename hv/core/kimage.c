// SPDX-License-Identifier: Apache-2.0
/*
 * arm64 Linux boot protocol: placement and loading (see kimage.h).
 *
 * All arithmetic on guest addresses is checked for wrap-around: image_size
 * and text_offset come from a file the integrator chose, not from us.
 *
 * No libc header may be included in the freestanding build: the string
 * functions are reached through the compiler builtins, which become calls
 * to the memcpy/memset that both builds provide.
 */
#include "kimage.h"

#include "arch.h"
#include "errno.h"
#include "fmt.h"

/* initrd and kernel must share a 1 GiB aligned window of at most 32 GiB. */
#define INITRD_WINDOW_ALIGN GiB
#define INITRD_WINDOW_SIZE  (32ull * GiB)

static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void kimage_parse(const void *head, size_t len, struct kimage_info *info)
{
	const uint8_t *h = head;

	__builtin_memset(info, 0, sizeof(*info));
	if (head == NULL || len < KIMAGE_HEADER_SIZE || le32_at(h + 0x38) != KIMAGE_MAGIC)
		return;
	info->is_image = true;
	info->image_size = le64_at(h + 16);
	info->flags = le64_at(h + 24);
	/*
	 * Before Linux 3.17 text_offset had the kernel's endianness and
	 * image_size was 0; booting.rst says to assume 0x80000 then.
	 */
	info->text_offset = info->image_size == 0 ? KIMAGE_LEGACY_TEXT_OFFSET : le64_at(h + 8);
}

static int fail(char *err, size_t err_size, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t err_size, int code, const char *fmt, ...)
{
	if (err != NULL && err_size != 0) {
		va_list ap;
		va_start(ap, fmt);
		fmt_vsnprintf(err, err_size, fmt, ap);
		va_end(ap);
	}
	return code;
}

static const struct plan_module *find_module(const struct plan_domain *d,
                                             enum plan_module_kind kind)
{
	for (unsigned int i = 0; i < d->nr_modules && i < PLAN_MAX_MODULES; i++)
		if (d->modules[i].kind == kind)
			return &d->modules[i];
	return NULL;
}

/*
 * The first RAM region: the lowest bank, extended by the banks that follow
 * it in guest space without a gap (static banks packed into Xen's layout).
 */
static void first_region(const struct plan_domain *d, uint64_t *start, uint64_t *end)
{
	unsigned int lo = 0;

	for (unsigned int i = 1; i < d->nr_banks; i++)
		if (ipa_addr(d->banks[i].ipa) < ipa_addr(d->banks[lo].ipa))
			lo = i;
	*start = ipa_addr(d->banks[lo].ipa);
	*end = ipa_addr(d->banks[lo].ipa) + d->banks[lo].size;
	for (bool grew = true; grew;) {
		grew = false;
		for (unsigned int i = 0; i < d->nr_banks; i++)
			if (ipa_addr(d->banks[i].ipa) == *end && d->banks[i].size != 0) {
				*end += d->banks[i].size;
				grew = true;
			}
	}
}

/* A module must stay intact for reboot: never inside the domain's own memory. */
static int check_module(const struct plan_domain *d, const struct plan_module *m, char *err,
                        size_t err_size)
{
	if (!range_valid(m->range.base, m->range.size))
		return fail(err, err_size, -HV_EINVAL, "%s: reg is empty or wraps", m->node);
	for (unsigned int i = 0; i < d->nr_banks; i++)
		if (ranges_overlap(m->range.base, m->range.size, pa_addr(d->banks[i].pa),
		                   d->banks[i].size))
			return fail(err, err_size, -HV_EINVAL,
			            "%s: reg 0x%llx-0x%llx lies inside the memory of %s "
			            "(xen,static-mem[%u]): it would be overwritten and could not "
			            "be reloaded on reboot",
			            m->node, (unsigned long long)m->range.base,
			            (unsigned long long)(m->range.base + m->range.size - 1),
			            d->node, d->banks[i].index);
	return 0;
}

static bool initrd_window_ok(uint64_t kload, uint64_t kend, uint64_t istart, uint64_t iend)
{
	uint64_t lo = align_down(kload < istart ? kload : istart, INITRD_WINDOW_ALIGN);
	uint64_t hi = kend > iend ? kend : iend;
	return hi - lo <= INITRD_WINDOW_SIZE;
}

int kimage_plan(const struct plan_domain *d, const void *head, size_t head_len, uint64_t dtb_max,
                struct kimage_layout *l, char *err, size_t err_size)
{
	const struct plan_module *km = find_module(d, PLAN_MODULE_KERNEL);
	const struct plan_module *rm = find_module(d, PLAN_MODULE_RAMDISK);
	uint64_t rstart, rend, load, span, kend, dtb;
	int r;

	__builtin_memset(l, 0, sizeof(*l));
	if (err != NULL && err_size != 0)
		err[0] = '\0';
	if (km == NULL)
		return fail(err, err_size, -HV_ENOENT, "%s: no multiboot,kernel module", d->node);
	if (d->nr_banks == 0 || d->nr_banks > PLAN_MAX_STATIC_BANKS)
		return fail(err, err_size, -HV_EINVAL, "%s: no memory bank", d->node);
	for (unsigned int i = 0; i < d->nr_banks; i++)
		/* End addresses are computed: a bank may not end at 2^64 either. */
		if (!range_valid(ipa_addr(d->banks[i].ipa), d->banks[i].size) ||
		    !range_valid(pa_addr(d->banks[i].pa), d->banks[i].size) ||
		    d->banks[i].size > UINT64_MAX - ipa_addr(d->banks[i].ipa))
			return fail(err, err_size, -HV_EINVAL, "%s: bank %u is empty or wraps",
			            d->node, i);
	if (dtb_max == 0 || dtb_max > KIMAGE_DTB_MAX || !is_aligned(dtb_max, 8))
		return fail(err, err_size, -HV_EINVAL,
		            "%s: device tree reservation 0x%llx: must be a multiple of 8, "
		            "at most 2 MiB",
		            d->node, (unsigned long long)dtb_max);
	if ((r = check_module(d, km, err, err_size)) < 0)
		return r;
	if (rm != NULL && (r = check_module(d, rm, err, err_size)) < 0)
		return r;

	kimage_parse(head, head_len < km->range.size ? head_len : km->range.size, &l->info);
	first_region(d, &rstart, &rend);

	/*
	 * Messages about what does not fit name the module: the integrator
	 * fixes its file or the memory of the domain (the module node's
	 * parent). Addresses are guest addresses; the first RAM region is
	 * written 0xFIRST-0xLAST like the plan's ranges.
	 */
	unsigned long long gfirst = rstart, glast = rend - 1;

	/* Kernel: as low as allowed, so that Linux's linear map covers all RAM. */
	span = km->range.size;
	if (l->info.is_image) {
		/* No 2 MiB boundary in the region, or only one past 2^64: base = rend. */
		uint64_t base = rstart > UINT64_MAX - KIMAGE_KERNEL_ALIGN
		                    ? rend
		                    : align_up(rstart, KIMAGE_KERNEL_ALIGN);
		if (base >= rend)
			return fail(err, err_size, -HV_ENOSPC,
			            "%s: no 2 MiB aligned base for the kernel in guest RAM "
			            "0x%llx-0x%llx",
			            km->node, gfirst, glast);
		if (l->info.text_offset >= rend - base)
			return fail(err, err_size, -HV_ENOSPC,
			            "%s: kernel text_offset 0x%llx does not fit in guest RAM "
			            "0x%llx-0x%llx",
			            km->node, (unsigned long long)l->info.text_offset, gfirst,
			            glast);
		load = base + l->info.text_offset;
		if (l->info.image_size > span)
			span = l->info.image_size;
	} else {
		load = rstart;
	}
	if (span > rend - load)
		return fail(err, err_size, -HV_ENOSPC,
		            "%s: kernel needs 0x%llx bytes (%s) at guest 0x%llx; guest RAM "
		            "0x%llx-0x%llx is too small",
		            km->node, (unsigned long long)span,
		            span == km->range.size ? "its reg size" : "image_size in its header",
		            (unsigned long long)load, gfirst, glast);
	kend = load + span;

	l->kernel_entry = ipa_init(load);
	l->kernel_load = ipa_init(load);
	l->kernel_size = km->range.size;
	l->kernel_span = span;
	l->kernel_src = pa_init(km->range.base);
	l->dtb_max = dtb_max;
	if (rend - kend < dtb_max)
		return fail(err, err_size, -HV_ENOSPC,
		            "%s: no room for the device tree (0x%llx bytes) in guest RAM "
		            "0x%llx-0x%llx after the kernel (ends 0x%llx)",
		            km->node, (unsigned long long)dtb_max, gfirst, glast,
		            (unsigned long long)kend);

	/*
	 * DT as high as possible, preferably on a 2 MiB boundary (a block of
	 * its own in Linux's early mapping), else page or 8-byte aligned so
	 * that small domains and big ramdisks still fit. The ramdisk goes just
	 * below the DT, or right after the kernel if that keeps the kernel and
	 * ramdisk in one 1 GiB aligned 32 GiB window.
	 */
	static const uint64_t dtb_align[] = {KIMAGE_KERNEL_ALIGN, PAGE_SIZE, 8};
	uint64_t rsize = rm != NULL ? rm->range.size : 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(dtb_align); i++) {
		dtb = align_down(rend - dtb_max, dtb_align[i]);
		if (dtb < kend)
			continue;
		l->dtb = ipa_init(dtb);
		if (rm == NULL)
			return 0;
		uint64_t below = dtb >= rsize ? align_down(dtb - rsize, PAGE_SIZE) : 0;
		uint64_t after = align_up(kend, PAGE_SIZE);
		uint64_t at;
		if (dtb >= rsize && below >= kend &&
		    initrd_window_ok(load, kend, below, below + rsize))
			at = below;
		else if (after <= dtb && dtb - after >= rsize &&
		         initrd_window_ok(load, kend, after, after + rsize))
			at = after;
		else
			continue;
		l->initrd = ipa_init(at);
		l->initrd_size = rsize;
		l->initrd_src = pa_init(rm->range.base);
		return 0;
	}
	if (rm == NULL) /* only when the kernel's end is not 8-byte aligned */
		return fail(err, err_size, -HV_ENOSPC,
		            "%s: no 8-byte aligned room for the device tree in guest RAM "
		            "0x%llx-0x%llx after the kernel (ends 0x%llx)",
		            km->node, gfirst, glast, (unsigned long long)kend);
	return fail(err, err_size, -HV_ENOSPC,
	            "%s: ramdisk of 0x%llx bytes does not fit in guest RAM 0x%llx-0x%llx "
	            "between the kernel (ends 0x%llx) and the device tree (0x%llx bytes)",
	            rm->node, (unsigned long long)rsize, gfirst, glast, (unsigned long long)kend,
	            (unsigned long long)dtb_max);
}

int kimage_copy_in(kimage_map_fn map, void *ctx, ipa_t ipa, const void *src, uint64_t len)
{
	const uint8_t *s = src;
	uint64_t a = ipa_addr(ipa);

	if (len != 0 && !range_valid(a, len))
		return -HV_EFAULT;
	while (len != 0) {
		uint64_t n = len;
		uint8_t *dst = map(ctx, ipa_init(a), &n);
		if (dst == NULL || n == 0)
			return -HV_EFAULT;
		if (n > len)
			n = len;
		__builtin_memcpy(dst, s, n);
		/* The guest may start with its caches off: make the copy visible to it. */
		arch_dcache_clean(dst, n);
		s += n;
		a += n;
		len -= n;
	}
	return 0;
}

int kimage_load(const struct kimage_layout *l, const void *dtb, size_t dtb_size, kimage_map_fn map,
                void *ctx)
{
	int r;

	if (dtb_size > l->dtb_max)
		return -HV_ENOSPC;
	r = kimage_copy_in(map, ctx, l->kernel_load, arch_phys_to_virt(l->kernel_src),
	                   l->kernel_size);
	if (r == 0 && l->initrd_size != 0)
		r = kimage_copy_in(map, ctx, l->initrd, arch_phys_to_virt(l->initrd_src),
		                   l->initrd_size);
	if (r == 0 && dtb_size != 0)
		r = kimage_copy_in(map, ctx, l->dtb, dtb, dtb_size);
	return r;
}
