#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# guests/hostile.c (random hypercalls, PSCI, HVC immediates, then random
# reads until stopped) beside guests/watch.c (checksums its memory in a
# loop). Two seeds. The hypervisor must survive, stop only the hostile
# domain, and the watcher must never see a change.
set -u
. "$(dirname "$0")/lib.sh"

for seed in ${HOSTILE_SEEDS:-7 1234}; do
	sed "s/SEED/$seed/" tests/qemu/boards/hostile.dtsi >"$WORK/hostile-$seed.dtsi"
	make_board "$WORK/hostile-$seed.dtsi" 1G 2 "$WORK/hostile-$seed.dtb" || fail "board hostile"
	L="$WORK/hostile-$seed.log"
	run_hv "$WORK/hostile-$seed.dtb" 1G 2 120 "$L" $(loader "$GUESTS/hostile.bin" 0x47000000) \
		$(loader "$GUESTS/watch.bin" 0x47100000)
	expect "$L" "^\(domU1\) PASS hostile: survived every call" "hostile seed $seed: every call returned"
	expect "$L" "^bulkhead: domain domU1: stage-2 fault: data abort at IPA" "hostile seed $seed: probe stopped by a stage-2 fault"
	expect "$L" "summary: domU1 id 1 crashed" "hostile seed $seed: only domU1 crashed"
	expect "$L" "^\(domU2\) watch: round 160 unchanged" "hostile seed $seed: watcher saw no change"
	expect_not "$L" "^\(domU.\) FAIL|PANIC|EL2 exception" "hostile seed $seed: no failure, no hypervisor fault"
	expect "$L" "summary: domU2 id 2 off" "hostile seed $seed: watcher ended normally"
	a=$(grep -an "^(domU1) hostile: probe phase" "$L" | head -1 | cut -d: -f1)
	b=$(grep -an "^(domU2) watch: done" "$L" | head -1 | cut -d: -f1)
	if [ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ]; then
		ok "hostile seed $seed: the watcher outlived every hostile call"
	else fail "hostile seed $seed: watcher finished before the hostile calls did"; fi
	expect_exit0 "$L" "hostile seed $seed: qemu exits 0"
done
finish
