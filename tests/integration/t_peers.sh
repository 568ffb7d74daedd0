#!/bin/bash
# SPDX-License-Identifier: MIT
# Peers added to / removed from the configuration at run time: peer_added / peer_removed (§5).
. "$(dirname "$0")/lib.sh"
t_common

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
wgm_start m --interval 1 --threshold 60
wait_for_count 'event=peer_initial' 2 5 || die "no peer_initial lines"

P1=$(randkey)
in_n wg set "$IF_N" peer "$P1" allowed-ips 10.78.0.50/32 || die "wg set add"
expect_log "one new peer: peer_added" "$(peer_re peer_added "$P1")" 5
check "peer_added names the interface" test "$(field "$WAIT_LINE" interface)" = "$IF_N"

P2=$(randkey); P3=$(randkey); P4=$(randkey)
in_n wg set "$IF_N" peer "$P2" allowed-ips 10.78.0.51/32 peer "$P3" allowed-ips 10.78.0.52/32 \
	peer "$P4" allowed-ips 10.78.0.53/32 endpoint 10.77.0.53:51820 || die "wg set add 3"
for k in "$P2" "$P3" "$P4"; do
	expect_log "three new peers at once: peer_added $k" "$(peer_re peer_added "$k")" 5
done

in_n wg set "$IF_N" peer "$P1" remove || die "wg set remove"
expect_log "peer_removed for a peer added at run time" "$(peer_re peer_removed "$P1")" 5
in_n wg set "$IF_N" peer "$ABSENT_PUB" remove || die "wg set remove"
expect_log "peer_removed for a peer present at start" "$(peer_re peer_removed "$ABSENT_PUB")" 5

# Re-adding a removed peer is a new appearance.
in_n wg set "$IF_N" peer "$P1" allowed-ips 10.78.0.50/32 || die "wg set re-add"
check "a removed peer added again: a second peer_added" wait_for_count "$(peer_re peer_added "$P1")" 2 5

sleep 1.5
E=${WGM_ERR[m]}
assert_eq "$(count_re "$(peer_re peer_removed "$FAR_PUB")" "$E")" 0 "no peer_removed for the untouched peer"
assert_eq "$(count_re 'event=peer_added' "$E")" 5 "exactly one peer_added per appearance"
assert_eq "$(count_re 'event=peer_removed' "$E")" 2 "exactly one peer_removed per removal"
assert_eq "$(count_re 'event=poll_error' "$E")" 0 "no poll_error"
wgm_stop m
assert_eq "$STOP_RC" 0 "exit status after SIGTERM"
t_done
