/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stage-2 translation tables (guest-physical to host-physical), Armv8-A
 * VMSAv8-64, 4 KiB granule.
 *
 * One struct p2m per domain. Mappings use the largest block that the
 * alignment of both addresses and the remaining size allow (1 GiB, 2 MiB,
 * then 4 KiB pages); unmapping part of a block splits it. Table pages come
 * from the page source given at init (the hypervisor's buddy heap) and all
 * go back to it on p2m_destroy().
 */
#ifndef BULKHEAD_CORE_P2M_H
#define BULKHEAD_CORE_P2M_H

#include "types.h"

/** What a stage-2 mapping is: it decides memory attributes and access. */
enum p2m_type {
	P2M_RAM_RW,    /* Normal memory, inner/outer write-back, read/write/exec */
	P2M_DEVICE_RW, /* Device-nGnRE, read/write, never executable */
};

/** Where table pages come from and go back to. */
struct p2m_page_source {
	/*
	 * Return 0 and 2^order contiguous pages aligned to their size (p2m
	 * zeroes them), or -HV_ENOMEM. Order > 0 only for a concatenated root.
	 */
	int (*alloc)(void *ctx, unsigned int order, pa_t *pages);
	void (*free)(void *ctx, pa_t pages, unsigned int order);
	void *ctx;
};

struct p2m {
	pa_t root;                /* first page of the (possibly concatenated) root */
	unsigned int ipa_bits;    /* size of the guest-physical space */
	unsigned int start_level; /* 0, 1 or 2 */
	unsigned int root_pages;  /* concatenated root tables, 1..16 */
	uint16_t vmid;
	uint64_t table_pages; /* table pages held, root included */
	struct p2m_page_source src;
};

/**
 * p2m_init() - set up an empty stage-2 for a guest.
 * @p2m:      the structure to fill.
 * @ipa_bits: guest-physical address size, 32..48 bits.
 * @vmid:     the VMID that tags this guest's TLB entries, 0..255 (8-bit
 *            VMIDs: VTCR_EL2.VS = 0).
 * @src:      source of table pages.
 *
 * Chooses the start level and the number of concatenated root tables so
 * that the walk is as short as possible (at most 16 root pages, as the
 * architecture allows): 32..34 bits start at level 2 (4..16 root pages),
 * 35..43 at level 1 (1..16), 44..48 at level 0 (1). Return: 0,
 * -HV_EINVAL for an unsupported size or VMID, -HV_ENOMEM.
 */
int p2m_init(struct p2m *p2m, unsigned int ipa_bits, uint16_t vmid,
             const struct p2m_page_source *src);

/**
 * p2m_destroy() - free every table page, root included.
 * Mapped memory itself is not touched. Flushes the guest's TLB entries
 * before any page goes back. No vCPU of the guest may run meanwhile.
 * The p2m must be initialised again before further use.
 */
void p2m_destroy(struct p2m *p2m);

/**
 * p2m_map_range() - map [ipa, ipa+size) to [pa, pa+size).
 *
 * All three must be 4 KiB aligned, the range inside the IPA space and
 * [pa, pa+size) below 2^48. Nothing in the range may be mapped already;
 * ranges are not merged with their neighbours. Only invalid entries are
 * filled, so success needs no TLB flush. On any failure (including
 * -HV_ENOMEM half way) nothing is left mapped and no table page leaks.
 * Return: 0, -HV_EINVAL, -HV_EEXIST, -HV_ENOMEM.
 */
int p2m_map_range(struct p2m *p2m, ipa_t ipa, pa_t pa, uint64_t size, enum p2m_type type);

/**
 * p2m_unmap_range() - remove every mapping in [ipa, ipa+size).
 *
 * Blocks that straddle the range edge are split so that the part outside
 * stays mapped; holes inside the range are fine. Tables left empty go back
 * to the page source, after the guest's TLB is flushed (it is whenever a
 * valid entry was removed or changed).
 * Return: 0, -HV_EINVAL (misaligned or outside the IPA space), -HV_ENOMEM
 * (a split needed a page; nothing changed).
 */
int p2m_unmap_range(struct p2m *p2m, ipa_t ipa, uint64_t size);

/**
 * p2m_lookup() - translate one guest-physical address.
 * Return: true and *pa (and *type if not NULL) when mapped.
 */
bool p2m_lookup(const struct p2m *p2m, ipa_t ipa, pa_t *pa, enum p2m_type *type);

/**
 * p2m_vtcr() - the VTCR_EL2 value for this table.
 * @pa_range_bits: the CPU's physical address size (ID_AA64MMFR0_EL1.PARange
 *                 decoded); PS is the largest encoding not above it, at
 *                 most 48 bits. The IPA size must not exceed it.
 *
 * T0SZ and SL0 from the IPA size, 4 KiB granule, table walks inner
 * shareable and write-back cacheable, 8-bit VMIDs, RES1 bit 31 set.
 */
uint64_t p2m_vtcr(const struct p2m *p2m, unsigned int pa_range_bits);

/** p2m_vttbr() - the VTTBR_EL2 value: VMID in [55:48], root address, CnP clear. */
uint64_t p2m_vttbr(const struct p2m *p2m);

#endif
