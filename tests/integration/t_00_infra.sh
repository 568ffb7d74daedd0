#!/bin/bash
# SPDX-License-Identifier: MIT
# Self-test of the test infrastructure (no daemon needed): two namespaces, a real tunnel that
# handshakes, far side down/up, private /run/wireguard views, link delete/re-create.
. "$(dirname "$0")/lib.sh"
t_require_root
t_require_wg

wg_pair 1
check "tunnel handshakes (far side keepalive 1 s)" wait_handshake n "$FAR_PUB" 10
check "absent peer never handshakes" test "$(hs_of n "$ABSENT_PUB")" = 0
check "a datagram through the tunnel" send_far

if [ "$WG_IMPL" = go ]; then
	assert_eq "$(ls "$VIEW_N")" "$IF_N.sock" "near view holds only the near socket"
	assert_eq "$(in_n wg show interfaces)" "$IF_N" "wg in the near namespace sees only the near link"
fi

# Far side keepalives make near rx rise; after far_down it must stay still.
r1=$(rx_of n "$FAR_PUB"); sleep 2.2; r2=$(rx_of n "$FAR_PUB")
check "near rx rises from far keepalives ($r1 -> $r2)" test "$r2" -gt "$r1"
far_down
sleep 1.2; r1=$(rx_of n "$FAR_PUB"); sleep 2.2; r2=$(rx_of n "$FAR_PUB")
assert_eq "$r2" "$r1" "near rx still while far side is down"
h1=$(hs_of n "$FAR_PUB")
sleep 1.1
far_up
end=$((SECONDS + 10))
while [ "$(hs_of n "$FAR_PUB")" = "$h1" ] && [ $SECONDS -lt $end ]; do sleep 0.2; done
check "far side up again makes a new handshake" test "$(hs_of n "$FAR_PUB")" != "$h1"

# Endpoint roaming: a new far listen port shows up as the near side's endpoint.
in_f wg set "$IF_F" listen-port 51999
end=$((SECONDS + 10))
while ! wg_dump_peer n "$FAR_PUB" | cut -f3 | grep -q ":51999$" && [ $SECONDS -lt $end ]; do
	sleep 0.2
done
assert_eq "$(wg_dump_peer n "$FAR_PUB" | cut -f3)" "$FAR_IP:51999" "near endpoint follows far port"

# Delete and re-create the near link.
wg_delete "$NS_N" "$VIEW_N" "$IF_N"
check "near link gone" test -z "$(in_n wg show interfaces)"
wg_create "$NS_N" "$VIEW_N" "$IF_N" "$NEAR_TUN"
near_config
assert_eq "$(in_n wg show interfaces)" "$IF_N" "near link back"

if command -v nft >/dev/null && ip netns exec "$NS_N" nft list tables >/dev/null 2>&1; then
	ok "nft usable in a test namespace"
else
	log_note "nft not usable here (liveness one-way test will skip)"
fi
t_done
