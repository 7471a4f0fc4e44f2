#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The arch seam (hv/core/arch.h), checked on the built objects:
#  1. every symbol that the freestanding core objects take from the arm64
#     layer is a function declared in hv/core/arch.h;
#  2. the whole core plus the host stand-in (every object, not only those
#     a test happens to pull from the archive) links into a host program
#     with no undefined symbol.
# Prints ok/FAIL lines (scripts/run-tests.sh counts them).
set -u
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

declared() {
	grep -o '\barch_[a-z0-9_]*(' hv/core/arch.h | tr -d '(' | sort -u
}

# Objects of the sources that exist now: a build directory may hold
# objects of files since removed.
objs() { # DIR SUFFIX SOURCES...
	d=$1 x=$2
	shift 2
	for f in "$@"; do
		[ -f "$d/${f%.*}$x" ] && echo "$d/${f%.*}$x"
	done
}
arm_core=$(objs "$BUILD/arm64" .c.o hv/core/*.c)
arm_arch=$(for f in hv/arch/arm64/*.c hv/arch/arm64/*.S; do
	[ -f "$BUILD/arm64/$f.o" ] && echo "$BUILD/arm64/$f.o"
done)
if [ -z "$arm_core" ] || [ -z "$arm_arch" ]; then
	echo "FAIL seam_arm64: no arm64 objects in $BUILD/arm64 (build bulkhead.bin first)"
	status=1
else
	nm -u $arm_core | awk 'NF == 2 {print $2}' | sort -u >"$tmp/core-undef"
	nm --defined-only $arm_arch | awk 'NF == 3 && $2 ~ /[TDBR]/ {print $3}' |
		sort -u >"$tmp/arch-def"
	declared >"$tmp/declared"
	comm -12 "$tmp/core-undef" "$tmp/arch-def" >"$tmp/used"
	comm -23 "$tmp/used" "$tmp/declared" >"$tmp/outside"
	if [ -s "$tmp/outside" ]; then
		echo "FAIL seam_arm64: hv/core uses arm64 symbols not declared in hv/core/arch.h:"
		sed 's/^/  /' "$tmp/outside"
		status=1
	else
		echo "ok seam_arm64 ($(wc -l <"$tmp/used") arch hooks used, all declared in arch.h)"
	fi
	# Every hook declared is implemented by arm64 (nothing left to the linker's luck).
	comm -23 "$tmp/declared" "$tmp/arch-def" >"$tmp/missing"
	if [ -s "$tmp/missing" ]; then
		echo "FAIL seam_arm64_complete: declared in arch.h, not defined by hv/arch/arm64:"
		sed 's/^/  /' "$tmp/missing"
		status=1
	else
		echo "ok seam_arm64_complete"
	fi
fi

host_objs=$(objs "$BUILD/plain" .o hv/core/*.c hv/host/*.c)
if [ -z "$host_objs" ]; then
	echo "FAIL seam_host_link: no objects in $BUILD/plain (make host first)"
	status=1
else
	printf 'int main(void) { return 0; }\n' >"$tmp/main.c"
	if ${HOST_CC:-gcc} -o "$tmp/core-host" "$tmp/main.c" $host_objs -lfdt -lm 2>"$tmp/link.log"; then
		echo "ok seam_host_link (the whole core and hv/host link with no undefined symbol)"
	else
		echo "FAIL seam_host_link:"
		sed 's/^/  /' "$tmp/link.log" | head -20
		status=1
	fi
	# The host stand-in implements every hook of arch.h.
	nm --defined-only $(objs "$BUILD/plain" .o hv/host/*.c) | awk 'NF == 3 {print $3}' |
		sort -u >"$tmp/host-def"
	declared | comm -23 - "$tmp/host-def" >"$tmp/host-missing"
	if [ -s "$tmp/host-missing" ]; then
		echo "FAIL seam_host_complete: not implemented by hv/host:"
		sed 's/^/  /' "$tmp/host-missing"
		status=1
	else
		echo "ok seam_host_complete"
	fi
fi
exit $status
