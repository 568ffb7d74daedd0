#!/bin/sh
# SPDX-License-Identifier: MIT
# Instructions per peer per steady poll of the kernel path's user space (issue 16 item 5):
# bench/netlink_cost.c run for 1 and for 4 polls under callgrind, (Ir4 - Ir1) / 3 / N.
# Usage: bench/netlink_cost.sh BINARY [N]; NETLINK_COST_PROFILE=1 also prints the top
# functions of the 4-poll run (callgrind_annotate).
set -eu
bin=$1
n=${2:-10000}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIPPED: bench-netlink (valgrind not installed)"
	exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ir() {
	valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$2" "$bin" "$n" "$2" \
		>"$dir/out.$2" 2>"$dir/err.$2" || { cat "$dir/err.$2" >&2; exit 1; }
	sed -n 's/^summary: *//p' "$dir/cg.$2"
}
ir1=$(ir 1 1)
ir4=$(ir 4 4)
cat "$dir/out.4"
echo "Ir 1 poll: $ir1, 4 polls: $ir4"
echo "instructions per peer per steady poll: $(( (ir4 - ir1) / 3 / n ))"
# Per function, self instructions per peer per steady poll: the 4-poll run minus the 1-poll
# run, so the dump's construction and the first poll cancel out.
per_fn() {
	callgrind_annotate --auto=no --inclusive="$1" --threshold=100 "$dir/cg.$2" 2>/dev/null |
		sed -n 's/^ *\([0-9,]*\) ([ 0-9.]*%)  *\([^ ]*\).*/\1 \2/p' | tr -d ,
}
if [ "${NETLINK_COST_PROFILE:-0}" = 1 ] && command -v callgrind_annotate >/dev/null 2>&1; then
	for inc in no yes; do
		echo "--- per peer per steady poll, inclusive=$inc"
		per_fn $inc 1 >"$dir/f1"
		per_fn $inc 4 | awk -v n="$n" 'NR == FNR { one[$2] = $1; next }
			{ d = ($1 - one[$2]) / 3 / n; if (d >= 5) printf "%8.0f  %s\n", d, $2 }' \
			"$dir/f1" - | sort -rn | sed -n '1,25p'
	done
fi
