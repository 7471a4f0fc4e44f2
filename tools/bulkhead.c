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
 *
 * Boot modules come from files (--module, --modules-dir): a partial DT
 * (.dts, compiled with dtc, or .dtb) or anything else read as raw bytes,
 * such as a kernel Image. Without a domain's kernel the placement of its
 * kernel, ramdisk and DT is not checked, and a note on stderr says so.
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
/*
 * The most read from one file: a board, or a module's first bytes (a
 * partial DT whole, a kernel's 64-byte header). A larger board or a
 * partial DT whose reg is larger is refused.
 */
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
	      "  --module ADDR=FILE    contents of the boot module at ADDR: a partial DT\n"
	      "                        (.dtb or .dts), any other file as raw bytes (a kernel)\n"
	      "  --modules-dir DIR     look modules up as DIR/0xADDR.dtb, .dts, .bin or\n"
	      "                        DIR/0xADDR (lower-case hex)\n"
	      "Without a domain's kernel its placement in guest RAM is not checked (a note).\n",
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

/*
 * Read a file (a .dts is compiled first); NULL with a message on failure.
 * A file longer than @max is refused, or with @cut read only up to @max:
 * the plan reads a kernel's header, not the tens of MiB behind it.
 */
static void *load_file(struct options *o, const char *path, size_t max, bool cut, size_t *len)
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
	if (fstat(fileno(f), &st) == 0 && st.st_size > 0 && (cut || (uint64_t)st.st_size <= max)) {
		size_t n = (uint64_t)st.st_size < max ? (size_t)st.st_size : max;
		buf = malloc(n ? n : 1);
		if (buf && fread(buf, 1, n, f) != n) {
			free(buf);
			buf = NULL;
		}
		*len = n;
	}
	if (!buf)
		fprintf(stderr, "bulkhead: %s: cannot read (empty, too large or I/O error)\n",
		        path);
	fclose(f);
	return buf;
}

/*
 * plan_input.module_ptr: the first @size bytes of the module at @pa from
 * --module or --modules-dir (zero-filled past the file; cut to @size when
 * the file is longer, so a blob larger than its reg fails validation as
 * it would at boot). @size is a partial DT's reg size, or 64 for the
 * header of a kernel.
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
		/* A partial DT first; .bin or no extension: raw bytes (a kernel). */
		static const char *const ext[] = {".dtb", ".dts", ".bin", ""};
		for (unsigned int e = 0; e < sizeof(ext) / sizeof(ext[0]) && !file; e++) {
			snprintf(dirfile, sizeof(dirfile), "%s/0x%llx%s", o->modules_dir,
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
	void *data = load_file(o, file, (size_t)size, true, &len);
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
	if (plan->nr_errors)
		return; /* placement runs on a valid plan only: nothing to add */
	/*
	 * Not plan warnings: at boot the kernels are in memory, and a board
	 * checked without their files is not wrong, only checked less.
	 */
	for (unsigned int i = 0; i < plan->nr_domains; i++) {
		const struct plan_domain *d = &plan->domains[i];
		if (d->placement_checked)
			continue;
		if (d->nr_banks == 0) {
			fprintf(stderr,
			        "note: %s: no xen,static-mem, kernel placement not checked\n",
			        d->node);
			continue;
		}
		for (unsigned int m = 0; m < d->nr_modules; m++)
			if (d->modules[m].kind == PLAN_MODULE_KERNEL)
				fprintf(stderr,
				        "note: %s: kernel not available, placement not checked\n",
				        d->modules[m].node);
	}
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
	void *fdt = load_file(&o, o.board, MODULE_MAX, false, &len);
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
