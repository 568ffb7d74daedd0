#!/bin/bash
# SPDX-License-Identifier: MIT
# `BENCH_KERNEL=1 make bench`, inside the test VM (run by bench/kernel.sh): for each of
# BENCH_SIZES, a kernel WireGuard interface of that many random peers next to helper
# interfaces whose peers are online, offline and never, and bench/measure.py on them all.
# measure.py's JSON lines go to stdout prefixed "bench-json "; progress lines start "bench:".
set -u
SNAP=$(cd "$(dirname "$0")" && pwd)
WORK=/tmp/wgm-kbench # the guest's own tmpfs (overlay), not the host's
say() { printf 'bench: %s\n' "$*"; }
die() { say "FAIL: $*"; exit 1; }
now() { printf '%s\n' "$EPOCHREALTIME"; }

rm -rf "$WORK"
mkdir -p "$WORK" || die "no $WORK"
umask 077 # private keys
for k in n f g; do
	wg genkey >"$WORK/$k.key" || die "wg genkey"
	wg pubkey <"$WORK/$k.key" >"$WORK/$k.pub" || die "wg pubkey"
done
umask 022

# hs IF PUB: PUB's latest handshake on IF (0: none yet).
hs() { wg show "$1" latest-handshakes | awk -v p="$2" '$1 == p { print $2 }'; }
wait_hs() {
	local n=100 # 10 s: a loopback handshake takes well under one under emulation
	while [ "$n" -gt 0 ]; do
		[ "$(hs "$1" "$2")" -gt 0 ] 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
# wgkn (watched) with two peers over loopback: wgkf keeps handshaking (online), wgkg
# handshakes once and is deleted (offline once the daemon's 5 s threshold has passed).
helpers() {
	ip link add wgkn type wireguard || die "no kernel WireGuard (ip link add type wireguard)"
	wg set wgkn private-key "$WORK/n.key" listen-port 51820 \
		peer "$(cat "$WORK/f.pub")" allowed-ips 10.78.0.2/32 endpoint 127.0.0.1:51821 \
		peer "$(cat "$WORK/g.pub")" allowed-ips 10.78.0.3/32 endpoint 127.0.0.1:51822 || die "wgkn"
	local k
	for k in f:51821 g:51822; do
		ip link add "wgk${k%:*}" type wireguard || die "wgk${k%:*}"
		wg set "wgk${k%:*}" private-key "$WORK/${k%:*}.key" listen-port "${k#*:}" \
			peer "$(cat "$WORK/n.pub")" allowed-ips 10.78.0.1/32 endpoint 127.0.0.1:51820 \
			persistent-keepalive 1 || die "wgk${k%:*}"
	done
	for k in n f g; do ip link set "wgk$k" up || die "wgk$k up"; done
	wait_hs wgkn "$(cat "$WORK/g.pub")" || die "no handshake with the offline-to-be peer"
	ip link del wgkg
	wait_hs wgkn "$(cat "$WORK/f.pub")" || die "no handshake with the online peer"
	OFFLINE_AT=$(now)
}

# load N: a new interface wgkb of N random peers, by one `wg setconf`.
load() {
	python3 "$SNAP/peers.py" "$1" 0 >"$WORK/wgkb.conf" || die "peers.py"
	ip link add wgkb type wireguard || die "ip link add wgkb"
	wg setconf wgkb "$WORK/wgkb.conf" || die "wg setconf wgkb ($1 peers)"
	ip link set wgkb up || die "wgkb up"
}
# wg_wall: seconds one `wg show all dump` takes now (about what a poll waits for).
wg_wall() {
	local t0
	t0=$(now)
	wg show all dump >/dev/null || die "wg show all dump"
	awk -v a="$(now)" -v b="$t0" 'BEGIN{printf "%.3f\n", a - b}'
}

SIZES=${BENCH_SIZES:-1000 10000}
LAST=$(echo "$SIZES" | awk '{ print $NF }')
helpers
for n in $SIZES; do
	case $n in *[!0-9]* | '') die "BENCH_SIZES: '$n' is not a number (no 2xN here)" ;; esac
	t0=$(now)
	load "$n"
	iv=$(awk -v w="$(wg_wall)" 'BEGIN{print int(4 * w) + 2}')
	say "$n peers loaded in $(awk -v a="$(now)" -v b="$t0" 'BEGIN{printf "%.1f", a - b}') s;" \
		"${BENCH_REPS:-3} runs of ${BENCH_POLLS:-5} steady polls, interval $iv s;" \
		"$(awk '/MemAvailable/ {printf "%d MiB", $2 / 1024}' /proc/meminfo) available"
	# The offline peer must be past the threshold before a daemon first sees it.
	sleep "$(awk -v a="$OFFLINE_AT" -v b="$(now)" 'BEGIN{d = a + 6 - b; print (d > 0 ? d : 0)}')"
	out=$(python3 "$SNAP/measure.py" --bin "$SNAP/wg-monitor" --work "$WORK/m$n" --n "$n" \
		--interval "$iv" --polls "${BENCH_POLLS:-5}" --reps "${BENCH_REPS:-3}" \
		--wg-reps "${BENCH_POLLS:-5}") || die "measure.py failed at $n peers"
	printf 'bench-json %s\n' "$out"
	# Deleting 65,536 kernel peers takes minutes under emulation: the last interface
	# goes with the VM.
	[ "$n" = "$LAST" ] || ip link del wgkb
done
say "guest load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
