// SPDX-License-Identifier: Apache-2.0
/*
 * ptprobe: read the registers of the virtio-mmio transport passed through
 * at 0x0a003e00 (tests/qemu/run-linux.sh gives it the xen,reg page
 * 0x0a003000, guest == host). A transport with a block device behind it
 * reads magic "virt", device id 2: only the real device answers that.
 * Then read the page below, which no xen,reg names: that must fault at
 * stage 2 and stop the domain.
 */
#include "common/guest.h"

#define VIRTIO_BASE  0x0a003e00ull
#define VIRTIO_MAGIC 0x74726976u /* "virt" */
#define OUTSIDE_PAGE 0x0a002e00ull

void guest_main(void *dtb, uint64_t t0);

static uint32_t mmio_read32(uint64_t pa)
{
	return *(volatile uint32_t *)(uintptr_t)pa;
}

void guest_main(void *dtb, uint64_t t0)
{
	struct guest_dt dt;

	(void)t0;
	dt_parse(dtb, &dt);
	uart_init(dt.uart);
	uint32_t magic = mmio_read32(VIRTIO_BASE), version = mmio_read32(VIRTIO_BASE + 4);
	uint32_t id = mmio_read32(VIRTIO_BASE + 8);
	printf_("ptprobe: 0x%x: magic 0x%x version %u device %u\n", VIRTIO_BASE, (uint64_t)magic,
	        (uint64_t)version, (uint64_t)id);
	if (magic == VIRTIO_MAGIC && id == 2)
		puts_("PASS ptprobe: virtio-blk answers at its host address\n");
	else
		puts_("FAIL ptprobe: no virtio-blk device\n");
	printf_("ptprobe: reading 0x%x, outside xen,reg\n", OUTSIDE_PAGE);
	magic = mmio_read32(OUTSIDE_PAGE);
	printf_("FAIL ptprobe: read 0x%x outside xen,reg\n", (uint64_t)magic);
	psci_system_off();
}
