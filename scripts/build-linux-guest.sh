#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build the Linux test guest's initramfs, $1/arm64-linux/initramfs.cpio:
# busybox-static, /init (guests/linux/init.S), /etc/init.sh and
# /etc/check.sh; and $1/arm64-linux/Image.shim for bench/linux.sh. Fetches the kernel and busybox first if missing
# (scripts/fetch-guest-linux.sh). Rebuilds only when a source changed.
set -eu
B="${1:-build}"
out="$B/arm64-linux"
sh "$(dirname "$0")/fetch-guest-linux.sh" "$B" >/dev/null
src=guests/linux
cpio="$out/initramfs.cpio"
if [ -f "$cpio" ] && [ -f "$out/Image.shim" ] && [ -z "$(find $src scripts/mkinitramfs.py "$out/busybox" -newer "$cpio" 2>/dev/null)" ]; then
	exit 0
fi
${CROSS:-aarch64-linux-gnu-}gcc -nostdlib -static -Wl,--build-id=none -o "$out/init" "$src/init.S"
python3 scripts/mkinitramfs.py "$cpio.tmp" init="$out/init" bin/busybox="$out/busybox" \
	etc/init.sh="$src/init.sh:0644" etc/check.sh="$src/check.sh:0644" \
	$(for m in virtio_ring virtio virtio_mmio virtio_blk; do echo "lib/modules/$m.ko=$out/modules/$m.ko:0644"; done)
mv "$cpio.tmp" "$cpio"
echo "build-linux-guest: $cpio ($(wc -c <"$cpio") bytes)"

# The benchmark's kernel: guests/linux/shim.S, padded to 2 MiB, then the
# kernel; image_size = 2 MiB + the kernel's own image_size.
${CROSS:-aarch64-linux-gnu-}gcc -nostdlib -static -Wl,--build-id=none -Wl,-Ttext=0 -Wl,-e,_head \
	-o "$out/shim.elf" "$src/shim.S"
${CROSS:-aarch64-linux-gnu-}objcopy -O binary "$out/shim.elf" "$out/shim.bin"
python3 - "$out/shim.bin" "$out/Image" "$out/Image.shim" <<'PY'
import struct, sys
shim = open(sys.argv[1], "rb").read()
kernel = open(sys.argv[2], "rb").read()
size = 0x200000 + struct.unpack_from("<Q", kernel, 16)[0]
img = bytearray(shim.ljust(0x200000, b"\0") + kernel)
struct.pack_into("<Q", img, 16, size)
open(sys.argv[3], "wb").write(img)
PY
