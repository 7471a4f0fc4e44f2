// SPDX-License-Identifier: Apache-2.0
/*
 * Memory-core benchmark: instruction counts of domain create/destroy,
 * scrubbing and ballooning, and metadata size.
 *
 * Run plainly, it prints the deterministic figures that need no counter
 * (metadata bytes). Run as `bench_mm --callgrind` under
 * `valgrind --tool=callgrind --collect-atstart=no` (bench/mm.sh does),
 * it collects only around the measured calls and dumps one callgrind
 * profile per region, named after it; bench/mm.sh turns them into
 * BENCH lines. Instruction counts are exact and repeatable, unlike time
 * on a shared machine.
 *
 * Board: QEMU virt style, a 256 MiB RAM bank at 0x40000000 for the heap
 * and a second bank at 0x80000000 holding one direct-mapped static domain
 * of 256 MiB .. 16 GiB (1 GiB aligned, as an integrator would place it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#include "../hv/core/dommem.h"
#include "../hv/core/guestmem.h"
#include "../hv/core/memop.h"
#include "../hv/core/staticmem.h"
#include "../hv/host/host_arch.h"

#define HEAP_BASE   0x40000000ull
#define HEAP_SIZE   (256 * MiB)
#define STATIC_BASE 0x80000000ull

static struct plan plan;
static struct mm mm;
static struct domain_mem dm;
static bool measure;

static void die(const char *what, long rc)
{
	fprintf(stderr, "bench_mm: %s: %ld\n", what, rc);
	exit(1);
}

static void board(uint64_t static_size)
{
	host_ram_reset();
	memset(&plan, 0, sizeof(plan));
	memset(&dm, 0, sizeof(dm));
	plan.nr_ram = 2;
	plan.ram[0] = (struct plan_range){HEAP_BASE, HEAP_SIZE};
	plan.ram[1] = (struct plan_range){STATIC_BASE, static_size};
	if (!host_ram_add(HEAP_BASE, HEAP_SIZE) || !host_ram_add(STATIC_BASE, static_size))
		die("host_ram_add", 0);
	struct plan_domain *d = &plan.domains[plan.nr_domains++];
	snprintf(d->node, sizeof(d->node), "/chosen/domU1");
	d->direct_map = true;
	d->is_static = true;
	d->nr_banks = 1;
	d->banks[0] = (struct plan_bank){.pa = pa_init(STATIC_BASE),
	                                 .ipa = ipa_from_pa_direct(pa_init(STATIC_BASE)),
	                                 .size = static_size};
	d->memory_kib = static_size / KiB;
	int rc = mm_init(&mm, &plan);
	if (rc)
		die(mm.error, rc);
}

/* Collect instructions only between on() and off(); dump() names the region. */
static void on(void)
{
	if (measure)
		CALLGRIND_TOGGLE_COLLECT;
}

static void off(void)
{
	if (measure)
		CALLGRIND_TOGGLE_COLLECT;
}

static void dump(const char *name)
{
	if (measure)
		CALLGRIND_DUMP_STATS_AT(name);
}

static uint64_t meta_1g, meta_16g;

static void create_destroy(uint64_t size, const char *name)
{
	board(size);
	/* Warm-up: the reserve reaches its steady state (marked for scrub). */
	int rc = dommem_create_unscrubbed(&dm, &mm, &plan.domains[0], 1);
	if (rc)
		die("create", rc);
	dommem_destroy(&dm);
	on();
	rc = dommem_create_unscrubbed(&dm, &mm, &plan.domains[0], 1);
	dommem_destroy(&dm);
	off();
	if (rc)
		die("create", rc);
	dump(name);
	printf("BENCH mm_metadata_bytes_%s %llu bytes\n", name + sizeof("create_destroy"),
	       (unsigned long long)mm_metadata_bytes(&mm));
	printf("BENCH mm_metadata_per_static_gib_%s %llu bytes\n", name + sizeof("create_destroy"),
	       (unsigned long long)(mm_metadata_bytes(&mm) * GiB / size));
	if (size == GiB)
		meta_1g = mm_metadata_bytes(&mm);
	if (size == 16 * GiB)
		meta_16g = mm_metadata_bytes(&mm);
}

static void scrub_vs_memset(void)
{
	/* 64 MiB of the reserve marked for scrub (as after a destroy). */
	board(GiB);
	if (dommem_create_unscrubbed(&dm, &mm, &plan.domains[0], 1))
		die("create", 0);
	dommem_destroy(&dm);
	void *other = arch_phys_to_virt(pa_init(STATIC_BASE + 512 * MiB));
	memset(other, 1, 64 * MiB); /* first touches outside the regions */
	memset(arch_phys_to_virt(pa_init(STATIC_BASE)), 1, 64 * MiB);
	on();
	staticmem_scrub(&mm.ps, STATIC_BASE >> PAGE_SHIFT, (64 * MiB) >> PAGE_SHIFT);
	off();
	dump("scrub_64m");
	on();
	memset(other, 0, 64 * MiB);
	off();
	dump("memset_64m");
}

static long reservation(unsigned int op, uint64_t first_gfn, uint64_t nr)
{
	static uint64_t list[512];
	uint8_t r[XMR_SIZE] = {0};
	uint64_t arg = STATIC_BASE, lp = STATIC_BASE + PAGE_SIZE;
	uint16_t self = DOMID_SELF;
	for (uint64_t i = 0; i < nr; i++)
		list[i] = first_gfn + i;
	memcpy(r + XMR_EXTENT_START, &lp, 8);
	memcpy(r + XMR_NR_EXTENTS, &nr, 8);
	memcpy(r + XMR_DOMID, &self, 2);
	if (guestmem_write(&dm, ipa_init(arg), r, sizeof(r)) ||
	    guestmem_write(&dm, ipa_init(lp), list, nr * 8))
		die("guest write", 0);
	on();
	long rc = memop_dispatch(&dm, op, ipa_init(arg));
	off();
	return rc;
}

static void balloon(void)
{
	/* 1 GiB out and back in, 4 KiB at a time, 512 frames per hypercall. */
	board(GiB);
	/*
	 * Mapping 1 GiB page by page takes 513 stage-2 tables: a domain that
	 * balloons this much says so with xen,domain-p2m-mem-mb (the default
	 * budget covers splitting 16 blocks).
	 */
	plan.domains[0].p2m_mem_mb = 4;
	if (dommem_create(&dm, &mm, &plan.domains[0], 1))
		die("create", 0);
	uint64_t first = (STATIC_BASE >> PAGE_SHIFT) + 2; /* argument and list pages stay */
	uint64_t pages = (GiB >> PAGE_SHIFT) - 2;
	for (uint64_t g = first; g < first + pages; g += 512) {
		uint64_t n = first + pages - g < 512 ? first + pages - g : 512;
		long rc = reservation(XENMEM_decrease_reservation, g, n);
		if (rc != (long)n)
			die("decrease_reservation", rc);
	}
	dump("balloon_out_1g");
	if (dm.tot_pages != 2 || staticmem_reserve_pages(&mm.ps, 1) != pages)
		die("balloon out count", (long)dm.tot_pages);
	for (uint64_t g = first; g < first + pages; g += 512) {
		uint64_t n = first + pages - g < 512 ? first + pages - g : 512;
		long rc = reservation(XENMEM_populate_physmap, g, n);
		if (rc != (long)n)
			die("populate_physmap", rc);
	}
	dump("balloon_in_1g");
	if (dm.tot_pages != (GiB >> PAGE_SHIFT))
		die("balloon in count", (long)dm.tot_pages);
	printf("BENCH mm_balloon_pages %llu pages\n", (unsigned long long)pages);
	dommem_destroy(&dm);
}

int main(int argc, char **argv)
{
	measure = argc > 1 && strcmp(argv[1], "--callgrind") == 0;
	if (measure && !RUNNING_ON_VALGRIND)
		die("--callgrind needs valgrind --tool=callgrind --collect-atstart=no", 0);
	create_destroy(256 * MiB, "create_destroy_256m");
	create_destroy(GiB, "create_destroy_1g");
	create_destroy(4 * GiB, "create_destroy_4g");
	create_destroy(16 * GiB, "create_destroy_16g");
	/* What each further GiB of static memory costs (the fixed part aside). */
	printf("BENCH mm_metadata_per_added_static_gib %llu bytes\n",
	       (unsigned long long)((meta_16g - meta_1g) / 15));
	if (measure) {
		scrub_vs_memset();
		balloon();
	}
	host_ram_reset();
	return 0;
}
