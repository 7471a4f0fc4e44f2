#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# 1. The console switch: one host UART, two domains (guests/echo.bin,
# which polls its vPL011's receive FIFO) and the hypervisor. Typed on
# QEMU's stdin: a line for domU1, Ctrl-A x3, a line for domU2, Ctrl-A x3,
# "s" for the hypervisor (its summary), Ctrl-A x3, "off" to domU1, then
# "off" again: domU1 is off, so input has moved on to domU2 by itself.
# Each line must come back from the right domain only.
# QEMU's -nographic would take Ctrl-A for itself: the serial port is
# plain stdio here, the monitor off.
# 2. A flood: guests/flood.c writes 4 KiB with console_io as fast as it
# can for 3 s beside guests/lines.c printing 200 numbered lines through
# its vPL011. Every line of the quiet guest must arrive whole, in order,
# before the flood ends; the flooder's lost bytes are counted exactly (in
# the summary, and "[N bytes dropped]" lines where they were lost).
set -u
. "$(dirname "$0")/lib.sh"

make_board tests/qemu/boards/two.dtsi 1G 2 "$WORK/two.dtb" || fail "board two"
L="$WORK/console.log"
# Pauses between the parts: one domain answers at a time, as when typed.
{
	sleep 2
	for part in 'hello1\r' '\001\001\001hello2\r' '\001\001\001s' '\001\001\001off\r' \
		'off\r'; do
		printf "$part"
		sleep 1
	done
} |
	timeout 60 $QEMU -machine "$MACHINE" -cpu "$CPU" -smp 2 -m 1G -display none \
		-serial stdio -monitor none -nic none -no-reboot -kernel "$HV" -dtb "$WORK/two.dtb" \
		$(loader "$GUESTS/echo.bin" 0x47000000) $(loader "$GUESTS/echo.bin" 0x47100000) >"$L" 2>&1
echo $? >"$L.status"
expect "$L" "^bulkhead: input to domU1 \(Ctrl-A x3 to switch\)" "console: input starts at domU1"
expect "$L" "^\(domU1\) echo: hello1" "console: domU1 gets its line"
expect_not "$L" "^\(domU2\) echo: hello1" "console: domU2 does not get domU1's line"
expect "$L" "^bulkhead: input to domU2 \(Ctrl-A x3 to switch\)" "console: Ctrl-A x3 switches to domU2"
expect "$L" "^\(domU2\) echo: hello2" "console: domU2 gets its line"
expect_not "$L" "^\(domU1\) echo: hello2" "console: domU1 does not get domU2's line"
expect_not "$L" "echo: .*\.\.\." "console: the Ctrl-A are swallowed"
expect "$L" "^bulkhead: input to the hypervisor" "console: the hypervisor is a stop"
expect "$L" "^bulkhead: summary: domU1 id 1 running" "console: the hypervisor answers s"
expect "$L" "^\(domU1\) echo: off" "console: back to domU1"
expect "$L" "^\(domU2\) echo: off" "console: input leaves a stopped domain for the next"
expect "$L" "summary: domU2 id 2 off" "console: both powered off"
expect_exit0 "$L" "console: qemu exits 0"

# 2. The flood.
L="$WORK/flood.log"
run_hv "$WORK/two.dtb" 1G 2 60 "$L" $(loader "$GUESTS/flood.bin" 0x47000000) \
	$(loader "$GUESTS/lines.bin" 0x47100000)
tr -d '\r' <"$L" >"$L.txt"
F="$L.txt"
quiet=$(grep -c '^(domU2) lines: [0-9]* of 200: the quick brown fox jumps over the lazy dog$' "$F")
order=$(sed -n 's/^(domU2) lines: \([0-9]*\) of 200: .*/\1/p' "$F" | awk '$1 != NR { bad = 1 } END { print NR, bad + 0 }')
if [ "$quiet" = 200 ] && [ "$order" = "200 0" ]; then ok "flood: all 200 quiet lines, whole and in order"
else fail "flood: quiet lines: $quiet whole, order (count, bad) $order (see $F)"; fi
n=$(grep '^(domU2) ' "$F" | grep -cv '^(domU2) lines: \([0-9]* of 200: the quick brown fox jumps over the lazy dog\|done in [0-9]* ms\)$')
if [ "$n" = 0 ]; then ok "flood: no other bytes in the quiet guest's lines"; else fail "flood: $n odd domU2 lines"; fi
n=$(sed -n '/^bulkhead: boot ticks/,$p' "$F" | grep -cv '^(domU[12]) \|^bulkhead: ')
if [ "$n" = 0 ]; then ok "flood: every line carries one name"; else fail "flood: $n lines without a name"; fi
# The flooder's lines: whole, or cut where bytes were lost (the next line of its own is the marker).
n=$(sed -n 's/^(domU1) //p' "$F" | awk '
	prev != "" && $0 !~ /^\[[0-9]+ bytes dropped\]$/ { bad++ }
	{ prev = "" }
	/^flood [0-9][0-9][0-9][0-9] x+$/ && length($0) == 63 { next }
	/^flood: (starting|done: .*)$/ || /^\[[0-9]+ bytes dropped\]$/ { next }
	{ prev = $0 }
	END { print bad + (prev != "") }')
if [ "$n" = 0 ]; then ok "flood: the flooder's lines are whole but where bytes were lost"
else fail "flood: $n flooder lines cut elsewhere"; fi
expect "$F" "^\(domU1\) \[[0-9]+ bytes dropped\]$" "flood: lost bytes are marked where they were lost"
a=$(grep -n '^(domU2) lines: done' "$F" | head -1 | cut -d: -f1)
b=$(grep -n '^(domU1) flood: done' "$F" | head -1 | cut -d: -f1)
if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; then
	ok "flood: the quiet guest finished while the flood went on ($(sed -n 's/^(domU2) lines: done in //p' "$F"))"
else fail "flood: the quiet guest did not finish before the flood ended"; fi
lost=$(sed -n 's/^(domU1) flood: done: .* \([0-9]*\) not taken, 0 errors$/\1/p' "$F")
counted=$(sed -n 's/^bulkhead: summary: domU1 .*; console: \([0-9]*\) bytes dropped$/\1/p' "$F")
if [ -n "$lost" ] && [ "$lost" != 0 ] && [ "$lost" = "$counted" ]; then
	ok "flood: summary counts the $counted bytes console_io did not take"
else fail "flood: the flooder lost ${lost:-?} bytes, the summary says ${counted:-nothing}"; fi
expect "$F" "^bulkhead: summary: domU2 id 2 off after 1 boot\(s\), 16384 KiB: PSCI SYSTEM_OFF$" \
	"flood: the quiet guest lost nothing"
expect_exit0 "$L" "flood: qemu exits 0"
finish
