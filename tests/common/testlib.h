/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal test harness for host unit tests.
 *
 * Each test prints "ok NAME" or "FAIL NAME: file:line: expression"; the
 * program exits non-zero if any test failed. scripts/run-tests.sh counts
 * these lines over every test program.
 *
 *   TEST(heap_splits) { CHECK(x == 1); CHECK_EQ(a, b); }
 *   int main(void) { RUN(heap_splits); return tl_finish(); }
 */
#ifndef BULKHEAD_TESTLIB_H
#define BULKHEAD_TESTLIB_H

#include <stdio.h>
#include <stdint.h>

static int tl_current_failed;
static int tl_total_failed;
static int tl_total_run;

static inline void tl_fail(const char *file, int line, const char *expr)
{
	if (!tl_current_failed)
		printf("  %s:%d: %s\n", file, line, expr);
	tl_current_failed = 1;
}

#define TEST(name) static void name(void)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			tl_fail(__FILE__, __LINE__, #cond);                                        \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		unsigned long long tl_a = (unsigned long long)(a);                                 \
		unsigned long long tl_b = (unsigned long long)(b);                                 \
		if (tl_a != tl_b) {                                                                \
			char tl_msg[512];                                                          \
			snprintf(tl_msg, sizeof(tl_msg), "%s == %s (0x%llx != 0x%llx)", #a, #b,    \
			         tl_a, tl_b);                                                      \
			tl_fail(__FILE__, __LINE__, tl_msg);                                       \
		}                                                                                  \
	} while (0)

static inline void tl_run(const char *name, void (*fn)(void))
{
	tl_current_failed = 0;
	fn();
	tl_total_run++;
	if (tl_current_failed) {
		tl_total_failed++;
		printf("FAIL %s\n", name);
	} else {
		printf("ok %s\n", name);
	}
	fflush(stdout);
}

#define RUN(name) tl_run(#name, name)

static inline int tl_finish(void)
{
	return tl_total_failed ? 1 : 0;
}

#endif
