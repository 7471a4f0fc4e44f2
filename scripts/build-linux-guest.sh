#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build the Linux test guest's initramfs, $1/arm64-linux/initramfs.cpio:
# busybox-static, /init (guests/linux/init.S), /etc/init.sh and
# /etc/check.sh. Fetches the kernel and busybox first if missing
# (scripts/fetch-guest-linux.sh). Rebuilds only when a source changed.
set -eu
B="${1:-build}"
out="$B/arm64-linux"
sh "$(dirname "$0")/fetch-guest-linux.sh" "$B" >/dev/null
src=guests/linux
cpio="$out/initramfs.cpio"
if [ -f "$cpio" ] && [ -z "$(find $src scripts/mkinitramfs.py "$out/busybox" -newer "$cpio" 2>/dev/null)" ]; then
	exit 0
fi
${CROSS:-aarch64-linux-gnu-}gcc -nostdlib -static -Wl,--build-id=none -o "$out/init" "$src/init.S"
python3 scripts/mkinitramfs.py "$cpio.tmp" init="$out/init" bin/busybox="$out/busybox" \
	etc/init.sh="$src/init.sh:0644" etc/check.sh="$src/check.sh:0644" \
	$(for m in virtio_ring virtio virtio_mmio virtio_blk; do echo "lib/modules/$m.ko=$out/modules/$m.ko:0644"; done)
mv "$cpio.tmp" "$cpio"
echo "build-linux-guest: $cpio ($(wc -c <"$cpio") bytes)"
