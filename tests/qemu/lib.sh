# SPDX-License-Identifier: Apache-2.0
# Helpers for the QEMU tests (sourced). A board is QEMU virt's own device
# tree (dumped with the same -m and -smp) with a /chosen fragment from
# tests/qemu/boards/NAME.dtsi appended: dtc merges the two root nodes.

BUILD=${BUILD:-build}
QEMU=${QEMU:-qemu-system-aarch64}
MACHINE=${MACHINE:-virt,virtualization=on,gic-version=3}
CPU=${CPU:-cortex-a57}
HV="$BUILD/bulkhead.bin"
GUESTS="$BUILD/guests"
WORK=${WORK:-$BUILD/qemu-tests}
mkdir -p "$WORK"

fails=0
ok() { echo "ok $*"; }
fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}

# make_board FRAGMENT MEM SMP OUT.dtb
make_board() {
	base="$WORK/virt-$2-$3.dtb"
	if [ ! -f "$base" ]; then
		$QEMU -machine "$MACHINE,dumpdtb=$base" -cpu "$CPU" -smp "$3" -m "$2" \
			-nographic -nic none >/dev/null 2>&1 || return 1
	fi
	dtc -q -I dtb -O dts "$base" >"$4.dts" && cat "$1" >>"$4.dts" &&
		dtc -q -I dts -O dtb -o "$4" "$4.dts"
}

# run_hv DTB MEM SMP TIMEOUT LOG [QEMU ARGS...]: boot, console to LOG.
run_hv() {
	dtb=$1 mem=$2 smp=$3 t=$4 log=${5:-}
	shift 5
	timeout "$t" $QEMU -machine "$MACHINE" -cpu "$CPU" -smp "$smp" -m "$mem" -nographic \
		-nic none -no-reboot -kernel "$HV" -dtb "$dtb" "$@" >"$log" 2>&1
	echo $? >"$log.status"
}

# expect LOG PATTERN NAME: grep -E for PATTERN in the console log.
expect() {
	if grep -qE -- "$2" "$1"; then ok "$3"; else fail "$3 (no /$2/ in $1)"; fi
}
expect_not() {
	if grep -qE -- "$2" "$1"; then fail "$3 (/$2/ found in $1)"; else ok "$3"; fi
}
expect_exit0() {
	if [ "$(cat "$1.status")" = 0 ]; then ok "$2"; else fail "$2 (exit $(cat "$1.status"), see $1)"; fi
}

# loader FILE ADDR: the -device argument placing a guest image.
loader() {
	echo "-device loader,file=$1,addr=$2,force-raw=on"
}

finish() {
	exit $((fails > 0))
}
