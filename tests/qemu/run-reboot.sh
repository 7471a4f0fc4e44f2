#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# PSCI SYSTEM_RESET re-creates the domain on the same memory, scrubbed,
# with its kernel reloaded: guests/reboot.c fills its RAM with a secret
# and resets; each new life must find no trace. The guest reboots
# forever (see guests/reboot.c), so the test stops QEMU after boot 3.
set -u
. "$(dirname "$0")/lib.sh"

make_board tests/qemu/boards/reboot.dtsi 1G 1 "$WORK/reboot.dtb" || fail "board reboot"
L="$WORK/reboot.log"
: >"$L"
timeout 120 $QEMU -machine "$MACHINE" -cpu "$CPU" -smp 1 -m 1G -nographic -nic none -no-reboot \
	-kernel "$HV" -dtb "$WORK/reboot.dtb" $(loader "$GUESTS/reboot.bin" 0x47000000) >"$L" 2>&1 &
qpid=$!
n=0
while [ $n -lt 900 ] && [ "$(grep -c '^(domU1) reboot: wrote' "$L")" -lt 3 ]; do
	sleep 0.1
	n=$((n + 1))
done
kill "$qpid" 2>/dev/null
wait "$qpid" 2>/dev/null
expect "$L" "domain domU1 rebooted on the same memory \(boot 2\)" "reboot: hypervisor re-created the domain"
expect "$L" "domain domU1 rebooted on the same memory \(boot 3\)" "reboot: and again"
lives=$(grep -c '^(domU1) PASS reboot: no trace' "$L")
if [ "$lives" -ge 3 ]; then ok "reboot: $lives lives found no trace of the secret"; else
	fail "reboot: only $lives clean lives"; fi
expect_not "$L" "FAIL reboot" "reboot: no life saw the secret"
fp=$(grep -c '^(domU1) PASS reboot: no trace of the secret in FP' "$L")
if [ "$fp" -ge 3 ]; then ok "reboot: FP/SIMD registers zeroed in $fp lives"; else
	fail "reboot: FP registers checked in only $fp lives"; fi
ram=$(grep '^(domU1) reboot: life starts' "$L" | sed 's/.*RAM //' | sort -u | wc -l)
if [ "$ram" = 1 ]; then ok "reboot: same RAM every life"; else fail "reboot: RAM moved"; fi
finish
