/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Copying to and from guest-physical memory through the domain's stage-2,
 * for hypercall arguments and for loading images.
 */
#ifndef BULKHEAD_CORE_GUESTMEM_H
#define BULKHEAD_CORE_GUESTMEM_H

#include "dommem.h"

/**
 * guestmem_check() - is all of [ipa, ipa+len) guest RAM of @dm?
 * Only P2M_RAM_RW mappings of pages the domain owns count.
 * Return: 0 or -HV_EFAULT (unmapped, device, wraps, or beyond the IPA space).
 */
int guestmem_check(const struct domain_mem *dm, ipa_t ipa, uint64_t len);

/**
 * guestmem_read() - copy @len bytes at guest address @src into @dst.
 * The whole range is checked first: on -HV_EFAULT nothing was copied.
 */
int guestmem_read(const struct domain_mem *dm, void *dst, ipa_t src, uint64_t len);

/**
 * guestmem_write() - copy @len bytes from @src to guest address @dst.
 * The whole range is checked first: on -HV_EFAULT guest memory is unchanged.
 */
int guestmem_write(const struct domain_mem *dm, ipa_t dst, const void *src, uint64_t len);

#endif
