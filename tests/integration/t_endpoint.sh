#!/bin/bash
# SPDX-License-Identifier: MIT
# Roaming: the far side moves to another port, then to another port; the near side's
# endpoint follows and wg-monitor logs endpoint_changed with old and new (§5).
. "$(dirname "$0")/lib.sh"
t_common

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
wgm_start m --interval 1 --threshold 60
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 5 || die "no peer_initial"
assert_eq "$(field "$WAIT_LINE" endpoint)" "$FAR_IP:$PORT_F" "initial endpoint"

in_f wg set "$IF_F" listen-port 52000 || die "far listen-port"
if wait_for_log "$(peer_re endpoint_changed "$FAR_PUB")" 6; then
	ok "new far port: endpoint_changed"
	assert_eq "$(field "$WAIT_LINE" endpoint)" "$FAR_IP:52000" "endpoint_changed: new endpoint"
	assert_eq "$(field "$WAIT_LINE" old_endpoint)" "$FAR_IP:$PORT_F" "endpoint_changed: old endpoint"
else
	bad "new far port: no endpoint_changed within 6 s (near sees $(wg_dump_peer n "$FAR_PUB" | cut -f3))"
fi

# A second address on the far veth, used as the source by a host route.
ip -n "$NS_F" addr add 10.77.0.12/24 dev "vf$T_ID" || die "far second address"
ip -n "$NS_F" route replace "$NEAR_IP/32" dev "vf$T_ID" src 10.77.0.12 || die "far route"
if wait_for_count "$(peer_re endpoint_changed "$FAR_PUB")" 2 8; then
	ok "new far address: endpoint_changed"
	assert_eq "$(field "$WAIT_LINE" endpoint)" "10.77.0.12:52000" "endpoint_changed: new address"
	assert_eq "$(field "$WAIT_LINE" old_endpoint)" "$FAR_IP:52000" "endpoint_changed: previous address"
else
	bad "new far address: no second endpoint_changed within 8 s (near sees $(wg_dump_peer n "$FAR_PUB" | cut -f3))"
fi
E=${WGM_ERR[m]}
assert_eq "$(count_re 'event=peer_(offline|removed|added)' "$E")" 0 "roaming is not an outage or a new peer"
wgm_stop m
assert_eq "$STOP_RC" 0 "exit status after SIGTERM"
t_done
