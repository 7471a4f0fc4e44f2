/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where a domain's kernel, device tree and ramdisk go in its RAM, and
 * copying them there.
 *
 * The kernel module is either an arm64 Linux Image (64-byte header, magic
 * "ARM\x64" at offset 0x38, per the kernel's Documentation/arm64/
 * booting.rst) or a raw binary entered at its first byte. The boot
 * protocol's rules applied here:
 *   - the Image goes text_offset bytes above a 2 MiB aligned base, and
 *     image_size bytes from there must be free (image_size 0: a pre-3.17
 *     kernel, text_offset is then 0x80000);
 *   - the DT is 8-byte aligned and at most 2 MiB;
 *   - the initrd lies with the kernel in one 1 GiB aligned window of at
 *     most 32 GiB.
 * A raw binary is loaded at the base of guest RAM.
 *
 * Placement: the kernel as low as it may go in the first RAM region (the
 * lowest bank, extended by banks that follow it without a gap in guest
 * space), the DT at the highest 2 MiB boundary that leaves it room below
 * the region's end, the ramdisk just below the DT, page aligned.
 *
 * Reboot: modules stay where the boot loader put them (outside the
 * domain's memory, checked), so kimage_load() simply runs again on the
 * scrubbed memory.
 */
#ifndef BULKHEAD_CORE_KIMAGE_H
#define BULKHEAD_CORE_KIMAGE_H

#include "plan.h"

#define KIMAGE_HEADER_SIZE        64u
#define KIMAGE_MAGIC              0x644d5241u  /* "ARM\x64", little endian, at 0x38 */
#define KIMAGE_LEGACY_TEXT_OFFSET 0x80000ull   /* when image_size is 0 */
#define KIMAGE_DTB_MAX            (2ull * MiB) /* booting.rst: at most 2 MiB */
#define KIMAGE_KERNEL_ALIGN       (2ull * MiB)
/*
 * Bytes reserved for a guest DT: the hypervisor builds it in a buffer of
 * this size and plan_build() places kernels with the same reservation, so
 * the checker and the boot agree on what fits.
 */
#define KIMAGE_GUEST_DT_MAX (64u * 1024u)

/* flags, bit 0: big-endian kernel; bits 1-2: page size; bit 3: base anywhere. */
#define KIMAGE_FLAG_BE 1ull

/** What the kernel module's first bytes say. */
struct kimage_info {
	bool is_image;        /* arm64 Image header found; else a raw binary */
	uint64_t text_offset; /* effective (0x80000 for a legacy header) */
	uint64_t image_size;  /* from the header; 0 when legacy or raw */
	uint64_t flags;
};

/** Where everything goes in guest RAM; all addresses guest-physical. */
struct kimage_layout {
	ipa_t kernel_entry;   /* first instruction: x0 = dtb there */
	ipa_t kernel_load;    /* where the module's bytes are copied */
	uint64_t kernel_size; /* bytes copied (the module's size) */
	uint64_t kernel_span; /* bytes the kernel may use from kernel_load */
	ipa_t dtb;
	uint64_t dtb_max; /* bytes reserved for the DT at dtb */
	ipa_t initrd;
	uint64_t initrd_size; /* 0: no ramdisk */
	/* Host-physical sources, from the plan's modules. */
	pa_t kernel_src, initrd_src;
	struct kimage_info info;
};

/**
 * kimage_parse() - read the arm64 Image header, if any.
 * @head: the first bytes of the kernel module.
 * @len:  how many bytes @head holds (the module's size if smaller than 64).
 * @info: filled in.
 *
 * A module shorter than 64 bytes or without the magic is a raw binary.
 * Nothing is refused here: whether text_offset and image_size fit the
 * domain's RAM is kimage_plan()'s question.
 */
void kimage_parse(const void *head, size_t len, struct kimage_info *info);

/**
 * kimage_plan() - decide where a domain's kernel, DT and ramdisk go.
 * @d:        the domain: banks (ipa, pa, size), modules, node for messages.
 * @head:     the kernel module's first bytes (from its host address).
 * @head_len: bytes at @head (at least min(64, kernel module size)).
 * @dtb_max:  bytes to reserve for the guest DT (8-byte multiple, <= 2 MiB).
 * @l:        filled in.
 * @err:      receives a one-line reason; may be NULL. It starts with the
 *            module node (e.g. /chosen/domU1/module@49000000) when a module
 *            does not fit or is misplaced, else with the domain node.
 *
 * Return: 0; -HV_ENOENT when the domain has no kernel module; -HV_EINVAL
 * for a bad header, a module that lies inside the domain's own memory
 * (it would not survive a reboot) or one that does not fit; -HV_ENOSPC
 * when kernel, ramdisk and DT do not all fit in the first RAM region.
 *
 * plan_build() runs it too, with KIMAGE_GUEST_DT_MAX, on every domain of
 * a valid plan (plan_check.c): `bulkhead check` refuses what would not fit.
 */
int kimage_plan(const struct plan_domain *d, const void *head, size_t head_len, uint64_t dtb_max,
                struct kimage_layout *l, char *err, size_t err_size);

/**
 * typedef kimage_map_fn - guest-physical to hypervisor pointer.
 * @ctx: the caller's context (the domain's p2m, or a test's RAM).
 * @ipa: a guest address.
 * @len: in: bytes wanted; out: bytes contiguous in the hypervisor's view
 *       from the returned pointer (at least 1, at most the input).
 *
 * Return: a pointer, or NULL when @ipa is not the domain's RAM.
 */
typedef void *(*kimage_map_fn)(void *ctx, ipa_t ipa, uint64_t *len);

/**
 * kimage_copy_in() - copy @len bytes from @src to guest address @ipa.
 * Follows the mapping across non-contiguous host pages.
 * Return: 0, or -HV_EFAULT when part of the range is not mapped.
 */
int kimage_copy_in(kimage_map_fn map, void *ctx, ipa_t ipa, const void *src, uint64_t len);

/**
 * kimage_load() - copy the kernel, the ramdisk and the guest DT in place.
 * @l:       from kimage_plan().
 * @dtb:     the guest DT built by guestdt_build(); @dtb_size its size.
 * @map:     guest address translation, @ctx its context.
 *
 * Reads the modules at their host-physical addresses (arch_phys_to_virt),
 * which nothing else writes: calling it again after the domain's memory
 * was scrubbed loads the same domain again (reboot).
 * Return: 0; -HV_ENOSPC when the DT is larger than l->dtb_max;
 * -HV_EFAULT when a destination is not mapped.
 */
int kimage_load(const struct kimage_layout *l, const void *dtb, size_t dtb_size, kimage_map_fn map,
                void *ctx);

#endif
