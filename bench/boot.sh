#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Boot time, in deterministic guest time: reset to each guest's first
# instruction (guests/hello.c reads CNTPCT_EL0 there and prints it).
# QEMU runs with -icount shift=0,sleep=off, -rtc clock=vm, dtb-randomness
# off, cortex-a57: every run is instruction-for-instruction repeatable.
# CNTFRQ is 62.5 MHz: 16 ns a tick.
#
# Bulkhead: 1 domain on -smp 1 and 2 domains on -smp 2 (one vCPU per
# CPU, no scheduler), 256 MiB and 2 GiB of static memory per domain, on a
# 6 GiB board; with the first-boot scrub off (bulkhead.boot-scrub=off) and
# on (the default). Beside it, Debian's Xen 4.17 booting the same guest
# true-dom0less (plain `memory`, -smp 1: it hangs under -icount with more
# CPUs) on a 2 GiB board, downloaded with apt-get download.
set -u
BUILD=${BUILD:-build}
MACHINE="virt,virtualization=on,gic-version=3,dtb-randomness=off"
WORK="$BUILD/bench-boot"
. tests/qemu/lib.sh
DET="-icount shift=0,sleep=off -rtc clock=vm,base=2024-01-01"
B="$WORK"
mkdir -p "$B"

# domain NAME STATIC_BASE SIZE MODULE -> a dom0less domain node
domain() {
	printf '\t\t%s {\n\t\t\tcompatible = "xen,domain";\n' "$1"
	printf '\t\t\t#address-cells = <0x1>;\n\t\t\t#size-cells = <0x1>;\n\t\t\tcpus = <1>;\n'
	printf '\t\t\tmemory = <0x0 0x%x>;\n\t\t\tvpl011;\n' $(($3 / 1024))
	[ "$2" != none ] && printf '\t\t\txen,static-mem = <0x%x 0x%x 0x%x 0x%x>;\n' \
		$(($2 >> 32)) $(($2 & 0xffffffff)) $(($3 >> 32)) $(($3 & 0xffffffff))
	printf '\t\t\tmodule@%x {\n\t\t\t\tcompatible = "multiboot,kernel", "multiboot,module";\n' "$4"
	printf '\t\t\t\treg = <0x%x 0x10000>;\n\t\t\t};\n\t\t};\n' "$4"
}

# fragment NDOM SIZE STATIC(none|base) BOOTARGS
fragment() {
	printf '/ {\n\tchosen {\n\t\t#address-cells = <0x2>;\n\t\t#size-cells = <0x2>;\n'
	[ -n "$4" ] && printf '\t\txen,xen-bootargs = "%s";\n' "$4"
	base=$3
	for i in $(seq 1 "$1"); do
		domain "domU$i" "$base" "$2" $((0x49000000 + (i - 1) * 0x100000))
		[ "$base" != none ] && base=$((base + $2))
	done
	printf '\t};\n};\n'
}

# report NAME LOG NDOM
report() {
	for i in $(seq 1 "$3"); do
		t=$(grep -a "domU$i) hello: first instruction at counter\|DOM$i: hello: first instruction" "$2" |
			head -1 | sed 's/.*counter //' | tr -d '\r')
		if [ -z "$t" ]; then
			echo "BENCH boot_${1}_domU$i FAILED (see $2)"
			continue
		fi
		echo "BENCH boot_${1}_domU$i $t ticks"
		echo "BENCH boot_${1}_domU${i}_ms $(awk "BEGIN{printf \"%.3f\", $t * 16 / 1000000}") ms"
	done
}

bulkhead() { # NAME NDOM SIZE BOOTARGS
	fragment "$2" "$3" 0x80000000 "$4" >"$B/$1.dtsi"
	make_board "$B/$1.dtsi" 6G "$2" "$B/$1.dtb" || return
	mods=""
	for i in $(seq 1 "$2"); do
		mods="$mods $(loader "$GUESTS/hello.bin" $((0x49000000 + (i - 1) * 0x100000)))"
	done
	run_hv "$B/$1.dtb" 6G "$2" 120 "$B/$1.log" $DET $mods
	report "bulkhead_$1" "$B/$1.log" "$2"
}

MiB=1048576
bulkhead 1dom_256M 1 $((256 * MiB)) bulkhead.boot-scrub=off
bulkhead 1dom_2G 1 $((2048 * MiB)) bulkhead.boot-scrub=off
bulkhead 2dom_256M 2 $((256 * MiB)) bulkhead.boot-scrub=off
bulkhead 2dom_2G 2 $((2048 * MiB)) bulkhead.boot-scrub=off
bulkhead 1dom_256M_scrub 1 $((256 * MiB)) ""
bulkhead 1dom_2G_scrub 1 $((2048 * MiB)) ""

echo "BENCH bulkhead_bin_size $(wc -c <"$HV") bytes"
img=$(grep -a "^Bulkhead .* KiB)" "$B/1dom_256M.log" | sed 's/.*, \([0-9]*\) KiB).*/\1/')
echo "BENCH bulkhead_image_with_bss $img KiB"
heap=$(grep -a "bulkhead: heap:" "$B/1dom_2G.log" |
	sed 's/.*heap: \([0-9]*\) KiB page-state metadata, \([0-9]*\) KiB.* \([0-9]*\) KiB of it kept.*/\1 \2 \3/')
set -- $heap
echo "BENCH bulkhead_heap_use_1dom_2G $(($1 + $2)) KiB"
echo "BENCH bulkhead_p2m_budget_kept_1dom_2G ${3:-0} KiB"
echo "BENCH bulkhead_ram_kept_1dom_2G $((img + $1 + $2 + ${3:-0})) KiB"

# Xen 4.17, true dom0less, same guest.
xen_deb() {
	X="$BUILD/xen/x/boot/xen-4.17-arm64"
	[ -f "$X" ] && return 0
	mkdir -p "$BUILD/xen" && (cd "$BUILD/xen" && apt-get download -qq xen-hypervisor-4.17-arm64:arm64 \
		>/dev/null 2>&1 && dpkg -x xen-hypervisor-4.17-arm64_*.deb x) && [ -f "$X" ]
}
xen() { # NAME SIZE
	fragment 1 "$2" none "console=dtuart" >"$B/xen_$1.dtsi"
	make_board "$B/xen_$1.dtsi" 2G 1 "$B/xen_$1.dtb" || return
	L="$B/xen_$1.log"
	: >"$L"
	timeout 120 $QEMU -machine "$MACHINE" -cpu "$CPU" -smp 1 -m 2G -nographic -nic none -no-reboot \
		$DET -kernel "$X" -dtb "$B/xen_$1.dtb" $(loader "$GUESTS/hello.bin" 0x49000000) >"$L" 2>&1 &
	qpid=$!
	n=0
	# Xen keeps running after its only domain is off: stop it once the guest spoke.
	while [ $n -lt 1200 ] && ! grep -aq "PASS hello" "$L"; do
		sleep 0.1
		n=$((n + 1))
	done
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	report "xen417_$1" "$L" 1
}
if xen_deb; then
	xen 1dom_64M $((64 * MiB))
	xen 1dom_256M $((256 * MiB))
else
	echo "BENCH xen417 SKIPPED (apt-get download xen-hypervisor-4.17-arm64:arm64 failed)"
fi
