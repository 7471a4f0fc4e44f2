#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# memory_op from a static, non-direct-mapped domain (guests/balloon.c),
# and the same guest direct-mapped (gfn == mfn on populate).
set -u
. "$(dirname "$0")/lib.sh"

for board in reboot one-direct; do
	make_board tests/qemu/boards/$board.dtsi 1G 1 "$WORK/balloon-$board.dtb" || fail "board $board"
	L="$WORK/balloon-$board.log"
	run_hv "$WORK/balloon-$board.dtb" 1G 1 120 "$L" $(loader "$GUESTS/balloon.bin" 0x47000000)
	n=$(grep -c '^(domU1) PASS balloon' "$L")
	if [ "$n" = 13 ]; then ok "balloon ($board): 13 checks pass"; else
		fail "balloon ($board): $n of 13 checks pass"; fi
	grep '^(domU1) FAIL' "$L" | sed 's/^/FAIL /'
	expect "$L" "^\(domU1\) balloon: done" "balloon ($board): guest finished"
	expect "$L" "summary: domU1 id 1 off" "balloon ($board): domain ended normally"
done
finish
