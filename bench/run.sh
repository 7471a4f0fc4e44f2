#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run every benchmark; print their BENCH lines and keep them in
# $BUILD/bench.txt for docs/BENCHMARKS.md.
set -eu
BUILD=${BUILD:-build}
out="$BUILD/bench.txt"
: >"$out"
for b in "$BUILD"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	BUILD="$BUILD" "$b" | tee -a "$out"
done
for s in bench/*.sh; do
	[ "$s" = bench/run.sh ] && continue
	[ -f "$s" ] || continue
	echo "== $s"
	BUILD="$BUILD" sh "$s" | tee -a "$out"
done
echo "bench: results in $out"
