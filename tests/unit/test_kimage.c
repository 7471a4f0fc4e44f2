// SPDX-License-Identifier: Apache-2.0
/*
 * kimage: the arm64 boot protocol's placement rules, checked two ways:
 * exact addresses worked out by hand for typical domains, and invariants
 * straight from booting.rst checked over many random domains. Loading is
 * checked byte for byte in simulated RAM, across a reboot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/kimage.h"
#include "../../hv/host/host_arch.h"
#include "../common/testlib.h"

#define MOD_BASE 0x48000000ull /* where "the boot loader" put the modules */

/* A handmade Image header, little endian as booting.rst specifies. */
static void make_header(uint8_t *h, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(h, 0, 64);
	h[0] = 0x13; /* code0: some branch, never read */
	for (int i = 0; i < 8; i++) {
		h[8 + i] = (uint8_t)(text_offset >> (8 * i));
		h[16 + i] = (uint8_t)(image_size >> (8 * i));
		h[24 + i] = (uint8_t)(flags >> (8 * i));
	}
	memcpy(h + 0x38, "ARM\x64", 4);
}

static void domain(struct plan_domain *d, uint64_t pa, uint64_t ipa, uint64_t size)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->node, "/chosen/domU1");
	d->vcpus = 1;
	d->nr_banks = 1;
	d->banks[0] = (struct plan_bank){.pa = pa_init(pa), .ipa = ipa_init(ipa), .size = size};
}

static void add_module(struct plan_domain *d, enum plan_module_kind kind, uint64_t base,
                       uint64_t size)
{
	struct plan_module *m = &d->modules[d->nr_modules++];
	m->kind = kind;
	m->range.base = base;
	m->range.size = size;
	snprintf(m->node, sizeof(m->node), "/chosen/domU1/module@%llx", (unsigned long long)base);
}

TEST(parse_headers)
{
	uint8_t h[64];
	struct kimage_info i;

	make_header(h, 0, 0x2345000, 0xa);
	kimage_parse(h, sizeof(h), &i);
	CHECK(i.is_image);
	CHECK_EQ(i.text_offset, 0);
	CHECK_EQ(i.image_size, 0x2345000);
	CHECK_EQ(i.flags, 0xa);

	/* Pre-3.17: image_size 0, text_offset of unknown endianness -> 0x80000. */
	make_header(h, 0x0000080000000000ull, 0, 0);
	kimage_parse(h, sizeof(h), &i);
	CHECK(i.is_image);
	CHECK_EQ(i.text_offset, 0x80000);
	CHECK_EQ(i.image_size, 0);

	/* Byte order of every field: one distinct byte each. */
	make_header(h, 0x0102030405060708ull, 0x1112131415161718ull, 0x2122232425262728ull);
	kimage_parse(h, sizeof(h), &i);
	CHECK_EQ(i.text_offset, 0x0102030405060708ull);
	CHECK_EQ(i.image_size, 0x1112131415161718ull);
	CHECK_EQ(i.flags, 0x2122232425262728ull);

	/* Bad magic, big-endian magic, or too short: a raw binary. */
	make_header(h, 0, 0x1000, 0);
	h[0x38] = 'B';
	kimage_parse(h, sizeof(h), &i);
	CHECK(!i.is_image);
	make_header(h, 0, 0x1000, 0);
	memcpy(h + 0x38, "\x64MRA", 4);
	kimage_parse(h, sizeof(h), &i);
	CHECK(!i.is_image);
	make_header(h, 0, 0x1000, 0);
	kimage_parse(h, 63, &i);
	CHECK(!i.is_image);
	kimage_parse(NULL, 0, &i);
	CHECK(!i.is_image);
}

static int plan_with_header(struct plan_domain *d, uint64_t text_offset, uint64_t image_size,
                            struct kimage_layout *l, char *err)
{
	uint8_t h[64];
	make_header(h, text_offset, image_size, 0xa);
	return kimage_plan(d, h, sizeof(h), 64 * KiB, l, err, 200);
}

TEST(place_linux_xen_layout)
{
	struct plan_domain d;
	struct kimage_layout l;
	char err[200];

	domain(&d, 0x70000000, GUEST_RAM0_BASE, 256 * MiB);
	add_module(&d, PLAN_MODULE_KERNEL, MOD_BASE, 30 * MiB);
	add_module(&d, PLAN_MODULE_RAMDISK, MOD_BASE + 32 * MiB, 5 * MiB + 123);
	CHECK_EQ(plan_with_header(&d, 0, 34 * MiB, &l, err), 0);
	CHECK_EQ(ipa_addr(l.kernel_load), 0x40000000);
	CHECK_EQ(ipa_addr(l.kernel_entry), 0x40000000);
	CHECK_EQ(l.kernel_size, 30 * MiB);
	CHECK_EQ(l.kernel_span, 34 * MiB);
	CHECK_EQ(pa_addr(l.kernel_src), MOD_BASE);
	/* DT at the last 2 MiB boundary with 64 KiB of room: 0x50000000 - 2 MiB. */
	CHECK_EQ(ipa_addr(l.dtb), 0x4fe00000);
	CHECK_EQ(l.dtb_max, 64 * KiB);
	/* Ramdisk right below the DT, page aligned. */
	CHECK_EQ(ipa_addr(l.initrd), (0x4fe00000 - (5 * MiB + 123)) & ~0xfffull);
	CHECK_EQ(l.initrd_size, 5 * MiB + 123);
	CHECK_EQ(pa_addr(l.initrd_src), MOD_BASE + 32 * MiB);

	/* Legacy header: 2 MiB base + 0x80000. */
	d.nr_modules = 1;
	CHECK_EQ(plan_with_header(&d, 0x80000, 0, &l, err), 0);
	CHECK_EQ(ipa_addr(l.kernel_load), 0x40080000);
	CHECK_EQ(l.kernel_span, 30 * MiB); /* unknown size: at least the file */
	CHECK_EQ(l.initrd_size, 0);
}

TEST(place_direct_map_unaligned_bank)
{
	struct plan_domain d;
	struct kimage_layout l;
	char err[200];

	/* A direct-mapped bank that starts 1 MiB past a 2 MiB boundary. */
	domain(&d, 0x70100000, 0x70100000, 0x7f00000);
	add_module(&d, PLAN_MODULE_KERNEL, MOD_BASE, 8 * MiB);
	CHECK_EQ(plan_with_header(&d, 0x80000, 10 * MiB, &l, err), 0);
	CHECK_EQ(ipa_addr(l.kernel_load), 0x70280000);
	CHECK_EQ(ipa_addr(l.dtb), 0x77e00000);
}

TEST(place_raw_binary)
{
	struct plan_domain d;
	struct kimage_layout l;
	char err[200];
	static const uint8_t raw[64] = {0x1f, 0x20, 0x03, 0xd5}; /* nop, no magic */

	domain(&d, 0x70000000, GUEST_RAM0_BASE, 16 * MiB);
	add_module(&d, PLAN_MODULE_KERNEL, MOD_BASE, 4096);
	CHECK_EQ(kimage_plan(&d, raw, sizeof(raw), 64 * KiB, &l, err, sizeof(err)), 0);
	CHECK(!l.info.is_image);
	CHECK_EQ(ipa_addr(l.kernel_load), GUEST_RAM0_BASE);
	CHECK_EQ(ipa_addr(l.kernel_entry), GUEST_RAM0_BASE);
	CHECK_EQ(ipa_addr(l.dtb), GUEST_RAM0_BASE + 14 * MiB);

	/* A 2 MiB domain: no 2 MiB boundary above the kernel, page-aligned DT. */
	domain(&d, 0x70000000, GUEST_RAM0_BASE, 2 * MiB);
	add_module(&d, PLAN_MODULE_KERNEL, MOD_BASE, 4096);
	CHECK_EQ(kimage_plan(&d, raw, sizeof(raw), 64 * KiB, &l, err, sizeof(err)), 0);
	CHECK_EQ(ipa_addr(l.dtb), GUEST_RAM0_BASE + 2 * MiB - 64 * KiB);
}

TEST(place_packed_banks)
{
	struct plan_domain d;
	struct kimage_layout l;
	char err[200];

	/* Two static banks packed back to back in guest space, listed high first. */
	domain(&d, 0x90000000, GUEST_RAM0_BASE + 16 * MiB, 48 * MiB);
	d.nr_banks = 2;
	d.banks[1] = (struct plan_bank){
	    .pa = pa_init(0x60000000), .ipa = ipa_init(GUEST_RAM0_BASE), .size = 16 * MiB};
	add_module(&d, PLAN_MODULE_KERNEL, MOD_BASE, 20 * MiB);
	/* 40 MiB only fits across both banks. */
	CHECK_EQ(plan_with_header(&d, 0, 40 * MiB, &l, err), 0);
	CHECK_EQ(ipa_addr(l.kernel_load), GUEST_RAM0_BASE);
	CHECK_EQ(ipa_addr(l.dtb), GUEST_RAM0_BASE + 62 * MiB);

	/* A gap between them: the first region is only 16 MiB. */
	d.banks[0].ipa = ipa_init(GUEST_RAM1_BASE);
	CHECK_EQ(plan_with_header(&d, 0, 40 * MiB, &l, err), -HV_ENOSPC);
	CHECK(strstr(err, "is too small") != NULL);
}

/* booting.rst: initrd and kernel within one 1 GiB aligned window of 32 GiB. */
TEST(initrd_window_in_huge_bank)
{
	struct plan_domain d;
	struct kimage_layout l;
	char err[200];

	domain(&d, 0x1000000000ull, GUEST_RAM1_BASE, 40 * GiB);
	add_module(&d, PLAN_MODULE_KERNEL, MOD_BASE, 30 * MiB);
	add_module(&d, PLAN_MODULE_RAMDISK, MOD_BASE + 32 * MiB, 8 * MiB);
	CHECK_EQ(plan_with_header(&d, 0, 40 * MiB, &l, err), 0);
	CHECK_EQ(ipa_addr(l.kernel_load), GUEST_RAM1_BASE);
	CHECK_EQ(ipa_addr(l.dtb), GUEST_RAM1_BASE + 40 * GiB - 2 * MiB);
	/* Below the DT would be 40 GiB away from the kernel: right after it instead. */
	CHECK_EQ(ipa_addr(l.initrd), GUEST_RAM1_BASE + 40 * MiB);

	d.banks[0].size = 32 * GiB;
	CHECK_EQ(plan_with_header(&d, 0, 40 * MiB, &l, err), 0);
	CHECK_EQ(ipa_addr(l.initrd), GUEST_RAM1_BASE + 32 * GiB - 2 * MiB - 8 * MiB);
}

TEST(refuse_what_does_not_fit)
{
	struct plan_domain d;
	struct kimage_layout l;
	char err[200];

	domain(&d, 0x70000000, GUEST_RAM0_BASE, 64 * MiB);
	add_module(&d, PLAN_MODULE_KERNEL, MOD_BASE, 1 * MiB);

	/* Huge image_size, including ones that would wrap an address. */
	CHECK_EQ(plan_with_header(&d, 0, 1ull << 63, &l, err), -HV_ENOSPC);
	CHECK(strstr(err, "/chosen/domU1/module@48000000: kernel needs") != NULL);
	CHECK_EQ(plan_with_header(&d, 0, ~0ull, &l, err), -HV_ENOSPC);
	CHECK_EQ(plan_with_header(&d, 0x1000, ~0ull - 0x800, &l, err), -HV_ENOSPC);
	/* Exactly no room left for the DT. */
	CHECK_EQ(plan_with_header(&d, 0, 64 * MiB - 64 * KiB + 1, &l, err), -HV_ENOSPC);
	CHECK(strstr(err, "no room for the device tree") != NULL);
	CHECK_EQ(plan_with_header(&d, 0, 64 * MiB - 64 * KiB, &l, err), 0);
	CHECK_EQ(ipa_addr(l.dtb), GUEST_RAM0_BASE + 64 * MiB - 64 * KiB);

	/* text_offset beyond RAM, or wrapping. */
	CHECK_EQ(plan_with_header(&d, 64 * MiB, 4096, &l, err), -HV_ENOSPC);
	CHECK(strstr(err, "text_offset 0x4000000 does not fit") != NULL);
	CHECK_EQ(plan_with_header(&d, ~0ull - 4095, 4096, &l, err), -HV_ENOSPC);

	/* Ramdisk too big for what is left. */
	add_module(&d, PLAN_MODULE_RAMDISK, MOD_BASE + 16 * MiB, 40 * MiB);
	CHECK_EQ(plan_with_header(&d, 0, 24 * MiB, &l, err), -HV_ENOSPC);
	CHECK(strstr(err, "/chosen/domU1/module@49000000: ramdisk of 0x2800000 bytes") != NULL);
	CHECK_EQ(plan_with_header(&d, 0, 20 * MiB, &l, err), 0);
}

TEST(refuse_bad_configuration)
{
	struct plan_domain d;
	struct kimage_layout l;
	char err[200];
	uint8_t h[64];
	make_header(h, 0, 4 * MiB, 0);

	domain(&d, 0x70000000, GUEST_RAM0_BASE, 64 * MiB);
	CHECK_EQ(kimage_plan(&d, h, 64, 64 * KiB, &l, err, sizeof(err)), -HV_ENOENT);
	CHECK(strstr(err, "/chosen/domU1: no multiboot,kernel") != NULL);

	/* A module inside the domain's own memory would not survive reboot. */
	add_module(&d, PLAN_MODULE_KERNEL, 0x70000000 + 32 * MiB, 1 * MiB);
	CHECK_EQ(kimage_plan(&d, h, 64, 64 * KiB, &l, err, sizeof(err)), -HV_EINVAL);
	CHECK(strstr(err, "lies inside the memory of /chosen/domU1") != NULL);
	d.modules[0].range.base = MOD_BASE;
	add_module(&d, PLAN_MODULE_RAMDISK, 0x70000000 + 64 * MiB - 1, 2);
	CHECK_EQ(kimage_plan(&d, h, 64, 64 * KiB, &l, err, sizeof(err)), -HV_EINVAL);
	d.modules[1].range.base = 0x70000000 + 64 * MiB;
	CHECK_EQ(kimage_plan(&d, h, 64, 64 * KiB, &l, err, sizeof(err)), 0);

	/* DT reservation: 8-byte multiple, at most 2 MiB, not empty. */
	CHECK_EQ(kimage_plan(&d, h, 64, 0, &l, err, sizeof(err)), -HV_EINVAL);
	CHECK_EQ(kimage_plan(&d, h, 64, 4100, &l, err, sizeof(err)), -HV_EINVAL);
	CHECK_EQ(kimage_plan(&d, h, 64, 2 * MiB + 8, &l, err, sizeof(err)), -HV_EINVAL);
	CHECK_EQ(kimage_plan(&d, h, 64, 2 * MiB, &l, err, sizeof(err)), 0);

	/* Empty or wrapping banks, or one ending exactly at 2^64. */
	d.banks[0].size = 0;
	CHECK_EQ(kimage_plan(&d, h, 64, 64 * KiB, &l, err, sizeof(err)), -HV_EINVAL);
	d.banks[0].ipa = ipa_init(0ull - 64 * MiB);
	d.banks[0].size = 64 * MiB;
	CHECK_EQ(kimage_plan(&d, h, 64, 64 * KiB, &l, err, sizeof(err)), -HV_EINVAL);
	CHECK(strstr(err, "/chosen/domU1: bank 0 is empty or wraps") != NULL);
	d.banks[0].size = 64 * MiB - 1; /* the very top of the address space works */
	CHECK_EQ(kimage_plan(&d, h, 64, 64 * KiB, &l, err, sizeof(err)), 0);
	CHECK_EQ(ipa_addr(l.kernel_load), 0ull - 64 * MiB);
	CHECK_EQ(ipa_addr(l.dtb), 0ull - 2 * MiB);
	CHECK(ipa_addr(l.initrd) >= ipa_addr(l.kernel_load) + 4 * MiB);
}

/*
 * The exact messages: plan_build() reports them as plan errors, so each
 * names the module the integrator must fix (its file or its domain's
 * memory) and gives guest addresses, ranges as 0xFIRST-0xLAST.
 */
TEST(messages_name_the_module)
{
	struct plan_domain d;
	struct kimage_layout l;
	char err[200];
	static const uint8_t raw[64] = {0x1f, 0x20, 0x03, 0xd5};

	domain(&d, 0x70000000, GUEST_RAM0_BASE, 64 * MiB);
	add_module(&d, PLAN_MODULE_KERNEL, MOD_BASE, 1 * MiB);
	CHECK_EQ(plan_with_header(&d, 0, 128 * MiB, &l, err), -HV_ENOSPC);
	CHECK(strcmp(err, "/chosen/domU1/module@48000000: kernel needs 0x8000000 bytes "
	                  "(image_size in its header) at guest 0x40000000; guest RAM "
	                  "0x40000000-0x43ffffff is too small") == 0);
	CHECK_EQ(plan_with_header(&d, 64 * MiB, 4096, &l, err), -HV_ENOSPC);
	CHECK(strcmp(err, "/chosen/domU1/module@48000000: kernel text_offset 0x4000000 does "
	                  "not fit in guest RAM 0x40000000-0x43ffffff") == 0);
	CHECK_EQ(plan_with_header(&d, 0, 64 * MiB - 64 * KiB + 1, &l, err), -HV_ENOSPC);
	CHECK(strcmp(err, "/chosen/domU1/module@48000000: no room for the device tree "
	                  "(0x10000 bytes) in guest RAM 0x40000000-0x43ffffff after the kernel "
	                  "(ends 0x43ff0001)") == 0);
	d.modules[0].range.size = 80 * MiB; /* a raw binary needs its own size */
	CHECK_EQ(kimage_plan(&d, raw, sizeof(raw), 64 * KiB, &l, err, sizeof(err)), -HV_ENOSPC);
	CHECK(strcmp(err, "/chosen/domU1/module@48000000: kernel needs 0x5000000 bytes (its reg "
	                  "size) at guest 0x40000000; guest RAM 0x40000000-0x43ffffff is too "
	                  "small") == 0);
	d.modules[0].range.size = 1 * MiB;
	add_module(&d, PLAN_MODULE_RAMDISK, MOD_BASE + 16 * MiB, 40 * MiB);
	CHECK_EQ(plan_with_header(&d, 0, 24 * MiB, &l, err), -HV_ENOSPC);
	CHECK(strcmp(err, "/chosen/domU1/module@49000000: ramdisk of 0x2800000 bytes does not "
	                  "fit in guest RAM 0x40000000-0x43ffffff between the kernel (ends "
	                  "0x41800000) and the device tree (0x10000 bytes)") == 0);

	/* 1 MiB of RAM between two 2 MiB boundaries: nowhere to put an Image. */
	domain(&d, 0x70100000, GUEST_RAM0_BASE + 1 * MiB, 1 * MiB);
	add_module(&d, PLAN_MODULE_KERNEL, MOD_BASE, 4096);
	CHECK_EQ(plan_with_header(&d, 0, 4096, &l, err), -HV_ENOSPC);
	CHECK(strcmp(err, "/chosen/domU1/module@48000000: no 2 MiB aligned base for the kernel "
	                  "in guest RAM 0x40100000-0x401fffff") == 0);

	/* RAM ending off an 8-byte boundary (kimage takes any bank) after an odd kernel. */
	domain(&d, 0x70000000, GUEST_RAM0_BASE, 2 * MiB + 3);
	add_module(&d, PLAN_MODULE_KERNEL, MOD_BASE, 2 * MiB - 64 * KiB + 1);
	CHECK_EQ(kimage_plan(&d, raw, sizeof(raw), 64 * KiB, &l, err, sizeof(err)), -HV_ENOSPC);
	CHECK(strcmp(err, "/chosen/domU1/module@48000000: no 8-byte aligned room for the device "
	                  "tree in guest RAM 0x40000000-0x40200002 after the kernel (ends "
	                  "0x401f0001)") == 0);

	/* Inside the domain's memory: the xen,static-mem entry, not the bank's index. */
	domain(&d, 0x70000000, GUEST_RAM0_BASE, 64 * MiB);
	d.nr_banks = 2;
	d.banks[1] = (struct plan_bank){.pa = pa_init(0x90000000),
	                                .ipa = ipa_init(GUEST_RAM0_BASE + 64 * MiB),
	                                .size = 16 * MiB,
	                                .index = 2};
	add_module(&d, PLAN_MODULE_KERNEL, 0x90100000, 1 * MiB);
	CHECK_EQ(plan_with_header(&d, 0, 4 * MiB, &l, err), -HV_EINVAL);
	CHECK(strcmp(err, "/chosen/domU1/module@90100000: reg 0x90100000-0x901fffff lies inside "
	                  "the memory of /chosen/domU1 (xen,static-mem[2]): it would be "
	                  "overwritten and could not be reloaded on reboot") == 0);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return as && bs && a < b + bs && b < a + as;
}

/* booting.rst's rules, checked on whatever kimage_plan() decides. */
TEST(random_layouts_obey_booting_rst)
{
	unsigned int placed = 0, refused = 0;
	for (int it = 0; it < 20000; it++) {
		struct plan_domain d;
		struct kimage_layout l;
		char err[200];
		uint8_t h[64];
		uint64_t bank = (rnd() % 512 + 1) * MiB + (rnd() % 4) * 4096 * (rnd() % 2);
		uint64_t ipa = GUEST_RAM0_BASE + (rnd() % 8) * MiB;
		domain(&d, 0x100000000ull, ipa, bank);
		uint64_t ksize = rnd() % (64 * MiB) + 1;
		add_module(&d, PLAN_MODULE_KERNEL, MOD_BASE, ksize);
		if (rnd() % 2)
			add_module(&d, PLAN_MODULE_RAMDISK, 0x400000000ull,
			           rnd() % (128 * MiB) + 1);
		uint64_t text = (rnd() % 3) == 0 ? 0 : (rnd() % 64) * 4096;
		uint64_t isize = (rnd() % 4) == 0 ? 0 : ksize + rnd() % (32 * MiB);
		bool raw = rnd() % 5 == 0;
		make_header(h, text, isize, 0xa);
		if (raw)
			h[0x38] = 0;
		uint64_t dtbmax = ((rnd() % (2 * MiB)) / 8 + 1) * 8;
		int r = kimage_plan(&d, h, 64, dtbmax, &l, err, sizeof(err));
		/* Feasibility by the rules alone: the kernel's place is forced, then
		 * the ramdisk (page aligned) and the DT (8-byte aligned) must fit
		 * above it. */
		uint64_t t0 = raw ? 0 : isize == 0 ? 0x80000 : text;
		uint64_t k0 = raw ? ipa : ((ipa + 2 * MiB - 1) & ~(2 * MiB - 1)) + t0;
		uint64_t s0 = (!raw && isize > ksize) ? isize : ksize;
		uint64_t r0 = d.nr_modules > 1 ? d.modules[1].range.size : 0;
		bool feasible =
		    k0 + s0 <= ipa + bank && ipa + bank - (k0 + s0) >= dtbmax &&
		    ((ipa + bank - dtbmax) & ~7ull) >= k0 + s0 &&
		    ((k0 + s0 + 4095) & ~4095ull) + r0 <= ((ipa + bank - dtbmax) & ~7ull);
		CHECK_EQ(r == 0, feasible);
		if (r != 0) {
			CHECK_EQ(r, -HV_ENOSPC);
			refused++;
			continue;
		}
		placed++;
		uint64_t k = ipa_addr(l.kernel_load), ks = l.kernel_span;
		uint64_t end = ipa + bank;
		/* Kernel: in RAM, at 2 MiB base + text_offset, or the RAM base if raw. */
		CHECK(k >= ipa && k + ks <= end && ks >= ksize);
		CHECK_EQ(ipa_addr(l.kernel_entry), k);
		if (raw) {
			CHECK_EQ(k, ipa);
		} else {
			uint64_t t = isize == 0 ? 0x80000 : text;
			CHECK_EQ((k - t) % (2 * MiB), 0);
			CHECK(k - t < ipa + 2 * MiB); /* as low as possible */
			if (isize > ksize)
				CHECK_EQ(ks, isize);
		}
		/* DT: 8-byte aligned, at most 2 MiB, in RAM, clear of the kernel. */
		uint64_t t = ipa_addr(l.dtb);
		CHECK_EQ(t % 8, 0);
		CHECK(l.dtb_max == dtbmax && dtbmax <= 2 * MiB);
		CHECK(t >= ipa && t + dtbmax <= end);
		CHECK(!overlap(t, dtbmax, k, ks));
		/* initrd: in RAM, clear of both, same 1 GiB aligned 32 GiB window. */
		if (d.nr_modules > 1) {
			uint64_t i = ipa_addr(l.initrd), is = l.initrd_size;
			CHECK_EQ(is, d.modules[1].range.size);
			CHECK(i >= ipa && i + is <= end);
			CHECK(!overlap(i, is, k, ks));
			CHECK(!overlap(i, is, t, dtbmax));
			uint64_t lo = (i < k ? i : k) & ~(GiB - 1);
			uint64_t hi = (i + is > k + ks) ? i + is : k + ks;
			CHECK(hi - lo <= 32 * GiB);
		} else {
			CHECK_EQ(l.initrd_size, 0);
		}
	}
	printf("  %u placed, %u refused\n", placed, refused);
	CHECK(placed > 1000 && refused > 100);
}

/* ---- loading into simulated RAM ---- */

struct guest {
	const struct plan_domain *d;
	uint64_t chunk; /* hand out at most this much per call, to exercise the loop */
};

static void *guest_map(void *ctx, ipa_t ipa, uint64_t *len)
{
	const struct guest *g = ctx;
	uint64_t a = ipa_addr(ipa);
	for (unsigned int i = 0; i < g->d->nr_banks; i++) {
		const struct plan_bank *b = &g->d->banks[i];
		uint64_t off = a - ipa_addr(b->ipa);
		if (a >= ipa_addr(b->ipa) && off < b->size) {
			uint64_t n = b->size - off;
			if (g->chunk && n > g->chunk - (a % g->chunk))
				n = g->chunk - (a % g->chunk); /* stop at a "page" boundary */
			if (n < *len)
				*len = n;
			return arch_phys_to_virt(pa_add(b->pa, off));
		}
	}
	return NULL;
}

static uint8_t pattern(uint64_t salt, uint64_t i)
{
	return (uint8_t)((i * 2654435761u) >> 13 ^ salt);
}

/* Read guest memory back through the host's own view of physical memory. */
static bool guest_has(const struct plan_domain *d, uint64_t ipa, uint64_t salt, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++) {
		uint64_t a = ipa + i;
		const uint8_t *p = NULL;
		for (unsigned int b = 0; b < d->nr_banks; b++)
			if (a >= ipa_addr(d->banks[b].ipa) &&
			    a - ipa_addr(d->banks[b].ipa) < d->banks[b].size)
				p = arch_phys_to_virt(
				    pa_add(d->banks[b].pa, a - ipa_addr(d->banks[b].ipa)));
		if (p == NULL || *p != pattern(salt, i)) {
			printf("  byte %llu at 0x%llx differs\n", (unsigned long long)i,
			       (unsigned long long)a);
			return false;
		}
	}
	return true;
}

TEST(load_and_reload)
{
	struct plan_domain d;
	struct kimage_layout l;
	char err[200];
	const uint64_t ksize = 3 * MiB + 77, rsize = 1 * MiB + 5;

	host_ram_reset();
	uint8_t *mods = host_ram_add(MOD_BASE, 16 * MiB);
	/* Guest RAM: two banks packed in guest space, swapped in host space. */
	uint8_t *hi = host_ram_add(0x60000000, 2 * MiB);
	uint8_t *lo = host_ram_add(0x50000000, 6 * MiB);
	CHECK(mods != NULL && hi != NULL && lo != NULL);
	domain(&d, 0x60000000, GUEST_RAM0_BASE, 2 * MiB);
	d.nr_banks = 2;
	d.banks[1] = (struct plan_bank){
	    .pa = pa_init(0x50000000), .ipa = ipa_init(GUEST_RAM0_BASE + 2 * MiB), .size = 6 * MiB};
	add_module(&d, PLAN_MODULE_KERNEL, MOD_BASE, ksize);
	add_module(&d, PLAN_MODULE_RAMDISK, MOD_BASE + 8 * MiB, rsize);
	for (uint64_t i = 0; i < ksize; i++)
		mods[i] = pattern(1, i);
	for (uint64_t i = 0; i < rsize; i++)
		mods[8 * MiB + i] = pattern(2, i);
	make_header(mods, 0, ksize + 4096, 0xa);
	CHECK_EQ(kimage_plan(&d, mods, ksize, 64 * KiB, &l, err, sizeof(err)), 0);
	uint8_t dtb[4000];
	for (size_t i = 0; i < sizeof(dtb); i++)
		dtb[i] = pattern(3, i);

	struct guest g = {.d = &d, .chunk = 4096};
	for (int boot = 0; boot < 2; boot++) {
		CHECK_EQ(kimage_load(&l, dtb, sizeof(dtb), guest_map, &g), 0);
		/* Kernel, header included, crosses from one host bank to the other. */
		CHECK(ipa_addr(l.kernel_load) + ksize > GUEST_RAM0_BASE + 2 * MiB);
		uint8_t *kdst = hi + (ipa_addr(l.kernel_load) - GUEST_RAM0_BASE);
		CHECK(memcmp(kdst, mods, 2 * MiB) == 0);
		CHECK(memcmp(lo, mods + 2 * MiB, ksize - 2 * MiB) == 0);
		uint64_t io = ipa_addr(l.initrd) - GUEST_RAM0_BASE - 2 * MiB;
		CHECK(memcmp(lo + io, mods + 8 * MiB, rsize) == 0);
		CHECK(guest_has(&d, ipa_addr(l.initrd), 2, rsize));
		CHECK(guest_has(&d, ipa_addr(l.dtb), 3, sizeof(dtb)));
		/* "Reboot": the domain's memory is scrubbed, the modules are intact. */
		arch_scrub(pa_init(0x60000000), 2 * MiB);
		arch_scrub(pa_init(0x50000000), 6 * MiB);
		CHECK(lo[io] == 0 && kdst[0] == 0);
		for (uint64_t i = 64; i < ksize; i += 4099)
			CHECK_EQ(mods[i], pattern(1, i));
	}
	host_ram_reset();
}

TEST(load_errors)
{
	struct plan_domain d;
	struct kimage_layout l;
	char err[200];
	uint8_t h[64];

	host_ram_reset();
	uint8_t *mods = host_ram_add(MOD_BASE, 1 * MiB);
	CHECK(host_ram_add(0x60000000, 4 * MiB) != NULL);
	domain(&d, 0x60000000, GUEST_RAM0_BASE, 4 * MiB);
	add_module(&d, PLAN_MODULE_KERNEL, MOD_BASE, 4096);
	make_header(h, 0, 8192, 0);
	memcpy(mods, h, 64);
	CHECK_EQ(kimage_plan(&d, h, 64, 4096, &l, err, sizeof(err)), 0);
	struct guest g = {.d = &d};
	uint8_t dtb[4104] = {0};
	CHECK_EQ(kimage_load(&l, dtb, 4104, guest_map, &g), -HV_ENOSPC);
	CHECK_EQ(kimage_load(&l, dtb, 4096, guest_map, &g), 0);
	/* A destination the map does not cover. */
	CHECK_EQ(kimage_copy_in(guest_map, &g, ipa_init(GUEST_RAM0_BASE + 4 * MiB - 8), dtb, 16),
	         -HV_EFAULT);
	CHECK_EQ(kimage_copy_in(guest_map, &g, ipa_init(~0ull - 3), dtb, 16), -HV_EFAULT);
	CHECK_EQ(kimage_copy_in(guest_map, &g, ipa_init(0), dtb, 0), 0);
	host_ram_reset();
}

int main(void)
{
	RUN(parse_headers);
	RUN(place_linux_xen_layout);
	RUN(place_direct_map_unaligned_bank);
	RUN(place_raw_binary);
	RUN(place_packed_banks);
	RUN(initrd_window_in_huge_bank);
	RUN(refuse_what_does_not_fit);
	RUN(refuse_bad_configuration);
	RUN(messages_name_the_module);
	RUN(random_layouts_obey_booting_rst);
	RUN(load_and_reload);
	RUN(load_errors);
	return tl_finish();
}
