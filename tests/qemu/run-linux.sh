#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Unmodified Debian arm64 Linux guests on Bulkhead, and the passthrough
# that needs the direct map (boards/linux.dts, boards/linux-passthrough.dts):
#   1. a bare-metal guest reads the passed-through virtio-mmio transport
#      at its host address (xen,reg mapped as device memory at stage 2)
#      and faults on the page next to it, which no xen,reg names;
#   2. two Linux domains, 2 vCPUs each on a 4-CPU virt, one direct-mapped
#      with the virtio-blk disk, one at Xen's guest layout, boot in the
#      same run; each domain's console is read separately (the
#      hypervisor prefixes every line with the domain's name).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/linux.sh"

linux_prepare || fail "linux guest: kernel, initramfs or disk"

# 1. The passthrough mapping, seen by a bare-metal guest.
make_board tests/qemu/boards/ptprobe.dtsi 1G 1 "$WORK/ptprobe.dtb" || fail "board ptprobe"
run_hv "$WORK/ptprobe.dtb" 1G 1 30 "$WORK/ptprobe.log" $(loader "$GUESTS/ptprobe.bin" 0x47000000) \
	$(loader "$WORK/linux-passthrough.dtb" 0x47100000) \
	-drive "if=none,file=$WORK/disk.img,format=raw,id=disk0" -device virtio-blk-device,drive=disk0
L="$WORK/ptprobe.log"
expect "$L" "^\(domU1\) ptprobe: 0xa003e00: magic 0x74726976 version [12] device 2" \
	"passthrough: virtio-mmio registers read at the host address"
expect "$L" "^\(domU1\) PASS ptprobe" "passthrough: the guest finds virtio-blk"
expect "$L" "stage-2 fault: data abort at IPA 0xa002e00" "passthrough: the page beside xen,reg faults"
expect_not "$L" "FAIL ptprobe" "passthrough: nothing read outside xen,reg"
expect_exit0 "$L" "passthrough: qemu exits 0"

# 2. Two Linux domains.
linux_board "$WORK/linux.dtb" 2G 4 "bulkhead.check=1 earlycon" || fail "board linux"
run_hv "$WORK/linux.dtb" 2G 4 300 "$WORK/linux.log" $(linux_devices)
L="$WORK/linux.log"
for d in domU1 domU2; do
	grep -a "^($d) " "$L" | sed "s/^($d) //" >"$WORK/linux-$d.log"
	expect "$WORK/linux-$d.log" "Machine model: linux,dummy-virt" "linux $d: kernel reads the guest DT"
	expect "$WORK/linux-$d.log" "psci: PSCIv1.1 detected" "linux $d: PSCI through the hypervisor"
	expect "$WORK/linux-$d.log" "K/262144K available" "linux $d: 256 MiB of RAM"
done
expect "$WORK/linux-domU1.log" "Faking a node at \[mem 0x0000000060000000-0x000000006fffffff\]" \
	"linux domU1: RAM at the host bank (direct map)"
expect "$WORK/linux-domU2.log" "Faking a node at \[mem 0x0000000040000000-0x000000004fffffff\]" \
	"linux domU2: RAM at the guest bank"
expect "$WORK/linux-domU1.log" "earlycon: pl11 at MMIO 0x0000000009000000" "linux domU1: vPL011 at the host UART"
expect "$WORK/linux-domU2.log" "earlycon: pl11 at MMIO 0x0000000022000000" "linux domU2: vPL011 at Xen's address"
expect_exit0 "$L" "linux: qemu exits 0"
finish
