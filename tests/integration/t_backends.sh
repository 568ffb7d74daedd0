#!/bin/bash
# SPDX-License-Identifier: MIT
# The same scenario watched by two daemons at once, one per backend (uapi or netlink, and the
# `wg` fallback): both must log the same events for the same peers in the same order.
. "$(dirname "$0")/lib.sh"
t_common
if [ "$WG_IMPL" = kernel ]; then B1=netlink; else B1=uapi; fi
B2=wg

# The daemons start before the first handshake, so that a slow start (as in a VM) cannot
# make one of them see the handshake already older than the threshold.
wg_pair 0
# A budget above the interval: `wg show` takes over a second in the emulated VM, and an
# overrun poll is followed at once by the next (the cadence is the budget test's concern).
wgm_start one --interval 1 --threshold 3 --poll-timeout 10 --backend $B1
wgm_start two --interval 1 --threshold 3 --poll-timeout 10 --backend $B2
O=${WGM_ERR[one]} W=${WGM_ERR[two]}
# step PATTERN DESC: both daemons must log it.
step() {
	local n b
	for n in one two; do
		if [ $n = one ]; then b=$B1; else b=$B2; fi
		wait_for_log "$1" 8 "${WGM_ERR[$n]}" || bad "$2: not logged by --backend $b"
	done
}
step "$(peer_re peer_initial "$ABSENT_PUB")" "start"
step "$(peer_re peer_initial "$FAR_PUB")" "start"
FAR_KA=1
in_f wg set "$IF_F" peer "$NEAR_PUB" persistent-keepalive 1 # the far side handshakes now
step "$(peer_re peer_online "$FAR_PUB")" "first handshake"
P1=$(randkey)
in_n wg set "$IF_N" peer "$P1" allowed-ips 10.78.0.50/32
step "$(peer_re peer_added "$P1")" "peer added"
in_n wg set "$IF_N" peer "$ABSENT_PUB" remove
step "$(peer_re peer_removed "$ABSENT_PUB")" "peer removed"
in_f wg set "$IF_F" listen-port 52000
step "$(peer_re endpoint_changed "$FAR_PUB")" "endpoint changed"
far_down
step "$(peer_re peer_offline "$FAR_PUB")" "far side stopped"
far_up
wait_for_count "$(peer_re peer_online "$FAR_PUB")" 2 10 "$O" || bad "far side back: not logged by --backend $B1"
wait_for_count "$(peer_re peer_online "$FAR_PUB")" 2 10 "$W" || bad "far side back: not logged by --backend $B2"
sleep 1.5
wgm_stop one; rc1=$STOP_RC
wgm_stop two; rc2=$STOP_RC
assert_eq "$rc1:$rc2" "0:0" "both exit 0"

# normalize FILE: per peer (sorted by key), its events in order, with the state of peer_initial
# and the endpoints of endpoint_changed.
normalize() {
	awk '{
		ev = ""; p = ""; x = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^event=/) ev = substr($i, 7)
			else if ($i ~ /^peer=/) p = substr($i, 6)
			else if ($i ~ /^(state|endpoint|old_endpoint|interface)=/) x = x " " $i
		}
		if (ev ~ /^(peer_|endpoint_changed|interface_)/) print (p == "" ? "-" : p) "\t" NR "\t" ev x
	}' "$1" | sort -t "$(printf '\t')" -k1,1 -k2,2n | cut -f1,3
}
normalize "$O" >"$T_DIR/one.norm"
normalize "$W" >"$T_DIR/two.norm"
if cmp -s "$T_DIR/one.norm" "$T_DIR/two.norm"; then
	ok "--backend $B1 and --backend $B2 logged the same $(wc -l <"$T_DIR/one.norm") events"
else
	bad "--backend $B1 and --backend $B2 differ:"
	diff "$T_DIR/one.norm" "$T_DIR/two.norm" | sed 's/^/  | /'
fi
check "the scenario logged at least 8 peer events" test "$(wc -l <"$T_DIR/one.norm")" -ge 8
assert_eq "$(count_re 'event=poll_error' "$O")$(count_re 'event=poll_error' "$W")" 00 "no poll_error with either backend"
check "monitor_start names backend $B1" grep -qE "event=monitor_start .*backend=$B1" "$O"
check "monitor_start names backend $B2" grep -qE "event=monitor_start .*backend=$B2" "$W"
t_done
