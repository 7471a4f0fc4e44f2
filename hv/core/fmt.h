/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Formatted output for the core, the same in both builds.
 *
 * Supports %s %c %d %i %u %x %X %p %%, the l, ll and z length modifiers,
 * a field width and the 0 and - flags. Output is always NUL-terminated
 * and truncated to the buffer.
 */
#ifndef BULKHEAD_CORE_FMT_H
#define BULKHEAD_CORE_FMT_H

#include <stdarg.h>
#include "types.h"

/** Like vsnprintf(): returns the length the full output would have. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/** Like snprintf(). */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Print to the hypervisor console (arch_console_write). */
void hv_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
