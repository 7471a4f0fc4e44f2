#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The guest interface's error paths, and a stage-2 fault stopping only
# the faulting domain: guests/isolation.c beside guests/hello.c. domU1's
# RAM (0x50000000, seen at 0x40000000) ends right where domU2's starts,
# so "just past RAM" is another domain's memory in host terms.
set -u
. "$(dirname "$0")/lib.sh"

make_board tests/qemu/boards/isolation.dtsi 1G 2 "$WORK/iso.dtb" || fail "board isolation"
run_hv "$WORK/iso.dtb" 1G 2 120 "$WORK/iso.log" $(loader "$GUESTS/isolation.bin" 0x47000000) \
	$(loader "$GUESTS/hello.bin" 0x47100000)
L="$WORK/iso.log"
for t in "hvc #0x1234 is an undefined instruction" "unknown hypercall is -ENOSYS" \
	"console_io with a bad pointer is -EFAULT" "console_io running off the end of RAM is -EFAULT" \
	"PSCI_VERSION is 1.1" "unknown PSCI function is NOT_SUPPORTED" "SMC #0 reaches the virtual PSCI"; do
	expect "$L" "^\(domU1\) PASS abi: $t" "abi: $t"
done
expect "$L" "^bulkhead: domain domU1: stage-2 fault: data abort at IPA 0x41000000, PC 0x4" \
	"isolation: fault line names domain, IPA and PC"
expect_not "$L" "FAIL isolation" "isolation: the read did not survive"
expect "$L" "summary: domU1 id 1 crashed" "isolation: domU1 crashed"
expect "$L" "^\(domU2\) PASS hello" "isolation: the other domain runs on"
expect "$L" "summary: domU2 id 2 off" "isolation: domU2 ends normally"
expect_exit0 "$L" "isolation: qemu exits 0"
finish
