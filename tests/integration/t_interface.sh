#!/bin/bash
# SPDX-License-Identifier: MIT
# Interfaces that appear, vanish and come back while the daemon watches "all":
# interface_added followed by peer_initial for its peers, interface_removed (§5).
. "$(dirname "$0")/lib.sh"
t_common

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
wgm_start m --interval 1 --threshold 60 --debug
E=${WGM_ERR[m]}
wait_for_count 'event=peer_initial' 2 5 || die "no peer_initial lines"

# ifre IF: an ERE for "interface=IF" as a whole value.
ifre() { printf 'interface=%s( |$)' "$1"; }
# added_after_appearance IF TOTAL: peers of IF that the daemon reported as peer_added after
# its interface_added must be exactly those it had not seen then (TOTAL - peers=).
added_after_appearance() {
	local line n0 nadd
	line=$(grep -nE "event=interface_added .*$(ifre "$1")" "$E" | tail -n 1)
	n0=$(field "${line#*:}" peers)
	nadd=$(tail -n +"${line%%:*}" "$E" | grep -cE "event=peer_added .*$(ifre "$1")")
	assert_eq "$nadd" $(( $2 - ${n0:-0} )) "$1: peer_added only for peers configured after interface_added (peers=${n0:-?})"
}

# A brand-new interface with one peer, created right after a poll so that the next poll
# sees it fully configured.
IF_N2="wgt${T_ID}m"
P9=$(randkey)
sync_to_poll m || bad "no DEBUG poll line"
wg_create "$NS_N" "$VIEW_N" "$IF_N2" 10.78.9.1
in_n wg set "$IF_N2" listen-port 51830 peer "$P9" allowed-ips 10.78.9.2/32 || die "new link"
expect_log "new link: interface_added" "event=interface_added .*$(ifre "$IF_N2")" 5
expect_log "new link: peer_initial for its peer" "$(peer_re peer_initial "$P9")" 5
assert_eq "$(field "$WAIT_LINE" state)" never "new link's peer state"
assert_eq "$(field "$WAIT_LINE" interface)" "$IF_N2" "new link's peer interface"
added_after_appearance "$IF_N2" 1

# Delete the first link while the second stays.
wg_delete "$NS_N" "$VIEW_N" "$IF_N"
expect_log "link deleted: interface_removed" "event=interface_removed .*$(ifre "$IF_N")" 5
check "interface_removed is WARNING" grep -qE "WARNING event=interface_removed" "$E"
check "daemon still running" wgm_alive m

# Re-create it (right after a poll): a new appearance with peer_initial for its peers.
sync_to_poll m || bad "no DEBUG poll line"
wg_create "$NS_N" "$VIEW_N" "$IF_N" "$NEAR_TUN"
near_config
in_n wg set "$IF_N" peer "$ABSENT_PUB" allowed-ips 10.78.0.99/32 || die "absent peer"
if wait_for_log "event=interface_added .*$(ifre "$IF_N")" 5; then
	ok "link re-created: interface_added"
	n_add=$(grep -nE "event=interface_added .*$(ifre "$IF_N")" "$E" | head -1 | cut -d: -f1)
	for k in "$FAR_PUB" "$ABSENT_PUB"; do
		if wait_for_count "$(peer_re peer_initial "$k")" 2 5; then
			n_ini=$(grep -nE "$(peer_re peer_initial "$k")" "$E" | sed -n 2p | cut -d: -f1)
			check "re-created link: peer_initial for $k after interface_added" test "$n_ini" -gt "$n_add"
		else
			bad "re-created link: no second peer_initial for $k"
		fi
	done
else
	bad "link re-created: no interface_added within 5 s"
fi
assert_eq "$(count_re 'event=poll_error' "$E")" 0 "a vanishing interface is not a poll error"
added_after_appearance "$IF_N" 2

# The last interfaces vanish (a host's only tunnel goes down): still interface_removed.
wg_delete "$NS_N" "$VIEW_N" "$IF_N2"
wg_delete "$NS_N" "$VIEW_N" "$IF_N"
expect_log "last links deleted: interface_removed ($IF_N2)" "event=interface_removed .*$(ifre "$IF_N2")" 5
wait_for_count "event=interface_removed .*$(ifre "$IF_N")" 2 5 ||
	bad "last links deleted: no interface_removed for $IF_N within 5 s"
sleep 1
# No kernel module here and no socket left: one poll_error says so (issue: "keeps running
# and says why, once, then rate-limited"), the state is not frozen (interface_removed above).
if [ -d /sys/module/wireguard ]; then
	check "no interfaces at all: no poll_error while the kernel module is loaded" \
		test "$(count_re 'event=poll_error' "$E")" = 0
else
	check "no WireGuard at all: exactly one poll_error, naming why" \
		test "$(count_re 'event=poll_error .*no WireGuard found' "$E")" = 1
	check "no WireGuard at all: no other poll_error" \
		test "$(count_re 'event=poll_error' "$E")" = 1
fi
wgm_stop m
assert_eq "$STOP_RC" 0 "exit status after SIGTERM"
t_done
