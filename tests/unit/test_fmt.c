// SPDX-License-Identifier: Apache-2.0
/* fmt: the core's formatter, checked against the host C library's. */
#include <stdio.h>
#include <string.h>

#include "../../hv/core/fmt.h"
#include "../common/testlib.h"

#define SAME(...)                                                                                  \
	do {                                                                                       \
		char a[128], b[128];                                                               \
		int na = fmt_snprintf(a, sizeof(a), __VA_ARGS__);                                  \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__);                                      \
		CHECK(strcmp(a, b) == 0);                                                          \
		CHECK_EQ(na, nb);                                                                  \
	} while (0)

TEST(fmt_matches_libc)
{
	SAME("plain");
	SAME("%d %i %u", -42, 7, 4000000000u);
	SAME("%x %X %08x %-6x|", 0xbeefu, 0xbeefu, 0x12u, 0xau);
	SAME("%lx %llx %lu", 0xfffffffffffffffful, 0x123456789abcull, 1ul << 40);
	SAME("%zu %s %-8s| %8s|", (size_t)17, "str", "left", "right");
	SAME("%c%c %% %5d %-5d| %05d", 'a', 'b', 3, 4, -5);
	SAME("%ld", (long)-9223372036854775807L - 1);
}

TEST(fmt_truncates)
{
	char b[8];
	int n = fmt_snprintf(b, sizeof(b), "0123456789");
	CHECK_EQ(n, 10);
	CHECK(strcmp(b, "0123456") == 0);
	CHECK_EQ(fmt_snprintf(NULL, 0, "%d", 12345), 5);
}

int main(void)
{
	RUN(fmt_matches_libc);
	RUN(fmt_truncates);
	return tl_finish();
}
