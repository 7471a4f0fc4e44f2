# SPDX-License-Identifier: Apache-2.0
# Helpers for booting the Linux board (boards/linux.dts) on Bulkhead
# (sourced after lib.sh): make run, tests/qemu/run-linux.sh, bench.
LINUX="$BUILD/arm64-linux"

# linux_prepare: kernel, busybox and initramfs (fetched and built once),
# the partial DT, and the passthrough disk: 1 MiB of seeded random bytes
# (its SHA-256 in $WORK/disk.sha256) then 1 MiB of zeros.
linux_prepare() {
	sh scripts/build-linux-guest.sh "$BUILD" || return 1
	dtc -q -I dts -O dtb -o "$WORK/linux-passthrough.dtb" boards/linux-passthrough.dts || return 1
	python3 -c '
import hashlib, random, sys
r = random.Random(20261206)
data = bytes(r.getrandbits(8) for _ in range(1 << 20))
open(sys.argv[1], "wb").write(data + bytes(1 << 20))
open(sys.argv[2], "w").write(hashlib.sha256(data).hexdigest() + "\n")
' "$WORK/disk.img" "$WORK/disk.sha256"
}

# linux_board OUT.dtb MEM SMP [DOMU1 ARGS [DOMU2 ARGS]]: boards/linux.dts
# with extra arguments appended to each kernel's command line (domU2's
# default to domU1's).
linux_board() {
	awk -v a1="${4:-}" -v a2="${5-${4:-}}" '/panic=-1"/ { n++; sub(/panic=-1"/, "panic=-1 " (n == 1 ? a1 : a2) "\"") } 1' \
		boards/linux.dts >"$1.dtsi"
	make_board "$1.dtsi" "$2" "$3" "$1"
}

# linux_devices: the QEMU arguments for the modules and the disk.
linux_devices() {
	echo "$(loader "$LINUX/Image" 0x49000000) $(loader "$LINUX/initramfs.cpio" 0x4b000000)" \
		"$(loader "$WORK/linux-passthrough.dtb" 0x4b400000)" \
		"$(loader "$LINUX/Image" 0x4c000000) $(loader "$LINUX/initramfs.cpio" 0x4e000000)" \
		"-drive if=none,file=$WORK/disk.img,format=raw,id=disk0" \
		"-device virtio-blk-device,drive=disk0"
}
