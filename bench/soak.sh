#!/bin/sh
# SPDX-License-Identifier: MIT
# `make soak`: the real daemon on the five liveness link configurations, on wireguard-go
# (this host) and on the kernel module (QEMU guest) at the same time, then the results
# table on stdout and in bench/results/soak-DATE.md. Root only; SOAK_MINUTES (default 30).
set -eu

cd "$(dirname "$0")/.."
SOAK_MINUTES=${SOAK_MINUTES:-30}
SOAK_IMPLS=${SOAK_IMPLS:-go kernel}
VM_RUN=${VM_RUN:-tests/vm/vm-run.sh}

say() { printf 'soak: %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
	say "SKIPPED (needs root: network namespaces, WireGuard interfaces, a VM)"
	exit 0
fi
case $SOAK_MINUTES in
'' | *[!0-9]* | 0) say "SOAK_MINUTES must be a whole number of minutes, 1 or more"; exit 2 ;;
esac
[ -x ./wg-monitor ] || { say "no ./wg-monitor (run make)"; exit 1; }
command -v python3 >/dev/null || { say "SKIPPED (python3 is needed for the report)"; exit 0; }

# A snapshot of the scripts and the binary: editing or rebuilding them during a
# 30-minute run must not change it (bash reads scripts lazily).
RUN=$(mktemp -d /tmp/wgm-soak.XXXXXX)
cp bench/soak_links.sh bench/soak_report.py ./wg-monitor "$RUN/"
say "run directory $RUN; $SOAK_MINUTES minutes healthy, then the outage (~6 minutes)"

start_go() {
	if ! command -v wireguard-go >/dev/null; then
		say "wireguard-go: SKIPPED (not installed)"
		return 0
	fi
	WG_IMPL=go WGM_BIN="$RUN/wg-monitor" SOAK_MINUTES=$SOAK_MINUTES \
		"$RUN/soak_links.sh" "$RUN/go" >"$RUN/go.out" 2>&1 &
	GO_PID=$!
}

# The guest's writes land in a tmpfs overlay, so the run prints its raw results as a
# base64 tar on stdout, which the host unpacks.
start_kernel() {
	if [ ! -x "$VM_RUN" ]; then
		say "kernel module: SKIPPED (no VM harness at $VM_RUN)"
		return 0
	fi
	WG_IMPL=kernel SOAK_DUMP=1 WGM_BIN="$RUN/wg-monitor" SOAK_MINUTES=$SOAK_MINUTES \
		VM_TIMEOUT=$((SOAK_MINUTES * 60 + 900)) \
		VM_PASS_ENV="WG_IMPL SOAK_DUMP WGM_BIN SOAK_MINUTES VM_MODULES" \
		"$VM_RUN" "$RUN/soak_links.sh" "$RUN/kernel-guest" >"$RUN/kernel.out" 2>&1 &
	KERNEL_PID=$!
}

GO_PID="" KERNEL_PID=""
for impl in $SOAK_IMPLS; do
	case $impl in
	go) start_go ;;
	kernel) start_kernel ;;
	*) say "unknown implementation '$impl' in SOAK_IMPLS (go, kernel)"; exit 2 ;;
	esac
done

RC=0
if [ -n "$GO_PID" ]; then
	wait "$GO_PID" || { RC=1; say "wireguard-go run FAILED; see $RUN/go.out"; tail -n 5 "$RUN/go.out"; }
fi
if [ -n "$KERNEL_PID" ]; then
	krc=0
	wait "$KERNEL_PID" || krc=$?
	mkdir -p "$RUN/kernel"
	sed -n '/^=====SOAK-TAR-BEGIN=====$/,/^=====SOAK-TAR-END=====$/p' "$RUN/kernel.out" |
		sed '1d;$d' | base64 -d | tar -xz -C "$RUN/kernel" 2>/dev/null || true
	if [ "$krc" = 125 ] && [ ! -s "$RUN/kernel/meta.tsv" ]; then
		say "kernel module: SKIPPED (the VM could not run; see $RUN/kernel.out)"
		rmdir "$RUN/kernel" 2>/dev/null || true
	elif [ "$krc" != 0 ]; then
		RC=1
		say "kernel run FAILED (status $krc); see $RUN/kernel.out"
		tail -n 5 "$RUN/kernel.out"
	fi
fi

mkdir -p bench/results
REPORT=bench/results/soak-$(date -u +%Y%m%d-%H%M).md
DIRS=""
for d in "$RUN/go" "$RUN/kernel"; do [ -s "$d/meta.tsv" ] && DIRS="$DIRS $d"; done
if [ -z "$DIRS" ]; then
	say "no results"
	exit 1
fi
# shellcheck disable=SC2086
python3 "$RUN/soak_report.py" $DIRS >"$REPORT" || RC=1
cat "$REPORT"
say "report: $REPORT; raw logs and samples: $RUN"
exit "$RC"
