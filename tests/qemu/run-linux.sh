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
#      hypervisor prefixes every line with the domain's name), check
#      where their RAM is, their vCPUs, timer interrupts and (domU1) the
#      disk's checksum; each reboots (re-created on the same memory),
#      boots again to init and checks again; both power off, then the
#      machine does.
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

# 2. Two Linux domains, each running /etc/check.sh from init
# (bulkhead.check=1): first boot, reboot, second boot, power off.
linux_board "$WORK/linux.dtb" 2G 4 "bulkhead.check=1" || fail "board linux"
run_hv "$WORK/linux.dtb" 2G 4 420 "$WORK/linux.log" $(linux_devices)
L="$WORK/linux.log"
sum=$(cat "$WORK/disk.sha256")
for d in domU1 domU2; do
	grep -a "^($d) " "$L" | sed "s/^($d) //" | tr -d '\r' >"$WORK/linux-$d.log"
	D="$WORK/linux-$d.log"
	expect "$D" "Machine model: linux,dummy-virt" "linux $d: kernel reads the guest DT"
	expect "$D" "psci: PSCIv1.1 detected" "linux $d: PSCI through the hypervisor"
	expect "$D" "GICv3: CPU1: found redistributor 1" "linux $d: vGICv3 with two redistributors"
	expect "$D" "smp: Brought up 1 node, 2 CPUs" "linux $d: both vCPUs up"
	expect "$D" "Run /init as init process" "linux $d: runs init"
	expect "$D" "^init: boot 1$" "linux $d: first boot reaches init"
	expect "$D" "^check: cpus online 0-1$" "linux $d: both vCPUs online"
	t=$(sed -n 's/^check: timer interrupts \([0-9]*\)$/\1/p' "$D" | head -1)
	if [ "${t:-0}" -gt 0 ]; then ok "linux $d: $t timer interrupts"; else fail "linux $d: no timer interrupts"; fi
	expect "$D" "^init: boot 2$" "linux $d: reboot boots again to init"
	n=$(grep -c "^check: iomem " "$D")
	if [ "$n" = 2 ]; then ok "linux $d: one System RAM range per boot"; else fail "linux $d: $n System RAM lines"; fi
	expect "$D" "^init: powering off$" "linux $d: powers off after the second boot"
	expect "$L" "domain $d rebooted on the same memory \(boot 2\)" "linux $d: re-created on reboot"
	expect "$L" "summary: $d id [12] off after 2 boot" "linux $d: off after 2 boots"
done
D1="$WORK/linux-domU1.log"
D2="$WORK/linux-domU2.log"
expect "$D1" "^check: iomem 60000000-6fffffff : System RAM$" "linux domU1: System RAM at the host bank (direct map)"
expect_not "$D1" "^check: iomem (40000000|70000000)" "linux domU1: no other RAM"
n=$(grep -c "^check: iomem 60000000-6fffffff : System RAM$" "$D1")
if [ "$n" = 2 ]; then ok "linux domU1: the same RAM on both boots"; else fail "linux domU1: $n of 2 boots with its RAM"; fi
expect "$D2" "^check: iomem 40000000-4fffffff : System RAM$" "linux domU2: System RAM at the guest bank"
expect_not "$D2" "^check: iomem (60000000|70000000)" "linux domU2: no other RAM"
n=$(grep -c "^check: iomem 40000000-4fffffff : System RAM$" "$D2")
if [ "$n" = 2 ]; then ok "linux domU2: the same RAM on both boots"; else fail "linux domU2: $n of 2 boots with its RAM"; fi
expect "$D1" "9000000.pl011: ttyAMA0 at MMIO 0x9000000 \(irq = [0-9]*" "linux domU1: vPL011 at the host UART"
expect "$D2" "22000000.pl011: ttyAMA0 at MMIO 0x22000000 \(irq = [0-9]*" "linux domU2: vPL011 at Xen's address"
# The disk is read by DMA to the guest's buffers at host-physical
# addresses: the right bytes arrive only because guest == host.
n=$(grep -c "^check: disk sha256 $sum$" "$D1")
if [ "$n" = 2 ]; then ok "linux domU1: passthrough disk checksum matches on both boots"
else fail "linux domU1: disk checksum (want $sum on both boots, see $D1)"; fi
expect "$D2" "^check: no disk$" "linux domU2: no disk (not passed through)"
expect "$L" "all domains stopped, powering off" "linux: machine powers off when both end"
expect_exit0 "$L" "linux: qemu exits 0"
finish
