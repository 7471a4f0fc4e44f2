#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make run`: boot the demo board (boards/demo.dts) with two hello guests;
# returns when the hypervisor powers the machine off.
set -eu
. "$(dirname "$0")/lib.sh"
make_board boards/demo.dts 1G 2 "$WORK/demo.dtb"
echo "run: $QEMU -machine $MACHINE -cpu $CPU -smp 2 -m 1G -nographic -nic none -no-reboot" \
	"-kernel $HV -dtb $WORK/demo.dtb $(loader "$GUESTS/hello.bin" 0x47000000)" \
	"$(loader "$GUESTS/hello.bin" 0x47100000)"
timeout 60 $QEMU -machine "$MACHINE" -cpu "$CPU" -smp 2 -m 1G -nographic -nic none -no-reboot \
	-kernel "$HV" -dtb "$WORK/demo.dtb" $(loader "$GUESTS/hello.bin" 0x47000000) \
	$(loader "$GUESTS/hello.bin" 0x47100000)
