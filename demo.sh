#!/bin/bash
# SPDX-License-Identifier: MIT
# `sudo make demo`: wg-monitor at work on a machine without WireGuard set up. Two
# userspace WireGuard peers (wireguard-go) in network namespaces of their own, joined by
# a veth pair; wg-monitor watches one side in the foreground with a short interval and
# threshold. You see peer_initial, peer_online when the first handshake happens,
# peer_offline when the far side goes away, peer_online with offline_for when it comes
# back, and `wg-monitor status` along the way. Everything it made is removed at the end,
# also on Ctrl-C. About 30 seconds.
set -u

BIN=$(cd "$(dirname "$0")" && pwd)/wg-monitor
INTERVAL=1
THRESHOLD=5
ID=$$
NS_A="wgdemo-$ID-a"
NS_B="wgdemo-$ID-b"
IF_A="wgd${ID}a"
IF_B="wgd${ID}b"
DIR=
PIDS=()

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

cleanup() {
	trap - EXIT INT TERM
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	[ -n "$DIR" ] && rm -rf "$DIR"
	echo "demo: cleaned up (namespaces $NS_A and $NS_B, their WireGuard links, $DIR)"
}

[ "$(id -u)" = 0 ] || die "needs root (network namespaces): sudo make demo"
[ -x "$BIN" ] || die "no $BIN: run make first"
missing=
for c in ip wg wireguard-go; do command -v "$c" >/dev/null 2>&1 || missing="$missing $c"; done
[ -z "$missing" ] || die "missing:$missing. On Debian/Ubuntu: apt-get install --no-install-recommends wireguard-go wireguard-tools iproute2"
[ -c /dev/net/tun ] || die "/dev/net/tun is missing: wireguard-go needs the tun device"

DIR=$(mktemp -d /tmp/wg-monitor-demo.XXXXXX) || die "mktemp"
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT TERM

# shellcheck disable=SC2016 # the single-quoted script is for the inner sh
# ns NS CMD...: CMD in namespace NS with its own /run/wireguard (so no other WireGuard
# socket of this host is seen, and ours are seen by no one else).
ns() {
	local ns=$1; shift
	ip netns exec "$ns" /bin/sh -c 'mount --bind "$0" /run/wireguard && exec "$@"' \
		"$DIR/run-$ns" "$@"
}

# wg_up NS IF ADDR: a wireguard-go link, its address, up.
wg_up() {
	mkdir -p "$DIR/run-$1"
	# shellcheck disable=SC2016
	LOG_LEVEL=error ip netns exec "$1" /bin/sh -c 'mount --bind "$0" /run/wireguard && exec "$@"' \
		"$DIR/run-$1" wireguard-go -f "$2" >>"$DIR/wireguard-go.log" 2>&1 &
	PIDS+=("$!")
	local n=50
	while [ ! -S "$DIR/run-$1/$2.sock" ] && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	[ -S "$DIR/run-$1/$2.sock" ] || die "wireguard-go made no $2"
	ip -n "$1" addr add "$3/24" dev "$2" || die "address on $2"
	ip -n "$1" link set "$2" up || die "link $2 up"
}

# wait_for PATTERN SECONDS: until the daemon printed a line matching PATTERN.
wait_for() {
	local n=$(($2 * 10))
	while [ "$n" -gt 0 ]; do
		grep -qE -- "$1" "$DIR/events" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	die "no line matching '$1' within $2 s"
}

status() {
	say "wg-monitor status (one poll, continuing the daemon's view from its state file)"
	ns "$NS_A" "$BIN" status --state-file "$DIR/state/state" 2>&1
}

mkdir -m 0700 "$DIR/state" "$DIR/logs"
(umask 077; wg genkey >"$DIR/a.key"; wg genkey >"$DIR/b.key")
A_PUB=$(wg pubkey <"$DIR/a.key"); B_PUB=$(wg pubkey <"$DIR/b.key")

say "two network namespaces joined by a veth pair, a wireguard-go peer in each"
ip netns add "$NS_A" || die "ip netns add $NS_A"
ip netns add "$NS_B" || die "ip netns add $NS_B"
ip link add "vd${ID}a" netns "$NS_A" type veth peer name "vd${ID}b" netns "$NS_B" || die "veth"
ip -n "$NS_A" addr add 10.79.0.1/24 dev "vd${ID}a"; ip -n "$NS_A" link set "vd${ID}a" up
ip -n "$NS_B" addr add 10.79.0.2/24 dev "vd${ID}b"; ip -n "$NS_B" link set "vd${ID}b" up
wg_up "$NS_A" "$IF_A" 10.80.0.1
wg_up "$NS_B" "$IF_B" 10.80.0.2
ns "$NS_A" wg set "$IF_A" private-key "$DIR/a.key" listen-port 51820 \
	peer "$B_PUB" allowed-ips 10.80.0.2/32 endpoint 10.79.0.2:51821 || die "wg set"

say "wg-monitor run --interval $INTERVAL --threshold $THRESHOLD (watching $IF_A; no handshake yet)"
# shellcheck disable=SC2016
# Not through ns(): $! must be the process that becomes the daemon (ip and sh exec it).
ip netns exec "$NS_A" /bin/sh -c 'mount --bind "$0" /run/wireguard && exec "$@"' "$DIR/run-$NS_A" \
	"$BIN" run --interval "$INTERVAL" --threshold "$THRESHOLD" --stats-interval 0 \
	--interface "$IF_A" --log-path "" --state-file "$DIR/state/state" \
	2> >(tee "$DIR/events" >&2) &
DAEMON=$!
PIDS+=("$DAEMON")
wait_for 'event=peer_initial' 10

say "the far peer is configured and sends keepalives: the first handshake"
b_config() {
	ns "$NS_B" wg set "$IF_B" private-key "$DIR/b.key" listen-port 51821 \
		peer "$A_PUB" allowed-ips 10.80.0.1/32 endpoint 10.79.0.1:51820 \
		persistent-keepalive 1 || die "wg set"
}
b_config
wait_for 'event=peer_online' 15
status

say "the far peer goes away (its link is deleted): offline once $THRESHOLD s pass unheard"
ip -n "$NS_B" link del "$IF_B"
wait_for 'event=peer_offline' $((THRESHOLD + 10))
status

say "the far peer comes back"
wg_up "$NS_B" "$IF_B" 10.80.0.2
b_config
wait_for 'event=peer_online.*offline_for=' 15
status

say "done: wg-monitor stops on SIGTERM with a last stats line and monitor_stop"
kill -TERM "$DAEMON"
wait "$DAEMON" || die "wg-monitor exited with status $?"
sleep 0.2 # the last lines through tee
