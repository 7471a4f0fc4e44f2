/* SPDX-License-Identifier: Apache-2.0 */
/* Device trees for host tests, compiled by the real dtc (the oracle). */
#ifndef BULKHEAD_TESTS_DTC_H
#define BULKHEAD_TESTS_DTC_H

#include <stddef.h>

/**
 * dtc_compile() - compile DTS source text with dtc.
 * Return: a malloc'ed blob (the caller frees), or NULL when dtc failed.
 */
void *dtc_compile(const char *dts);

#endif
