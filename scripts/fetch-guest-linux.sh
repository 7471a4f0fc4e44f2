#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Fetch what the Linux guest tests boot: Debian's arm64 cloud kernel (an
# uncompressed arm64 Image with PL011, GICv3, PSCI, virtio-mmio and
# initramfs support built in) and busybox-static for the initramfs.
# Idempotent; extracts into $1/arm64-linux/{Image,busybox} without
# installing anything, with the modules the passthrough disk needs (this
# kernel builds virtio, virtio-mmio and virtio-blk as modules) in
# $1/arm64-linux/modules, in load order. Needs dpkg's arm64 architecture (install-deps.sh).
set -eu
out="${1:-build}/arm64-linux"
mkdir -p "$out"

# download PKG... : the first package name that apt can fetch, extracted
# into a fresh directory printed on stdout.
download() {
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	for p in "$@"; do
		(cd "$tmp" && apt-get download -qq "$p") >/dev/null 2>&1 && break
	done
	dpkg -x "$tmp"/*.deb "$tmp/x"
	echo "$tmp"
}

if [ ! -f "$out/Image" ] || [ ! -f "$out/modules/virtio_blk.ko" ]; then
	# linux-image-cloud-arm64 depends on the current ABI's image package.
	pkg=$(apt-cache depends linux-image-cloud-arm64:arm64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9.]*-[0-9]*-cloud-arm64\).*/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		apt-get update -qq
		pkg=$(apt-cache depends linux-image-cloud-arm64:arm64 |
			sed -n 's/^ *Depends: \(linux-image-[0-9.]*-[0-9]*-cloud-arm64\).*/\1/p' | head -n 1)
	fi
	tmp=$(download "$pkg-unsigned:arm64" "$pkg:arm64")
	cp "$tmp"/x/boot/vmlinuz-* "$out/Image"
	mkdir -p "$out/modules"
	for m in virtio_ring virtio virtio_mmio virtio_blk; do
		find "$tmp/x/lib/modules" -name "$m.ko" -exec cp {} "$out/modules/" \;
	done
	rm -rf "$tmp"
	echo "fetch-guest-linux: $pkg -> $out/Image"
fi

if [ ! -f "$out/busybox" ]; then
	tmp=$(download busybox-static:arm64)
	cp "$tmp/x/bin/busybox" "$out/busybox"
	rm -rf "$tmp"
	echo "fetch-guest-linux: busybox-static:arm64 -> $out/busybox"
fi
