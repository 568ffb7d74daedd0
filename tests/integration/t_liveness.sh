#!/bin/bash
# SPDX-License-Identifier: MIT
# §13: a healthy link whose only traffic is the far side's keepalive (1 s) for 20 s with
# --threshold 3: no peer_offline under --liveness activity, at least one under handshake.
. "$(dirname "$0")/lib.sh"
t_common
DUR=${WGM_LIVENESS_SECS:-20}

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
wgm_start act --interval 1 --threshold 3 --liveness activity
wgm_start hs --interval 1 --threshold 3 --liveness handshake
A=${WGM_ERR[act]} H=${WGM_ERR[hs]}
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 5 "$A" || die "no peer_initial"
check "activity: monitor_start says liveness=activity" grep -qE 'event=monitor_start .*liveness=activity' "$A"
check "handshake: monitor_start says liveness=handshake" grep -qE 'event=monitor_start .*liveness=handshake' "$H"
sleep "$DUR" # the observation window itself: the assertions are about what it contains
assert_eq "$(count_re "$(peer_re peer_offline "$FAR_PUB")" "$A")" 0 \
	"activity: no peer_offline in $DUR s of keepalives"
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 1 "$A"
assert_eq "$(field "$WAIT_LINE" state)" online "activity: initial state"
# (reported offline by a transition, or already at start when the daemon came up more than
# the threshold after the handshake, as in a slow emulated VM)
n=$(( $(count_re "$(peer_re peer_offline "$FAR_PUB")" "$H") +
      $(count_re "$(peer_re peer_initial "$FAR_PUB").* state=offline" "$H") ))
check "handshake: reported offline at least once in $DUR s ($n)" test "$n" -ge 1
hs=$(hs_of n "$FAR_PUB")
check "the handshake is older than the threshold, so only activity explains 'online'" \
	test $(( $(date +%s) - hs )) -gt 3

# status shows last_heard (a one-shot status cannot see rx rising, so its state is not checked).
if out=$(in_n timeout 10 "$WGM_BIN" status --json --liveness activity --threshold 3 2>&1 |
	"$PY" -c '
import json, sys, time
far = sys.argv[1]
arr = json.load(sys.stdin)
p = [o for o in arr if o.get("public_key") == far]
if not p: raise SystemExit("far peer missing")
lh = p[0].get("last_heard")
hs = int(sys.argv[2])
print("last_heard=%r state=%r handshake=%d" % (lh, p[0].get("state"), hs))
if not isinstance(lh, int) or lh < hs:
    raise SystemExit("last_heard %r is not a Unix time at or after the handshake %d" % (lh, hs))
' "$FAR_PUB" "$hs"); then
	ok "status --json shows last_heard: $out"
else
	bad "status --json: $out"
fi
for n in act hs; do wgm_stop $n; assert_eq "$STOP_RC" 0 "$n: exit status"; done
t_done
