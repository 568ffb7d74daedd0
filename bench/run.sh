#!/bin/bash
# SPDX-License-Identifier: MIT
# `make bench` (issue 16): an optimised wg-monitor on wireguard-go interfaces of BENCH_SIZES
# peers in a namespace of its own; bench/measure.py measures each size, bench/report.py
# prints the table and writes bench/results/bench-DATE.csv. BENCH_IDLE=1: the idle cost.
# BENCH_BIN=PATH measures that binary instead of building one. BENCH_KERNEL=1: kernel
# WireGuard in the test VM instead (bench/kernel.sh).
# Root only; installs what it needs with apt (tests/deps.sh) and says so.
set -u
ROOT=${BENCH_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT" || exit 1
# bash reads a script as it runs: a copy of the scripts (and below of the binary) keeps an
# edit or a rebuild during a long run out of it.
if [ -z "${BENCH_SNAP:-}" ]; then
	BENCH_SNAP=$(mktemp -d /tmp/wgm-bench.XXXXXX) || exit 1
	cp bench/run.sh bench/measure.py bench/report.py bench/peers.py bench/kernel.sh \
		bench/kernel-guest.sh "$BENCH_SNAP/" || exit 1
	export BENCH_ROOT=$ROOT BENCH_SNAP
	exec bash "$BENCH_SNAP/run.sh" "$@"
fi
BENCH_SIZES=${BENCH_SIZES:-1000 10000 65536 2x50000}
BENCH_REPS=${BENCH_REPS:-3}   # daemon runs per size
BENCH_POLLS=${BENCH_POLLS:-5} # steady polls measured per run
BENCH_IDLE=${BENCH_IDLE:-0}
IDLE_SECONDS=${IDLE_SECONDS:-300}

say() { printf 'bench: %s\n' "$*"; }
if [ "$(id -u)" != 0 ]; then
	say "SKIPPED (needs root: network namespaces, wireguard-go)"
	exit 0
fi
tests/deps.sh wireguard-go wireguard-tools iproute2 python3 || exit 1
if [ -n "${BENCH_BIN:-}" ]; then # another build to compare, e.g. before a change
	WGM_BIN=$(realpath "$BENCH_BIN")
else
	say "building an optimised binary in build-bench/ (-O2, no sanitizers)"
	make --no-print-directory BUILD=build-bench CFLAGS="-O2 -g" build-bench/wg-monitor \
		>/dev/null || exit 1
	WGM_BIN=$ROOT/build-bench/wg-monitor
fi
cp "$WGM_BIN" "$BENCH_SNAP/wg-monitor" || exit 1
export WGM_BIN=$BENCH_SNAP/wg-monitor
# BENCH_KERNEL=1: the same measurement on kernel WireGuard, inside the test VM.
[ "${BENCH_KERNEL:-0}" = 1 ] && exec bash "$BENCH_SNAP/kernel.sh"
# shellcheck source=../tests/integration/lib.sh
. tests/integration/lib.sh
t_common
mkdir -p bench/results
STAMP=$(date -u +%Y%m%d-%H%M%S)
RAW=bench/results/bench-$STAMP.jsonl
: >"$RAW"

# The helper interfaces: the far side keeps a handshake going (online), the absent peer
# never answers (never), and a third interface handshakes once and is deleted (offline once
# the daemons' 5 s threshold has passed, which loading the first size's peers takes).
wg_pair 1
genkey "$T_DIR/g.key"
G_PUB=$(cat "$T_DIR/g.key.pub")
IF_G="wgb${T_ID}g"
wg_create "$NS_F" "$VIEW_F" "$IF_G" 10.79.0.2
in_f wg set "$IF_G" private-key "$T_DIR/g.key" listen-port 51829 \
	peer "$NEAR_PUB" allowed-ips 10.79.0.1/32 endpoint "$NEAR_IP:$PORT_N" || die "offline peer"
in_n wg set "$IF_N" peer "$G_PUB" allowed-ips 10.79.0.2/32 endpoint "$FAR_IP:51829" ||
	die "offline peer (near)"
ip -n "$NS_N" addr add 10.79.0.1/24 dev "$IF_N"
ip netns exec "$NS_N" bash -c 'echo bench >/dev/udp/10.79.0.2/9' 2>/dev/null
wait_handshake n "$G_PUB" 10 || die "no handshake with the offline-to-be peer"
wg_delete "$NS_F" "$VIEW_F" "$IF_G"
wait_handshake n "$FAR_PUB" 10 || die "no handshake with the far side"
T_OFFLINE_AT=$(now)

# load IF N FIRST: N random public keys (any 32 bytes are one) with endpoints and a /32 each,
# the FIRSTth peer on, on a new interface IF, by one `wg setconf`.
load() {
	local ifn=$1 n=$2 first=$3 i=$((${#BIG_IFS[@]} + 1))
	wg_create "$NS_N" "$VIEW_N" "$ifn" "10.9$i.0.1"
	"$PY" "$BENCH_SNAP/peers.py" "$n" "$first" >"$T_DIR/$ifn.conf" || die "peers.py"
	in_n wg setconf "$ifn" "$T_DIR/$ifn.conf" || die "wg setconf $ifn"
	BIG_IFS+=("$ifn")
}
unload() {
	local ifn
	for ifn in "${BIG_IFS[@]}"; do wg_delete "$NS_N" "$VIEW_N" "$ifn"; done
	BIG_IFS=()
}
# wg_wall: seconds one `wg show all dump` takes now (about what a poll waits for).
wg_wall() {
	local t0
	t0=$(now)
	in_n wg show all dump >/dev/null || die "wg show all dump"
	fsub "$(now)" "$t0"
}
# measure N ARGS...: bench/measure.py in the namespace; its JSON line goes to $RAW.
measure() {
	local n=$1; shift
	local left
	# The offline peer must be past the threshold before a daemon first sees it.
	left=$(awk -v a="$T_OFFLINE_AT" -v b="$(now)" 'BEGIN{d = a + 6 - b; print (d > 0 ? d : 0)}')
	sleep "$left"
	in_n "$PY" "$BENCH_SNAP/measure.py" --bin "$WGM_BIN" --work "$T_DIR/m$n" --n "$n" "$@" \
		>>"$RAW" || die "measure.py failed at $n peers"
}

BIG_IFS=()
if [ "$BENCH_IDLE" = 1 ]; then
	load "wgb${T_ID}a" 1000 0
	say "idle: 1,000 peers, 30 s interval, $IDLE_SECONDS s"
	measure 1000 --interval 30 --idle "$IDLE_SECONDS"
	unload
else
	for size in $BENCH_SIZES; do
		case $size in
		2x*) n=${size#2x}; load "wgb${T_ID}a" "$n" 0; load "wgb${T_ID}b" "$n" "$n"; n=$((2 * n)) ;;
		*[!0-9]* | '') die "BENCH_SIZES: '$size' is not N or 2xN" ;;
		*) n=$size; load "wgb${T_ID}a" "$n" 0 ;;
		esac
		# Polls must end well before the next is due, so each is seen on its own.
		iv=$(awk -v w="$(wg_wall)" 'BEGIN{i = int(4 * w) + 2; print i}')
		say "$n peers (${BIG_IFS[*]}): $BENCH_REPS runs of $BENCH_POLLS steady polls, interval $iv s"
		perf=()
		if [ -n "${BENCH_PERF:-}" ]; then perf=(--perf "$ROOT/bench/results/perf-$STAMP-$n.data"); fi
		measure "$n" --interval "$iv" --polls "$BENCH_POLLS" --reps "$BENCH_REPS" \
			--wg-reps "$BENCH_POLLS" ${perf[@]+"${perf[@]}"}
		unload
	done
fi
say "load during the run: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; 2 cores)"
"$PY" "$BENCH_SNAP/report.py" "$RAW" "${RAW%.jsonl}.csv" "$(cut -d' ' -f1-3 /proc/loadavg)"
ok "bench done: $RAW"
rm -rf "$BENCH_SNAP"
t_done
