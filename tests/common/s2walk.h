/* SPDX-License-Identifier: Apache-2.0 */
/*
 * s2walk: a software stage-2 table walker, the test oracle for p2m.
 *
 * Written from the Arm ARM (VMSAv8-64 stage 2, 4 KiB granule, no LPA2),
 * sharing no code with hv/core/p2m.c: it decodes the VTCR_EL2 and
 * VTTBR_EL2 values as the hardware would, reads raw descriptors from
 * simulated memory (arch_phys_to_virt) and reports what the guest would
 * see. It is stricter than the hardware: any bit p2m is not meant to set
 * (RES0, ignored or software bits, the contiguous hint) makes the
 * descriptor "bad", as do encodings the architecture reserves (a block
 * at level 0, 0b01 at level 3).
 */
#ifndef BULKHEAD_TESTS_S2WALK_H
#define BULKHEAD_TESTS_S2WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum s2w_status {
	S2W_OK,
	S2W_BAD_REGS,     /* VTCR/VTTBR inconsistent or unsupported */
	S2W_OUT_OF_RANGE, /* IPA beyond 2^(64-T0SZ): translation fault */
	S2W_FAULT,        /* invalid descriptor: translation fault */
	S2W_RESERVED,     /* reserved descriptor encoding */
	S2W_ADDR_SIZE,    /* table or output address beyond VTCR.PS */
	S2W_BAD_BITS,     /* a bit p2m never sets is set */
};

/** What a leaf grants, classified by its complete attribute set. */
enum s2w_kind {
	S2W_NORMAL_RW, /* MemAttr 0b1111, S2AP RW, inner shareable, AF, executable */
	S2W_DEVICE_RW, /* MemAttr 0b0001 (Device-nGnRE), S2AP RW, AF, XN */
	S2W_OTHER,     /* anything else */
};

/** The translation regime as decoded from the registers. */
struct s2w_regs {
	uint64_t root;               /* VTTBR_EL2.BADDR */
	unsigned int vmid;           /* VTTBR_EL2.VMID (8 bits) */
	unsigned int ipa_bits;       /* 64 - T0SZ */
	unsigned int pa_bits;        /* VTCR.PS decoded */
	unsigned int start_level;    /* from SL0 */
	unsigned int root_pages;     /* concatenated tables at the start level */
	unsigned int irgn, orgn, sh; /* walk attributes */
};

struct s2w_result {
	enum s2w_status status;
	unsigned int level; /* of the leaf, or of the descriptor that failed */
	uint64_t pa;        /* the translation of the IPA */
	uint64_t size;      /* bytes the leaf maps */
	unsigned int memattr, s2ap, sh;
	bool af, xn;
	enum s2w_kind kind;
};

/** A maximal run of leaves contiguous in IPA and PA with the same kind. */
struct s2w_range {
	uint64_t ipa, pa, size;
	enum s2w_kind kind;
};

struct s2w_stats {
	uint64_t tables;        /* table pages reached, root pages included */
	uint64_t empty_tables;  /* non-root tables without a valid entry */
	uint64_t bad;           /* descriptors that are reserved, bad or out of PS */
	uint64_t leaves[4];     /* valid leaves per level */
	uint64_t shared_tables; /* table pages reached more than once */
	uint64_t self_mapped;   /* table pages inside some leaf's output: the guest could
	                           rewrite its own translation */
};

/** Decode VTCR_EL2 and VTTBR_EL2. Return: S2W_OK or S2W_BAD_REGS. */
enum s2w_status s2w_decode(uint64_t vtcr, uint64_t vttbr, struct s2w_regs *regs);

/** Translate @ipa as the hardware would. */
struct s2w_result s2walk(uint64_t vtcr, uint64_t vttbr, uint64_t ipa);

/**
 * s2walk_ranges() - every valid leaf, merged into maximal ranges.
 * Writes up to @cap ranges in IPA order to @out (may be NULL when @cap is
 * 0), sets *count to the number found and fills *stats.
 * Return: S2W_OK or S2W_BAD_REGS.
 */
enum s2w_status s2walk_ranges(uint64_t vtcr, uint64_t vttbr, struct s2w_range *out, size_t cap,
                              size_t *count, struct s2w_stats *stats);

#endif
