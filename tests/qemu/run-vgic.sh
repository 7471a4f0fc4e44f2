#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The vGICv3 end to end (guests/irq.c): a guest enables its GIC through
# the emulated distributor and redistributor and the hardware virtual CPU
# interface, takes virtual timer interrupts (hardware-linked PPI 27),
# sends SGIs (trapped ICC_SGI1R_EL1) to itself and, with two vCPUs, to
# the other vCPU, and gets SPIs pended through GICD_ISPENDR where
# GICD_IROUTER says. Each check is a PASS/FAIL line of the guest.
# A guest with more active interrupts than list registers keeps running
# and does not slow its neighbour (no maintenance interrupt storm).
set -u
. "$(dirname "$0")/lib.sh"

for n in 1 2; do
	sed "s/NCPU/$n/g" tests/qemu/boards/vgic.dtsi >"$WORK/vgic-$n.dtsi"
	make_board "$WORK/vgic-$n.dtsi" 1G 2 "$WORK/vgic-$n.dtb" || fail "board vgic $n"
	L="$WORK/vgic-$n.log"
	run_hv "$WORK/vgic-$n.dtb" 1G 2 30 "$L" $(loader "$GUESTS/irq.bin" 0x47000000)
	checks="GICD_PIDR2 says GICv3|GICD_TYPER has SPIs|GICD_CTLR group 1 enabled, ARE set
unknown distributor offset reads as zero|found my redistributor by affinity|GICR_WAKER awake
last redistributor has GICR_TYPER.Last|virtual timer interrupts taken
they came no faster than programmed|SGI to myself delivered
SPI pended through GICD_ISPENDR delivered|SPI no longer pending after EOI
disabled SGI stays pending|GICR_ISPENDR0 shows it|delivered once enabled|no unexpected interrupt"
	if [ $n = 2 ]; then
		checks="$checks
CPU_ON vCPU 1|vCPU 1 found its redistributor by affinity
vCPU 1 took its own virtual timer interrupts|vCPU 1 ready
SGI to vCPU 1 answered by its SGI to vCPU 0|SPI routed to vCPU 1 went there only"
	fi
	echo "$checks" | tr '|' '\n' | while read -r t; do
		expect "$L" "^\(domU1\) PASS irq: $t \(" "vgic $n vCPU: $t"
	done >"$WORK/vgic-$n.results"
	cat "$WORK/vgic-$n.results"
	fails=$((fails + $(grep -c '^FAIL' "$WORK/vgic-$n.results")))
	expect_not "$L" "FAIL irq" "vgic $n vCPU: no failed check"
	expect "$L" "^\(domU1\) irq: done" "vgic $n vCPU: guest finished"
	expect_exit0 "$L" "vgic $n vCPU: qemu exits 0"
done

# A passed-through PL031: its SPI (34) is forwarded hardware-linked; the
# guest's EOI must deactivate the physical interrupt, or the second match
# interrupt never comes.
make_board tests/qemu/boards/vgic-pt.dtsi 1G 1 "$WORK/vgic-pt.dtb" || fail "board vgic-pt"
dtc -q -I dts -O dtb -o "$WORK/vgic-pt-partial.dtb" tests/qemu/boards/vgic-pt.dts || fail "vgic-pt partial DT"
L="$WORK/vgic-pt.log"
run_hv "$WORK/vgic-pt.dtb" 1G 1 30 "$L" $(loader "$GUESTS/irq.bin" 0x47000000) \
	$(loader "$WORK/vgic-pt-partial.dtb" 0x47100000)
expect "$L" "^\(domU1\) PASS irq: passthrough PL031 interrupt forwarded twice" "vgic pt: PL031 interrupt forwarded twice"
expect_not "$L" "FAIL irq" "vgic pt: no failed check"
expect_exit0 "$L" "vgic pt: qemu exits 0"

# A domain reset with a timer interrupt active and an SPI pending: each
# new life must start with the GIC in its reset state and a working timer
# (the physical PPI 27 deactivated, the active priorities cleared).
make_board tests/qemu/boards/vgic-reboot.dtsi 1G 1 "$WORK/vgic-reboot.dtb" || fail "board vgic-reboot"
L="$WORK/vgic-reboot.log"
: >"$L"
timeout 30 $QEMU -machine "$MACHINE" -cpu "$CPU" -smp 1 -m 1G -nographic -nic none -no-reboot \
	-kernel "$HV" -dtb "$WORK/vgic-reboot.dtb" $(loader "$GUESTS/irq.bin" 0x47000000) >"$L" 2>&1 &
qpid=$!
n=0
while [ $n -lt 250 ] && [ "$(grep -c '^(domU1) irq: resetting' "$L")" -lt 3 ]; do
	sleep 0.1
	n=$((n + 1))
done
kill "$qpid" 2>/dev/null
wait "$qpid" 2>/dev/null
expect "$L" "domain domU1 rebooted on the same memory \(boot 3\)" "vgic reboot: domain reset twice"
for t in "GICD_CTLR groups disabled" "no SPI enabled" "no SPI pending" "nothing active" \
	"no PPI enabled" "redistributor asleep" "virtual timer off"; do
	k=$(grep -c "^(domU1) PASS irq: reset state: $t" "$L")
	if [ "$k" -ge 3 ]; then ok "vgic reboot: $t in $k lives"; else
		fail "vgic reboot: $t in only $k lives"; fi
done
k=$(grep -c "^(domU1) PASS irq: virtual timer interrupts taken" "$L")
if [ "$k" -ge 2 ]; then ok "vgic reboot: timer works after a reset with it active ($k lives)"; else
	fail "vgic reboot: timer worked in only $k lives"; fi
expect "$L" "^\(domU1\) PASS irq: timer interrupt left active" "vgic reboot: a life ended with the timer active"
expect_not "$L" "FAIL irq" "vgic reboot: no failed check"

# More active interrupts than the 4 list registers: 6 SPIs made active
# through GICD_ISACTIVER1, then 6 more acknowledged nested. The guest must
# keep getting its timer interrupts and SGIs (once the list registers held
# only active entries and the maintenance interrupt fired forever), end
# everything, power off; the watcher beside it (other CPU, same domain
# lock) must finish too.
make_board tests/qemu/boards/vgic-spill.dtsi 1G 2 "$WORK/vgic-spill.dtb" || fail "board vgic-spill"
L="$WORK/vgic-spill.log"
run_hv "$WORK/vgic-spill.dtb" 1G 2 30 "$L" $(loader "$GUESTS/irq.bin" 0x47000000) \
	$(loader "$GUESTS/watch.bin" 0x47100000)
for t in "SPIs made active through GICD_ISACTIVER1" "virtual timer interrupts taken" \
	"SGI to myself delivered" "SPI pended through GICD_ISPENDR delivered" "delivered once enabled" \
	"nested SPIs acknowledged, each above the last" "running priority is the innermost one's" \
	"nested SPIs ended in order, each deactivated" "the SPIs made active are still active" \
	"running priority idle again" "timer interrupt and SGI taken with SPIs still active" \
	"SPIs deactivated through GICD_ICACTIVER1" "timer interrupt and SGI taken after that" \
	"no unexpected interrupt"; do
	expect "$L" "^\(domU1\) PASS irq: $t \(" "vgic spill: $t"
done
expect_not "$L" "FAIL|PANIC|EL2 exception" "vgic spill: no failed check, no hypervisor fault"
expect "$L" "^\(domU1\) irq: done" "vgic spill: guest finished"
expect "$L" "summary: domU1 id 1 off" "vgic spill: guest powered itself off"
expect "$L" "^\(domU2\) watch: done" "vgic spill: watcher beside it finished"
expect "$L" "summary: domU2 id 2 off" "vgic spill: watcher ended normally"
expect "$L" "all domains stopped, powering off" "vgic spill: machine powered off"
expect_exit0 "$L" "vgic spill: qemu exits 0"
finish
