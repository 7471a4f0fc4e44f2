#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Memory-core instruction counts: runs build/bench/bench_mm under callgrind
# (collecting only around the measured calls, one dump per region) and
# prints BENCH lines from the dumps. See docs/BENCHMARKS.md.
set -eu
BUILD=${BUILD:-build}
bin="$BUILD/bench/bench_mm"
out="$BUILD/bench-mm"
[ -x "$bin" ] || { echo "mm.sh: $bin not built (make bench)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "mm.sh: valgrind missing (make deps)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out/cg.out" \
	"$bin" --callgrind >"$out/stdout" 2>"$out/valgrind.log" ||
	{ echo "mm.sh: bench_mm failed, see $out" >&2; tail -5 "$out/valgrind.log" >&2; exit 1; }

# region name -> instructions, from each dump's trigger and totals lines
for f in "$out"/cg.out.*; do
	name=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
	total=$(sed -n 's/^totals: //p' "$f")
	echo "$name $total"
done >"$out/regions"

get() { awk -v n="$1" '$1 == n { print $2 }' "$out/regions"; }
for s in 256m 1g 4g 16g; do
	echo "BENCH mm_create_destroy_static_direct_$s $(get create_destroy_$s) instructions"
done
scrub=$(get scrub_64m)
mset=$(get memset_64m)
awk -v s="$scrub" -v m="$mset" 'BEGIN { printf "BENCH mm_scrub_vs_memset %.3f ratio\n", m / s }'
pages=$(sed -n 's/^BENCH mm_balloon_pages \([0-9]*\) pages$/\1/p' "$out/stdout")
bout=$(get balloon_out_1g)
bin_=$(get balloon_in_1g)
awk -v o="$bout" -v i="$bin_" -v p="$pages" 'BEGIN {
	printf "BENCH mm_balloon_out_per_page %.0f instructions\n", o / p
	printf "BENCH mm_balloon_in_per_page %.0f instructions\n", i / p
	printf "BENCH mm_balloon_out_in_per_page %.0f instructions\n", (o + i) / p
}'
