#!/bin/bash
# SPDX-License-Identifier: MIT
# Interfaces that vanish and (re)appear while the daemon watches "all": interface_removed,
# interface_added followed by peer_initial for the new interface's peers (§5).
. "$(dirname "$0")/lib.sh"
t_common

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
wgm_start m --interval 1 --threshold 60 --debug
E=${WGM_ERR[m]}
wait_for_count 'event=peer_initial' 2 5 || die "no peer_initial lines"

wg_delete "$NS_N" "$VIEW_N" "$IF_N"
expect_log "link deleted: interface_removed" "event=interface_removed .*interface=$IF_N( |$)" 5
check "interface_removed is WARNING" grep -qE "WARNING event=interface_removed" "$E"
check "daemon still running" wgm_alive m

# Re-create it right after a poll, so that the next poll sees it fully configured.
sync_to_poll m || bad "no DEBUG poll line"
wg_create "$NS_N" "$VIEW_N" "$IF_N" "$NEAR_TUN"
near_config
in_n wg set "$IF_N" peer "$ABSENT_PUB" allowed-ips 10.78.0.99/32 || die "absent peer"
if wait_for_log "event=interface_added .*interface=$IF_N( |$)" 5; then
	ok "link re-created: interface_added"
	n_add=$(grep -nE "event=interface_added .*interface=$IF_N( |$)" "$E" | head -1 | cut -d: -f1)
	for k in "$FAR_PUB" "$ABSENT_PUB"; do
		if wait_for_count "$(peer_re peer_initial "$k")" 2 5; then
			n_ini=$(grep -nE "$(peer_re peer_initial "$k")" "$E" | sed -n 2p | cut -d: -f1)
			check "peer_initial for $k after interface_added" test "$n_ini" -gt "$n_add"
		else
			bad "re-created link: no peer_initial for $k"
		fi
	done
else
	bad "link re-created: no interface_added within 5 s"
fi

# A brand-new interface with one peer.
IF_N2="wgt${T_ID}m"
P9=$(randkey)
sync_to_poll m || bad "no DEBUG poll line"
wg_create "$NS_N" "$VIEW_N" "$IF_N2" 10.78.9.1
in_n wg set "$IF_N2" listen-port 51830 peer "$P9" allowed-ips 10.78.9.2/32 || die "new link"
expect_log "new link: interface_added" "event=interface_added .*interface=$IF_N2( |$)" 5
expect_log "new link: peer_initial for its peer" "$(peer_re peer_initial "$P9")" 5
assert_eq "$(field "$WAIT_LINE" state)" never "new link's peer state"
assert_eq "$(field "$WAIT_LINE" interface)" "$IF_N2" "new link's peer interface"

assert_eq "$(count_re 'event=poll_error' "$E")" 0 "vanishing interfaces are not poll errors"
assert_eq "$(count_re 'event=peer_added' "$E")" 0 "peers of a new interface are peer_initial, not peer_added"
wgm_stop m
assert_eq "$STOP_RC" 0 "exit status after SIGTERM"
t_done
