// SPDX-License-Identifier: Apache-2.0
/*
 * Stage-2 table pages per guest layout: what p2m builds against the
 * minimum that s2oracle computes (the target is equality), on QEMU virt
 * addresses (RAM from 0x40000000, GIC at 0x08000000, UART at 0x09000000),
 * 40-bit IPA. Each layout is also walked with s2walk and compared with
 * the ranges asked for; a mismatch fails the benchmark.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../hv/core/p2m.h"
#include "../hv/host/host_arch.h"
#include "../tests/common/s2model.h"
#include "../tests/common/s2oracle.h"
#include "../tests/common/tpages.h"

#define POOL_BASE  0x7000000000ull /* out of the way of every layout */
#define POOL_PAGES 32768ull
#define IPA_BITS   40u
#define PA_BITS    44u /* Cortex-A57 */

struct map {
	uint64_t ipa, pa, size;
	enum p2m_type type;
};

struct layout {
	const char *name;
	struct map maps[6];
};

#define RAM(ipa, pa, size)                                                                         \
	{                                                                                          \
		ipa, pa, size, P2M_RAM_RW                                                          \
	}
#define DEV(ipa, size)                                                                             \
	{                                                                                          \
		ipa, ipa, size, P2M_DEVICE_RW                                                      \
	}

static const struct layout layouts[] = {
    {"256m_direct", {RAM(0x40000000, 0x40000000, 256 * MiB)}},
    {"1g_direct", {RAM(0x40000000, 0x40000000, GiB)}},
    {"4g_direct", {RAM(0x40000000, 0x40000000, 4 * GiB)}},
    {"16g_direct", {RAM(0x40000000, 0x40000000, 16 * GiB)}},
    /* Guest RAM at 0x40000000 from host memory only 2 MiB aligned. */
    {"1g_pa_2m_aligned", {RAM(0x40000000, 0x80200000, GiB)}},
    /* Host memory 4 KiB off every 2 MiB boundary: pages only. */
    {"1g_pa_4k_aligned", {RAM(0x40000000, 0x40001000, GiB)}},
    {"16g_pa_4k_aligned", {RAM(0x40000000, 0x40001000, 16 * GiB)}},
    /* Direct map of a bank that starts and ends off 2 MiB boundaries. */
    {"1g_ragged_direct", {RAM(0x40001000, 0x40001000, GiB + 3 * MiB - 8 * KiB)}},
    /* A dom0less-style guest: two RAM banks, a GIC and a UART. */
    {"banks_and_devices",
     {RAM(0x40000000, 0x40000000, 512 * MiB), RAM(0x80000000, 0x80000000, GiB + 2 * MiB),
      RAM(0x100000000, 0x100000000, 3 * GiB), DEV(0x08000000, 64 * KiB), DEV(0x080a0000, 128 * KiB),
      DEV(0x09000000, 4 * KiB)}},
    /* Three small banks sharing 2 MiB and 1 GiB regions. */
    {"three_small_banks",
     {RAM(0x40000000, 0x40000000, 5 * MiB), RAM(0x40600000, 0x60600000, 3 * MiB + 4 * KiB),
      RAM(0x7ff00000, 0x7ff00000, 2 * MiB)}},
};

int main(void)
{
	static struct s2model model;
	int status = 0;

	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++) {
		const struct layout *l = &layouts[i];
		struct s2o_range orng[ARRAY_SIZE(l->maps)];
		struct p2m_page_source src;
		struct tpages tp;
		struct s2o_count oc;
		struct p2m p;
		const char *err;
		size_t n = 0;

		host_ram_reset();
		tpages_init(&tp, POOL_BASE, POOL_PAGES);
		src = tpages_source(&tp);
		s2model_clear(&model);
		if (p2m_init(&p, IPA_BITS, 1, &src) != 0)
			return 1;
		for (; n < ARRAY_SIZE(l->maps) && l->maps[n].size != 0; n++) {
			const struct map *m = &l->maps[n];

			if (p2m_map_range(&p, ipa_init(m->ipa), pa_init(m->pa), m->size, m->type) !=
			    0) {
				fprintf(stderr, "bench_p2m: %s: map %zu failed\n", l->name, n);
				return 1;
			}
		}
		for (size_t k = 0; k < n; k++) {
			const struct map *m = &l->maps[k];

			orng[k] = (struct s2o_range){m->ipa, m->pa, m->size};
			s2model_add(&model, m->ipa, m->pa, m->size,
			            m->type == P2M_RAM_RW ? S2W_NORMAL_RW : S2W_DEVICE_RW);
		}
		oc = s2oracle_count(IPA_BITS, orng, n);
		err = s2model_check(&model, p2m_vtcr(&p, PA_BITS), p2m_vttbr(&p), IPA_BITS,
		                    p.table_pages);
		if (err != NULL) {
			fprintf(stderr, "bench_p2m: %s: %s\n", l->name, err);
			status = 1;
		}
		printf("BENCH p2m_table_pages_%s %llu pages\n", l->name,
		       (unsigned long long)p.table_pages);
		printf("BENCH p2m_oracle_pages_%s %llu pages\n", l->name,
		       (unsigned long long)oc.tables);
		p2m_destroy(&p);
		if (tp.live != 0) {
			fprintf(stderr, "bench_p2m: %s: %llu pages leaked\n", l->name,
			        (unsigned long long)tp.live);
			status = 1;
		}
		tpages_fini(&tp);
	}
	s2model_fini(&model);
	host_ram_reset();
	return status;
}
