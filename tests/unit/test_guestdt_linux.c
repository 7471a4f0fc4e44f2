// SPDX-License-Identifier: Apache-2.0
/*
 * The end-to-end oracle for guestdt and kimage: a real arm64 Linux boots
 * on QEMU virt from exactly what they produce.
 *
 * A direct-mapped domain shaped like QEMU virt itself (RAM in the board's,
 * GICv3 at 0x08000000/0x080a0000, PL011 at 0x09000000, INTID 33) is laid
 * out by kimage_plan(), described by guestdt_build() and loaded by
 * kimage_load() into simulated RAM. The loaded ranges are handed to QEMU
 * byte for byte (-device loader), with a 6-instruction stub that sets
 * x0 = DT and jumps to the kernel entry: QEMU neither generates nor edits
 * a device tree here. Without EL2, QEMU's PSCI conduit is HVC, as our
 * tree says. Linux must bring up both CPUs, its timer, GIC and UART from
 * our tree, probe the passed-through PL031 RTC merged from a partial DT,
 * find the initramfs from /chosen and run its /init, which prints a
 * marker and powers off.
 *
 * The kernel is Debian's arm64 cloud Image (scripts/fetch-guest-linux.sh,
 * run by `make deps`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdt.h>

#include "../../hv/core/guestdt.h"
#include "../../hv/core/kimage.h"
#include "../../hv/host/host_arch.h"
#include "../common/testlib.h"

/* Board RAM is 0x40000000 + 256 MiB; QEMU keeps its own DT at its start. */
#define RAM_BASE  0x48000000ull
#define RAM_SIZE  (128 * MiB)
#define MOD_BASE  0x100000000ull /* where "the boot loader" put the modules */
#define MOD_SIZE  (64 * MiB)
#define INITRD_AT (MOD_BASE + 48 * MiB)
#define STUB_OFF  0x8000ull /* in the DT reservation, after the blob */

static char tmpdir[] = "/tmp/test_guestdt_linux.XXXXXX";
static char path_buf[512];

static const char *tmp(const char *name)
{
	snprintf(path_buf, sizeof(path_buf), "%s/%s", tmpdir, name);
	return path_buf;
}

/* /init: print /proc/interrupts and a marker, then power off. */
static const char init_s[] = ".global _start\n"
                             "_start:\n"
                             "	adr x0, s_proc\n" /* mount("proc", "/proc", "proc", 0, 0) */
                             "	adr x1, s_mnt\n"
                             "	adr x2, s_proc\n"
                             "	mov x3, #0\n"
                             "	mov x4, #0\n"
                             "	mov x8, #40\n"
                             "	svc #0\n"
                             "	mov x0, #-100\n" /* openat(AT_FDCWD, "/proc/interrupts", 0) */
                             "	adr x1, s_intr\n"
                             "	mov x2, #0\n"
                             "	mov x3, #0\n"
                             "	mov x8, #56\n"
                             "	svc #0\n"
                             "	mov x19, x0\n"
                             "1:	mov x0, x19\n" /* read, write to stdout, until EOF */
                             "	ldr x1, =buf\n"
                             "	mov x2, #4096\n"
                             "	mov x8, #63\n"
                             "	svc #0\n"
                             "	cmp x0, #0\n"
                             "	b.le 2f\n"
                             "	mov x2, x0\n"
                             "	mov x0, #1\n"
                             "	ldr x1, =buf\n"
                             "	mov x8, #64\n"
                             "	svc #0\n"
                             "	b 1b\n"
                             "2:	mov x0, #1\n"
                             "	adr x1, msg\n"
                             "	mov x2, #(end - msg)\n"
                             "	mov x8, #64\n" /* write */
                             "	svc #0\n"
                             "	ldr x0, =0xfee1dead\n"
                             "	ldr x1, =0x28121969\n"
                             "	ldr x2, =0x4321fedc\n" /* LINUX_REBOOT_CMD_POWER_OFF */
                             "	mov x3, #0\n"
                             "	mov x8, #142\n" /* reboot */
                             "	svc #0\n"
                             "3:	b 3b\n"
                             "s_proc: .asciz \"proc\"\n"
                             "s_mnt: .asciz \"/proc\"\n"
                             "s_intr: .asciz \"/proc/interrupts\"\n"
                             "msg:	.ascii \"BULKHEAD-INIT-OK\\n\"\n"
                             "end:\n"
                             "	.ltorg\n"
                             "	.bss\n"
                             "buf:	.skip 4096\n";

/* The console line of /proc/interrupts for @name must show GIC INTID @intid. */
static bool irq_line(const char *log, const char *name, unsigned int intid)
{
	char want[32];
	snprintf(want, sizeof(want), "GICv3 %3u Level", intid);
	for (const char *p = strstr(log, name); p != NULL; p = strstr(p + 1, name)) {
		const char *bol = p;
		while (bol > log && bol[-1] != '\n')
			bol--;
		const char *hit = strstr(bol, want);
		if (hit != NULL && hit < p)
			return true;
	}
	printf("  /proc/interrupts has no line \"%s ... %s\"\n", want, name);
	return false;
}

/* One newc cpio entry. */
static size_t cpio_entry(uint8_t *out, const char *name, unsigned int mode, unsigned int rmaj,
                         unsigned int rmin, const void *data, size_t len)
{
	static unsigned int ino = 1;
	size_t namesz = strlen(name) + 1;
	int n = sprintf((char *)out, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
	                ino++, mode, 0, 0, 1, 0, (unsigned int)len, 0, 0, rmaj, rmin,
	                (unsigned int)namesz, 0);
	memcpy(out + n, name, namesz);
	size_t off = ((size_t)n + namesz + 3) & ~3ul;
	memset(out + n + namesz, 0, off - n - namesz);
	if (len != 0)
		memcpy(out + off, data, len);
	size_t end = (off + len + 3) & ~3ul;
	memset(out + off + len, 0, end - off - len);
	return end;
}

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *b = malloc((size_t)n);
	if (fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static bool write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok = f != NULL && fwrite(data, 1, len, f) == len;
	if (f != NULL)
		fclose(f);
	return ok;
}

static void *map_ram(void *ctx, ipa_t ipa, uint64_t *len)
{
	(void)ctx;
	uint64_t a = ipa_addr(ipa);
	if (a < RAM_BASE || a - RAM_BASE >= RAM_SIZE)
		return NULL;
	if (*len > RAM_BASE + RAM_SIZE - a)
		*len = RAM_BASE + RAM_SIZE - a;
	return arch_phys_to_virt(pa_init(a)); /* direct map: ipa == pa */
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

TEST(linux_boots_from_guestdt_and_kimage)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char image_path[256], cmd[4096];
	size_t image_len, init_len;
	int r;

	snprintf(image_path, sizeof(image_path), "%s/arm64-linux/Image", build);
	void *image = read_file(image_path, &image_len);
	CHECK(image != NULL);
	if (image == NULL) {
		printf("  no %s: run scripts/fetch-guest-linux.sh %s\n", image_path, build);
		return;
	}

	/* /init: print a marker, power off. */
	CHECK(write_file(tmp("init.S"), init_s, sizeof(init_s) - 1));
	snprintf(cmd, sizeof(cmd), "aarch64-linux-gnu-gcc -nostdlib -static -o %s/init %s/init.S",
	         tmpdir, tmpdir);
	CHECK_EQ(system(cmd), 0);
	void *init = read_file(tmp("init"), &init_len);
	CHECK(init != NULL);
	if (init == NULL)
		return;

	/* The modules, where a boot loader would have put them. */
	host_ram_reset();
	uint8_t *mods = host_ram_add(MOD_BASE, MOD_SIZE);
	uint8_t *ram = host_ram_add(RAM_BASE, RAM_SIZE);
	CHECK(mods != NULL && ram != NULL && image_len <= 48 * MiB);
	memcpy(mods, image, image_len);
	uint8_t *cpio = mods + (INITRD_AT - MOD_BASE);
	size_t cpio_len = 0;
	cpio_len += cpio_entry(cpio + cpio_len, "dev", 040755, 0, 0, NULL, 0);
	cpio_len += cpio_entry(cpio + cpio_len, "dev/console", 020600, 5, 1, NULL, 0);
	cpio_len += cpio_entry(cpio + cpio_len, "proc", 040755, 0, 0, NULL, 0);
	cpio_len += cpio_entry(cpio + cpio_len, "init", 0100755, 0, 0, init, init_len);
	cpio_len += cpio_entry(cpio + cpio_len, "TRAILER!!!", 0, 0, 0, NULL, 0);

	struct plan_domain d;
	memset(&d, 0, sizeof(d));
	strcpy(d.node, "/chosen/linux");
	d.vcpus = 2;
	d.direct_map = d.is_static = d.vpl011 = true;
	d.nr_banks = 1;
	d.banks[0] = (struct plan_bank){.pa = pa_init(RAM_BASE),
	                                .ipa = ipa_from_pa_direct(pa_init(RAM_BASE)),
	                                .size = RAM_SIZE};
	d.gicd_base = ipa_from_pa_direct(pa_init(0x08000000));
	d.gicr_base = ipa_from_pa_direct(pa_init(0x080a0000));
	d.pl011_base = ipa_from_pa_direct(pa_init(0x09000000));
	d.pl011_intid = 33;
	strcpy(d.bootargs, "console=ttyAMA0 panic=-1 nokaslr");
	d.nr_modules = 2;
	d.modules[0] =
	    (struct plan_module){.kind = PLAN_MODULE_KERNEL, .range = {MOD_BASE, image_len}};
	d.modules[1] =
	    (struct plan_module){.kind = PLAN_MODULE_RAMDISK, .range = {INITRD_AT, cpio_len}};

	/*
	 * Passthrough: the board's PL031 RTC, described as a dom0less partial
	 * DT would (its own clock inside /passthrough, the /gic placeholder as
	 * interrupt parent, xen,* properties for the hypervisor).
	 */
	static const char partial_dts[] =
	    "/dts-v1/;\n/ {\n"
	    "	#address-cells = <2>; #size-cells = <2>;\n"
	    "	gic: gic { phandle = <65000>; };\n"
	    "	passthrough {\n"
	    "		compatible = \"simple-bus\"; ranges;\n"
	    "		#address-cells = <2>; #size-cells = <2>;\n"
	    "		clk: pclk { compatible = \"fixed-clock\"; #clock-cells = <0>;\n"
	    "			clock-frequency = <24000000>; };\n"
	    "		rtc@9010000 {\n"
	    "			compatible = \"arm,pl031\", \"arm,primecell\";\n"
	    "			reg = <0 0x9010000 0 0x1000>;\n"
	    "			interrupt-parent = <&gic>;\n"
	    "			interrupts = <0 2 4>;\n"
	    "			clocks = <&clk>; clock-names = \"apb_pclk\";\n"
	    "			xen,reg = <0 0x9010000 0 0x1000 0 0x9010000>;\n"
	    "			xen,path = \"/pl031@9010000\";\n"
	    "			xen,force-assign-without-iommu;\n"
	    "		};\n"
	    "	};\n"
	    "};\n";
	size_t partial_len;
	CHECK(write_file(tmp("partial.dts"), partial_dts, sizeof(partial_dts) - 1));
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o %s/partial.dtb %s/partial.dts", tmpdir,
	         tmpdir);
	CHECK_EQ(system(cmd), 0);
	void *partial = read_file(tmp("partial.dtb"), &partial_len);
	CHECK(partial != NULL);

	struct kimage_layout l;
	char err[200];
	r = kimage_plan(&d, mods, image_len, 64 * KiB, &l, err, sizeof(err));
	CHECK_EQ(r, 0);
	if (r != 0) {
		printf("  %s\n", err);
		return;
	}
	CHECK(l.info.is_image);
	static uint8_t dtb[64 * KiB];
	struct guestdt_extra x = {.initrd = l.initrd,
	                          .initrd_size = l.initrd_size,
	                          .partial = partial,
	                          .partial_size = partial_len};
	int n = guestdt_build(&d, &x, dtb, sizeof(dtb));
	CHECK(n > 0 && (uint64_t)n < STUB_OFF);
	CHECK_EQ(kimage_load(&l, dtb, (size_t)n, map_ram, NULL), 0);

	/* ldr x0, dtb; ldr x4, entry; mov x1..x3, xzr; br x4 */
	uint8_t stub[40];
	put32(stub + 0, 0x580000c0);
	put32(stub + 4, 0x580000e4);
	put32(stub + 8, 0xaa1f03e1);
	put32(stub + 12, 0xaa1f03e2);
	put32(stub + 16, 0xaa1f03e3);
	put32(stub + 20, 0xd61f0080);
	put64(stub + 24, ipa_addr(l.dtb));
	put64(stub + 32, ipa_addr(l.kernel_entry));
	uint64_t stub_at = ipa_addr(l.dtb) + STUB_OFF;
	CHECK_EQ(kimage_copy_in(map_ram, NULL, ipa_init(stub_at), stub, sizeof(stub)), 0);

	/* Hand QEMU exactly the loaded bytes, read back from guest RAM. */
	uint64_t k = ipa_addr(l.kernel_load) - RAM_BASE, i = ipa_addr(l.initrd) - RAM_BASE;
	uint64_t t = ipa_addr(l.dtb) - RAM_BASE;
	CHECK(write_file(tmp("kernel.bin"), ram + k, l.kernel_size));
	CHECK(write_file(tmp("initrd.bin"), ram + i, l.initrd_size));
	CHECK(write_file(tmp("dtb.bin"), ram + t, STUB_OFF + sizeof(stub)));
	snprintf(cmd, sizeof(cmd),
	         "timeout 300 qemu-system-aarch64 -machine virt,gic-version=3 -cpu cortex-a57 "
	         "-smp 2 -m 256M -nographic -no-reboot -nic none -monitor none "
	         "-device loader,file=%s/kernel.bin,addr=0x%llx,force-raw=on "
	         "-device loader,file=%s/initrd.bin,addr=0x%llx,force-raw=on "
	         "-device loader,file=%s/dtb.bin,addr=0x%llx,force-raw=on "
	         "-device loader,addr=0x%llx,cpu-num=0 </dev/null >%s/console.log 2>&1",
	         tmpdir, (unsigned long long)ipa_addr(l.kernel_load), tmpdir,
	         (unsigned long long)ipa_addr(l.initrd), tmpdir,
	         (unsigned long long)ipa_addr(l.dtb), (unsigned long long)stub_at, tmpdir);
	r = system(cmd);
	CHECK_EQ(r, 0);

	size_t log_len;
	char *log = read_file(tmp("console.log"), &log_len);
	CHECK(log != NULL);
	if (log == NULL)
		return;
	log = realloc(log, log_len + 1);
	log[log_len] = '\0';
	static const char *const expect[] = {
	    "Machine model: linux,dummy-virt",
	    "psci: PSCIv",
	    "K/131072K available", /* the memory node: 128 MiB */
	    "GICv3: ",
	    "arch_timer: cp15 timer(s) running at 62.50MHz (virt)",
	    "smp: Brought up 1 node, 2 CPUs",
	    "9000000.pl011: ttyAMA0 at MMIO 0x9000000",
	    "rtc-pl031 9010000.rtc: registered as rtc0", /* passthrough */
	    "Trying to unpack rootfs image as initramfs...",
	    "Run /init as init process",
	    "BULKHEAD-INIT-OK",
	    "reboot: Power down",
	};
	bool all = true;
	for (size_t e = 0; e < sizeof(expect) / sizeof(expect[0]); e++)
		if (strstr(log, expect[e]) == NULL) {
			printf("  console lacks: %s\n", expect[e]);
			all = false;
		}
	/* Interrupt specifiers became the right INTIDs: timer PPI, UART, passthrough. */
	all &= irq_line(log, "arch_timer", 27);
	all &= irq_line(log, "uart-pl011", 33);
	all &= irq_line(log, "rtc-pl031", 34);
	CHECK(all);
	if (getenv("GUESTDT_LINUX_LOG") != NULL)
		fputs(log, stdout);
	if (!all)
		printf("  console tail:\n%s\n", log_len > 3000 ? log + log_len - 3000 : log);
	free(log);
	free(image);
	free(init);
	free(partial);
	host_ram_reset();
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(linux_boots_from_guestdt_and_kimage);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("  could not remove %s\n", tmpdir);
	return tl_finish();
}
