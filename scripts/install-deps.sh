#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install the Debian packages Bulkhead needs, only those missing.
# Idempotent; runs as root (CI and developer machines run as root).
set -eu

host_pkgs="gcc make clang libclang-rt-14-dev clang-format clang-tidy cppcheck \
valgrind device-tree-compiler libfdt-dev gcc-aarch64-linux-gnu \
binutils-aarch64-linux-gnu qemu-system-arm python3"

missing=""
for p in $host_pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# libfdt for aarch64: libfdt-dev is not multi-arch, so the arm64 package is
# downloaded and extracted into the build tree rather than installed.
out="${1:-build}/arm64-libfdt"
if [ ! -f "$out/usr/lib/aarch64-linux-gnu/libfdt.a" ]; then
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		dpkg --add-architecture arm64
		apt-get update -qq
	fi
	mkdir -p "$out"
	tmp=$(mktemp -d)
	if ! (cd "$tmp" && apt-get download -qq libfdt-dev:arm64 >/dev/null 2>&1); then
		apt-get update -qq
		(cd "$tmp" && apt-get download -qq libfdt-dev:arm64 >/dev/null)
	fi
	dpkg -x "$tmp"/libfdt-dev_*_arm64.deb "$out"
	rm -rf "$tmp"
fi

# A real arm64 Linux guest kernel for the end-to-end boot tests.
sh "$(dirname "$0")/fetch-guest-linux.sh" "${1:-build}"
