#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The board corpus: every tests/boards/ok/NAME.dts must pass
# `bulkhead check --json` with exactly NAME.json on stdout (and NAME.warn,
# or nothing, on stderr); every tests/boards/bad/NAME.dts must fail with
# exactly NAME.err on stderr. NAME.args holds extra options; a NAME.modules
# directory is passed as --modules-dir. Boards are compiled with dtc into
# $BUILD/boards/ first (the fuzzer seeds its corpus from there).
#
# UPDATE=1 rewrites the expectations from the current output: review the
# diff before committing it.
set -u
BUILD=${BUILD:-build}
TOOL=${TOOL:-$BUILD/bulkhead-san}
[ -x "$TOOL" ] || TOOL=$BUILD/bulkhead
OUT="$BUILD/boards"
mkdir -p "$OUT"
status=0

run_board() { # kind dts
	kind=$1
	dts=$2
	name=$(basename "$dts" .dts)
	dir=$(dirname "$dts")
	base="$dir/$name"
	dtb="$OUT/$kind-$name.dtb"
	if ! dtc -q -I dts -O dtb -o "$dtb" "$dts" 2>"$OUT/$kind-$name.dtc"; then
		echo "FAIL board $kind/$name: dtc failed"
		cat "$OUT/$kind-$name.dtc"
		status=1
		return
	fi
	args=""
	[ -f "$base.args" ] && args=$(cat "$base.args")
	[ -d "$base.modules" ] && args="$args --modules-dir $base.modules"
	# shellcheck disable=SC2086
	"$TOOL" check --json $args "$dtb" >"$OUT/$kind-$name.out" 2>"$OUT/$kind-$name.stderr"
	rc=$?
	if [ "$kind" = ok ]; then
		want_rc=0
		want_out="$base.json"
		want_err="$base.warn"
	else
		want_rc=1
		want_out=""
		want_err="$base.err"
	fi
	if [ "${UPDATE:-0}" = 1 ]; then
		[ -n "$want_out" ] && cp "$OUT/$kind-$name.out" "$want_out"
		if [ -s "$OUT/$kind-$name.stderr" ]; then
			cp "$OUT/$kind-$name.stderr" "$want_err"
		else
			rm -f "$want_err"
		fi
	fi
	why=""
	[ "$rc" -eq "$want_rc" ] || why="exit status $rc, expected $want_rc"
	if [ -n "$want_out" ] && ! cmp -s "$want_out" "$OUT/$kind-$name.out"; then
		why="$why stdout differs"
		diff -u "$want_out" "$OUT/$kind-$name.out" | head -20
	fi
	if [ -f "$want_err" ]; then
		if ! cmp -s "$want_err" "$OUT/$kind-$name.stderr"; then
			why="$why stderr differs"
			diff -u "$want_err" "$OUT/$kind-$name.stderr" | head -20
		fi
	elif [ -s "$OUT/$kind-$name.stderr" ]; then
		why="$why unexpected stderr"
		head -5 "$OUT/$kind-$name.stderr"
	fi
	if [ -z "$why" ]; then
		echo "ok board $kind/$name"
	else
		echo "FAIL board $kind/$name:$why"
		status=1
	fi
}

here=$(dirname "$0")/../boards
for f in "$here"/ok/*.dts; do
	[ -f "$f" ] && run_board ok "$f"
done
for f in "$here"/bad/*.dts; do
	[ -f "$f" ] && run_board bad "$f"
done
exit $status
