// SPDX-License-Identifier: Apache-2.0
/*
 * bulkhead: the integrator's side of the boot plan.
 *
 *   bulkhead check [--json] [OPTIONS] BOARD.dtb|BOARD.dts
 *   bulkhead map [OPTIONS] BOARD.dtb|BOARD.dts -o MAP.svg
 *
 * Runs plan_build(), the code the hypervisor runs at boot, on the board's
 * device tree, so a bad layout is found at the desk rather than as a
 * refusal to boot. Exit status: 0 valid (warnings allowed), 1 errors in
 * the plan, 2 unreadable input or bad usage.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan_out.h"

/* Where QEMU virt puts the DTB: RAM base + 128 MiB when RAM is >= 256 MiB. */
#define DEFAULT_DTB_ADDR 0x48000000ull
/* QEMU grows the blob it loads for its own edits: reserve 2 MiB for it. */
#define DEFAULT_DTB_SIZE (2ull << 20)
/* Partial device trees are small; refuse to load anything huge. */
#define MODULE_MAX  (64ull << 20)
#define MAX_MODULES 32

struct module_file {
	unsigned long long addr;
	const char *file;
	void *buf;
};

struct options {
	const char *cmd, *board, *out, *modules_dir;
	bool json;
	struct plan_range hv, dtb;
	bool dtb_size_given;
	unsigned int nr_modules;
	struct module_file modules[MAX_MODULES];
	char tmpdir[64];
};

static void usage(void)
{
	fputs("usage: bulkhead check [--json] [OPTIONS] BOARD.dtb|BOARD.dts\n"
	      "       bulkhead map [OPTIONS] BOARD.dtb|BOARD.dts -o MAP.svg\n"
	      "options:\n"
	      "  --hv-image ADDR,SIZE  where the hypervisor image sits (default "
	      "0x40200000,0x200000)\n"
	      "  --dtb-addr ADDR[,SIZE] where the boot loader puts the DTB (default 0x48000000,"
	      "0x200000)\n"
	      "  --module ADDR=FILE    contents of the boot module at ADDR (a partial DT, .dtb or "
	      ".dts)\n"
	      "  --modules-dir DIR     look modules up as DIR/0xADDR.dtb or DIR/0xADDR.dts\n",
	      stderr);
}

static bool parse_u64(const char *s, unsigned long long *v, char stop)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno == 0 && end != s && *end == stop;
}

/* Temporary files (compiled .dts) go to one directory removed at exit. */
static const char *tmp_path(struct options *o, const char *name, char *buf, size_t size)
{
	if (!o->tmpdir[0]) {
		snprintf(o->tmpdir, sizeof(o->tmpdir), "/tmp/bulkhead.XXXXXX");
		if (!mkdtemp(o->tmpdir)) {
			o->tmpdir[0] = '\0';
			return NULL;
		}
	}
	snprintf(buf, size, "%s/%s", o->tmpdir, name);
	return buf;
}

static void tmp_cleanup(struct options *o)
{
	if (!o->tmpdir[0])
		return;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", o->tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "bulkhead: could not remove %s\n", o->tmpdir);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Compile a .dts with the dtc program; its messages go to our stderr. */
static bool run_dtc(const char *in, const char *out)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return false;
	if (pid == 0) {
		execlp("dtc", "dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, in, (char *)NULL);
		perror("bulkhead: dtc");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Read a whole file (a .dts is compiled first); NULL with a message on failure. */
static void *load_file(struct options *o, const char *path, size_t *len)
{
	char tmp[128];
	static unsigned int seq;

	if (ends_with(path, ".dts")) {
		char name[32];
		snprintf(name, sizeof(name), "%u.dtb", seq++);
		if (!tmp_path(o, name, tmp, sizeof(tmp)) || !run_dtc(path, tmp)) {
			fprintf(stderr, "bulkhead: %s: dtc failed\n", path);
			return NULL;
		}
		path = tmp;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "bulkhead: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	void *buf = NULL;
	if (fstat(fileno(f), &st) == 0 && st.st_size > 0 && (size_t)st.st_size <= MODULE_MAX) {
		buf = malloc((size_t)st.st_size);
		if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)st.st_size;
	}
	if (!buf)
		fprintf(stderr, "bulkhead: %s: cannot read (empty, too large or I/O error)\n",
		        path);
	fclose(f);
	return buf;
}

/*
 * plan_input.module_ptr: the module at @pa from --module or --modules-dir,
 * as @size bytes (zero-filled past the file; cut to @size when the file
 * is longer, so a blob larger than its reg fails validation as it would
 * at boot).
 */
static const void *module_ptr(void *ctx, uint64_t pa, uint64_t size)
{
	struct options *o = ctx;
	const char *file = NULL;
	char dirfile[4096];
	struct module_file *m = NULL;

	if (size > MODULE_MAX)
		return NULL;
	for (unsigned int i = 0; i < o->nr_modules; i++)
		if (o->modules[i].addr == pa)
			m = &o->modules[i];
	if (m) {
		file = m->file;
	} else if (o->modules_dir && o->nr_modules < MAX_MODULES) {
		static const char *const ext[] = {"dtb", "dts"};
		for (unsigned int e = 0; e < 2 && !file; e++) {
			snprintf(dirfile, sizeof(dirfile), "%s/0x%llx.%s", o->modules_dir,
			         (unsigned long long)pa, ext[e]);
			if (access(dirfile, R_OK) == 0)
				file = dirfile;
		}
		if (!file)
			return NULL;
		m = &o->modules[o->nr_modules++];
		m->addr = pa;
		m->file = NULL;
	}
	if (!file)
		return NULL;
	free(m->buf);
	m->buf = NULL;
	size_t len = 0;
	void *data = load_file(o, file, &len);
	if (!data)
		return NULL;
	m->buf = calloc(1, size ? size : 1);
	if (m->buf)
		memcpy(m->buf, data, len < size ? len : size);
	free(data);
	return m->buf;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	if (argc < 2)
		return -1;
	o->cmd = argv[1];
	if (strcmp(o->cmd, "check") != 0 && strcmp(o->cmd, "map") != 0)
		return -1;
	o->hv.base = PLAN_DEFAULT_HV_BASE;
	o->hv.size = PLAN_DEFAULT_HV_SIZE;
	o->dtb.base = DEFAULT_DTB_ADDR;
	o->dtb.size = DEFAULT_DTB_SIZE;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long long x, y;

		if (strcmp(a, "--json") == 0) {
			o->json = true;
		} else if (strcmp(a, "-o") == 0 && v) {
			o->out = v;
			i++;
		} else if (strcmp(a, "--hv-image") == 0 && v) {
			const char *comma = strchr(v, ',');
			if (!comma || !parse_u64(v, &x, ',') || !parse_u64(comma + 1, &y, '\0'))
				return -1;
			o->hv.base = x;
			o->hv.size = y;
			i++;
		} else if (strcmp(a, "--dtb-addr") == 0 && v) {
			const char *comma = strchr(v, ',');
			if (!parse_u64(v, &x, comma ? ',' : '\0'))
				return -1;
			o->dtb.base = x;
			if (comma) {
				if (!parse_u64(comma + 1, &y, '\0'))
					return -1;
				o->dtb.size = y;
			}
			i++;
		} else if (strcmp(a, "--module") == 0 && v) {
			const char *eq = strchr(v, '=');
			if (!eq || !parse_u64(v, &x, '=') || o->nr_modules >= MAX_MODULES)
				return -1;
			o->modules[o->nr_modules].addr = x;
			o->modules[o->nr_modules].file = eq + 1;
			o->nr_modules++;
			i++;
		} else if (strcmp(a, "--modules-dir") == 0 && v) {
			o->modules_dir = v;
			i++;
		} else if (a[0] == '-' || o->board) {
			return -1;
		} else {
			o->board = a;
		}
	}
	if (!o->board || (strcmp(o->cmd, "map") == 0 && !o->out) ||
	    (strcmp(o->cmd, "check") == 0 && o->out))
		return -1;
	return 0;
}

static void print_messages(const struct plan *plan)
{
	for (unsigned int i = 0; i < plan->nr_messages; i++)
		fprintf(stderr, "%s: %s\n",
		        plan->messages[i].severity == PLAN_ERROR ? "error" : "warning",
		        plan->messages[i].text);
	if (plan->messages_truncated)
		fprintf(stderr, "error: %u errors in total, only the first messages shown\n",
		        plan->nr_errors);
}

int main(int argc, char **argv)
{
	static struct options o;
	static struct plan plan;
	int status = 2;

	if (parse_args(argc, argv, &o) != 0) {
		usage();
		return 2;
	}
	size_t len = 0;
	void *fdt = load_file(&o, o.board, &len);
	if (!fdt)
		goto out;
	if (len < sizeof(struct fdt_header) || fdt_check_header(fdt) != 0 ||
	    fdt_totalsize(fdt) > len) {
		fprintf(stderr, "bulkhead: %s: not a device tree blob\n", o.board);
		goto out;
	}
	struct plan_input in = {
	    .fdt = fdt,
	    .fdt_size = len,
	    .hv_image = o.hv,
	    .dtb = o.dtb,
	    .module_ptr = module_ptr,
	    .module_ctx = &o,
	};
	int rc = plan_build(&in, &plan);
	print_messages(&plan);
	status = rc == 0 ? 0 : 1;
	if (strcmp(o.cmd, "map") == 0) {
		FILE *f = fopen(o.out, "w");
		if (!f) {
			fprintf(stderr, "bulkhead: %s: %s\n", o.out, strerror(errno));
			status = 2;
		} else {
			plan_out_svg(f, &plan, o.board);
			if (fclose(f) != 0)
				status = 2;
		}
	} else if (o.json) {
		plan_out_json(stdout, &plan);
	} else if (rc == 0) {
		plan_out_table(stdout, &plan);
	}
out:
	free(fdt);
	for (unsigned int i = 0; i < o.nr_modules; i++)
		free(o.modules[i].buf);
	tmp_cleanup(&o);
	return status;
}
