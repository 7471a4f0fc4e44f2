// SPDX-License-Identifier: Apache-2.0
/*
 * guestdt: guest device trees, checked by oracles that do not share its
 * code: the real dtc decompiles every blob (and must print no warning:
 * its checks know the interrupt, clock and reg bindings), and libfdt's
 * read API walks it (phandles resolve, cells and sizes are right).
 * Partial device trees are compiled from source text with dtc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include "../../hv/core/errno.h"
#include "../../hv/core/guestdt.h"
#include "../common/testlib.h"

#define BUF_SIZE 65536

static char tmpdir[] = "/tmp/test_guestdt.XXXXXX";

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	size_t r;
	while ((r = fread(b + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0)
			b = realloc(b, cap *= 2);
	}
	fclose(f);
	b[n] = '\0';
	if (len)
		*len = n;
	return b;
}

/* Decompile with the real dtc. Returns the dts text; *warn gets its stderr. */
static char *dtc_decompile(const void *blob, size_t n, char **warn)
{
	char in[256], out[256], err[256], cmd[1024];
	snprintf(in, sizeof(in), "%s/in.dtb", tmpdir);
	snprintf(out, sizeof(out), "%s/out.dts", tmpdir);
	snprintf(err, sizeof(err), "%s/err.txt", tmpdir);
	FILE *f = fopen(in, "wb");
	if (f == NULL || fwrite(blob, 1, n, f) != n)
		return NULL;
	fclose(f);
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o %s %s 2>%s", out, in, err);
	if (system(cmd) != 0)
		return NULL;
	*warn = slurp(err, NULL);
	return slurp(out, NULL);
}

/* Compile device tree source with the real dtc. */
static void *dtc_compile(const char *dts, size_t *len)
{
	char in[256], out[256], cmd[1024];
	snprintf(in, sizeof(in), "%s/partial.dts", tmpdir);
	snprintf(out, sizeof(out), "%s/partial.dtb", tmpdir);
	FILE *f = fopen(in, "w");
	if (f == NULL)
		return NULL;
	fputs(dts, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o %s %s", out, in);
	if (system(cmd) != 0)
		return NULL;
	return slurp(out, len);
}

static bool has(const char *text, const char *needle)
{
	bool ok = text != NULL && strstr(text, needle) != NULL;
	if (!ok)
		printf("  missing: %s\n", needle);
	return ok;
}

static uint64_t be64(const void *p)
{
	return fdt64_ld(p);
}

static void domain_xen_layout(struct plan_domain *d, unsigned int vcpus)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->name, "domU1");
	strcpy(d->node, "/chosen/domU1");
	d->vcpus = vcpus;
	d->is_static = true;
	d->nr_banks = 1;
	d->banks[0] = (struct plan_bank){
	    .pa = pa_init(0x70000000), .ipa = ipa_init(GUEST_RAM0_BASE), .size = 256 * MiB};
	d->gicd_base = ipa_init(GUEST_GICD_BASE);
	d->gicr_base = ipa_init(GUEST_GICR_BASE);
	d->vpl011 = true;
	d->pl011_base = ipa_init(GUEST_PL011_BASE);
	d->pl011_intid = GUEST_PL011_INTID;
	strcpy(d->bootargs, "console=ttyAMA0 earlycon");
}

static void domain_direct_map(struct plan_domain *d, unsigned int vcpus)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->name, "domU2");
	strcpy(d->node, "/chosen/domU2");
	d->vcpus = vcpus;
	d->is_static = true;
	d->direct_map = true;
	d->nr_banks = 2;
	/* Deliberately not in address order: the node must still list them sorted. */
	d->banks[0] = (struct plan_bank){.pa = pa_init(0x90000000),
	                                 .ipa = ipa_from_pa_direct(pa_init(0x90000000)),
	                                 .size = 64 * MiB};
	d->banks[1] = (struct plan_bank){.pa = pa_init(0x70000000),
	                                 .ipa = ipa_from_pa_direct(pa_init(0x70000000)),
	                                 .size = 128 * MiB};
	/* The host GIC and UART, seen at the same addresses. */
	d->gicd_base = ipa_from_pa_direct(pa_init(0x08000000));
	d->gicr_base = ipa_from_pa_direct(pa_init(0x080A0000));
	d->vpl011 = true;
	d->pl011_base = ipa_from_pa_direct(pa_init(0x09000000));
	d->pl011_intid = 33;
}

/*
 * The libfdt oracle: structural facts every guest tree must satisfy,
 * derived from @d alone.
 */
static void check_tree(const void *fdt, int size, const struct plan_domain *d)
{
	int len;
	CHECK_EQ(fdt_check_full(fdt, (size_t)size), 0);
	CHECK_EQ(fdt_totalsize(fdt), size);
	CHECK(fdt_node_check_compatible(fdt, 0, "linux,dummy-virt") == 0);
	const fdt32_t *ac = fdt_getprop(fdt, 0, "#address-cells", &len);
	CHECK(ac != NULL && len == 4 && fdt32_ld(ac) == 2);
	const fdt32_t *sc = fdt_getprop(fdt, 0, "#size-cells", &len);
	CHECK(sc != NULL && len == 4 && fdt32_ld(sc) == 2);

	/* interrupt-parent resolves to a GICv3 with 3 interrupt cells. */
	const fdt32_t *ip = fdt_getprop(fdt, 0, "interrupt-parent", &len);
	CHECK(ip != NULL && len == 4);
	int gic = ip ? fdt_node_offset_by_phandle(fdt, fdt32_ld(ip)) : -1;
	CHECK(gic > 0);
	CHECK(fdt_node_check_compatible(fdt, gic, "arm,gic-v3") == 0);
	CHECK(fdt_getprop(fdt, gic, "interrupt-controller", &len) != NULL && len == 0);
	const fdt32_t *ic = fdt_getprop(fdt, gic, "#interrupt-cells", &len);
	CHECK(ic != NULL && fdt32_ld(ic) == 3);
	const uint8_t *reg = fdt_getprop(fdt, gic, "reg", &len);
	CHECK(reg != NULL && len == 32);
	if (reg != NULL && len == 32) {
		CHECK_EQ(be64(reg), ipa_addr(d->gicd_base));
		CHECK_EQ(be64(reg + 8), 0x10000);
		CHECK_EQ(be64(reg + 16), ipa_addr(d->gicr_base));
		CHECK_EQ(be64(reg + 24), 0x20000ull * d->vcpus);
	}

	/* Memory: every bank, at its guest address, nothing else. */
	int mem = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
	CHECK(mem > 0);
	CHECK(fdt_node_offset_by_prop_value(fdt, mem, "device_type", "memory", 7) < 0);
	reg = fdt_getprop(fdt, mem, "reg", &len);
	CHECK(reg != NULL && len == (int)(16 * d->nr_banks));
	for (unsigned int b = 0; reg != NULL && b < d->nr_banks; b++) {
		bool found = false;
		for (int e = 0; e < len / 16; e++)
			if (be64(reg + 16 * e) == ipa_addr(d->banks[b].ipa) &&
			    be64(reg + 16 * e + 8) == d->banks[b].size)
				found = true;
		CHECK(found);
	}

	/* CPUs: exactly vcpus of them, reg 0..n-1, PSCI. */
	int cpus = fdt_path_offset(fdt, "/cpus");
	CHECK(cpus > 0);
	unsigned int ncpu = 0;
	int cpu;
	fdt_for_each_subnode(cpu, fdt, cpus)
	{
		const fdt32_t *r = fdt_getprop(fdt, cpu, "reg", &len);
		CHECK(r != NULL && len == 4 && fdt32_ld(r) == ncpu);
		CHECK(strcmp(fdt_getprop(fdt, cpu, "enable-method", NULL), "psci") == 0);
		CHECK(strcmp(fdt_getprop(fdt, cpu, "device_type", NULL), "cpu") == 0);
		ncpu++;
	}
	CHECK_EQ(ncpu, d->vcpus);
	int psci = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-0.2");
	CHECK(psci > 0 && fdt_node_check_compatible(fdt, psci, "arm,psci-1.0") == 0);
	CHECK(psci > 0 && strcmp(fdt_getprop(fdt, psci, "method", NULL), "hvc") == 0);

	/* Timer: INTIDs 29, 30, 27, 26 as PPIs, level-high (QEMU virt's facts). */
	int timer = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
	CHECK(timer > 0);
	const fdt32_t *ti = fdt_getprop(fdt, timer, "interrupts", &len);
	CHECK(ti != NULL && len == 48);
	static const uint32_t intids[4] = {29, 30, 27, 26};
	for (int i = 0; ti != NULL && i < 4; i++) {
		CHECK_EQ(fdt32_ld(ti + 3 * i), 1);
		CHECK_EQ(fdt32_ld(ti + 3 * i + 1) + 16, intids[i]);
		CHECK_EQ(fdt32_ld(ti + 3 * i + 2), 4);
	}

	/* UART: reached from stdout-path, SPI = intid - 32, clocks resolve. */
	int chosen = fdt_path_offset(fdt, "/chosen");
	CHECK(chosen > 0);
	const char *sp = fdt_getprop(fdt, chosen, "stdout-path", NULL);
	int uart = sp ? fdt_path_offset(fdt, sp) : -1;
	if (!d->vpl011) {
		CHECK(sp == NULL);
		CHECK(fdt_node_offset_by_compatible(fdt, -1, "arm,pl011") < 0);
		return;
	}
	CHECK(uart > 0);
	CHECK(fdt_node_check_compatible(fdt, uart, "arm,pl011") == 0);
	reg = fdt_getprop(fdt, uart, "reg", &len);
	CHECK(reg != NULL && len == 16 && be64(reg) == ipa_addr(d->pl011_base) &&
	      be64(reg + 8) == 0x1000);
	const fdt32_t *ui = fdt_getprop(fdt, uart, "interrupts", &len);
	CHECK(ui != NULL && len == 12);
	if (ui != NULL) {
		CHECK_EQ(fdt32_ld(ui), 0);
		CHECK_EQ(fdt32_ld(ui + 1) + 32, d->pl011_intid);
		CHECK_EQ(fdt32_ld(ui + 2), 4);
	}
	const fdt32_t *clk = fdt_getprop(fdt, uart, "clocks", &len);
	CHECK(clk != NULL && len == 8);
	for (int i = 0; clk != NULL && i < 2; i++) {
		int c = fdt_node_offset_by_phandle(fdt, fdt32_ld(clk + i));
		CHECK(c > 0 && fdt_node_check_compatible(fdt, c, "fixed-clock") == 0);
		const fdt32_t *hz = fdt_getprop(fdt, c, "clock-frequency", NULL);
		CHECK(hz != NULL && fdt32_ld(hz) == 24000000);
	}
}

/* Build, check with both oracles, return the dts text (caller frees). */
static char *build_and_check(const struct plan_domain *d, const struct guestdt_extra *x)
{
	static char buf[BUF_SIZE];
	char *warn = NULL;
	int n = guestdt_build(d, x, buf, sizeof(buf));
	CHECK(n > 0);
	if (n <= 0) {
		if (x && x->err)
			printf("  error: %s\n", x->err);
		return NULL;
	}
	check_tree(buf, n, d);
	char *dts = dtc_decompile(buf, (size_t)n, &warn);
	CHECK(dts != NULL);
	CHECK(warn != NULL && warn[0] == '\0');
	if (warn != NULL && warn[0] != '\0')
		printf("  dtc says: %s\n", warn);
	free(warn);
	return dts;
}

TEST(xen_layout_one_vcpu_golden)
{
	struct plan_domain d;
	domain_xen_layout(&d, 1);
	char *dts = build_and_check(&d, NULL);
	/* The whole tree, written by hand from the bindings and QEMU virt's own tree. */
	static const char golden[] =
	    "/dts-v1/;\n\n/ {\n"
	    "\tcompatible = \"linux,dummy-virt\";\n"
	    "\t#address-cells = <0x02>;\n\t#size-cells = <0x02>;\n"
	    "\tinterrupt-parent = <0x01>;\n\n"
	    "\tchosen {\n\t\tbootargs = \"console=ttyAMA0 earlycon\";\n"
	    "\t\tstdout-path = \"/pl011@22000000\";\n\t};\n\n"
	    "\tmemory@40000000 {\n\t\tdevice_type = \"memory\";\n"
	    "\t\treg = <0x00 0x40000000 0x00 0x10000000>;\n\t};\n\n"
	    "\tcpus {\n\t\t#address-cells = <0x01>;\n\t\t#size-cells = <0x00>;\n\n"
	    "\t\tcpu@0 {\n\t\t\tdevice_type = \"cpu\";\n\t\t\tcompatible = \"arm,armv8\";\n"
	    "\t\t\treg = <0x00>;\n\t\t\tenable-method = \"psci\";\n\t\t};\n\t};\n\n"
	    "\tpsci {\n\t\tcompatible = \"arm,psci-1.0\\0arm,psci-0.2\";\n"
	    "\t\tmethod = \"hvc\";\n\t};\n\n"
	    "\ttimer {\n\t\tcompatible = \"arm,armv8-timer\\0arm,armv7-timer\";\n"
	    "\t\tinterrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;\n"
	    "\t\talways-on;\n\t};\n\n"
	    "\tinterrupt-controller@3001000 {\n\t\tcompatible = \"arm,gic-v3\";\n"
	    "\t\t#interrupt-cells = <0x03>;\n\t\t#address-cells = <0x00>;\n"
	    "\t\tinterrupt-controller;\n\t\t#redistributor-regions = <0x01>;\n"
	    "\t\treg = <0x00 0x3001000 0x00 0x10000 0x00 0x3020000 0x00 0x20000>;\n"
	    "\t\tphandle = <0x01>;\n\t};\n\n"
	    "\tapb-pclk {\n\t\tcompatible = \"fixed-clock\";\n\t\t#clock-cells = <0x00>;\n"
	    "\t\tclock-frequency = <0x16e3600>;\n\t\tclock-output-names = \"clk24mhz\";\n"
	    "\t\tphandle = <0x02>;\n\t};\n\n"
	    "\tpl011@22000000 {\n\t\tcompatible = \"arm,pl011\\0arm,primecell\";\n"
	    "\t\treg = <0x00 0x22000000 0x00 0x1000>;\n\t\tinterrupts = <0x00 0x00 0x04>;\n"
	    "\t\tclocks = <0x02 0x02>;\n\t\tclock-names = \"uartclk\\0apb_pclk\";\n\t};\n};\n";
	CHECK(dts != NULL && strcmp(dts, golden) == 0);
	if (dts != NULL && strcmp(dts, golden) != 0)
		printf("  got:\n%s\n", dts);
	free(dts);
}

TEST(four_vcpus_two_banks_initrd)
{
	struct plan_domain d;
	domain_xen_layout(&d, 4);
	d.nr_banks = 2;
	d.banks[1] = (struct plan_bank){
	    .pa = pa_init(0x80000000), .ipa = ipa_init(GUEST_RAM1_BASE), .size = 64 * MiB};
	struct guestdt_extra x = {
	    .initrd = ipa_init(0x4f000000), .initrd_size = 0x123456, .boot = 3};
	char *dts = build_and_check(&d, &x);
	CHECK(has(dts, "reg = <0x00 0x40000000 0x00 0x10000000 0x02 0x00 0x00 0x4000000>;"));
	CHECK(has(dts, "cpu@3 {"));
	CHECK(has(dts, "reg = <0x00 0x3001000 0x00 0x10000 0x00 0x3020000 0x00 0x80000>;"));
	/* initrd-end is exclusive: start + size. */
	CHECK(has(dts, "linux,initrd-start = <0x00 0x4f000000>;"));
	CHECK(has(dts, "linux,initrd-end = <0x00 0x4f123456>;"));
	CHECK(has(dts, "bulkhead,boots = <0x03>;")); /* the third boot */
	free(dts);
}

TEST(direct_map_uses_host_addresses)
{
	struct plan_domain d;
	domain_direct_map(&d, 2);
	char *dts = build_and_check(&d, NULL);
	CHECK(has(dts, "memory@70000000 {"));
	CHECK(has(dts, "reg = <0x00 0x70000000 0x00 0x8000000 0x00 0x90000000 0x00 0x4000000>;"));
	CHECK(has(dts, "interrupt-controller@8000000 {"));
	CHECK(has(dts, "reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x40000>;"));
	CHECK(has(dts, "stdout-path = \"/pl011@9000000\";"));
	CHECK(has(dts, "interrupts = <0x00 0x01 0x04>;")); /* INTID 33 = SPI 1 */
	CHECK(dts != NULL && strstr(dts, "bootargs") == NULL);
	CHECK(dts != NULL && strstr(dts, "initrd") == NULL);
	CHECK(dts != NULL && strstr(dts, "bulkhead,boots") == NULL);
	free(dts);
}

TEST(no_vpl011_no_uart)
{
	struct plan_domain d;
	domain_xen_layout(&d, 2);
	d.vpl011 = false;
	char *dts = build_and_check(&d, NULL);
	CHECK(dts != NULL && strstr(dts, "pl011") == NULL && strstr(dts, "stdout-path") == NULL);
	free(dts);
}

TEST(deterministic)
{
	static char a[BUF_SIZE], b[BUF_SIZE];
	struct plan_domain d;
	domain_direct_map(&d, 3);
	memset(a, 0xaa, sizeof(a));
	memset(b, 0x55, sizeof(b));
	int na = guestdt_build(&d, NULL, a, sizeof(a));
	int nb = guestdt_build(&d, NULL, b, sizeof(b));
	CHECK(na > 0 && na == nb && memcmp(a, b, (size_t)na) == 0);
}

/* Every buffer too small says so, and writes nothing outside it (ASan). */
TEST(small_buffers_enospc)
{
	static char big[BUF_SIZE];
	struct plan_domain d;
	domain_xen_layout(&d, 4);
	struct guestdt_extra x = {.initrd = ipa_init(0x4f000000), .initrd_size = 0x1000};
	int need = guestdt_build(&d, &x, big, sizeof(big));
	CHECK(need > 0);
	for (int n = 0; n < need; n++) {
		char *b = malloc(n ? (size_t)n : 1);
		int r = guestdt_build(&d, &x, b, (size_t)n);
		if (r != -HV_ENOSPC) {
			printf("  size %d -> %d\n", n, r);
			CHECK_EQ(r, -HV_ENOSPC);
			free(b);
			break;
		}
		free(b);
	}
	char *exact = malloc((size_t)need);
	CHECK_EQ(guestdt_build(&d, &x, exact, (size_t)need), need);
	CHECK(memcmp(exact, big, (size_t)need) == 0);
	free(exact);
}

TEST(bad_plans_named)
{
	static char buf[BUF_SIZE];
	char err[200];
	struct guestdt_extra x = {.err = err, .err_size = sizeof(err)};
	struct plan_domain d;

	domain_xen_layout(&d, 0);
	CHECK_EQ(guestdt_build(&d, &x, buf, sizeof(buf)), -HV_EINVAL);
	CHECK(has(err, "/chosen/domU1: cpus"));

	domain_xen_layout(&d, 1);
	d.pl011_intid = 27;
	CHECK_EQ(guestdt_build(&d, &x, buf, sizeof(buf)), -HV_EINVAL);
	CHECK(has(err, "/chosen/domU1: vpl011 interrupt 27"));

	domain_xen_layout(&d, 1);
	d.nr_banks = 0;
	CHECK_EQ(guestdt_build(&d, &x, buf, sizeof(buf)), -HV_EINVAL);
	CHECK(has(err, "memory banks"));

	domain_xen_layout(&d, 1);
	d.banks[0].ipa = ipa_init(~0ull - 10);
	CHECK_EQ(guestdt_build(&d, &x, buf, sizeof(buf)), -HV_EINVAL);
	CHECK(has(err, "wraps"));

	domain_xen_layout(&d, 1);
	x.initrd = ipa_init(~0ull - 10);
	x.initrd_size = 100;
	CHECK_EQ(guestdt_build(&d, &x, buf, sizeof(buf)), -HV_EINVAL);
	CHECK(has(err, "ramdisk"));
}

/* A partial DT as Xen's dom0less docs describe it, compiled by dtc. */
static const char partial_dts[] =
    "/dts-v1/;\n"
    "/ {\n"
    "	#address-cells = <2>;\n"
    "	#size-cells = <2>;\n"
    "	gic: gic {\n"
    "		#interrupt-cells = <3>;\n"
    "		interrupt-controller;\n"
    "		phandle = <65000>;\n"
    "	};\n"
    "	passthrough {\n"
    "		compatible = \"simple-bus\";\n"
    "		ranges;\n"
    "		#address-cells = <2>;\n"
    "		#size-cells = <2>;\n"
    "		ethernet@ff0e0000 {\n"
    "			compatible = \"cdns,zynqmp-gem\";\n"
    "			reg = <0x0 0xff0e0000 0x0 0x1000>;\n"
    "			interrupt-parent = <&gic>;\n"
    "			interrupts = <0 63 4>;\n"
    "			xen,reg = <0x0 0xff0e0000 0x0 0x1000 0x0 0xff0e0000>;\n"
    "			xen,path = \"/amba/ethernet@ff0e0000\";\n"
    "			xen,force-assign-without-iommu;\n"
    "			mdio {\n"
    "				#address-cells = <1>;\n"
    "				#size-cells = <0>;\n"
    "				phy@0 { reg = <0>; };\n"
    "			};\n"
    "		};\n"
    "		intc2: interrupt-controller@ff100000 {\n"
    "			compatible = \"acme,irq-mux\";\n"
    "			reg = <0x0 0xff100000 0x0 0x1000>;\n"
    "			interrupt-controller;\n"
    "			#interrupt-cells = <1>;\n"
    "			#address-cells = <0>;\n"
    "			interrupt-parent = <&gic>;\n"
    "			interrupts = <0 64 4>;\n"
    "		};\n"
    "		timer@ff300000 {\n"
    "			compatible = \"acme,timer\";\n"
    "			reg = <0x0 0xff300000 0x0 0x1000>;\n"
    "			interrupts-extended = <&gic 0 65 4>, <&intc2 7>;\n"
    "		};\n"
    "		dma@ff200000 {\n"
    "			compatible = \"acme,dma\";\n"
    "			reg = <0x0 0xff200000 0x0 0x1000>;\n"
    "			interrupt-parent = <&intc2>;\n"
    "			interrupts = <5>;\n"
    "		};\n"
    "	};\n"
    "};\n";

TEST(passthrough_merged)
{
	static char buf[BUF_SIZE];
	char err[200] = "";
	size_t plen;
	void *partial = dtc_compile(partial_dts, &plen);
	CHECK(partial != NULL);
	if (partial == NULL)
		return;
	struct plan_domain d;
	domain_direct_map(&d, 2);
	struct guestdt_extra x = {
	    .partial = partial, .partial_size = plen, .err = err, .err_size = sizeof(err)};
	char *dts = build_and_check(&d, &x);
	CHECK(dts != NULL && strstr(dts, "xen,") == NULL);
	CHECK(has(dts, "compatible = \"cdns,zynqmp-gem\";"));
	free(dts);

	int n = guestdt_build(&d, &x, buf, sizeof(buf));
	CHECK(n > 0);
	if (n <= 0)
		return;
	int len;
	/* Our phandles are above the partial's, so none collides. */
	const fdt32_t *rootip = fdt_getprop(buf, 0, "interrupt-parent", NULL);
	CHECK(rootip != NULL && fdt32_ld(rootip) > 65000);
	int gic = fdt_node_offset_by_phandle(buf, fdt32_ld(rootip));
	/* The placeholder now means our GIC. */
	int eth = fdt_path_offset(buf, "/passthrough/ethernet@ff0e0000");
	CHECK(eth > 0);
	const fdt32_t *ip = fdt_getprop(buf, eth, "interrupt-parent", &len);
	CHECK(ip != NULL && len == 4 && fdt_node_offset_by_phandle(buf, fdt32_ld(ip)) == gic);
	CHECK(fdt_getprop(buf, eth, "xen,reg", NULL) == NULL);
	CHECK(fdt_getprop(buf, eth, "xen,path", NULL) == NULL);
	const fdt32_t *irq = fdt_getprop(buf, eth, "interrupts", &len);
	CHECK(irq != NULL && len == 12 && fdt32_ld(irq + 1) == 63);
	/* Nested children come along. */
	CHECK(fdt_path_offset(buf, "/passthrough/ethernet@ff0e0000/mdio/phy@0") > 0);
	/* A parent inside /passthrough keeps its phandle. */
	int dma = fdt_path_offset(buf, "/passthrough/dma@ff200000");
	ip = fdt_getprop(buf, dma, "interrupt-parent", &len);
	int mux = ip ? fdt_node_offset_by_phandle(buf, fdt32_ld(ip)) : -1;
	CHECK(mux > 0 && mux == fdt_path_offset(buf, "/passthrough/interrupt-controller@ff100000"));
	ip = fdt_getprop(buf, mux, "interrupt-parent", &len);
	CHECK(ip != NULL && fdt_node_offset_by_phandle(buf, fdt32_ld(ip)) == gic);
	/* interrupts-extended: each parent resolved, specifiers kept. */
	int tmr = fdt_path_offset(buf, "/passthrough/timer@ff300000");
	const fdt32_t *ie = fdt_getprop(buf, tmr, "interrupts-extended", &len);
	CHECK(ie != NULL && len == 24);
	if (ie != NULL && len == 24) {
		CHECK(fdt_node_offset_by_phandle(buf, fdt32_ld(ie)) == gic);
		CHECK(fdt32_ld(ie + 1) == 0 && fdt32_ld(ie + 2) == 65 && fdt32_ld(ie + 3) == 4);
		CHECK(fdt_node_offset_by_phandle(buf, fdt32_ld(ie + 4)) == mux);
		CHECK_EQ(fdt32_ld(ie + 5), 7);
	}
	/* The placeholder itself is not copied. */
	CHECK(fdt_path_offset(buf, "/gic") < 0);
	int pt = fdt_path_offset(buf, "/passthrough");
	CHECK(pt > 0 && fdt_node_check_compatible(buf, pt, "simple-bus") == 0);
	free(partial);
}

TEST(passthrough_bus_defaults)
{
	size_t plen;
	void *partial = dtc_compile("/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n"
	                            "passthrough { #address-cells = <2>; #size-cells = <2>;\n"
	                            "  uart@1c000000 { compatible = \"acme,uart\";\n"
	                            "    reg = <0 0x1c000000 0 0x1000>; interrupts = <0 7 4>; };\n"
	                            "}; };\n",
	                            &plen);
	CHECK(partial != NULL);
	struct plan_domain d;
	domain_xen_layout(&d, 1);
	struct guestdt_extra x = {.partial = partial, .partial_size = plen};
	char *dts = build_and_check(&d, &x);
	CHECK(has(dts, "passthrough {\n\t\t#address-cells = <0x02>;\n\t\t#size-cells = <0x02>;\n"
	               "\t\tcompatible = \"simple-bus\";\n\t\tranges;\n"));
	CHECK(has(dts, "uart@1c000000 {"));
	free(dts);
	free(partial);
}

TEST(partial_without_passthrough_adds_nothing)
{
	size_t plen;
	void *partial = dtc_compile("/dts-v1/;\n/ { gic { phandle = <65000>; }; };\n", &plen);
	struct plan_domain d;
	domain_xen_layout(&d, 1);
	struct guestdt_extra x = {.partial = partial, .partial_size = plen};
	char *dts = build_and_check(&d, &x);
	CHECK(dts != NULL && strstr(dts, "passthrough") == NULL);
	free(dts);
	free(partial);
}

TEST(partial_errors_named)
{
	static char buf[BUF_SIZE];
	char err[200];
	size_t plen;
	struct plan_domain d;
	domain_xen_layout(&d, 1);

	/* interrupt-parent pointing outside /passthrough would dangle. */
	void *partial =
	    dtc_compile("/dts-v1/;\n/ { other: other { interrupt-controller;\n"
	                "  #interrupt-cells = <1>; };\n"
	                "passthrough { #address-cells = <1>; #size-cells = <1>;\n"
	                "  dev@1000 { reg = <0x1000 0x100>; interrupt-parent = <&other>;\n"
	                "    interrupts = <1>; }; }; };\n",
	                &plen);
	struct guestdt_extra x = {
	    .partial = partial, .partial_size = plen, .err = err, .err_size = sizeof(err)};
	CHECK_EQ(guestdt_build(&d, &x, buf, sizeof(buf)), -HV_EINVAL);
	CHECK(has(err, "/chosen/domU1: partial device tree /passthrough/dev@1000: "
	               "interrupt-parent"));

	free(partial);

	/* interrupts-extended: a parent without #interrupt-cells, a short specifier. */
	static const char *const bad_ext[] = {
	    "/dts-v1/;\n/ { gic: gic { phandle = <65000>; };\n"
	    "passthrough { #address-cells = <1>; #size-cells = <1>;\n"
	    "  p: pic@2000 { reg = <0x2000 0x100>; interrupt-controller; };\n"
	    "  dev@1000 { reg = <0x1000 0x100>; interrupts-extended = <&p 1>; }; }; };\n",
	    "/dts-v1/;\n/ { gic: gic { phandle = <65000>; };\n"
	    "passthrough { #address-cells = <1>; #size-cells = <1>;\n"
	    "  dev@1000 { reg = <0x1000 0x100>; interrupts-extended = <&gic 0 5>; }; }; };\n",
	};
	for (unsigned int i = 0; i < 2; i++) {
		void *bp = dtc_compile(bad_ext[i], &plen);
		x.partial = bp;
		x.partial_size = plen;
		CHECK_EQ(guestdt_build(&d, &x, buf, sizeof(buf)), -HV_EINVAL);
		CHECK(has(err, "/passthrough/dev@1000: interrupts-extended must name"));
		free(bp);
	}

	/* A truncated blob. */
	partial = dtc_compile("/dts-v1/;\n/ { passthrough { }; };\n", &plen);
	x.partial = partial;
	x.partial_size = plen - 1;
	CHECK_EQ(guestdt_build(&d, &x, buf, sizeof(buf)), -HV_EINVAL);
	CHECK(has(err, "partial device tree is not a valid"));
	free(partial);

	/* Lengths libfdt 1.6.1's fdt_check_full() would let through or loop on. */
	partial = dtc_compile("/dts-v1/;\n/ { passthrough { dev { flag; }; }; };\n", &plen);
	int dev = fdt_path_offset(partial, "/passthrough/dev");
	int po = fdt_first_property_offset(partial, dev);
	CHECK(dev > 0 && po > 0);
	static const uint32_t bad_lens[] = {0xffffffffu, 0xfffffff4u, 0xfffffff0u, 0x7fffffffu, 9};
	char *copy = malloc(plen);
	for (size_t i = 0; i < sizeof(bad_lens) / sizeof(bad_lens[0]); i++) {
		memcpy(copy, partial, plen);
		fdt32_st(copy + fdt_off_dt_struct(copy) + po + 4, bad_lens[i]);
		x.partial = copy;
		x.partial_size = plen;
		CHECK_EQ(guestdt_build(&d, &x, buf, sizeof(buf)), -HV_EINVAL);
		CHECK(has(err, "partial device tree is not a valid"));
	}
	free(copy);
	free(partial);

	/* Not a blob at all. */
	static const char junk[64] = "this is not a device tree";
	x.partial = junk;
	x.partial_size = sizeof(junk);
	CHECK_EQ(guestdt_build(&d, &x, buf, sizeof(buf)), -HV_EINVAL);
	CHECK(has(err, "partial device tree is not a valid"));
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(xen_layout_one_vcpu_golden);
	RUN(four_vcpus_two_banks_initrd);
	RUN(direct_map_uses_host_addresses);
	RUN(no_vpl011_no_uart);
	RUN(deterministic);
	RUN(small_buffers_enospc);
	RUN(bad_plans_named);
	RUN(passthrough_merged);
	RUN(passthrough_bus_defaults);
	RUN(partial_without_passthrough_adds_nothing);
	RUN(partial_errors_named);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("  could not remove %s\n", tmpdir);
	return tl_finish();
}
