/* SPDX-License-Identifier: Apache-2.0 */
/* The one stdlib function libfdt needs, for the freestanding build. */
#ifndef BULKHEAD_LIB_STDLIB_H
#define BULKHEAD_LIB_STDLIB_H

#include <stddef.h>

/** strtoul() - base 0, 8, 10 or 16; no locale, no errno. */
unsigned long strtoul(const char *s, char **end, int base);

#endif
