#!/bin/bash
# SPDX-License-Identifier: MIT
# `BENCH_KERNEL=1 make bench` (issue 16 item 5), exec'd by bench/run.sh with the optimised
# binary and the scripts in BENCH_SNAP: boots the test VM (tests/vm/vm-run.sh, the stock
# Debian kernel's WireGuard), runs bench/kernel-guest.sh in it, and reports here as make
# bench does, to bench/results/bench-kernel-DATE.{jsonl,csv}. Emulated (TCG): only the
# ratios to `wg show all dump` in the same VM, and memory, mean anything.
set -u
cd "$BENCH_ROOT" || exit 1
say() { printf 'bench: %s\n' "$*"; }
tests/vm/prepare.sh
case $? in
0) ;;
3) say "SKIPPED: kernel bench (no VM here: see the prepare: lines above)"; exit 0 ;;
*) say "FAIL: tests/vm/prepare.sh"; exit 1 ;;
esac
mkdir -p bench/results
STAMP=$(date -u +%Y%m%d-%H%M%S)
RAW=bench/results/bench-kernel-$STAMP.jsonl
LOG=bench/results/bench-kernel-$STAMP.log
# 65,536 peers with two /metrics pages of ~110 MiB each need more than the VM's usual 1 GiB.
export VM_MEM=${VM_MEM:-3072} VM_PASS_ENV="BENCH_SIZES BENCH_REPS BENCH_POLLS"
export BENCH_SIZES=${BENCH_SIZES:-1000 10000}
say "kernel WireGuard in the test VM (${VM_MEM} MiB): sizes $BENCH_SIZES"
t0=$(date +%s)
VM_SKIP_PREPARE=1 tests/vm/vm-run.sh bash "$BENCH_SNAP/kernel-guest.sh" | tee "$LOG" |
	grep -v '^bench-json '
rc=${PIPESTATUS[0]}
sed -n 's/^bench-json //p' "$LOG" >"$RAW"
say "VM run: $(($(date +%s) - t0)) s, exit $rc; guest output in $LOG"
if [ -s "$RAW" ]; then
	python3 "$BENCH_SNAP/report.py" "$RAW" "${RAW%.jsonl}.csv" "$(cut -d' ' -f1-3 /proc/loadavg) (host)"
	# With no steal time under TCG, the time a vCPU thread waits for a host core is charged
	# to whatever ran in the guest: noise only adds, so the minima are the least disturbed.
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ d = $c["steady_cpu_ms_min"]; w = $c["wg_cpu_ms_min"]
		  printf "bench: %s peers: ratio of the minima %.3f (%s ms / %s ms)\n", $1, d / w, d, w }' \
		"${RAW%.jsonl}.csv"
fi
rm -rf "$BENCH_SNAP"
[ "$rc" = 0 ] || { say "FAIL: the guest part exited $rc"; exit 1; }
say "kernel bench done: $RAW"
