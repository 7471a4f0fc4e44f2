#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Fetch Debian's arm64 cloud kernel (an uncompressed arm64 Image with
# PL011, GICv3, PSCI and initramfs support built in) for tests that boot a
# real Linux guest. Idempotent; extracts into $1/arm64-linux/Image without
# installing anything. Needs dpkg's arm64 architecture (install-deps.sh).
set -eu
out="${1:-build}/arm64-linux"
[ -f "$out/Image" ] && exit 0
mkdir -p "$out"
# linux-image-cloud-arm64 depends on the current ABI's image package.
pkg=$(apt-cache depends linux-image-cloud-arm64:arm64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9.]*-[0-9]*-cloud-arm64\).*/\1/p' | head -n 1)
if [ -z "$pkg" ]; then
	apt-get update -qq
	pkg=$(apt-cache depends linux-image-cloud-arm64:arm64 |
		sed -n 's/^ *Depends: \(linux-image-[0-9.]*-[0-9]*-cloud-arm64\).*/\1/p' | head -n 1)
fi
tmp=$(mktemp -d)
chmod 755 "$tmp"
(cd "$tmp" && { apt-get download -qq "$pkg-unsigned:arm64" || apt-get download -qq "$pkg:arm64"; }) >/dev/null 2>&1
dpkg -x "$tmp"/linux-image-*.deb "$tmp/x"
cp "$tmp"/x/boot/vmlinuz-* "$out/Image"
rm -rf "$tmp"
echo "fetch-guest-linux: $pkg -> $out/Image"
