#!/bin/sh
# SPDX-License-Identifier: MIT
# Instructions per peer per steady poll of a cost driver (bench/parse_cost.c: the UAPI path,
# bench/netlink_cost.c: the kernel path's user space), run for 1 and for 4 polls under
# callgrind: (Ir4 - Ir1) / 3 / N, so building the input and the first poll cancel out.
# Usage: bench/ir_cost.sh NAME DRIVER N [VALGRIND-OPTION...]; BENCH_PROFILE=1 also prints
# the self (then inclusive) instructions per peer per steady poll of the top functions.
set -eu
name=$1 bin=$2 n=$3
shift 3
if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIPPED: $name (valgrind not installed: apt-get install valgrind)"
	exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ir() {
	valgrind --tool=callgrind "$@" --callgrind-out-file="$dir/cg.$polls" "$bin" "$n" "$polls" \
		>"$dir/out.$polls" 2>"$dir/err.$polls" || { cat "$dir/err.$polls" >&2; exit 1; }
	sed -n 's/^totals: *\([0-9]*\).*/\1/p;s/^summary: *\([0-9]*\).*/\1/p' "$dir/cg.$polls" | head -n 1
}
polls=1
ir1=$(ir "$@")
polls=4
ir4=$(ir "$@")
cat "$dir/out.4"
echo "Ir 1 poll: $ir1, 4 polls: $ir4"
echo "instructions per peer per steady poll: $(( (ir4 - ir1) / 3 / n ))"
per_fn() {
	callgrind_annotate --auto=no --inclusive="$1" --threshold=100 "$dir/cg.$2" 2>/dev/null |
		sed -n 's/^ *\([0-9,]*\) ([ 0-9.]*%)  *\([^ ]*\).*/\1 \2/p' | tr -d ,
}
if [ "${BENCH_PROFILE:-0}" = 1 ] && command -v callgrind_annotate >/dev/null 2>&1; then
	for inc in no yes; do
		echo "--- per peer per steady poll, inclusive=$inc"
		per_fn $inc 1 >"$dir/f1"
		per_fn $inc 4 | awk -v n="$n" 'NR == FNR { one[$2] = $1; next }
			{ d = ($1 - one[$2]) / 3 / n; if (d >= 5) printf "%8.0f  %s\n", d, $2 }' \
			"$dir/f1" - | sort -rn | sed -n '1,25p'
	done
fi
