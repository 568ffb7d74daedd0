#!/bin/bash
# SPDX-License-Identifier: MIT
# Transitions and their timing: the pure handshake rule (§4, --liveness handshake) and the
# activity rule's outage bound (§13), then recovery with offline_for (§5).
. "$(dirname "$0")/lib.sh"
t_common
THR=3
INT=1

wg_pair 0 # no handshake yet: both daemons see the peer as never first
wgm_start h --interval $INT --threshold $THR --liveness handshake
wgm_start a --interval $INT --threshold $THR --liveness activity
H=${WGM_ERR[h]} A=${WGM_ERR[a]}
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 5 "$H" || die "no peer_initial (h)"
assert_eq "$(field "$WAIT_LINE" state)" never "handshake rule: initial state before any handshake"
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 5 "$A" || die "no peer_initial (a)"
assert_eq "$(field "$WAIT_LINE" state)" never "activity rule: initial state before any handshake"

FAR_KA=1
in_f wg set "$IF_F" peer "$NEAR_PUB" persistent-keepalive 1 # far side starts the handshake
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
expect_log "handshake rule: never -> peer_online" "$(peer_re peer_online "$FAR_PUB")" 5 "$H"
expect_log "activity rule: never -> peer_online" "$(peer_re peer_online "$FAR_PUB")" 5 "$A"

# §4: offline once the handshake is older than the threshold, even though keepalives flow.
if wait_for_log "$(peer_re peer_offline "$FAR_PUB")" $((THR + 2 * INT + 5)) "$H"; then
	hs=$(hs_of n "$FAR_PUB")
	t=$(ts_epoch "$WAIT_LINE")
	# hs is whole seconds (the true time lies in [hs, hs+1)); offline is due once the age
	# exceeds THR, and must be logged within one interval plus one interval of margin.
	assert_range "$(fsub "$t" "$hs")" "$THR" $((THR + 2 * INT + 1)) \
		"handshake rule: peer_offline at handshake + threshold (s after handshake)"
	age=$(field "$WAIT_LINE" handshake_age)
	assert_range "${age:-x}" "$THR" $((THR + 2 * INT + 1)) "handshake rule: handshake_age field"
	check "peer_offline is WARNING" grep -qE "WARNING $(peer_re peer_offline "$FAR_PUB")" "$H"
else
	bad "handshake rule: no peer_offline within $((THR + 2 * INT + 5)) s of the handshake"
fi

# The activity rule must keep the peer online while keepalives arrive.
sleep 1
assert_eq "$(count_re "$(peer_re peer_offline "$FAR_PUB")" "$A")" 0 \
	"activity rule: no peer_offline while keepalives arrive"

# Outage: sample the near side's rx (as wg sees it) from 1.5 s before the far side stops, so
# the last change is bracketed: it happened after chg_lo and was visible at chg_hi.
last_rx=$(rx_of n "$FAR_PUB"); prev=$(now); chg_lo=; chg_hi=; downed=0; found=0; t0=$(now)
while :; do
	s=$(now); r=$(rx_of n "$FAR_PUB")
	if [ "$r" != "$last_rx" ]; then last_rx=$r; chg_lo=$prev; chg_hi=$(now); fi
	prev=$s
	if [ $downed = 0 ] && awk -v a="$s" -v b="$t0" 'BEGIN{exit !(a - b > 1.5)}'; then
		far_down; downed=1; end=$(( SECONDS + THR + 2 * INT + 8 ))
	fi
	if [ $downed = 1 ]; then
		grep -qE "$(peer_re peer_offline "$FAR_PUB")" "$A" && { found=1; break; }
		[ $SECONDS -lt $end ] || break
	fi
	sleep 0.1
done
[ -n "$chg_lo" ] || die "near rx did not change in the 1.5 s before the far side stopped"
if [ $found = 1 ]; then
	wait_for_log "$(peer_re peer_offline "$FAR_PUB")" 1 "$A"
	t=$(ts_epoch "$WAIT_LINE")
	assert_range "$(fsub "$t" "$chg_lo")" "$THR" 999 \
		"activity rule: not offline before threshold after the last rx (s)"
	assert_range "$(fsub "$t" "$chg_hi")" -999 "$(fsub $((THR + 2 * INT)) -0.1)" \
		"activity rule: offline within threshold + 2 x interval of the last rx (s)"
	check "activity rule: peer_offline has last_heard" test -n "$(field "$WAIT_LINE" last_heard)"
else
	bad "activity rule: no peer_offline within $((THR + 2 * INT + 8)) s after the far side stopped"
fi

# Recovery: the far side comes back and handshakes again.
sleep 1
far_up
for n in a h; do
	f=${WGM_ERR[$n]}
	if wait_for_count "$(peer_re peer_online "$FAR_PUB")" 2 12 "$f"; then
		ok "$n: peer_online after the far side returned"
		of=$(field "$WAIT_LINE" offline_for)
		t_on=$(ts_epoch "$WAIT_LINE")
		wait_for_log "$(peer_re peer_offline "$FAR_PUB")" 1 "$f"
		t_off=$(ts_epoch "$WAIT_LINE")
		# Offline since the crossing (heard + threshold), which the peer_offline poll saw
		# up to an interval later: offline_for = trunc(d + [0, INT]), d between the two
		# lines; the 0.5 s past (d - 1, d + INT] on either side is poll lateness.
		assert_range "${of:-x}" "$(fsub "$(fsub "$t_on" "$t_off")" 1.5)" \
			"$(fsub "$(fsub "$t_on" "$t_off")" -1.5)" "$n: offline_for matches the time since peer_offline"
	else
		bad "$n: no second peer_online within 12 s after the far side returned"
	fi
done
check "no poll_error" test "$(count_re 'event=poll_error' "$A")$(count_re 'event=poll_error' "$H")" = 00
t_done
