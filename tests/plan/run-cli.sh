#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The bulkhead command line: exit statuses (0 valid, 1 plan errors, 2 bad
# input or usage), the table, the SVG, and the placement options.
set -u
BUILD=${BUILD:-build}
TOOL=${TOOL:-$BUILD/bulkhead-san}
[ -x "$TOOL" ] || TOOL=$BUILD/bulkhead
B=$(dirname "$0")/../boards
T="$BUILD/cli-test"
mkdir -p "$T"
status=0

expect() { # name want_status command...
	name=$1
	want=$2
	shift 2
	"$@" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		echo "ok cli $name"
	else
		echo "FAIL cli $name: exit status $rc, expected $want"
		head -5 "$T/$name.err"
		status=1
	fi
}

same() { # name expected actual
	if cmp -s "$2" "$3"; then
		echo "ok cli $1"
	else
		echo "FAIL cli $1"
		diff -u "$2" "$3" | head -20
		status=1
	fi
}

has() { # name file text
	if grep -qF -- "$3" "$2"; then
		echo "ok cli $1"
	else
		echo "FAIL cli $1: no '$3' in $2"
		status=1
	fi
}

# An arm64 Image header (64 bytes, little endian): text_offset 0,
# image_size given as 8 octal-escaped bytes, flags 0xa, "ARM\x64" at 0x38.
image_header() { # file image_size_bytes
	{
		printf '\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'
		# shellcheck disable=SC2059 # the bytes are the format's escapes
		printf "$2"
		printf '\012\0\0\0\0\0\0\0'
		printf '\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'
		printf 'ARM\144\0\0\0\0'
	} >"$1"
}

printf 'garbage, not a device tree\n' >"$T/garbage.dtb"
expect usage-none 2 "$TOOL"
expect usage-bad-option 2 "$TOOL" check --bogus "$B/ok/xen-doc-direct-map.dts"
expect usage-map-needs-o 2 "$TOOL" map "$B/ok/xen-doc-direct-map.dts"
expect usage-bad-hv-image 2 "$TOOL" check --hv-image 0x40200000 "$B/ok/xen-doc-direct-map.dts"
expect missing-file 2 "$TOOL" check "$T/does-not-exist.dtb"
expect not-a-dtb 2 "$TOOL" check "$T/garbage.dtb"

# A .dts straight from the command line, through dtc; the table on stdout.
expect table 0 "$TOOL" check "$B/ok/xen-doc-direct-map.dts"
same table-text "$(dirname "$0")/xen-doc-direct-map.table" "$T/table.out"
expect errors-only-on-stderr 1 "$TOOL" check "$B/bad/static-overlap-domains.dts"
[ -s "$T/errors-only-on-stderr.out" ] && { echo "FAIL cli errors-no-stdout"; status=1; }
has errors-text "$T/errors-only-on-stderr.err" \
	"error: /chosen/domU1: xen,static-mem[1] 0x50000000-0x5fffffff overlaps /chosen/domU2 xen,static-mem[0]"

# Placement options move the hypervisor and the DTB into domU1's RAM.
expect hv-image-option 1 "$TOOL" check --hv-image 0x70000000,0x200000 "$B/ok/xen-doc-direct-map.dts"
has hv-image-message "$T/hv-image-option.err" \
	"error: /chosen/domU1: xen,static-mem[0] 0x70000000-0x8fffffff overlaps the hypervisor image"
expect dtb-addr-option 1 "$TOOL" check --dtb-addr 0x8ff00000,0x100000 "$B/ok/xen-doc-direct-map.dts"
has dtb-addr-message "$T/dtb-addr-option.err" \
	"error: /chosen/domU1: xen,static-mem[0] 0x70000000-0x8fffffff overlaps the host DTB"

# --module ADDR=FILE gives the same plan as --modules-dir.
expect module-option 0 "$TOOL" check --json \
	--module 0x4c000000="$B/ok/passthrough-virtio.modules/0x4c000000.dts" "$B/ok/passthrough-virtio.dts"
same module-option-json "$B/ok/passthrough-virtio.json" "$T/module-option.out"
expect module-missing 0 "$TOOL" check "$B/ok/passthrough-virtio.dts"
has module-missing-warning "$T/module-missing.err" \
	"warning: /chosen/net/module@4c000000: partial device tree not available, passthrough not checked"

# Kernel placement: the Image header's image_size against the domain's RAM.
# The headers made here are the corpus's (same bytes).
image_header "$T/image-64m" '\0\0\0\004\0\0\0\0'
image_header "$T/image-15m" '\0\0\360\0\0\0\0\0'
same image-header-64m "$B/bad/kernel-too-big.modules/0x49000000.bin" "$T/image-64m"
same image-header-15m "$B/ok/kernel-image-fits.modules/0x49000000.bin" "$T/image-15m"
expect kernel-missing 0 "$TOOL" check "$B/ok/kernel-image-fits.dts"
has kernel-missing-note "$T/kernel-missing.err" \
	"note: /chosen/domU1/module@49000000: kernel not available, placement not checked"
expect kernel-fits 0 "$TOOL" check --module 0x49000000="$T/image-15m" "$B/ok/kernel-image-fits.dts"
[ -s "$T/kernel-fits.err" ] && { echo "FAIL cli kernel-fits-no-note"; status=1; }
expect kernel-too-big 1 "$TOOL" check --module 0x49000000="$T/image-64m" "$B/ok/kernel-image-fits.dts"
has kernel-too-big-message "$T/kernel-too-big.err" \
	"error: /chosen/domU1/module@49000000: kernel needs 0x4000000 bytes (image_size in its header) at guest 0x60000000; guest RAM 0x60000000-0x60ffffff is too small"
# --modules-dir finds a raw DIR/0xADDR; of an 80 MiB file only the header is read.
rm -rf "$T/raw-modules"
mkdir -p "$T/raw-modules"
cp "$T/image-64m" "$T/raw-modules/0x49000000"
truncate -s 80M "$T/raw-modules/0x49000000"
expect kernel-raw-dir 1 "$TOOL" check --modules-dir "$T/raw-modules" "$B/ok/kernel-image-fits.dts"
has kernel-raw-dir-message "$T/kernel-raw-dir.err" \
	"error: /chosen/domU1/module@49000000: kernel needs 0x4000000 bytes"

# The map: well-formed SVG naming every domain; written even for a bad plan.
expect map 0 "$TOOL" map "$B/ok/eight-domains.dts" -o "$T/eight.svg"
if python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$T/eight.svg"; then
	echo "ok cli map-is-xml"
else
	echo "FAIL cli map-is-xml"
	status=1
fi
for d in dom0 dom7 "hypervisor image" "host DTB" "hypervisor heap"; do
	has "map-names-$(echo "$d" | tr ' ' -)" "$T/eight.svg" "$d"
done
expect map-bad-plan 1 "$TOOL" map "$B/bad/too-many-vcpus.dts" -o "$T/bad.svg"
has map-bad-plan-says-so "$T/bad.svg" "plan has ERRORS"
# The example boards in boards/ are valid.
R=$(dirname "$0")/../..
expect example-2dom 0 "$TOOL" check "$R/boards/qemu-virt-2dom.dts"
expect example-passthrough 0 "$TOOL" check --module 0x49000000="$T/image-15m" \
	--module 0x4c000000="$R/boards/qemu-virt-passthrough-pt.dts" "$R/boards/qemu-virt-passthrough.dts"
[ -s "$T/example-passthrough.err" ] && { echo "FAIL cli example-passthrough-no-warnings"; status=1; }
exit $status
