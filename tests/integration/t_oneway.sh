#!/bin/bash
# SPDX-License-Identifier: MIT
# §13 handshake_failing: the far side's initiations reach this host but our responses are
# dropped (nftables in the near namespace), so no session ever completes.
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

wgm_start m --interval 1 --threshold 3
E=${WGM_ERR[m]}
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 5 || die "no peer_initial"
assert_eq "$(field "$WAIT_LINE" state)" never "initial state"
far_config 1 # initiations every 5 s from now on
t0=$(now)
if wait_for_log "$(peer_re handshake_failing "$FAR_PUB")" 22; then
	ok "handshake_failing logged"
	assert_range "$(fsub "$(ts_epoch "$WAIT_LINE")" "$t0")" 14 21 "handshake_failing after 15-20 s of initiations (s)"
	check "handshake_failing is WARNING" grep -qE "WARNING $(peer_re handshake_failing "$FAR_PUB")" "$E"
else
	bad "no handshake_failing within 22 s (near rx $(rx_of n "$FAR_PUB"), handshake $(hs_of n "$FAR_PUB"))"
fi
check "near rx rose (initiations arrived)" test "$(rx_of n "$FAR_PUB")" -ge 296
assert_eq "$(hs_of n "$FAR_PUB")" 0 "no handshake completed (the path really was one-way)"
assert_eq "$(count_re "$(peer_re peer_online "$FAR_PUB")" "$E")" 0 "initiations alone never make the peer online"
sleep 6 # one more initiation: still a single warning for the episode
assert_eq "$(count_re 'event=handshake_failing' "$E")" 1 "one handshake_failing per episode"

# Open the path: the next initiation completes and the peer comes online.
ip netns exec "$NS_N" nft delete table inet wgmit || die "nft delete"
expect_log "path open: peer_online" "$(peer_re peer_online "$FAR_PUB")" 12
wgm_stop m
assert_eq "$STOP_RC" 0 "exit status after SIGTERM"
t_done
