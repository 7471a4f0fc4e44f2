// SPDX-License-Identifier: Apache-2.0
/* The memory hypercall: see memop.h. */
#include "memop.h"

#include "errno.h"
#include "guestmem.h"
#include "staticmem.h"

/*
 * Q7: a guest on static memory has no PV drivers but can still make this
 * hypercall. Every sub-op here acts only on the caller (foreign domids are
 * refused), only on frames its stage-2 maps to pages it owns, and frees
 * only through mm_release(), which sends static pages back to the
 * caller's own reserve. Balloon-in of a static domain draws only from that
 * reserve; increase_reservation is refused. So the guest can neither take
 * another domain's static memory nor pull heap pages into a static
 * partition. Splitting page-state extents is bounded: when the table is
 * full, the sub-op fails with -HV_ENOMEM and nothing changes.
 */

/* Frame-list entries read from the guest at a time. */
#define MEMOP_LIST_CHUNK 32

/* Page-state room kept back for stage-2 table frees during an unmap. */
#define MEMOP_ROOM_MARGIN 4

static uint64_t get_le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;
	for (unsigned int i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static bool domid_ok(const struct domain_mem *dm, uint16_t domid)
{
	return domid == DOMID_SELF || domid == dm->domid;
}

/* The host frame mapped at guest frame gfn, when it is RAM. */
static int ram_frame(const struct domain_mem *dm, uint64_t gfn, uint64_t *pfn)
{
	pa_t pa;
	enum p2m_type type;

	if (gfn >> (dm->p2m.ipa_bits - PAGE_SHIFT) ||
	    !p2m_lookup(&dm->p2m, ipa_init(gfn << PAGE_SHIFT), &pa, &type))
		return -HV_ENOENT;
	if (type != P2M_RAM_RW)
		return -HV_EINVAL;
	*pfn = pa_addr(pa) >> PAGE_SHIFT;
	return 0;
}

/*
 * Take guest frames [gfn, gfn+count) out of the stage-2 and free them.
 * Everything is checked before anything changes.
 */
static int remove_frames(struct domain_mem *dm, uint64_t gfn, uint64_t count)
{
	uint64_t first = 0, prev = 0, runs = 0, ok_lo = 1, ok_hi = 0;

	if (count == 0 || (gfn & (count - 1)))
		return -HV_EINVAL;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t pfn;
		int rc = ram_frame(dm, gfn + i, &pfn);
		if (rc)
			return rc;
		/*
		 * Owned by the caller with no other reference. Q10: PV devices
		 * (grant tables, shared pages; not implemented) would let another
		 * domain hold a reference on a page; such a page is refused here
		 * and by staticmem_acquire, and when it is finally freed it still
		 * goes through mm_release(): PV changes who may hold a page, not
		 * where a freed page goes.
		 */
		if (pfn < ok_lo || pfn >= ok_hi) {
			struct page_state st;
			if (!pgstate_get(&dm->mm->ps, pfn, &st) || st.state != PG_INUSE ||
			    st.owner != dm->slot || st.refcount != 1)
				return -HV_EINVAL;
			ok_lo = st.pfn;
			ok_hi = st.pfn + st.count;
		}
		if (i == 0)
			first = pfn;
		if (i == 0 || pfn != prev + 1)
			runs++;
		prev = pfn;
	}
	/* Each run's release splits at most two extents per kind. */
	if (pgstate_room(&dm->mm->ps) < 4 * runs + MEMOP_ROOM_MARGIN)
		return -HV_ENOMEM;
	for (uint64_t i = 0; i < count;) {
		uint64_t pfn = first, n = count, next;
		if (runs > 1) { /* find this run again */
			ram_frame(dm, gfn + i, &pfn);
			n = 1;
			while (i + n < count && ram_frame(dm, gfn + i + n, &next) == 0 &&
			       next == pfn + n)
				n++;
		}
		/* Unmap first (and flush): the page is unreachable before it is freed. */
		int rc =
		    p2m_unmap_range(&dm->p2m, ipa_init((gfn + i) << PAGE_SHIFT), n * PAGE_SIZE);
		if (rc)
			return rc; /* a split needed a table page: this run is untouched */
		/* Q8: the one free path decides where each page goes. */
		if (mm_release(dm->mm, dm->slot, pfn, n, false))
			return -HV_ENOMEM; /* room was checked: not expected */
		dm->tot_pages -= n;
		i += n;
	}
	return 0;
}

/* Guest RAM windows of a non-direct-mapped domain, in frames. */
static bool in_guest_ram(uint64_t gfn, uint64_t count)
{
	uint64_t r0 = GUEST_RAM0_BASE >> PAGE_SHIFT, r0n = GUEST_RAM0_SIZE >> PAGE_SHIFT;
	uint64_t r1 = GUEST_RAM1_BASE >> PAGE_SHIFT, r1n = GUEST_RAM1_SIZE >> PAGE_SHIFT;
	return (gfn >= r0 && gfn - r0 <= r0n - count) || (gfn >= r1 && gfn - r1 <= r1n - count);
}

/* The host frame the plan puts at gfn for a static domain, if it does. */
static bool planned_frame(const struct plan_domain *cfg, uint64_t gfn, uint64_t count,
                          uint64_t *pfn)
{
	for (unsigned int i = 0; i < cfg->nr_banks; i++) {
		const struct plan_bank *b = &cfg->banks[i];
		uint64_t ipa = (cfg->direct_map ? b->pa : b->ipa) >> PAGE_SHIFT;
		uint64_t n = b->size >> PAGE_SHIFT;
		if (gfn >= ipa && gfn - ipa <= n - count && count <= n) {
			*pfn = (b->pa >> PAGE_SHIFT) + (gfn - ipa);
			return true;
		}
	}
	return false;
}

static int populate_extent(struct domain_mem *dm, uint64_t gfn, unsigned int order)
{
	const struct plan_domain *cfg = dm->cfg;
	uint64_t count = 1ull << order, pfn;
	int rc;

	if ((gfn & (count - 1)) || ((gfn + count - 1) >> (dm->p2m.ipa_bits - PAGE_SHIFT)))
		return -HV_EINVAL;
	if (cfg->direct_map) {
		/* Q9(b): gfn must equal mfn, and the frame be in the own reserve. */
		if (!planned_frame(cfg, gfn, count, &pfn))
			return -HV_EINVAL;
	} else if (!in_guest_ram(gfn, count)) {
		return -HV_EINVAL;
	}
	for (uint64_t i = 0; i < count; i++) {
		pa_t pa;
		if (p2m_lookup(&dm->p2m, ipa_init((gfn + i) << PAGE_SHIFT), &pa, NULL))
			return -HV_EEXIST;
	}
	if (cfg->is_static) {
		/*
		 * Q9(a): the page the plan puts at this frame is reused when it
		 * is in the reserve; else any free run of the reserve. Never
		 * the buddy.
		 */
		rc = -HV_ENOMEM;
		if (planned_frame(cfg, gfn, count, &pfn))
			rc = staticmem_acquire(&dm->mm->ps, dm->slot, pfn, count, true);
		if (rc && !cfg->direct_map &&
		    staticmem_find_free(&dm->mm->ps, dm->slot, count, &pfn))
			rc = staticmem_acquire(&dm->mm->ps, dm->slot, pfn, count, true);
	} else {
		if (dm->tot_pages + count > dm->max_pages)
			return -HV_ENOMEM;
		rc = mm_alloc_guest_pages(dm->mm, dm->slot, order, &pfn);
	}
	if (rc)
		return rc;
	rc = p2m_map_range(&dm->p2m, ipa_init(gfn << PAGE_SHIFT), pa_init(pfn << PAGE_SHIFT),
	                   count * PAGE_SIZE, P2M_RAM_RW);
	if (rc) {
		/* Never mapped, never seen: back through the one free path. */
		mm_release(dm->mm, dm->slot, pfn, count, true);
		return rc;
	}
	dm->tot_pages += count;
	return 0;
}

static long reservation_op(struct domain_mem *dm, unsigned int op, uint64_t start, ipa_t arg)
{
	uint8_t r[XMR_SIZE];
	int rc = guestmem_read(dm, r, arg, sizeof(r));
	if (rc)
		return rc;
	uint64_t list = get_le(r + XMR_EXTENT_START, 8), nr = get_le(r + XMR_NR_EXTENTS, 8);
	uint32_t order = (uint32_t)get_le(r + XMR_EXTENT_ORDER, 4);
	uint32_t flags = (uint32_t)get_le(r + XMR_MEM_FLAGS, 4);
	if (!domid_ok(dm, (uint16_t)get_le(r + XMR_DOMID, 2)))
		return -HV_EPERM;
	if (op == XENMEM_increase_reservation)
		return dm->cfg->is_static ? -HV_EPERM : -HV_ENOSYS;
	if (order > MEMOP_MAX_ORDER || flags != 0 || nr > (UINT64_MAX >> 3) ||
	    nr > (UINT64_MAX >> (order + PAGE_SHIFT)))
		return -HV_EINVAL;
	if (start >= nr)
		return (long)start;
	/* The frame list must be readable before any extent is touched. */
	if (list + nr * 8 < list ||
	    guestmem_check(dm, ipa_init(list + start * 8), (nr - start) * 8))
		return -HV_EFAULT;
	/*
	 * The frame list is read a chunk at a time, but a chunk is dropped as
	 * soon as an extent removes a frame it came from: the result is the
	 * same as reading each entry when its extent starts.
	 */
	uint8_t chunk[MEMOP_LIST_CHUNK * 8];
	uint64_t done = start, c_first = 0, c_n = 0;
	for (; done < nr; done++) {
		if (done >= c_first + c_n) {
			uint64_t a = list + done * 8, room = (PAGE_SIZE - (a & PAGE_MASK)) / 8;
			c_n = nr - done;
			if (c_n > MEMOP_LIST_CHUNK)
				c_n = MEMOP_LIST_CHUNK;
			if (c_n > room)
				c_n = room ? room : 1; /* an entry straddling two pages */
			c_first = done;
			/* The list may sit in a page an earlier extent removed. */
			if (guestmem_read(dm, chunk, ipa_init(a), c_n * 8))
				break;
		}
		uint64_t gfn = get_le(chunk + (done - c_first) * 8, 8);
		if (op == XENMEM_decrease_reservation) {
			rc = remove_frames(dm, gfn, 1ull << order);
			/* Drop the chunk if its page(s) just left the stage-2. */
			uint64_t lo = (list + c_first * 8) >> PAGE_SHIFT;
			uint64_t hi = (list + (c_first + c_n) * 8 - 1) >> PAGE_SHIFT;
			if (rc == 0 && gfn <= hi && (gfn >= lo || lo - gfn < (1ull << order)))
				c_n = 0;
		} else {
			rc = populate_extent(dm, gfn, order);
		}
		if (rc)
			break;
	}
	return (long)done;
}

static long remove_from_physmap(struct domain_mem *dm, ipa_t arg)
{
	uint8_t r[XRFP_SIZE];
	int rc = guestmem_read(dm, r, arg, sizeof(r));
	if (rc)
		return rc;
	if (!domid_ok(dm, (uint16_t)get_le(r + XRFP_DOMID, 2)))
		return -HV_EPERM;
	return remove_frames(dm, get_le(r + XRFP_GPFN, 8), 1);
}

static long reservation_value(struct domain_mem *dm, unsigned int op, ipa_t arg)
{
	uint8_t d[2];
	int rc = guestmem_read(dm, d, arg, sizeof(d));
	if (rc)
		return rc;
	if (!domid_ok(dm, (uint16_t)get_le(d, 2)))
		return -HV_EPERM;
	return (long)(op == XENMEM_current_reservation ? dm->tot_pages : dm->max_pages);
}

long memop_dispatch(struct domain_mem *dm, unsigned long cmd, ipa_t arg)
{
	unsigned int op = (unsigned int)(cmd & MEMOP_CMD_MASK);
	uint64_t start = (uint64_t)cmd >> MEMOP_EXTENT_SHIFT;

	if (!dm->live)
		return -HV_EINVAL;
	switch (op) {
	case XENMEM_increase_reservation:
	case XENMEM_decrease_reservation:
	case XENMEM_populate_physmap:
		return reservation_op(dm, op, start, arg);
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		return start ? -HV_ENOSYS : reservation_value(dm, op, arg);
	case XENMEM_remove_from_physmap:
		return start ? -HV_ENOSYS : remove_from_physmap(dm, arg);
	default:
		return -HV_ENOSYS;
	}
}
