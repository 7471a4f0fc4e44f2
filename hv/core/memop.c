// SPDX-License-Identifier: Apache-2.0
/* The memory hypercall: see memop.h. */
#include "memop.h"

#include "errno.h"
#include "guestmem.h"
#include "staticmem.h"

/*
 * Q7, a guest disturbing static allocation: a guest on static memory has no PV drivers but can
 * still make this hypercall. Every sub-op here acts only on the caller (foreign domids are
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
			rc = dommem_remove(dm, gfn, 1ull << order);
			/* Drop the chunk if its page(s) just left the stage-2. */
			uint64_t lo = (list + c_first * 8) >> PAGE_SHIFT;
			uint64_t hi = (list + (c_first + c_n) * 8 - 1) >> PAGE_SHIFT;
			if (rc == 0 && gfn <= hi && (gfn >= lo || lo - gfn < (1ull << order)))
				c_n = 0;
		} else {
			rc = dommem_populate(dm, gfn, order);
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
	return dommem_remove(dm, get_le(r + XRFP_GPFN, 8), 1);
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
