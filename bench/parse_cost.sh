#!/bin/sh
# SPDX-License-Identifier: MIT
# Instructions per peer of a steady UAPI poll (parse + peers_update), from callgrind's totals
# of 1 and 4 polls: (Ir4 - Ir1) / 3 / PEERS, counting only the driver's counted_* functions
# (the parser and the peer table; not building the reply nor recv's copy). Usage: parse_cost.sh DRIVER [PEERS].
set -eu
drv=$1
peers=${2:-10000}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "bench-parse: SKIPPED: valgrind is not installed (apt-get install valgrind)"
	exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ir() {
	valgrind --tool=callgrind --toggle-collect=counted_* --callgrind-out-file="$dir/cg.$1" "$drv" "$peers" "$1" \
		>"$dir/out.$1" 2>"$dir/err.$1" || { cat "$dir/err.$1" >&2; exit 1; }
	sed -n 's/^totals: *\([0-9]*\).*/\1/p;s/^summary: *\([0-9]*\).*/\1/p' "$dir/cg.$1" | head -n 1
}
ir1=$(ir 1)
ir4=$(ir 4)
cat "$dir/out.4"
echo "Ir 1 poll: $ir1, Ir 4 polls: $ir4"
echo "instructions per peer per steady poll: $(( (ir4 - ir1) / 3 / peers ))"
if [ -n "${BENCH_PARSE_ANNOTATE:-}" ]; then
	callgrind_annotate --inclusive=no "$dir/cg.4" | head -n 40
fi
