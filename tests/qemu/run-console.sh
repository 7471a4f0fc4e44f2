#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The console switch: one host UART, two domains (guests/echo.bin, which
# polls its vPL011's receive FIFO) and the hypervisor. Typed on QEMU's
# stdin: a line for domU1, Ctrl-A x3, a line for domU2, Ctrl-A x3, "s"
# for the hypervisor (its summary), Ctrl-A x3, "off" to domU1, then "off"
# again: domU1 is off, so input has moved on to domU2 by itself. Each line must come back from the right domain only.
# QEMU's -nographic would take Ctrl-A for itself: the serial port is
# plain stdio here, the monitor off.
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
finish
