#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Linux boot time, in deterministic guest time: reset to the first
# instruction of each domain's /init. QEMU runs with -icount
# shift=0,sleep=off (cortex-a57, -rtc clock=vm, dtb-randomness off) and
# the kernels with nokaslr: every run is instruction-for-instruction
# repeatable. CNTFRQ is 62.5 MHz: 16 ns a tick.
#
# The measurement: the kernel module is Image.shim (guests/linux/shim.S
# then Debian's kernel), whose first instruction prints the domain's
# CNTVOFF; /init (guests/linux/init.S) prints CNTVCT at user space's first
# instruction. CNTVCT + CNTVOFF is the physical counter: time since reset,
# for Bulkhead (CNTVOFF 0) and Xen (CNTVOFF = domain creation) alike.
# Both hypervisors boot the same shimmed kernel and initramfs, one vCPU a
# domain, 256 MiB each, at Xen's guest layout, in the same run of this
# script on the same QEMU:
#   Bulkhead: 1 domain on -smp 1, 2 domains on -smp 2 (static memory);
#   Xen 4.17 (Debian, true dom0less, plain `memory`): -smp 1 only (it
#   hangs under -icount with more CPUs), so its 2 domains share a CPU.
set -u
BUILD=${BUILD:-build}
MACHINE="virt,virtualization=on,gic-version=3,dtb-randomness=off"
WORK="$BUILD/bench-linux"
. tests/qemu/lib.sh
DET="-icount shift=0,sleep=off -rtc clock=vm,base=2024-01-01"
B="$WORK"
LX="$BUILD/arm64-linux"
# quiet: Xen prints little of its guests' boot log and Bulkhead all of
# it; without the log both measure booting, not a console.
ARGS="console=ttyAMA0 nokaslr quiet panic=-1 bulkhead.halt"
mkdir -p "$B"
sh scripts/build-linux-guest.sh "$BUILD" >/dev/null || {
	echo "BENCH linux FAILED (no kernel or initramfs)"
	exit 1
}
KSIZE=$(printf '0x%x' "$(wc -c <"$LX/Image.shim")")
RSIZE=$(printf '0x%x' "$(wc -c <"$LX/initramfs.cpio")")

# fragment NDOM STATIC(yes|no) XEN_BOOTARGS: 256 MiB domains, 1 vCPU each;
# domain i's kernel at 0x49000000 + i * 0x3000000, its initramfs 40 MiB on.
fragment() {
	printf '/ {\n\tchosen {\n\t\t#address-cells = <0x1>;\n\t\t#size-cells = <0x1>;\n'
	[ -n "$3" ] && printf '\t\txen,xen-bootargs = "%s";\n' "$3"
	for i in $(seq 1 "$1"); do
		k=$((0x49000000 + (i - 1) * 0x3000000))
		printf '\t\tdomU%s {\n\t\t\tcompatible = "xen,domain";\n' "$i"
		printf '\t\t\t#address-cells = <0x1>;\n\t\t\t#size-cells = <0x1>;\n\t\t\tcpus = <1>;\n'
		printf '\t\t\tmemory = <0x0 0x40000>;\n\t\t\tvpl011;\n'
		[ "$2" = yes ] && printf '\t\t\txen,static-mem = <0x%x 0x10000000>;\n' $((0x80000000 + (i - 1) * 0x10000000))
		printf '\t\t\tmodule@%x {\n\t\t\t\tcompatible = "multiboot,kernel", "multiboot,module";\n' "$k"
		printf '\t\t\t\treg = <0x%x %s>;\n\t\t\t\tbootargs = "%s";\n\t\t\t};\n' "$k" "$KSIZE" "$ARGS"
		printf '\t\t\tmodule@%x {\n\t\t\t\tcompatible = "multiboot,ramdisk", "multiboot,module";\n' $((k + 0x2000000))
		printf '\t\t\t\treg = <0x%x %s>;\n\t\t\t};\n\t\t};\n' $((k + 0x2000000)) "$RSIZE"
	done
	printf '\t};\n};\n'
}

modules() { # NDOM
	for i in $(seq 1 "$1"); do
		k=$((0x49000000 + (i - 1) * 0x3000000))
		echo "$(loader "$LX/Image.shim" "$k") $(loader "$LX/initramfs.cpio" $((k + 0x2000000)))"
	done
}

# report NAME LOG NDOM: one line per domain, from its shim and init lines
# (Bulkhead prefixes "(domUi) ", Xen "(XEN) DOMi: ").
report() {
	for i in $(seq 1 "$3"); do
		lines=$(grep -a "^(domU$i) \|DOM$i: " "$2" | tr -d "\r")
		off=$(echo "$lines" | sed -n 's/.*shim: cntvoff \([0-9]*\).*/\1/p' | head -1)
		vct=$(echo "$lines" | sed -n 's/.*init: cntvct \([0-9]*\).*/\1/p' | head -1)
		if [ -z "$off" ] || [ -z "$vct" ]; then
			echo "BENCH linux_${1}_domU$i FAILED (see $2)"
			continue
		fi
		t=$((off + vct))
		echo "BENCH linux_${1}_domU${i}_init $t ticks"
		echo "BENCH linux_${1}_domU${i}_init_ms $(awk "BEGIN{printf \"%.1f\", $t * 16 / 1000000}") ms"
	done
}

# run NAME NDOM SMP KERNEL STATIC HVARGS: boot, stop once every init spoke
# (Xen keeps running after its domains are off).
run() {
	fragment "$2" "$5" "$6" >"$B/$1.dtsi"
	make_board "$B/$1.dtsi" 3G "$3" "$B/$1.dtb" || return
	L="$B/$1.log"
	: >"$L"
	timeout 300 $QEMU -machine "$MACHINE" -cpu "$CPU" -smp "$3" -m 3G -nographic -nic none \
		-no-reboot $DET -kernel "$4" -dtb "$B/$1.dtb" $(modules "$2") >"$L" 2>&1 &
	qpid=$!
	n=0
	while [ $n -lt 2400 ] && [ "$(grep -ac 'init: cntvct' "$L")" -lt "$2" ] && kill -0 $qpid 2>/dev/null; do
		sleep 0.1
		n=$((n + 1))
	done
	sleep 0.5
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	report "$1" "$L" "$2"
}

run bulkhead_1dom 1 1 "$HV" yes bulkhead.boot-scrub=off
run bulkhead_2dom 2 2 "$HV" yes bulkhead.boot-scrub=off

X="$BUILD/xen/x/boot/xen-4.17-arm64"
if [ ! -f "$X" ]; then
	mkdir -p "$BUILD/xen" && (cd "$BUILD/xen" && apt-get download -qq xen-hypervisor-4.17-arm64:arm64 \
		>/dev/null 2>&1 && dpkg -x xen-hypervisor-4.17-arm64_*.deb x)
fi
if [ -f "$X" ]; then
	run xen417_1dom 1 1 "$X" no console=dtuart
	run xen417_2dom 2 1 "$X" no console=dtuart
	echo "BENCH xen417_bin_size $(wc -c <"$X") bytes"
else
	echo "BENCH xen417 SKIPPED (apt-get download xen-hypervisor-4.17-arm64:arm64 failed)"
fi
echo "BENCH bulkhead_bin_size $(wc -c <"$HV") bytes"
