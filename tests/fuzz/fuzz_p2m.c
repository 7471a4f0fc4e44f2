// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer drive of the stage-2 builder: the input is a sequence of
 * map / unmap / lookup / fail-next-allocations operations; after each one
 * the tables are walked with s2walk and compared with the reference model
 * (s2model_check), and at the end p2m_destroy must give back every page.
 *
 * Input: byte 0 picks the IPA size, then 8 bytes per operation:
 *   [0] op   [1..2] IPA in units   [3] unit and PA shape   [4..5] size
 *   [6] PA offset   [7] type / allocations to allow
 * Addresses fall in a small window so that operations collide often.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/p2m.h"
#include "../../hv/host/host_arch.h"
#include "../common/s2model.h"
#include "../common/s2walk.h"
#include "../common/tpages.h"

#define POOL_BASE  0x200000000000ull /* above every PA mapped */
#define POOL_PAGES 2048ull           /* small: running out happens for real too */
#define PA_BITS    48u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, unsigned long long a, unsigned long long b)
{
	fprintf(stderr, "fuzz_p2m: %s (0x%llx, 0x%llx)\n", what, a, b);
	abort();
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int ipa_sizes[] = {32, 36, 40, 44, 48};
	static const uint64_t units[] = {PAGE_SIZE, 64 * KiB, 2 * MiB, GiB};
	static struct s2model model;
	struct p2m_page_source src;
	struct tpages tp;
	unsigned int ipa_bits;
	struct p2m p;

	if (size < 1)
		return 0;
	ipa_bits = ipa_sizes[data[0] % 5];
	host_ram_reset();
	tpages_init(&tp, POOL_BASE, POOL_PAGES);
	src = tpages_source(&tp);
	s2model_clear(&model);
	if (p2m_init(&p, ipa_bits, 1, &src) != 0)
		fail("init", ipa_bits, 0);

	for (size_t off = 1; off + 8 <= size; off += 8) {
		const uint8_t *op = data + off;
		uint64_t unit = units[op[3] & 3];
		/* A 4 GiB window at the top of small spaces, at 4 GiB otherwise. */
		uint64_t base = ipa_bits == 32 ? 0 : 4 * GiB;
		uint64_t ipa = base + (le16(op + 1) * unit) % (4 * GiB);
		uint64_t len = ((uint64_t)le16(op + 4) % 2048 + 1) * PAGE_SIZE;
		uint64_t pa, live = tp.live, untouched;
		enum s2w_kind kind = op[7] & 1 ? S2W_DEVICE_RW : S2W_NORMAL_RW;
		const char *err;
		int ret;

		/* PA: the IPA (direct map), or shifted by whole units and some pages. */
		pa = op[3] & 16 ? ipa : ipa + (uint64_t)op[6] * unit + ((op[3] >> 5) * PAGE_SIZE);
		if (op[3] & 4) {
			/*
			 * Large: 2 MiB aligned and congruent, so mostly blocks (a
			 * GiB of pages would make every check walk 512 tables).
			 */
			ipa = align_down(ipa, 2 * MiB);
			pa = op[3] & 16 ? ipa : ipa + (uint64_t)op[6] * 2 * MiB;
			len = ((uint64_t)op[5] % 3 + 1) * (op[3] & 8 ? GiB : 2 * MiB) +
			      (len & 0x3000);
		}
		if (ipa + len > base + 4 * GiB)
			len = base + 4 * GiB - ipa;

		switch (op[0] % 4) {
		case 0:
		case 1:
			ret = p2m_map_range(&p, ipa_init(ipa), pa_init(pa), len,
			                    kind == S2W_DEVICE_RW ? P2M_DEVICE_RW : P2M_RAM_RW);
			if (s2model_overlaps(&model, ipa, len)) {
				if (ret != -HV_EEXIST)
					fail("overlapping map", ipa, (unsigned long long)ret);
			} else if (ret == -HV_ENOMEM) {
				if (tp.live != live)
					fail("failed map leaked", tp.live, live);
			} else if (ret != 0) {
				fail("map", ipa, (unsigned long long)ret);
			} else {
				s2model_add(&model, ipa, pa, len, kind);
			}
			break;
		case 2:
			untouched = tp.untouched;
			ret = p2m_unmap_range(&p, ipa_init(ipa), len);
			if (ret == 0 && tp.untouched != untouched)
				fail("unmap reserved a page it did not use", ipa, len);
			if (ret == 0)
				s2model_remove(&model, ipa, len);
			else if (ret != -HV_ENOMEM || tp.live != live)
				fail("unmap", ipa, (unsigned long long)ret);
			break;
		default:
			if (op[7] & 2) {
				tp.fail_after = op[7] >> 2;
			} else {
				uint64_t mpa = 0;
				enum s2w_kind mk = S2W_OTHER;
				enum p2m_type t;
				pa_t got;
				bool in = s2model_find(&model, ipa + (pa & 0xff8), &mpa, &mk);
				struct s2w_result r = s2walk(p2m_vtcr(&p, PA_BITS), p2m_vttbr(&p),
				                             ipa + (pa & 0xff8));

				if (p2m_lookup(&p, ipa_init(ipa + (pa & 0xff8)), &got, &t) != in ||
				    (r.status == S2W_OK) != in)
					fail("lookup presence", ipa, in);
				if (in && (pa_addr(got) != mpa || r.pa != mpa || r.kind != mk ||
				           (t == P2M_DEVICE_RW) != (mk == S2W_DEVICE_RW)))
					fail("lookup", pa_addr(got), mpa);
			}
			continue;
		}
		tp.fail_after = -1;
		err = s2model_check(&model, p2m_vtcr(&p, PA_BITS), p2m_vttbr(&p), ipa_bits,
		                    p.table_pages);
		if (err != NULL) {
			fprintf(stderr, "fuzz_p2m: %s\n", err);
			abort();
		}
		if (tp.live != p.table_pages)
			fail("pages held", tp.live, p.table_pages);
	}
	p2m_destroy(&p);
	if (tp.live != 0 || tp.allocs != tp.frees)
		fail("destroy leaked", tp.live, tp.allocs - tp.frees);
	tpages_fini(&tp);
	return 0;
}
