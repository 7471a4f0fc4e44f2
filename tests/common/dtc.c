// SPDX-License-Identifier: Apache-2.0
/* dtc_compile(): see dtc.h. */
#include "dtc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DTC_MAX_BLOB (1 << 16)

void *dtc_compile(const char *dts)
{
	char in[] = "/tmp/bulkhead_dtc_XXXXXX";
	int fd = mkstemp(in);
	if (fd < 0)
		return NULL;
	size_t len = strlen(dts);
	if (write(fd, dts, len) != (ssize_t)len) {
		close(fd);
		unlink(in);
		return NULL;
	}
	close(fd);
	char cmd[256], out[64];
	snprintf(out, sizeof(out), "%s.dtb", in);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o %s %s", out, in);
	int rc = system(cmd);
	unlink(in);
	if (rc != 0)
		return NULL;
	FILE *f = fopen(out, "rb");
	void *buf = malloc(DTC_MAX_BLOB);
	size_t n = f && buf ? fread(buf, 1, DTC_MAX_BLOB, f) : 0;
	if (f)
		fclose(f);
	unlink(out);
	if (n == 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
