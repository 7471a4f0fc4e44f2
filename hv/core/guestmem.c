// SPDX-License-Identifier: Apache-2.0
/* Guest memory copies: see guestmem.h. */
#include "guestmem.h"

#include "arch.h"
#include "errno.h"

/* Where one guest page is in host memory, or NULL when it is not guest RAM. */
static void *guest_page(const struct domain_mem *dm, uint64_t ipa_page)
{
	pa_t pa;
	enum p2m_type type;
	struct page_state st;

	if (!dm->live || !p2m_lookup(&dm->p2m, ipa_init(ipa_page), &pa, &type) ||
	    type != P2M_RAM_RW)
		return NULL;
	/* The stage-2 only maps the domain's own pages; check anyway. */
	if (!pgstate_get(&dm->mm->ps, pa_addr(pa) >> PAGE_SHIFT, &st) || st.state != PG_INUSE ||
	    st.owner != dm->domid)
		return NULL;
	return arch_phys_to_virt(pa);
}

int guestmem_check(const struct domain_mem *dm, ipa_t ipa, uint64_t len)
{
	uint64_t a = ipa_addr(ipa);

	if (len == 0)
		return 0;
	if (a + len - 1 < a || dm->p2m.ipa_bits >= 64 || (a + len - 1) >> dm->p2m.ipa_bits)
		return -HV_EFAULT;
	for (uint64_t p = align_down(a, PAGE_SIZE); p <= a + len - 1; p += PAGE_SIZE) {
		if (guest_page(dm, p) == NULL)
			return -HV_EFAULT;
		if (p + PAGE_SIZE < p)
			break;
	}
	return 0;
}

int guestmem_read(const struct domain_mem *dm, void *dst, ipa_t src, uint64_t len)
{
	int rc = guestmem_check(dm, src, len);
	if (rc)
		return rc;
	uint8_t *d = dst;
	for (uint64_t a = ipa_addr(src); len;) {
		uint64_t off = a & PAGE_MASK, n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		const uint8_t *page = guest_page(dm, a - off);
		__builtin_memcpy(d, page + off, n);
		d += n;
		a += n;
		len -= n;
	}
	return 0;
}

int guestmem_write(const struct domain_mem *dm, ipa_t dst, const void *src, uint64_t len)
{
	int rc = guestmem_check(dm, dst, len);
	if (rc)
		return rc;
	const uint8_t *s = src;
	for (uint64_t a = ipa_addr(dst); len;) {
		uint64_t off = a & PAGE_MASK, n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		uint8_t *page = guest_page(dm, a - off);
		__builtin_memcpy(page + off, s, n);
		s += n;
		a += n;
		len -= n;
	}
	return 0;
}
