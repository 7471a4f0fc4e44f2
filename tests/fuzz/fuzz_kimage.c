// SPDX-License-Identifier: Apache-2.0
/*
 * Arbitrary banks, modules, header bytes and DT reservation into
 * kimage_plan(): no undefined behaviour (UBSan catches wrapping shifts and
 * the like), and every accepted layout obeys the boot protocol, checked
 * here without kimage's code: each range lies in the domain's RAM,
 * kernel, DT and ramdisk do not overlap, alignments hold, and the modules
 * lie outside the domain's memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/kimage.h"

static void require(int cond)
{
	if (!cond)
		abort();
}

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;
	for (unsigned int i = 0; i < bytes; i++) {
		v = (v << 8) | (in->n ? *in->p : 0);
		if (in->n) {
			in->p++;
			in->n--;
		}
	}
	return v;
}

/* [a, a+len) covered by the banks' guest ranges, walking bank to bank. */
static bool in_ram(const struct plan_domain *d, uint64_t a, uint64_t len)
{
	if (len == 0)
		return true;
	if (a + len - 1 < a)
		return false;
	uint64_t last = a + len - 1;
	for (;;) {
		const struct plan_bank *hit = NULL;
		for (unsigned int i = 0; i < d->nr_banks; i++)
			if (a >= ipa_addr(d->banks[i].ipa) &&
			    a - ipa_addr(d->banks[i].ipa) < d->banks[i].size)
				hit = &d->banks[i];
		if (hit == NULL)
			return false;
		uint64_t bank_last = ipa_addr(hit->ipa) + (hit->size - 1);
		if (last <= bank_last)
			return true;
		a = bank_last + 1;
	}
}

static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return as && bs && a <= b + (bs - 1) && b <= a + (as - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct plan_domain d;
	struct input in = {data, size};
	uint8_t head[64];
	char err[200];
	struct kimage_layout l;

	memset(&d, 0, sizeof(d));
	strcpy(d.node, "/chosen/fuzz");
	d.vcpus = 1;
	d.nr_banks = (unsigned int)take(&in, 1) % 5; /* 0..4, 0 must be refused */
	for (unsigned int i = 0; i < d.nr_banks; i++) {
		/* Mostly plausible shapes, sometimes anything at all. */
		bool wild = take(&in, 1) & 1;
		uint64_t ipa = wild ? take(&in, 8) : 0x40000000ull + (take(&in, 2) << 21);
		d.banks[i].ipa = ipa_init(ipa);
		d.banks[i].size = wild ? take(&in, 8) : (take(&in, 2) + 1) << 16;
		/* Sometimes the same number on both sides, as in a direct map. */
		d.banks[i].pa = pa_init(take(&in, 1) ? ipa : take(&in, 8));
	}
	unsigned int nmod = (unsigned int)take(&in, 1) % 3;
	for (unsigned int i = 0; i < nmod; i++) {
		d.modules[i].kind = i == 0 ? PLAN_MODULE_KERNEL : PLAN_MODULE_RAMDISK;
		d.modules[i].range.base = take(&in, 8);
		d.modules[i].range.size = take(&in, 1) & 1 ? take(&in, 8) : take(&in, 3) + 1;
		strcpy(d.modules[i].node, "/chosen/fuzz/module");
	}
	d.nr_modules = nmod;
	uint64_t dtb_max = take(&in, 3);
	size_t head_len = (size_t)take(&in, 1) % 65;
	for (unsigned int i = 0; i < sizeof(head); i++)
		head[i] = (uint8_t)take(&in, 1);

	int r = kimage_plan(&d, head, head_len, dtb_max, &l, err, sizeof(err));
	if (r != 0) {
		require(r == -HV_EINVAL || r == -HV_ENOSPC || r == -HV_ENOENT);
		require(err[0] != '\0');
		return 0;
	}
	uint64_t k = ipa_addr(l.kernel_load), ks = l.kernel_span;
	uint64_t t = ipa_addr(l.dtb), i = ipa_addr(l.initrd), is = l.initrd_size;
	require(nmod >= 1 && d.nr_banks >= 1);
	require(ipa_addr(l.kernel_entry) == k);
	require(l.kernel_size == d.modules[0].range.size && ks >= l.kernel_size);
	require(in_ram(&d, k, ks));
	require(dtb_max != 0 && dtb_max <= 2 * MiB && dtb_max % 8 == 0 && l.dtb_max == dtb_max);
	require(t % 8 == 0 && in_ram(&d, t, dtb_max));
	require(!overlap(k, ks, t, dtb_max));
	if (l.info.is_image) {
		require(head_len >= 64);
		uint64_t text = l.info.image_size == 0 ? 0x80000 : l.info.text_offset;
		require(k >= text && (k - text) % (2 * MiB) == 0);
		require(ks >= l.info.image_size);
	}
	if (nmod == 2) {
		require(is == d.modules[1].range.size && i % PAGE_SIZE == 0);
		require(in_ram(&d, i, is));
		require(!overlap(i, is, k, ks) && !overlap(i, is, t, dtb_max));
		uint64_t lo = (i < k ? i : k) & ~(GiB - 1);
		uint64_t hi = (i + is - 1 > k + ks - 1) ? i + is - 1 : k + ks - 1;
		require(hi - lo < 32 * GiB);
	} else {
		require(is == 0);
	}
	/* Modules must survive the domain's scrub on reboot. */
	for (unsigned int m = 0; m < nmod; m++)
		for (unsigned int b = 0; b < d.nr_banks; b++)
			require(!overlap(d.modules[m].range.base, d.modules[m].range.size,
			                 pa_addr(d.banks[b].pa), d.banks[b].size));
	return 0;
}
