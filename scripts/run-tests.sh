#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Run every test program and count results.
#
# Unit tests print "ok NAME" / "FAIL NAME" per test. Each fuzzer runs for
# FUZZ_SECONDS on its corpus and counts as one test. Each executable
# tests/*/run-*.sh script follows the same ok/FAIL convention. A program
# that exits non-zero without printing a FAIL line (a crash, a sanitizer
# report) counts as one failure. Ends with "N passed, N failed".
set -u
BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
LOGDIR="$BUILD/test-logs"
mkdir -p "$LOGDIR"
passed=0
failed=0

count() { # name logfile status
	ok=$(grep -c '^ok ' "$2")
	bad=$(grep -c '^FAIL ' "$2")
	if [ "$3" -ne 0 ] && [ "$bad" -eq 0 ]; then
		echo "FAIL $1 (exit status $3, see $2)"
		tail -n 20 "$2"
		bad=1
	fi
	grep '^FAIL ' "$2"
	passed=$((passed + ok))
	failed=$((failed + bad))
	echo "$1: $ok passed, $bad failed"
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	"$t" >"$LOGDIR/$name.log" 2>&1
	count "$name" "$LOGDIR/$name.log" $?
done

for f in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	corpus="tests/fuzz/corpus/$name"
	work="$BUILD/fuzz-work/$name"
	mkdir -p "$work" "$corpus"
	"$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/" "$work" "$corpus" >"$LOGDIR/$name.log" 2>&1
	st=$?
	if [ $st -eq 0 ]; then
		echo "ok $name ($FUZZ_SECONDS s)" >>"$LOGDIR/$name.log"
	else
		echo "FAIL $name: crash input in $work" >>"$LOGDIR/$name.log"
	fi
	count "$name" "$LOGDIR/$name.log" $st
done

for s in tests/*/run-*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	BUILD="$BUILD" sh "$s" >"$LOGDIR/$name.log" 2>&1
	count "$name" "$LOGDIR/$name.log" $?
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
