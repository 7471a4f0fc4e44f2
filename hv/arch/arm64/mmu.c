// SPDX-License-Identifier: Apache-2.0
/*
 * The hypervisor's own stage-1 translation (EL2, 4 KiB granule, 39-bit
 * VA, start level 1). Everything is identity mapped, so
 * arch_phys_to_virt() is the identity:
 *   - the image page by page: text RX, rodata R, data/bss RW XN;
 *   - RAM (from the plan) RW XN, with the largest blocks possible;
 *   - the first GiB (QEMU virt's devices) Device-nGnRE XN.
 * SCTLR_EL2.WXN makes every writable mapping non-executable regardless.
 * Tables come from a small static pool: a few GiB of RAM need a handful.
 */
#include "arm64.h"
#include "core/arch.h"

#define PTE_VALID   (1ull << 0)
#define PTE_TABLE   (1ull << 1) /* also "page" at level 3 */
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_AP_RES1 (1ull << 6) /* EL2 regime: AP[1] is RES1 */
#define PTE_AP_RO   (1ull << 7)
#define PTE_SH_IS   (3ull << 8)
#define PTE_AF      (1ull << 10)
#define PTE_XN      (1ull << 54)
#define PTE_ADDR    0x0000fffffffff000ull

#define MAIR_DEVICE 0 /* attr0: Device-nGnRE */
#define MAIR_NORMAL 1 /* attr1: Normal, write-back read/write-allocate */
#define MAIR_VALUE  (0x04ull | (0xffull << 8))

#define ATTR_DEVICE (PTE_ATTR(MAIR_DEVICE) | PTE_AP_RES1 | PTE_AF | PTE_XN)
#define ATTR_RW     (PTE_ATTR(MAIR_NORMAL) | PTE_AP_RES1 | PTE_SH_IS | PTE_AF | PTE_XN)
#define ATTR_RO     (ATTR_RW | PTE_AP_RO)
#define ATTR_RX     (PTE_ATTR(MAIR_NORMAL) | PTE_AP_RES1 | PTE_AP_RO | PTE_SH_IS | PTE_AF)

#define VA_BITS   39
#define POOL_SIZE 32

static uint64_t pt_pool[POOL_SIZE][512] __attribute__((aligned(4096)));
static unsigned int pt_used = 1; /* pt_pool[0] is the level-1 root */

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __image_end[];

static uint64_t *table_alloc(void)
{
	if (pt_used == POOL_SIZE)
		arch_panic("EL2 page table pool exhausted");
	return pt_pool[pt_used++];
}

/*
 * Map [va, va+size) to pa with @attrs, using blocks where alignment
 * allows. Entries that are already valid leaves are left alone, so that
 * mapping all of RAM later keeps the image's finer permissions; new
 * entries only replace invalid ones (no break-before-make needed).
 */
static void map_level(uint64_t *table, unsigned int level, uint64_t va, uint64_t pa, uint64_t size,
                      uint64_t attrs)
{
	unsigned int shift = 39 - 9 * level; /* level 1: 30, 2: 21, 3: 12 */
	uint64_t block = 1ull << shift;

	if (level == 3) { /* pages: the common case of a split 2 MiB, kept tight */
		uint64_t *e = &table[(va >> 12) & 511], *end = e + (size >> 12);
		for (; e < end; e++, pa += PAGE_SIZE)
			if (!(*e & PTE_VALID))
				*e = pa | attrs | PTE_VALID | PTE_TABLE;
		return;
	}

	while (size) {
		uint64_t *e = &table[(va >> shift) & 511];
		uint64_t chunk = block - (va & (block - 1));

		if (chunk > size)
			chunk = size;
		bool is_table = (*e & (PTE_VALID | PTE_TABLE)) == (PTE_VALID | PTE_TABLE);

		if (!is_table && chunk == block && is_aligned(pa, block)) {
			if (!(*e & PTE_VALID))
				*e = pa | attrs | PTE_VALID;
		} else {
			if (!(*e & PTE_VALID)) {
				uint64_t *next = table_alloc();
				*e = (uint64_t)(uintptr_t)next | PTE_TABLE | PTE_VALID;
			}
			/* A valid block covering this range already maps it. */
			if (*e & PTE_TABLE)
				map_level((uint64_t *)(uintptr_t)(*e & PTE_ADDR), level + 1, va, pa,
				          chunk, attrs);
		}
		va += chunk;
		pa += chunk;
		size -= chunk;
	}
}

static void map_identity(uint64_t pa, uint64_t size, uint64_t attrs)
{
	uint64_t end = align_up(pa + size, PAGE_SIZE);

	pa = align_down(pa, PAGE_SIZE);
	if (end > (1ull << VA_BITS))
		arch_panic("address beyond the EL2 VA space");
	map_level(pt_pool[0], 1, pa, pa, end - pa, attrs);
}

void mmu_map_boot(uint64_t dtb_pa, uint64_t dtb_size)
{
	uint64_t text = (uintptr_t)__text_start, rodata = (uintptr_t)__rodata_start;
	uint64_t data = (uintptr_t)__data_start, end = (uintptr_t)__image_end;

	map_identity(text, (uintptr_t)__text_end - text, ATTR_RX);
	map_identity(rodata, (uintptr_t)__rodata_end - rodata, ATTR_RO);
	map_identity(data, end - data, ATTR_RW);
	map_identity(dtb_pa, dtb_size, ATTR_RO);
	map_identity(0, 1ull << 30, ATTR_DEVICE); /* virt: flash, GIC, UART, ... */
}

bool mmu_map_ro(uint64_t base, uint64_t size)
{
	if (!size || base + size < base || base + size > (1ull << VA_BITS))
		return false;
	map_identity(base, size, ATTR_RO);
	dsb(ishst);
	__asm__ volatile("tlbi alle2\n dsb ish\n isb" ::: "memory");
	return true;
}

void mmu_map_ram(const struct plan *plan)
{
	for (unsigned int i = 0; i < plan->nr_ram; i++)
		map_identity(plan->ram[i].base, plan->ram[i].size, ATTR_RW);
	dsb(ishst);
	__asm__ volatile("tlbi alle2\n dsb ish\n isb" ::: "memory");
}

unsigned int mmu_pa_bits(void)
{
	static const unsigned char bits[] = {32, 36, 40, 42, 44, 48, 52};
	unsigned int r = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	return r < sizeof(bits) ? bits[r] : 48;
}

void mmu_enable(void)
{
	uint64_t ps = read_sysreg(id_aa64mmfr0_el1) & 7;
	uint64_t tcr = (64 - VA_BITS) | (1ull << 8) | (1ull << 10) | (3ull << 12) | (ps << 16) |
	               (1ull << 23) | (1ull << 31);

	if (ps > 5)
		tcr = (tcr & ~(7ull << 16)) | (5ull << 16);
	write_sysreg(mair_el2, MAIR_VALUE);
	write_sysreg(tcr_el2, tcr);
	write_sysreg(ttbr0_el2, (uintptr_t)pt_pool[0]);
	dsb(sy);
	__asm__ volatile("tlbi alle2\n dsb ish\n isb" ::: "memory");
	write_sysreg(sctlr_el2,
	             SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I | SCTLR_WXN);
	isb();
}
