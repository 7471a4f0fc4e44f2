#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A two-vCPU domain (guests/smp.c): guest PSCI CPU_ON, AFFINITY_INFO, and
# stopping the domain (SYSTEM_OFF, or a stage-2 fault) while vCPU 1 spins
# in the guest without ever trapping: the hypervisor must kick it out
# with an SGI, or the machine never powers off (the timeout fails it).
# race: vCPU 1 calls CPU_ON(vCPU 0) in a loop while vCPU 0 does
# SYSTEM_OFF; the call that waited for the hypervisor must be dropped,
# not revive vCPU 0 on the torn-down stage 2 (a flood of faults).
set -u
. "$(dirname "$0")/lib.sh"

for mode in off fault; do
	sed "s/MODE/$mode/" tests/qemu/boards/smp.dtsi >"$WORK/smp-$mode.dtsi"
	make_board "$WORK/smp-$mode.dtsi" 1G 2 "$WORK/smp-$mode.dtb" || fail "board smp"
	L="$WORK/smp-$mode.log"
	run_hv "$WORK/smp-$mode.dtb" 1G 2 120 "$L" $(loader "$GUESTS/smp.bin" 0x47000000)
	for t in "CPU_ON vCPU 1" "vCPU 1 runs" "AFFINITY_INFO says vCPU 1 is on" \
		"CPU_ON again is ALREADY_ON" "CPU_ON of a vCPU that does not exist is INVALID_PARAMETERS"; do
		expect "$L" "^\(domU1\) PASS smp: $t" "smp $mode: $t"
	done
	expect "$L" "^\(domU1\) smp: vcpu1 up" "smp $mode: vCPU 1 printed"
	if [ $mode = off ]; then
		expect "$L" "summary: domU1 id 1 off .*PSCI SYSTEM_OFF" "smp off: domain off"
	else
		expect "$L" "domain domU1: stage-2 fault: data abort at IPA 0x41000000" "smp fault: fault line"
		expect "$L" "summary: domU1 id 1 crashed" "smp fault: domain crashed"
	fi
	expect "$L" "all domains stopped, powering off" "smp $mode: machine off with vCPU 1 stopped"
	expect_exit0 "$L" "smp $mode: qemu exits 0"
done
# race, beside a neighbour that keeps the machine up after domU1 stops.
make_board tests/qemu/boards/smp-race.dtsi 1G 3 "$WORK/smp-race.dtb" || fail "board smp-race"
L="$WORK/smp-race.log"
run_hv "$WORK/smp-race.dtb" 1G 3 120 "$L" $(loader "$GUESTS/smp.bin" 0x47000000) \
	$(loader "$GUESTS/watch.bin" 0x47100000)
expect "$L" "^\(domU1\) PASS smp: vCPU 1 runs" "smp race: vCPU 1 runs, calling CPU_ON(vCPU 0) in a loop"
expect "$L" "summary: domU1 id 1 off .*PSCI SYSTEM_OFF" "smp race: domain off"
expect_not "$L" "stage-2 fault|PANIC|EL2 exception" "smp race: no vCPU of domU1 ran after it stopped"
expect "$L" "summary: domU2 id 2 off" "smp race: the neighbour ended normally"
expect "$L" "all domains stopped, powering off" "smp race: machine off"
expect_exit0 "$L" "smp race: qemu exits 0"
finish
