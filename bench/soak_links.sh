#!/bin/bash
# SPDX-License-Identifier: MIT
# One soak run on one WireGuard implementation (WG_IMPL=go|kernel): the five link
# configurations of tests/data/liveness side by side, two wg-monitor daemons per side,
# SOAK_MINUTES healthy, then a scripted outage. Raw logs and samples go to OUTDIR.
# Usage: soak_links.sh OUTDIR  (root). SOAK_DUMP=1: print OUTDIR as base64 tar at the end.
set -u

OUT=${1:?usage: soak_links.sh OUTDIR}
IMPL=${WG_IMPL:-go}
MINUTES=${SOAK_MINUTES:-30}
BIN=${WGM_BIN:-$PWD/wg-monitor}
CONFIGS="ki kr kb tr bk"
KEEPALIVE=25
PORT=51820
# Longest time after the outage the daemons may need: threshold 180 + 2 x 30, plus the
# renewal grace (165 + 25 + 6 after a handshake up to 120 s old), plus slack.
OUTAGE_WAIT=${SOAK_OUTAGE_WAIT:-330}
# Daemon settings: "threshold/interval".
DAEMONS="180/30 60/5"

PIDS=()

say() { printf '%s soak[%s]: %s\n' "$(date -u +%H:%M:%S)" "$IMPL" "$*"; }
die() { say "ERROR: $*"; exit 1; }
now() { printf '%s' "$EPOCHREALTIME"; }

cfg_index() {
	case $1 in ki) echo 1 ;; kr) echo 2 ;; kb) echo 3 ;; tr) echo 4 ;; bk) echo 5 ;; esac
}
ns_name() { echo "wgsoak-$1-$2"; }
wg_name() { echo "wgs$1$2"; }

# Which side sends persistent keepalives in configuration $1: prints "a", "b", "ab" or "".
keepalive_sides() {
	case $1 in ki | bk) echo a ;; kr) echo b ;; kb) echo ab ;; *) echo "" ;; esac
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local p c
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.5
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for c in $CONFIGS; do
		ip netns del "$(ns_name "$c" a)" 2>/dev/null
		ip netns del "$(ns_name "$c" b)" 2>/dev/null
	done
}

# Creates the WireGuard interface $2 in namespace $1.
make_wg() {
	local ns=$1 ifn=$2 i
	if [ "$IMPL" = kernel ]; then
		ip -n "$ns" link add "$ifn" type wireguard || die "link add $ifn type wireguard"
		return 0
	fi
	rm -f "/var/run/wireguard/$ifn.sock"
	ip netns exec "$ns" env WG_PROCESS_FOREGROUND=1 wireguard-go -f "$ifn" \
		>"$OUT/wggo-$ifn.log" 2>&1 &
	PIDS+=($!)
	for i in $(seq 50); do
		[ -S "/var/run/wireguard/$ifn.sock" ] && return 0
		sleep 0.1
	done
	die "wireguard-go $ifn did not start"
}

# Configures side $2 (a|b) of configuration $1.
setup_side() {
	local c=$1 s=$2 n ns ifn peer me other args
	n=$(cfg_index "$c")
	ns=$(ns_name "$c" "$s")
	ifn=$(wg_name "$c" "$s")
	if [ "$s" = a ]; then me=1 other=2 peer=b; else me=2 other=1 peer=a; fi
	make_wg "$ns" "$ifn"
	args=(peer "$(cat "$OUT/keys/$c-$peer.pub")" allowed-ips "10.232.$n.$other/32")
	# Only a knows the endpoint, so a always starts the first session (b is responder).
	[ "$s" = a ] && args+=(endpoint "10.231.$n.2:$PORT")
	case $(keepalive_sides "$c") in *"$s"*) args+=(persistent-keepalive "$KEEPALIVE") ;; esac
	ip netns exec "$ns" wg set "$ifn" private-key "$OUT/keys/$c-$s.key" \
		listen-port "$PORT" "${args[@]}" || die "wg set $ifn"
	ip -n "$ns" addr add "10.232.$n.$me/24" dev "$ifn"
	ip -n "$ns" link set "$ifn" up
}

setup_config() {
	local c=$1 n na nb s
	n=$(cfg_index "$c")
	na=$(ns_name "$c" a)
	nb=$(ns_name "$c" b)
	ip netns add "$na" || die "netns add $na"
	ip netns add "$nb" || die "netns add $nb"
	ip link add "vs${c}a" netns "$na" type veth peer name "vs${c}b" netns "$nb" ||
		die "veth"
	for s in a b; do
		ip -n "$(ns_name "$c" $s)" link set lo up
		(umask 077 && wg genkey >"$OUT/keys/$c-$s.key")
		wg pubkey <"$OUT/keys/$c-$s.key" >"$OUT/keys/$c-$s.pub"
	done
	ip -n "$na" addr add "10.231.$n.1/24" dev "vs${c}a"
	ip -n "$nb" addr add "10.231.$n.2/24" dev "vs${c}b"
	ip -n "$na" link set "vs${c}a" up
	ip -n "$nb" link set "vs${c}b" up
	setup_side "$c" b
	setup_side "$c" a
}

# a sends first, so a is the initiator; waits until both sides have a handshake.
first_handshake() {
	local c=$1 n i s hs ok
	n=$(cfg_index "$c")
	ip netns exec "$(ns_name "$c" a)" bash -c "echo x >/dev/udp/10.232.$n.2/9"
	for i in $(seq 200); do
		ok=1
		for s in a b; do
			hs=$(ip netns exec "$(ns_name "$c" $s)" wg show "$(wg_name "$c" $s)" \
				latest-handshakes | cut -f2)
			[ "${hs:-0}" != 0 ] || ok=0
		done
		[ "$ok" = 1 ] && return 0
		sleep 0.1
	done
	die "$c: no first handshake within 20 s"
}

# bk: after the first handshake, b's UDP to a is dropped (a one-way path).
block_b_to_a() {
	local nb n
	n=$(cfg_index bk)
	nb=$(ns_name bk b)
	if [ "$IMPL" = kernel ] && [ -n "${VM_MODULES:-}" ]; then
		# The guest cannot autoload modules (see tests/vm); load nf_tables by hand.
		modprobe -d "${VM_MODULES%/lib/modules/*}" -S "$(uname -r)" nf_tables ||
			die "cannot load nf_tables in the guest"
	fi
	ip netns exec "$nb" nft -f - <<-EOF || die "nft in $nb"
		table inet soak {
			chain out {
				type filter hook output priority 0; policy accept;
				ip daddr 10.231.$n.1 udp dport $PORT drop
			}
		}
	EOF
}

# tr: no keepalive; a sends one datagram a second through the tunnel.
start_traffic() {
	local n
	n=$(cfg_index tr)
	ip netns exec "$(ns_name tr a)" bash -c \
		"while :; do echo x >/dev/udp/10.232.$n.2/9; sleep 1; done" 2>/dev/null &
	PIDS+=($!)
}

# Samples the side's one peer every second: time, then `wg show dump`'s peer line (its
# second line). One process per sample: under emulation each one costs ~0.1 s.
start_sampler() {
	local c=$1 s=$2 ifn
	ifn=$(wg_name "$c" "$s")
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$(ns_name "$c" "$s")" bash -c '
		while :; do
			t=$EPOCHREALTIME
			out=$(wg show "$1" dump)
			printf "%s\t%s\n" "$t" "${out#*$'"'"'\n'"'"'}"
			sleep 1
		done' sampler "$ifn" >"$OUT/$c-$s.samples" 2>/dev/null &
	PIDS+=($!)
}

start_daemons() {
	local c=$1 s=$2 d t i ifn
	ifn=$(wg_name "$c" "$s")
	for d in $DAEMONS; do
		t=${d%/*} i=${d#*/}
		ip netns exec "$(ns_name "$c" "$s")" "$BIN" run --interface "$ifn" \
			--threshold "$t" --interval "$i" --stats-interval 0 --log-format json \
			--log-path "$OUT/$c-$s-$t-$i.log" 2>"$OUT/$c-$s-$t-$i.stderr" &
		PIDS+=($!)
	done
}

# Number of daemons (healthy configurations) whose peer is not offline now. One awk for
# all logs: the guest runs under emulation, where every process start is expensive.
online_daemons() {
	local c s d files=()
	for c in $CONFIGS; do
		[ "$c" = bk ] && continue
		for s in a b; do
			for d in $DAEMONS; do files+=("$OUT/$c-$s-${d%/*}-${d#*/}.log"); done
		done
	done
	awk '/"event":"peer_(offline|online|initial)"/ {
		last[FILENAME] = ($0 ~ /"state":"offline"/) ? "off" : "on"
	}
	END { n = 0; for (f in last) if (last[f] == "on") n++; print n }' "${files[@]}"
}

# The scripted outage: the veth between the sides goes down, both directions at once.
outage() {
	local c start
	for c in $CONFIGS; do
		ip -n "$(ns_name "$c" a)" link set "vs${c}a" down
		printf 'outage\t%s\t%s\n' "$c" "$(now)" >>"$OUT/meta.tsv"
	done
	say "outage started; waiting up to ${OUTAGE_WAIT}s for every daemon to report it"
	# By the clock, not by a count of loops: under emulation a loop takes seconds.
	start=$SECONDS
	while [ $((SECONDS - start)) -lt "$OUTAGE_WAIT" ]; do
		sleep 1
		if [ "$(online_daemons)" = 0 ]; then
			say "every daemon reports its peer offline after $((SECONDS - start))s"
			return 0
		fi
	done
	say "$(online_daemons) daemons still report their peer online after ${OUTAGE_WAIT}s"
}

dump_results() {
	echo "=====SOAK-TAR-BEGIN====="
	tar -C "$OUT" -cz --exclude=keys . | base64
	echo "=====SOAK-TAR-END====="
}

main() {
	local c s
	[ "$(id -u)" = 0 ] || die "needs root"
	[ -x "$BIN" ] || die "no daemon binary at $BIN"
	case $MINUTES in '' | *[!0-9]*) die "SOAK_MINUTES must be whole minutes" ;; esac
	mkdir -p "$OUT/keys" || die "cannot create $OUT"
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	{
		printf 'impl\t%s\n' "$IMPL"
		printf 'minutes\t%s\n' "$MINUTES"
		printf 'kernel\t%s\n' "$(uname -r)"
		[ "$IMPL" = go ] && printf 'wireguard_go\t%s\n' "$(wireguard-go --version | sed -n 1p)"
		printf 'wg_monitor\t%s\n' "$("$BIN" --version | sed -n 1p)"
	} >"$OUT/meta.tsv"
	say "setting up $CONFIGS"
	for c in $CONFIGS; do setup_config "$c"; done
	for c in $CONFIGS; do first_handshake "$c"; done
	block_b_to_a
	start_traffic
	for c in $CONFIGS; do
		for s in a b; do start_sampler "$c" "$s"; start_daemons "$c" "$s"; done
	done
	printf 'healthy_start\t%s\n' "$(now)" >>"$OUT/meta.tsv"
	say "healthy phase: $MINUTES minutes"
	sleep $((MINUTES * 60))
	printf 'healthy_end\t%s\n' "$(now)" >>"$OUT/meta.tsv"
	outage
	sleep 2
	cleanup
	PIDS=()
	printf 'end\t%s\n' "$(now)" >>"$OUT/meta.tsv"
	say "done; raw results in $OUT"
	[ -n "${SOAK_DUMP:-}" ] && dump_results
	return 0
}

main "$@"
