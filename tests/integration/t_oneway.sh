#!/bin/bash
# SPDX-License-Identifier: MIT
# §13 handshake_failing: the far side's initiations reach this host but our responses are
# dropped (nftables in the near namespace), so no session ever completes. With a state file
# (§12), `status --state-file` continues the daemon's view and shows the reason; a status
# without it cannot (one poll never sees initiations arrive).
. "$(dirname "$0")/lib.sh"
t_common
command -v nft >/dev/null || skip "nft (nftables) not installed"

netns_pair
ip netns exec "$NS_N" nft -f - <<NFT || skip "nftables not usable in a namespace here"
table inet wgmit {
	chain out { type filter hook output priority 0; policy accept; udp sport $PORT_N drop; }
}
NFT
genkey "$T_DIR/n.key"; genkey "$T_DIR/f.key"
NEAR_PUB=$(cat "$T_DIR/n.key.pub"); FAR_PUB=$(cat "$T_DIR/f.key.pub")
wg_create "$NS_N" "$VIEW_N" "$IF_N" "$NEAR_TUN"
wg_create "$NS_F" "$VIEW_F" "$IF_F" "$FAR_TUN"
near_config

mkdir -m 0700 "$T_DIR/sd" || die "mkdir"
SF=$T_DIR/sd/state
wgm_start m --interval 1 --threshold 3 --state-file "$SF"
E=${WGM_ERR[m]}
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 5 || die "no peer_initial"
assert_eq "$(field "$WAIT_LINE" state)" never "initial state"
far_config 1 # initiations every 5 s from now on
t0=$(now)
# Initiations come every 5 s plus up to 1/3 s of jitter. The episode is timed from the first
# poll that saw one, so the 4th initiation ends 15 s of it only when the polls fell that way;
# otherwise the 5th does: reported 15 to 20 s after the first, plus jitter and a poll.
if wait_for_log "$(peer_re handshake_failing "$FAR_PUB")" 26; then
	ok "handshake_failing logged"
	assert_range "$(fsub "$(ts_epoch "$WAIT_LINE")" "$t0")" 14 23.5 "handshake_failing at the 4th or 5th initiation (s)"
	assert_range "$(field "$WAIT_LINE" failing_for)" 15 22 "failing_for: the episode's length (s)"
	check "handshake_failing is WARNING" grep -qE "WARNING $(peer_re handshake_failing "$FAR_PUB")" "$E"
else
	bad "no handshake_failing within 26 s (near rx $(rx_of n "$FAR_PUB"), handshake $(hs_of n "$FAR_PUB"))"
fi
# status_json_of PUB ARGS...: "<state> <reason>" of peer PUB in `status --json ARGS`.
status_json_of() {
	local pub=$1; shift
	in_n timeout 10 "$WGM_BIN" status --json --threshold 3 --interval 1 "$@" 2>"$T_DIR/status.err" |
		"$PY" -c '
import json, sys
for p in json.load(sys.stdin):
    if p["public_key"] == sys.argv[1]:
        print(p["state"], p["reason"] or "(empty)")
' "$pub"
}
# The daemon saves right after the poll that reported the episode: failing_since set.
if wait_state "$SF" "$FAR_PUB" '^[a-z]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ [1-9]' 5; then
	ok "state file: failing_since saved (${STATE_LINE%% *})"
	read -r st reason <<<"$(status_json_of "$FAR_PUB" --state-file "$SF")"
	assert_eq "${reason:-none}" handshake_failing "status --json --state-file: reason"
	check "status --json --state-file: state is not online (${st:-none})" \
		test -n "${st:-}" -a "${st:-}" != online
	table=$(in_n timeout 10 "$WGM_BIN" status --threshold 3 --interval 1 --state-file "$SF" \
		2>/dev/null)
	check "status table: HEARD and REASON columns" \
		grep -qE '^INTERFACE .* HEARD .* REASON$' <<<"$table"
	assert_eq "$(grep -F -- " $FAR_PUB " <<<"$table" | awk '{print $NF}')" handshake_failing \
		"status table --state-file: REASON column of the far peer"
	read -r st reason <<<"$(status_json_of "$FAR_PUB" --state-file '')"
	assert_eq "${reason:-none}" "(empty)" "status --json without a state file: reason (one poll cannot see it)"
else
	bad "state file: no failing_since for the far peer within 5 s (${STATE_LINE:-no line})"
fi
check "near rx rose (initiations arrived)" test "$(rx_of n "$FAR_PUB")" -ge 296
assert_eq "$(hs_of n "$FAR_PUB")" 0 "no handshake completed (the path really was one-way)"
assert_eq "$(count_re "$(peer_re peer_online "$FAR_PUB")" "$E")" 0 "initiations alone never make the peer online"
sleep 6 # one more initiation: still a single warning for the episode
assert_eq "$(count_re 'event=handshake_failing' "$E")" 1 "one handshake_failing per episode"

# Open the path: the next initiation completes and the peer comes online.
ip netns exec "$NS_N" nft delete table inet wgmit || die "nft delete"
expect_log "path open: peer_online" "$(peer_re peer_online "$FAR_PUB")" 12
# The episode ended: saved as over, and status says so too.
if wait_state "$SF" "$FAR_PUB" '^online [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ 0 ' 5; then
	ok "state file: online, failing_since cleared"
	assert_eq "$(status_json_of "$FAR_PUB" --state-file "$SF")" "online (empty)" \
		"status --json --state-file after the path opened: state reason"
else
	bad "state file: not online with failing_since 0 within 5 s (${STATE_LINE:-no line})"
fi
wgm_stop m
assert_eq "$STOP_RC" 0 "exit status after SIGTERM"
t_done
