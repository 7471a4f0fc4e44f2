// SPDX-License-Identifier: Apache-2.0
/*
 * plan: plan_build() on device trees compiled by dtc in the test, and
 * plan_memory_map() against a brute-force oracle on random layouts.
 */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../hv/core/kimage.h"
#include "../../hv/core/plan.h"
#include "../common/dtc.h"
#include "../common/testlib.h"

static struct plan plan;

/* A minimal QEMU-virt-like host: 2 GiB at 0x40000000, 4 CPUs, GICv3, PL011. */
#define HOST_HEAD                                                                                  \
	"/dts-v1/;\n/ {\n #address-cells = <2>; #size-cells = <2>;\n"                              \
	" memory@40000000 { device_type = \"memory\"; reg = <0 0x40000000 0 0x80000000>; };\n"     \
	" cpus { #address-cells = <1>; #size-cells = <0>;\n"                                       \
	"  cpu@0 { device_type = \"cpu\"; reg = <0>; }; cpu@1 { device_type = \"cpu\"; reg = "     \
	"<1>; };\n"                                                                                \
	"  cpu@2 { device_type = \"cpu\"; reg = <2>; }; cpu@3 { device_type = \"cpu\"; reg = "     \
	"<3>; }; };\n"                                                                             \
	" intc@8000000 { compatible = \"arm,gic-v3\"; interrupt-controller; #interrupt-cells = "   \
	"<3>;\n"                                                                                   \
	"  reg = <0 0x8000000 0 0x10000 0 0x80a0000 0 0xf60000>; };\n"                             \
	" pl011@9000000 { compatible = \"arm,pl011\"; reg = <0 0x9000000 0 0x1000>; interrupts = " \
	"<0 1 4>; };\n"

typedef const void *(*module_fn)(void *ctx, uint64_t pa, uint64_t size);

/*
 * Build a plan from host text plus /chosen contents, reading modules
 * through @modules (NULL: none readable). Returns plan_build()'s result.
 */
static int build_with(const char *chosen, module_fn modules)
{
	char dts[8192];
	snprintf(dts, sizeof(dts), "%s chosen {\n stdout-path = \"/pl011@9000000\";\n%s\n };\n};\n",
	         HOST_HEAD, chosen);
	void *fdt = dtc_compile(dts);
	if (!fdt) {
		printf("  dtc failed on:\n%s\n", dts);
		memset(&plan, 0, sizeof(plan));
		return -1000;
	}
	struct plan_input in = {.fdt = fdt,
	                        .hv_image = {PLAN_DEFAULT_HV_BASE, PLAN_DEFAULT_HV_SIZE},
	                        .dtb = {0x48000000, 0x10000},
	                        .module_ptr = modules};
	int rc = plan_build(&in, &plan);
	free(fdt);
	return rc;
}

static int build(const char *chosen)
{
	return build_with(chosen, NULL);
}

static bool has_message(const char *text)
{
	for (unsigned int i = 0; i < plan.nr_messages; i++)
		if (strcmp(plan.messages[i].text, text) == 0)
			return true;
	return false;
}

static void dump_messages(void)
{
	for (unsigned int i = 0; i < plan.nr_messages; i++)
		printf("  msg: %s\n", plan.messages[i].text);
}

#define KERNEL(addr)                                                                               \
	"module@" #addr                                                                            \
	" { compatible = \"multiboot,kernel\", \"multiboot,module\"; reg = <" #addr                \
	" 0x100000>; };"

/* The host alone, with an empty /chosen, compiled by dtc (NULL and a FAIL if dtc fails). */
static uint8_t *host_only_dtb(void)
{
	char dts[4096];
	snprintf(dts, sizeof(dts), "%s chosen { };\n};\n", HOST_HEAD);
	uint8_t *fdt = dtc_compile(dts);
	CHECK(fdt != NULL);
	return fdt;
}

/* xen,domain-p2m-mem-mb: read in MiB, bad values named with node and property. */
TEST(p2m_mem_mb_is_read_and_checked)
{
#define P2M_DOMAIN(v)                                                                              \
	"#address-cells = <1>; #size-cells = <1>;\n"                                               \
	"domU1 { compatible = \"xen,domain\"; #address-cells = <1>; #size-cells = <1>;\n"          \
	" cpus = <1>; memory = <0 0x40000>; xen,static-mem = <0x50000000 0x10000000>;\n"           \
	" xen,domain-p2m-mem-mb = " v "; " KERNEL(0x4a000000) " };"
	CHECK_EQ(build(P2M_DOMAIN("<8>")), 0);
	CHECK_EQ(plan.domains[0].p2m_mem_mb, 8);
	CHECK(build(P2M_DOMAIN("<0>")) != 0);
	CHECK(has_message("/chosen/domU1: xen,domain-p2m-mem-mb is 0, expected 1 to 1024 (MiB)"));
	CHECK(build(P2M_DOMAIN("<2048>")) != 0);
	CHECK(
	    has_message("/chosen/domU1: xen,domain-p2m-mem-mb is 2048, expected 1 to 1024 (MiB)"));
	CHECK(build(P2M_DOMAIN("<0 8>")) != 0);
	CHECK(has_message("/chosen/domU1: xen,domain-p2m-mem-mb has length 8, expected 4 (MiB)"));
	if (plan.nr_errors == 0)
		dump_messages();
#undef P2M_DOMAIN
}

/* Each CPU's node is recorded, so its MPIDR is one property read away. */
TEST(cpu_nodes_are_recorded)
{
	uint8_t *fdt = host_only_dtb();
	if (!fdt)
		return;
	struct plan_input in = {.fdt = fdt,
	                        .hv_image = {PLAN_DEFAULT_HV_BASE, PLAN_DEFAULT_HV_SIZE},
	                        .dtb = {0x48000000, 0x10000}};
	plan_build(&in, &plan);
	CHECK_EQ(plan.nr_cpus, 4);
	for (unsigned int i = 0; i < plan.nr_cpus; i++) {
		int len = 0;
		const fdt32_t *reg = fdt_getprop(fdt, plan.cpu_node[i], "reg", &len);
		CHECK(reg != NULL && len == 4);
		if (reg)
			CHECK_EQ(fdt32_to_cpu(reg[0]), i);
	}
	free(fdt);
}

TEST(host_facts_are_read)
{
	CHECK_EQ(build(""), 0);
	CHECK_EQ(plan.nr_ram, 1);
	CHECK_EQ(plan.ram[0].base, 0x40000000);
	CHECK_EQ(plan.ram[0].size, 0x80000000);
	CHECK_EQ(plan.nr_cpus, 4);
	CHECK_EQ(pa_addr(plan.gicd_base), 0x8000000);
	CHECK_EQ(pa_addr(plan.gicr_base), 0x80a0000);
	CHECK_EQ(pa_addr(plan.uart_base), 0x9000000);
	CHECK_EQ(plan.uart_intid, 33); /* SPI 1 */
	CHECK_EQ(plan.nr_domains, 0);
	CHECK_EQ(plan.nr_errors, 0);
}

TEST(both_cell_conventions)
{
	/* Xen 4.17+: /chosen's cells (2 and 2 here). */
	CHECK_EQ(build("#address-cells = <2>; #size-cells = <2>;\n"
	               "d { compatible = \"xen,domain\"; #address-cells = <1>; #size-cells = <1>;\n"
	               " cpus = <1>; memory = <0 0x60000>;\n"
	               " xen,static-mem = <0 0x50000000 0 0x10000000 0 0x70000000 0 0x8000000>;\n"
	               " " KERNEL(0x4a000000) " };"),
	         0);
	struct plan_domain a = plan.domains[0];
	/* Xen 4.16: the cells inside the domain node (1 and 1), /chosen says 2. */
	CHECK_EQ(build("#address-cells = <2>; #size-cells = <2>;\n"
	               "d { compatible = \"xen,domain\"; #address-cells = <1>; #size-cells = <1>;\n"
	               " #xen,static-mem-address-cells = <1>; #xen,static-mem-size-cells = <1>;\n"
	               " cpus = <1>; memory = <0 0x60000>;\n"
	               " xen,static-mem = <0x50000000 0x10000000 0x70000000 0x8000000>;\n"
	               " " KERNEL(0x4a000000) " };"),
	         0);
	dump_messages();
	CHECK_EQ(plan.domains[0].nr_static, 2);
	CHECK_EQ(a.nr_static, 2);
	CHECK(memcmp(a.static_mem, plan.domains[0].static_mem, sizeof(a.static_mem)) == 0);
	CHECK_EQ(plan.domains[0].static_mem[1].base, 0x70000000);
	CHECK_EQ(plan.domains[0].static_mem[1].size, 0x8000000);
}

/* Independent oracle: the guest address of byte @off of the domain's RAM. */
static uint64_t oracle_ipa(uint64_t off)
{
	return off < GUEST_RAM0_SIZE ? GUEST_RAM0_BASE + off
	                             : GUEST_RAM1_BASE + off - GUEST_RAM0_SIZE;
}

TEST(guest_banks_are_packed)
{
	/* A 4 GiB-RAM board whose domain has 3 banks totalling 3.5 GiB. */
	const char *host = HOST_HEAD;
	char dts[8192];
	snprintf(dts, sizeof(dts),
	         "%s memory@100000000 { device_type = \"memory\"; reg = <1 0 1 0>; };\n"
	         " chosen { #address-cells = <2>; #size-cells = <2>;\n"
	         " d { compatible = \"xen,domain\"; #address-cells = <1>; #size-cells = <1>;\n"
	         " cpus = <1>; memory = <0 0x380000>;\n"
	         " xen,static-mem = <0 0x60000000 0 0x20000000 1 0 0 0xb0000000 0 0x50000000 0 "
	         "0x10000000>;\n"
	         " " KERNEL(0x4a000000) " }; };\n};\n",
	         host);
	void *fdt = dtc_compile(dts);
	CHECK(fdt != NULL);
	if (!fdt)
		return;
	struct plan_input in = {.fdt = fdt,
	                        .hv_image = {PLAN_DEFAULT_HV_BASE, PLAN_DEFAULT_HV_SIZE},
	                        .dtb = {0x48000000, 0x10000}};
	int rc = plan_build(&in, &plan);
	free(fdt);
	dump_messages();
	CHECK_EQ(rc, 0);
	CHECK_EQ(plan.nr_messages, 0);
	const struct plan_domain *d = &plan.domains[0];
	CHECK_EQ(d->nr_static, 3);
	CHECK_EQ(d->nr_banks, 4); /* the second range straddles guest bank 0's end */
	uint64_t off = 0;
	unsigned int want_index[] = {0, 1, 1, 2};
	for (unsigned int b = 0; b < d->nr_banks; b++) {
		CHECK_EQ(ipa_addr(d->banks[b].ipa), oracle_ipa(off));
		CHECK_EQ(d->banks[b].index, want_index[b]);
		/* A bank never crosses a guest bank boundary. */
		CHECK((ipa_addr(d->banks[b].ipa) + d->banks[b].size <=
		       GUEST_RAM0_BASE + GUEST_RAM0_SIZE) ||
		      ipa_addr(d->banks[b].ipa) >= GUEST_RAM1_BASE);
		off += d->banks[b].size;
	}
	CHECK_EQ(off, 0xe0000000ull);
	CHECK_EQ(pa_addr(d->banks[1].pa), 0x100000000ull);
	CHECK_EQ(pa_addr(d->banks[2].pa), 0x100000000ull + d->banks[1].size);
}

TEST(device_placement)
{
	CHECK_EQ(build("#address-cells = <1>; #size-cells = <1>;\n"
	               "a { compatible = \"xen,domain\"; cpus = <2>; memory = <0 0x40000>;\n"
	               " #address-cells = <1>; #size-cells = <1>;\n"
	               " xen,static-mem = <0x50000000 0x10000000>; direct-map; vpl011;\n"
	               " " KERNEL(0x4a000000) " };\n"
	                                      "b { compatible = \"xen,domain\"; cpus = <1>; memory "
	                                      "= <0 0x40000>;\n"
	                                      " #address-cells = <1>; #size-cells = <1>;\n"
	                                      " xen,static-mem = <0x60000000 0x10000000>; vpl011;\n"
	                                      " " KERNEL(0x4b000000) " };"),
	         0);
	dump_messages();
	const struct plan_domain *a = &plan.domains[0], *b = &plan.domains[1];
	CHECK_EQ(ipa_addr(a->gicd_base), 0x8000000);
	CHECK_EQ(ipa_addr(a->gicr_base), 0x80a0000);
	CHECK_EQ(ipa_addr(a->pl011_base), 0x9000000);
	CHECK_EQ(a->pl011_intid, 33);
	CHECK_EQ(ipa_addr(a->banks[0].ipa), 0x50000000);
	CHECK_EQ(a->first_cpu, 0);
	CHECK_EQ(ipa_addr(b->gicd_base), GUEST_GICD_BASE);
	CHECK_EQ(ipa_addr(b->gicr_base), GUEST_GICR_BASE);
	CHECK_EQ(ipa_addr(b->pl011_base), GUEST_PL011_BASE);
	CHECK_EQ(b->pl011_intid, GUEST_PL011_INTID);
	CHECK_EQ(ipa_addr(b->banks[0].ipa), GUEST_RAM0_BASE);
	CHECK_EQ(pa_addr(b->banks[0].pa), 0x60000000);
	CHECK_EQ(b->first_cpu, 2);
}

TEST(errors_are_all_reported)
{
	CHECK(build("#address-cells = <1>; #size-cells = <1>;\n"
	            "a { compatible = \"xen,domain\"; cpus = <3>; memory = <0 0x40000>;\n"
	            " xen,static-mem = <0x50000000 0x10000000>; };\n"
	            "b { compatible = \"xen,domain\"; cpus = <2>; memory = <0 0x40000>;\n"
	            " xen,static-mem = <0x58000000 0x10000000>; direct-map; };") != 0);
	CHECK(has_message("/chosen/a: no multiboot,kernel module"));
	CHECK(has_message("/chosen/b: no multiboot,kernel module"));
	CHECK(has_message("/chosen/b: cpus 2 needs physical CPUs 3-4, but /cpus has 4 (each vCPU "
	                  "owns one)"));
	CHECK(has_message("/chosen/a: xen,static-mem[0] 0x50000000-0x5fffffff overlaps /chosen/b "
	                  "xen,static-mem[0]"));
	CHECK_EQ(plan.nr_errors, 4);
	if (plan.nr_errors != 4)
		dump_messages();
}

TEST(many_errors_are_counted)
{
	char chosen[6000] = "#address-cells = <1>; #size-cells = <1>;\n";
	for (int i = 0; i < 16; i++) {
		char d[300];
		/* each: cpus 0, no kernel, unaligned static, memory mismatch, direct-map ok */
		snprintf(d, sizeof(d),
		         "d%d { compatible = \"xen,domain\"; cpus = <0>; memory = <0 1>;\n"
		         " xen,static-mem = <0x%x 0x1000>; };\n",
		         i, 0x50000010 + i * 0x10000);
		strcat(chosen, d);
	}
	CHECK(build(chosen) != 0);
	CHECK_EQ(plan.nr_errors, 16 * 4);
	CHECK_EQ(plan.nr_messages, PLAN_MAX_MESSAGES);
	CHECK(!plan.messages_truncated); /* exactly full */
	CHECK(build("#address-cells = <1>; #size-cells = <1>;\n"
	            "x { compatible = \"xen,domain\"; cpus = <0>; };\n"
	            "y { compatible = \"xen,domain\"; cpus = <0>; };\n") != 0);
	/* Each: cpus is 0, missing memory, no kernel. */
	CHECK_EQ(plan.nr_errors, 6);
}

/* ---- passthrough through plan_input.module_ptr ---- */

static const void *partial_blob;
static bool hide_module, garbage_module;

/* The module's contents: the compiled partial DT, zero-padded to @size. */
static const void *test_module_ptr(void *ctx, uint64_t pa, uint64_t size)
{
	static char buf[0x10000];
	(void)ctx;
	if (pa != 0x4c000000 || size > sizeof(buf) || !partial_blob || hide_module)
		return NULL;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, partial_blob, fdt_totalsize(partial_blob));
	if (garbage_module)
		memset(buf, 0xab, 64);
	return buf;
}

static int build_pt(bool direct, const char *device)
{
	char host[8192], part[2048];
	snprintf(host, sizeof(host),
	         "%s virtio_mmio@a003e00 { compatible = \"virtio,mmio\"; dma-coherent;\n"
	         "  reg = <0 0xa003e00 0 0x200>; interrupts = <0 0x2f 1>; };\n"
	         " rtc@9010000 { compatible = \"arm,pl031\"; reg = <0 0x9010000 0 0x1000>; "
	         "interrupts = <0 2 4>; };\n"
	         " chosen { #address-cells = <1>; #size-cells = <1>;\n"
	         " d { compatible = \"xen,domain\"; #address-cells = <1>; #size-cells = <1>;\n"
	         " cpus = <1>; memory = <0 0x40000>; xen,static-mem = <0x60000000 0x10000000>; %s\n"
	         " " KERNEL(
	             0x4a000000) "\n"
	                         " module@4c000000 { compatible = \"multiboot,device-tree\", "
	                         "\"multiboot,module\"; reg = <0x4c000000 0x10000>; }; }; };\n};\n",
	         HOST_HEAD, direct ? "direct-map;" : "");
	snprintf(part, sizeof(part),
	         "/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n"
	         " passthrough { compatible = \"simple-bus\"; ranges; #address-cells = <2>; "
	         "#size-cells = <2>;\n%s }; };\n",
	         device);
	void *fdt = dtc_compile(host);
	void *pt = dtc_compile(part);
	CHECK(fdt && pt);
	if (!fdt || !pt) {
		free(fdt);
		free(pt);
		return -1000;
	}
	partial_blob = pt;
	struct plan_input in = {.fdt = fdt,
	                        .hv_image = {PLAN_DEFAULT_HV_BASE, PLAN_DEFAULT_HV_SIZE},
	                        .dtb = {0x48000000, 0x10000},
	                        .module_ptr = test_module_ptr};
	int rc = plan_build(&in, &plan);
	free(fdt);
	free(pt);
	partial_blob = NULL;
	return rc;
}

#define VIRTIO_PT(extra)                                                                           \
	"virtio@a003e00 { compatible = \"virtio,mmio\"; interrupts = <0 0x2f 1>;\n"                \
	" xen,reg = <0 0xa003000 0 0x1000 0 0xa003000>; xen,path = "                               \
	"\"/virtio_mmio@a003e00\"; " extra " };"

TEST(passthrough_is_read_from_the_module)
{
	CHECK_EQ(build_pt(true, VIRTIO_PT("")), 0);
	dump_messages();
	const struct plan_domain *d = &plan.domains[0];
	CHECK_EQ(d->nr_pt, 1);
	CHECK(strcmp(d->pt[0].path, "/virtio_mmio@a003e00") == 0);
	CHECK(strcmp(d->pt[0].node, "/passthrough/virtio@a003e00") == 0);
	CHECK_EQ(d->pt[0].nr_regs, 1);
	CHECK_EQ(pa_addr(d->pt[0].regs[0].pa), 0xa003000);
	CHECK_EQ(d->pt[0].regs[0].size, 0x1000);
	CHECK_EQ(ipa_addr(d->pt[0].regs[0].ipa), 0xa003000);
	CHECK_EQ(d->pt[0].nr_irqs, 1);
	CHECK_EQ(d->pt[0].irqs[0], 32 + 0x2f);
	CHECK(d->pt[0].dma_capable);
	CHECK(!d->pt[0].force_without_iommu);
}

TEST(dma_rule)
{
	/* virtio,mmio is DMA capable: refused for a domain that is not direct-mapped... */
	CHECK(build_pt(false, VIRTIO_PT("")) != 0);
	CHECK(
	    has_message("/chosen/d /passthrough/virtio@a003e00: DMA-capable, no IOMMU, domain not "
	                "direct-mapped: direct-map it or set xen,force-assign-without-iommu"));
	/* ...allowed with a warning when forced... */
	CHECK_EQ(build_pt(false, VIRTIO_PT("xen,force-assign-without-iommu;")), 0);
	CHECK_EQ(plan.nr_messages, 1);
	CHECK_EQ(plan.messages[0].severity, PLAN_WARNING);
	/* ...and a device with no DMA (an RTC, known only by its host node) is fine. */
	CHECK_EQ(build_pt(false, "rtc { interrupts = <0 2 4>; xen,path = \"/rtc@9010000\";\n"
	                         " xen,reg = <0 0x9010000 0 0x1000 0 0x9010000>; };"),
	         0);
	dump_messages();
	CHECK(!plan.domains[0].pt[0].dma_capable);
	CHECK_EQ(plan.domains[0].pt[0].irqs[0], 34);
	/* dma-coherent on the host node is enough to make it a bus master. */
	CHECK(build_pt(false, "dev { xen,path = \"/virtio_mmio@a003e00\";\n"
	                      " xen,reg = <0 0xa003000 0 0x1000 0 0xa003000>; };") != 0);
}

TEST(missing_module_is_a_warning)
{
	hide_module = true;
	CHECK_EQ(build_pt(true, VIRTIO_PT("")), 0);
	hide_module = false;
	CHECK_EQ(plan.domains[0].nr_pt, 0);
	CHECK(has_message("/chosen/d/module@4c000000: partial device tree not available, "
	                  "passthrough not checked"));
	CHECK_EQ(plan.messages[0].severity, PLAN_WARNING);
	/* A module that is not a DT blob is an error. */
	garbage_module = true;
	CHECK(build_pt(true, VIRTIO_PT("")) != 0);
	garbage_module = false;
	CHECK(
	    has_message("/chosen/d/module@4c000000: not a valid device tree blob within its reg"));
}

/* ---- kernel placement through plan_input.module_ptr ---- */

static uint8_t kernel_head[64];
static unsigned int kernel_reads; /* every call, whatever the address */
static uint64_t kernel_read_size;

/* The module at 0x49000000 reads as kernel_head (at most 64 bytes); no other. */
static const void *kernel_module_ptr(void *ctx, uint64_t pa, uint64_t size)
{
	(void)ctx;
	kernel_reads++;
	kernel_read_size = size;
	if (pa != 0x49000000 || size > sizeof(kernel_head))
		return NULL;
	return kernel_head;
}

/* An arm64 Image header (booting.rst): little endian, "ARM\x64" at 0x38. */
static void image_header(uint64_t text_offset, uint64_t image_size)
{
	memset(kernel_head, 0, sizeof(kernel_head));
	for (int i = 0; i < 8; i++) {
		kernel_head[8 + i] = (uint8_t)(text_offset >> (8 * i));
		kernel_head[16 + i] = (uint8_t)(image_size >> (8 * i));
	}
	kernel_head[24] = 0xa; /* flags: little endian, 4 KiB pages, anywhere */
	memcpy(kernel_head + 0x38, "ARM\x64", 4);
}

/*
 * domU1: 16 MiB of static memory seen at guest 0x40000000, a kernel of
 * @ksize bytes at 0x49000000, @memory_kib as its memory property. @extra
 * goes into /chosen after it.
 */
static int build_kernel(uint64_t ksize, unsigned int memory_kib, const char *extra)
{
	char chosen[2048];

	snprintf(chosen, sizeof(chosen),
	         "#address-cells = <1>; #size-cells = <1>;\n"
	         "domU1 { compatible = \"xen,domain\"; #address-cells = <1>; #size-cells = <1>;\n"
	         " cpus = <1>; memory = <0 0x%x>; xen,static-mem = <0x60000000 0x1000000>;\n"
	         " module@49000000 { compatible = \"multiboot,kernel\", \"multiboot,module\";\n"
	         "  reg = <0x49000000 0x%llx>; }; };\n%s",
	         memory_kib, (unsigned long long)ksize, extra);
	kernel_reads = 0;
	kernel_read_size = 0;
	return build_with(chosen, kernel_module_ptr);
}

TEST(kernel_placement_is_checked)
{
	/* image_size 64 MiB in 16 MiB: refused, naming the module, header read only. */
	image_header(0, 64 * MiB);
	CHECK(build_kernel(8 * MiB, 0x4000, "") != 0);
	CHECK_EQ(plan.nr_errors, 1);
	CHECK_EQ(plan.nr_messages, 1);
	CHECK(has_message("/chosen/domU1/module@49000000: kernel needs 0x4000000 bytes "
	                  "(image_size in its header) at guest 0x40000000; guest RAM "
	                  "0x40000000-0x40ffffff is too small"));
	CHECK_EQ(kernel_reads, 1);
	CHECK_EQ(kernel_read_size, 64);
	CHECK(!plan.domains[0].placement_checked);

	/* The hypervisor's DT reservation, 64 KiB, exactly left: fits. */
	image_header(0, 16 * MiB - KIMAGE_GUEST_DT_MAX);
	CHECK_EQ(build_kernel(8 * MiB, 0x4000, ""), 0);
	dump_messages();
	CHECK_EQ(plan.nr_messages, 0);
	CHECK(plan.domains[0].placement_checked);
	/* 8 bytes more and the DT no longer fits. */
	image_header(0, 16 * MiB - KIMAGE_GUEST_DT_MAX + 8);
	CHECK(build_kernel(8 * MiB, 0x4000, "") != 0);
	CHECK(has_message("/chosen/domU1/module@49000000: no room for the device tree (0x10000 "
	                  "bytes) in guest RAM 0x40000000-0x40ffffff after the kernel (ends "
	                  "0x40ff0008)"));

	/* A kernel smaller than a header: only its own bytes are asked for (a raw binary). */
	CHECK_EQ(build_kernel(16, 0x4000, ""), 0);
	CHECK_EQ(kernel_read_size, 16);
	CHECK(plan.domains[0].placement_checked);
}

TEST(kernel_placement_needs_a_valid_plan_and_the_kernel)
{
	image_header(0, 64 * MiB);
	/* Another error: the kernel is not read (it may lie anywhere) nor placed. */
	CHECK(build_kernel(8 * MiB, 0x8000, "") != 0);
	CHECK_EQ(plan.nr_errors, 1);
	CHECK(has_message("/chosen/domU1: memory is 32768 KiB but xen,static-mem sums to "
	                  "16384 KiB"));
	CHECK_EQ(kernel_reads, 0);
	CHECK(!plan.domains[0].placement_checked);

	/* Kernel not available: valid, not placed (the host tool adds a note). */
	CHECK_EQ(build("#address-cells = <1>; #size-cells = <1>;\n"
	               "domU1 { compatible = \"xen,domain\"; #address-cells = <1>; #size-cells = "
	               "<1>;\n cpus = <1>; memory = <0 0x4000>; xen,static-mem = <0x60000000 "
	               "0x1000000>;\n " KERNEL(0x49000000) " };\n"),
	         0);
	CHECK_EQ(plan.nr_messages, 0);
	CHECK(!plan.domains[0].placement_checked);

	/* A domain without static memory has no banks to place into: its kernel is not read. */
	image_header(0, 4 * MiB);
	CHECK_EQ(build_kernel(8 * MiB, 0x4000,
	                      "heap { compatible = \"xen,domain\"; #address-cells = <1>;\n"
	                      " #size-cells = <1>; cpus = <1>; memory = <0 0x4000>;\n"
	                      " module@4a000000 { compatible = \"multiboot,kernel\";\n"
	                      "  reg = <0x4a000000 0x100000>; }; };\n"),
	         0);
	dump_messages();
	CHECK_EQ(plan.nr_domains, 2);
	CHECK_EQ(kernel_reads, 1); /* domU1's */
	CHECK(plan.domains[0].placement_checked);
	CHECK(!plan.domains[1].placement_checked);
}

/* ---- plan_memory_map against a brute-force oracle ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? rng_state % n : 0;
}

static int oracle_rank(enum plan_kind k)
{
	static const enum plan_kind order[] = {PLAN_KIND_HYPERVISOR, PLAN_KIND_DTB,
	                                       PLAN_KIND_RESERVED,   PLAN_KIND_MODULE,
	                                       PLAN_KIND_STATIC,     PLAN_KIND_HEAP};
	for (int i = 0; i < 6; i++)
		if (order[i] == k)
			return i;
	return 6;
}

static bool in(uint64_t a, uint64_t base, uint64_t size)
{
	return size && a >= base && a - base < size;
}

/* The kind that owns address @a, by brute force over the plan's fields. */
static enum plan_kind oracle_kind(const struct plan *p, uint64_t a)
{
	enum plan_kind best = PLAN_KIND_UNUSED;
#define CONSIDER(k, base, size)                                                                    \
	do {                                                                                       \
		if (in(a, base, size) && oracle_rank(k) < oracle_rank(best))                       \
			best = k;                                                                  \
	} while (0)
	CONSIDER(PLAN_KIND_HYPERVISOR, p->hv_image.base, p->hv_image.size);
	CONSIDER(PLAN_KIND_DTB, p->dtb.base, p->dtb.size);
	for (unsigned int i = 0; i < p->nr_reserved; i++)
		CONSIDER(PLAN_KIND_RESERVED, p->reserved[i].range.base, p->reserved[i].range.size);
	for (unsigned int i = 0; i < p->nr_heap; i++)
		CONSIDER(PLAN_KIND_HEAP, p->heap[i].base, p->heap[i].size);
	for (unsigned int d = 0; d < p->nr_domains; d++) {
		for (unsigned int i = 0; i < p->domains[d].nr_static; i++)
			CONSIDER(PLAN_KIND_STATIC, p->domains[d].static_mem[i].base,
			         p->domains[d].static_mem[i].size);
		for (unsigned int i = 0; i < p->domains[d].nr_modules; i++)
			CONSIDER(PLAN_KIND_MODULE, p->domains[d].modules[i].range.base,
			         p->domains[d].modules[i].range.size);
	}
#undef CONSIDER
	return best;
}

static struct plan_range rnd_range(void)
{
	uint64_t base = 0x40000000 + rnd(0x100000) * 0x1000;
	uint64_t size = (1 + rnd(0x20000)) * 0x1000;
	return (struct plan_range){base, size};
}

TEST(memory_map_covers_ram_once)
{
	static struct plan p;
	static struct plan_map_entry map[2048];

	for (int round = 0; round < 300; round++) {
		memset(&p, 0, sizeof(p));
		p.nr_ram = 1 + (unsigned int)rnd(3);
		uint64_t at = 0x40000000;
		for (unsigned int i = 0; i < p.nr_ram; i++) {
			p.ram[i].base = at;
			p.ram[i].size = (0x100 + rnd(0x40000)) * 0x1000;
			at += p.ram[i].size + rnd(2) * 0x10000000;
		}
		if (round == 0) { /* a bank that ends at the top of the address space */
			p.ram[p.nr_ram - 1].base = 0xfffffffff0000000ull;
			p.ram[p.nr_ram - 1].size = 0x10000000ull;
		}
		p.hv_image = rnd_range();
		p.dtb = rnd_range();
		p.nr_reserved = (unsigned int)rnd(4);
		for (unsigned int i = 0; i < p.nr_reserved; i++)
			p.reserved[i].range = rnd_range();
		p.nr_heap = (unsigned int)rnd(3);
		for (unsigned int i = 0; i < p.nr_heap; i++)
			p.heap[i] = rnd_range();
		p.nr_domains = (unsigned int)rnd(5);
		for (unsigned int d = 0; d < p.nr_domains; d++) {
			p.domains[d].nr_static = (unsigned int)rnd(4);
			for (unsigned int i = 0; i < p.domains[d].nr_static; i++)
				p.domains[d].static_mem[i] = rnd_range();
			p.domains[d].nr_modules = (unsigned int)rnd(3);
			for (unsigned int i = 0; i < p.domains[d].nr_modules; i++)
				p.domains[d].modules[i].range = rnd_range();
		}

		unsigned int n = plan_memory_map(&p, map, 2048);
		CHECK(n <= 2048);
		CHECK_EQ(plan_memory_map(&p, NULL, 0), n);
		if (n > 2048)
			return;
		/* Entries sorted, contiguous within each bank, exactly covering it. */
		unsigned int e = 0;
		for (unsigned int b = 0; b < p.nr_ram; b++) {
			uint64_t next = p.ram[b].base, covered = 0;
			unsigned int first = e;
			while (e < n && in(map[e].range.base, p.ram[b].base, p.ram[b].size)) {
				CHECK_EQ(map[e].range.base, next);
				CHECK(map[e].range.size > 0);
				next += map[e].range.size;
				covered += map[e].range.size;
				/* Owner right at both ends and in the middle of the entry. */
				uint64_t last = map[e].range.base + map[e].range.size - 1;
				CHECK_EQ(oracle_kind(&p, map[e].range.base), map[e].kind);
				CHECK_EQ(oracle_kind(&p, last), map[e].kind);
				CHECK_EQ(oracle_kind(&p, map[e].range.base + map[e].range.size / 2),
				         map[e].kind);
				/* Adjacent unused entries of a bank are merged. */
				if (e > first && map[e].kind == PLAN_KIND_UNUSED &&
				    map[e - 1].range.base + map[e - 1].range.size ==
				        map[e].range.base)
					CHECK(map[e - 1].kind != PLAN_KIND_UNUSED);
				e++;
			}
			CHECK_EQ(covered, p.ram[b].size);
		}
		CHECK_EQ(e, n);
		if (tl_current_failed) {
			printf("  round %d\n", round);
			return;
		}
	}
}

TEST(kind_names)
{
	CHECK(strcmp(plan_kind_name(PLAN_KIND_STATIC), "static") == 0);
	CHECK(strcmp(plan_kind_name(PLAN_KIND_HEAP), "heap") == 0);
	CHECK(strcmp(plan_kind_name(PLAN_KIND_UNUSED), "unused") == 0);
}

TEST(bad_blob_is_an_error)
{
	static char junk[256];
	struct plan_input in = {.fdt = junk, .fdt_size = sizeof(junk)};
	memset(junk, 0xd0, sizeof(junk));
	CHECK(plan_build(&in, &plan) != 0);
	CHECK_EQ(plan.nr_errors, 1);
}

/* libfdt 1.6.1 loops forever on this; plan_build() must refuse it. */
TEST(blob_that_loops_libfdt_is_refused)
{
	uint8_t *fdt = host_only_dtb();
	if (!fdt)
		return;
	/* The first property: its length makes the walk return to its own tag. */
	uint32_t off = fdt_off_dt_struct(fdt);
	int found = 0;
	for (uint32_t o = off; o + 8 <= fdt_totalsize(fdt); o += 4) {
		if (fdt32_ld((const fdt32_t *)(fdt + o)) == FDT_PROP) {
			fdt32_st(fdt + o + 4, 0xfffffff4u);
			found = 1;
			break;
		}
	}
	CHECK(found);
	struct plan_input in = {.fdt = fdt, .fdt_size = fdt_totalsize(fdt)};
	CHECK(plan_build(&in, &plan) != 0);
	CHECK(has_message("/: the host device tree is not a valid blob"));
	free(fdt);
}

int main(void)
{
	RUN(host_facts_are_read);
	RUN(cpu_nodes_are_recorded);
	RUN(p2m_mem_mb_is_read_and_checked);
	RUN(both_cell_conventions);
	RUN(guest_banks_are_packed);
	RUN(device_placement);
	RUN(errors_are_all_reported);
	RUN(many_errors_are_counted);
	RUN(passthrough_is_read_from_the_module);
	RUN(dma_rule);
	RUN(missing_module_is_a_warning);
	RUN(kernel_placement_is_checked);
	RUN(kernel_placement_needs_a_valid_plan_and_the_kernel);
	RUN(memory_map_covers_ram_once);
	RUN(kind_names);
	RUN(bad_blob_is_an_error);
	RUN(blob_that_loops_libfdt_is_refused);
	return tl_finish();
}
