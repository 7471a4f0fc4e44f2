#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Boot bulkhead.bin on QEMU virt (EL2) and check, from the console and
# from physical memory read through the QEMU monitor:
#   - one direct-mapped domain runs hello, powers off, the machine stops;
#   - two domains (direct-mapped and not) on two CPUs;
#   - guest writes land at the right host-physical address;
#   - a configuration with errors: every error printed, nothing started.
set -u
. "$(dirname "$0")/lib.sh"

# 1. One direct-mapped domain.
make_board tests/qemu/boards/one-direct.dtsi 1G 1 "$WORK/one.dtb" || fail "board one-direct"
run_hv "$WORK/one.dtb" 1G 1 120 "$WORK/one.log" $(loader "$GUESTS/hello.bin" 0x47000000)
L="$WORK/one.log"
expect "$L" "^Bulkhead " "boot banner"
expect "$L" "^RAM: 1 GiB" "boot prints RAM"
expect "$L" "bank 0: host 0x50000000-0x50ffffff -> guest 0x50000000" "boot prints static bank"
expect "$L" "^\(domU1\) hello: memory bank 0: 0x50000000-0x50ffffff" "direct-mapped guest sees host addresses"
expect "$L" "^\(domU1\) PASS hello" "hello passes through the vPL011"
expect "$L" "summary: domU1 id 1 off after 1 boot" "summary line"
expect "$L" "all domains stopped, powering off" "machine powers off"
expect_exit0 "$L" "qemu exits 0"

# 2. Two domains, one direct-mapped, one at Xen's guest layout, two CPUs.
make_board tests/qemu/boards/two.dtsi 1G 2 "$WORK/two.dtb" || fail "board two"
run_hv "$WORK/two.dtb" 1G 2 120 "$WORK/two.log" $(loader "$GUESTS/hello.bin" 0x47000000) \
	$(loader "$GUESTS/hello.bin" 0x47100000)
L="$WORK/two.log"
expect "$L" "^\(domU1\) PASS hello" "two: domU1 passes"
expect "$L" "^\(domU2\) PASS hello" "two: domU2 passes"
expect "$L" "^\(domU2\) hello: memory bank 0: 0x40000000-0x40ffffff" "two: domU2 sees guest bank 0"
expect "$L" "^\(domU2\) hello: .*uart 0x22000000" "two: domU2 vPL011 at Xen's address"
expect "$L" "summary: domU2 id 2 off" "two: summary"
expect_exit0 "$L" "two: qemu exits 0"

# 3. Placement, checked in physical memory through the QEMU monitor.
sock="$WORK/mon.sock"
rm -f "$sock"
L="$WORK/placement.log"
rm -f "$L" # the wait below must not see a previous run's lines
timeout 120 $QEMU -machine "$MACHINE" -cpu "$CPU" -smp 2 -m 1G -nographic -nic none \
	-no-reboot -kernel "$HV" -dtb "$WORK/two.dtb" -monitor "unix:$sock,server,nowait" \
	-serial "file:$L" $(loader "$GUESTS/placement.bin" 0x47000000) \
	$(loader "$GUESTS/placement.bin" 0x47100000) >/dev/null 2>&1 &
qpid=$!
n=0
while [ $n -lt 900 ] && [ "$(grep -c 'placement: wrote' "$L" 2>/dev/null)" != 2 ]; do
	sleep 0.1
	n=$((n + 1))
done
mem=$(python3 tests/qemu/monitor.py "$sock" "xp /1gx 0x50100000" "xp /1gx 0x60100000" \
	"xp /1gx 0x40100000" quit)
wait $qpid
echo "$mem"
expect "$L" "^\(domU2\) placement: wrote 0xb0b0cafe00040100 at IPA 0x40100000" "placement: domU2 wrote"
if echo "$mem" | grep -q "0000000050100000: 0xb0b0cafe00050100"; then
	ok "placement: direct-mapped write at IPA 0x50100000 is at PA 0x50100000"
else fail "placement: direct-mapped marker not at PA 0x50100000"; fi
if echo "$mem" | grep -q "0000000060100000: 0xb0b0cafe00040100"; then
	ok "placement: domU2 write at IPA 0x40100000 is at PA 0x60100000 (its static bank)"
else fail "placement: domU2 marker not at PA 0x60100000"; fi
if echo "$mem" | grep -q "0000000040100000: 0xb0b0cafe"; then
	fail "placement: domU2 marker found at PA 0x40100000 (IPA used as PA)"
else ok "placement: nothing at PA 0x40100000"; fi

# 3b. Another CPU model, more CPUs and RAM: neoverse-n1, -smp 4, -m 8G.
make_board tests/qemu/boards/two.dtsi 8G 4 "$WORK/two-8g.dtb" || fail "board two 8G"
saved_cpu=$CPU
CPU=neoverse-n1
run_hv "$WORK/two-8g.dtb" 8G 4 120 "$WORK/n1.log" \
	$(loader "$GUESTS/hello.bin" 0x47000000) $(loader "$GUESTS/hello.bin" 0x47100000)
CPU=$saved_cpu
L="$WORK/n1.log"
expect "$L" "^RAM: 8 GiB" "neoverse-n1: 8 GiB seen"
expect "$L" "^\(domU1\) PASS hello" "neoverse-n1: domU1 passes"
expect "$L" "^\(domU2\) PASS hello" "neoverse-n1: domU2 passes"
expect_exit0 "$L" "neoverse-n1: qemu exits 0"

# 4. A configuration with errors.
make_board tests/qemu/boards/bad.dtsi 1G 1 "$WORK/bad.dtb" || fail "board bad"
run_hv "$WORK/bad.dtb" 1G 1 120 "$WORK/bad.log"
L="$WORK/bad.log"
expect "$L" "^error: /chosen/domU1: memory is 8192 KiB" "bad: memory mismatch named"
expect "$L" "^error: /chosen/domU2: direct-map without xen,static-mem" "bad: direct-map named"
expect "$L" "^error: .*overlaps /chosen/domU3 xen,static-mem" "bad: overlap named"
expect "$L" "error\(s\) in the configuration: no domain started, powering off" "bad: nothing started"
expect_not "$L" "^\(domU" "bad: no guest output"
expect_not "$L" "starts at" "bad: no domain built"
expect_exit0 "$L" "bad: qemu exits 0"
finish
