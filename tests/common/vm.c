// SPDX-License-Identifier: Apache-2.0
/* The simulated machine of host tests: see vm.h. */
#include "vm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../hv/core/guestmem.h"
#include "../../hv/core/vpsci.h"
#include "dtc.h"

struct plan vm_plan;
struct mm vm_mm;

void *vm_board(const char *chosen_extra, const char *dom_extra)
{
	static const char head[] =
	    "/dts-v1/;\n/ {\n #address-cells = <2>; #size-cells = <2>;\n"
	    " memory@40000000 { device_type = \"memory\"; reg = <0 0x40000000 0 0x10000000>; };\n"
	    " cpus { #address-cells = <1>; #size-cells = <0>;\n"
	    "  cpu@0 { device_type = \"cpu\"; reg = <0>; };\n"
	    "  cpu@1 { device_type = \"cpu\"; reg = <1>; };\n"
	    "  cpu@2 { device_type = \"cpu\"; reg = <2>; };\n"
	    "  cpu@3 { device_type = \"cpu\"; reg = <3>; };\n };\n"
	    " intc@8000000 { compatible = \"arm,gic-v3\"; interrupt-controller;\n"
	    "  #interrupt-cells = <3>; reg = <0 0x8000000 0 0x10000 0 0x80a0000 0 0xf60000>; };\n"
	    " pl011@9000000 { compatible = \"arm,pl011\"; reg = <0 0x9000000 0 0x1000>;\n"
	    "  interrupts = <0 1 4>; };\n";
	char *dts = malloc(16384);
	if (!dts)
		return NULL;
	snprintf(dts, 16384,
	         "%s chosen {\n stdout-path = \"/pl011@9000000\";\n"
	         " #address-cells = <1>; #size-cells = <1>;\n %s\n"
	         " domU1 { compatible = \"xen,domain\"; #address-cells = <1>; #size-cells = <1>;\n"
	         "  cpus = <2>; memory = <0 0x1000>; xen,static-mem = <0x44000000 0x400000>;\n"
	         "  direct-map; vpl011; %s\n"
	         "  module@49000000 { compatible = \"multiboot,kernel\", \"multiboot,module\";\n"
	         "   reg = <0x49000000 0x1000>; }; };\n"
	         " domU2 { compatible = \"xen,domain\"; #address-cells = <1>; #size-cells = <1>;\n"
	         "  cpus = <2>; memory = <0 0x1000>; xen,static-mem = <0x45000000 0x400000>;\n"
	         "  vpl011; %s\n"
	         "  module@4a000000 { compatible = \"multiboot,kernel\", \"multiboot,module\";\n"
	         "   reg = <0x4a000000 0x1000>; }; };\n };\n};\n",
	         head, chosen_extra ? chosen_extra : "", dom_extra ? dom_extra : "",
	         dom_extra ? dom_extra : "");
	void *fdt = dtc_compile(dts);
	if (!fdt)
		fprintf(stderr, "vm_board: dtc failed on:\n%s\n", dts);
	free(dts);
	return fdt;
}

uint8_t vm_kernel_byte(unsigned int domid, unsigned int i)
{
	if (i < 4) /* a recognisable start: "K1\0\0", "K2\0\0" */
		return i == 0 ? 'K' : i == 1 ? (uint8_t)('0' + domid) : 0;
	return (uint8_t)(i * 7 + domid);
}

void vm_power_on(const void *fdt)
{
	/*
	 * RAM keeps what the last run left, as on a real reset (and it is
	 * faster than mapping it afresh): the core must not rely on it.
	 */
	uint8_t *ram = host_ram_find(VM_RAM_BASE, VM_RAM_SIZE);
	if (ram) {
		host_machine_reset();
	} else {
		host_ram_reset();
		ram = host_ram_add(VM_RAM_BASE, VM_RAM_SIZE);
		if (!ram)
			abort();
	}
	host_console_clear();
	/* What the boot loader left in RAM: the kernels and the DTB. */
	const uint64_t kernels[] = {VM_D1_KERNEL, VM_D2_KERNEL};
	for (unsigned int d = 0; d < 2; d++)
		for (unsigned int i = 0; i < VM_KERNEL_LEN; i++)
			ram[kernels[d] - VM_RAM_BASE + i] = vm_kernel_byte(d + 1, i);
	uint32_t size = __builtin_bswap32(((const uint32_t *)fdt)[1]);
	memcpy(ram + (VM_DTB_BASE - VM_RAM_BASE), fdt, size);
}

/* plan_input.module_ptr: the boot loader's modules, in simulated RAM. */
static const void *module_ptr(void *ctx, uint64_t pa, uint64_t size)
{
	(void)ctx;
	if (pa < VM_RAM_BASE || pa - VM_RAM_BASE > VM_RAM_SIZE - size)
		return NULL;
	return arch_phys_to_virt(pa_init(pa));
}

struct plan_input vm_input(const void *fdt)
{
	uint32_t size = __builtin_bswap32(((const uint32_t *)fdt)[1]);
	struct plan_input in = {
	    .fdt = fdt,
	    .fdt_size = size,
	    .hv_image = {PLAN_DEFAULT_HV_BASE, PLAN_DEFAULT_HV_SIZE},
	    .dtb = {VM_DTB_BASE, size},
	    .module_ptr = module_ptr,
	};
	return in;
}

int vm_boot(const void *fdt)
{
	vm_power_on(fdt);
	struct plan_input in = vm_input(fdt);
	return boot_run(&in, 0, &vm_plan, &vm_mm);
}

int vm_guest_read(struct domain *d, uint64_t ipa, void *buf, uint64_t len)
{
	return guestmem_read(&d->mem, buf, ipa_init(ipa), len);
}

int vm_guest_write(struct domain *d, uint64_t ipa, const void *buf, uint64_t len)
{
	return guestmem_write(&d->mem, ipa_init(ipa), buf, len);
}

uint64_t vm_ram_base(const struct domain *d)
{
	return ipa_addr(d->cfg->banks[0].ipa); /* == the host address when direct-mapped */
}

int vm_cpu_on(struct domain *d, unsigned int i)
{
	const uint64_t args[4] = {PSCI_CPU_ON_64, vm_mpidr(i), vm_ram_base(d), 7};
	int64_t rc = (int64_t)vpsci_call(&d->vcpus[0], args);

	if (rc != PSCI_SUCCESS)
		return (int)rc;
	return host_cpu_run(d->vcpus[i].pcpu) ? 0 : -100;
}
