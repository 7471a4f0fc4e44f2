#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make run`: the Linux board (boards/linux.dts) on a 4-CPU virt: two
# Debian kernels, 2 vCPUs each, one direct-mapped with the virtio-blk
# disk, each giving a shell. Input goes to one domain at a time: type
# Ctrl-A three times to move it (domU1, domU2, the hypervisor, ...).
# Ends when both domains power off (`poweroff` in each shell).
# The serial port is plain stdio, so that Ctrl-A reaches the hypervisor
# (QEMU's -nographic would keep it); Ctrl-C stops QEMU.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/linux.sh"
linux_prepare
linux_board "$WORK/linux-demo.dtb" 2G 4 ""
echo "run: $QEMU -machine $MACHINE -cpu $CPU -smp 4 -m 2G -display none -serial stdio" \
	"-monitor none -nic none -no-reboot -kernel $HV -dtb $WORK/linux-demo.dtb $(linux_devices)"
echo "run: the disk's first MiB has SHA-256 $(cat "$WORK/disk.sha256"): in domU1," \
	"head -c 1048576 /dev/vda | sha256sum"
$QEMU -machine "$MACHINE" -cpu "$CPU" -smp 4 -m 2G -display none -serial stdio -monitor none \
	-nic none -no-reboot -kernel "$HV" -dtb "$WORK/linux-demo.dtb" $(linux_devices)
