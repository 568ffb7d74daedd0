#!/bin/bash
# SPDX-License-Identifier: MIT
# Fault injection on the `wg` backend (issue 19, item 3): a test-only `wg` bind-mounted over
# /usr/bin/wg in the daemon's private mount namespace (the real one untouched) that runs the
# real wg, hangs ignoring SIGTERM, floods garbage, or floods a valid peer line forever. No
# crash, no hang (each poll ends within its budget, no child left), bounded memory, and no
# transition lost: the far peer's peer_offline and peer_online each logged exactly once.
. "$(dirname "$0")/lib.sh"
t_common
command -v unshare >/dev/null || skip "needs unshare (util-linux)"
INT=2 # the poll budget is the smaller of the interval and 10 s: 2 s
THR=4
REAL_WG=$(command -v wg)
[ "$REAL_WG" = /usr/bin/wg ] || skip "wg is $REAL_WG, not /usr/bin/wg (the first place the daemon looks)"

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
cp "$REAL_WG" "$T_DIR/wg.real" || die "copy wg"
MODE=$T_DIR/wgmode
echo real >"$MODE"
FAKE=$T_DIR/wg.fake
cat >"$FAKE" <<EOF || die "fake wg"
#!/bin/sh
# test-only wg: what it does is read from $MODE at every run
case \$(cat $MODE) in
real) exec $T_DIR/wg.real "\$@" ;;
hang) trap '' TERM; echo \$\$ >>$T_DIR/hang.pids; exec sleep 3600 ;;
flood) exec yes 'garbage, not a dump line' ;;
floodvalid) line=\$($T_DIR/wg.real show all dump | tail -n 1); exec yes "\$line" ;;
esac
EOF
chmod 0755 "$FAKE"
# A hung wg the daemon failed to kill would sleep for an hour: the EXIT trap kills it.
# shellcheck disable=SC2317 # called by the EXIT trap
hang_reap() {
	local p
	[ -f "$T_DIR/hang.pids" ] || return 0
	while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$T_DIR/hang.pids"
}
trap 'hang_reap; t_cleanup' EXIT
before=$(sha256sum "$REAL_WG")

# shellcheck disable=SC2016
WGM_WRAP=(unshare -m --propagation private /bin/sh -c 'mount --bind "$0" /usr/bin/wg && exec "$@"' "$FAKE")
wgm_start m --backend wg --interval $INT --threshold $THR --debug
WGM_WRAP=()
M=${WGM_ERR[m]}
PID=${WGM_PID[m]}
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 10 "$M" || die "no peer_initial through the fake wg"
assert_eq "$(sha256sum "$REAL_WG")" "$before" "the real wg is untouched outside the daemon"
OFF=$(peer_re peer_offline "$FAR_PUB") ON=$(peer_re peer_online "$FAR_PUB")
polls() { count_re ' DEBUG event=poll ' "$M"; }
# Each poll ends by its budget: N polls take at most N x (interval + budget), doubled for the
# load of parallel runs.
wait_polls() { wait_for_count ' DEBUG event=poll ' $(($(polls) + $1)) $((2 * $1 * 2 * INT + 5)) "$M"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
kids() { pgrep -P "$PID" | wc -l; }
RSS0=$(rss_kb)

# ---- hang, ignoring SIGTERM: every poll a poll_error at the budget, the child killed
echo hang >"$MODE"
far_down
wait_polls 3 && ok "hang: polls go on" || bad "hang: fewer than 3 polls in $((2 * 3 * 2 * INT + 5)) s"
check "hang: a poll_error naming the budget" grep -qE 'event=poll_error .*did not finish within [0-9]+ ms' "$M"
max_ms=$(grep -E ' DEBUG event=poll ' "$M" | sed -n 's/.* poll_ms=\([0-9]*\).*/\1/p' | sort -n | tail -n 1)
# the budget, then SIGKILL and the reaping of a child that ignores SIGTERM
assert_range "${max_ms:-x}" 0 $((INT * 1000 + 1000)) "hang: the longest poll, capped by the budget (ms)"
assert_eq "$(count_re "$OFF" "$M")" 0 "hang: no transition judged from a failed poll"

# ---- the real wg again: the outage is seen, once
echo real >"$MODE"
expect_log "real wg: peer_offline" "$OFF" $((2 * (THR + 3 * INT))) "$M"
# (a poll with the real wg has ended since: every hung one was killed at its budget)
check "hang: the hung wg ran (hang.pids is not empty)" test -s "$T_DIR/hang.pids"
left=0
while read -r p; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done < <(cat "$T_DIR/hang.pids" 2>/dev/null)
assert_eq "$left" 0 "hang: no hung wg left running (of $(wc -l <"$T_DIR/hang.pids" 2>/dev/null))"

# ---- floods: garbage, then a valid line forever, while the far side comes back
for mode in flood floodvalid; do
	echo $mode >"$MODE"
	wait_polls 2 && ok "$mode: polls go on" || bad "$mode: fewer than 2 polls"
	# a failed poll reads no interface; the budget ends it (poll_error is said once per
	# errno, so the timeout of the hang above already said it)
	last=$(grep -E ' DEBUG event=poll ' "$M" | tail -n 1)
	assert_eq "$(field "$last" interfaces)" 0 "$mode: the poll failed as a whole"
	assert_range "$(field "$last" poll_ms)" 0 $((INT * 1000 + 1000)) "$mode: the poll capped by the budget (ms)"
	[ $mode = flood ] && far_up
done
assert_eq "$(count_re "$ON" "$M")" 0 "floods: no transition judged from a failed poll"
rss=$(rss_kb)
assert_range "$rss" 0 $((RSS0 + 8192)) "floods: memory bounded (RSS kB, $RSS0 before)"
echo real >"$MODE"
expect_log "real wg: peer_online" "$ON" $((2 * (3 * INT + 1))) "$M"
wait_polls 1
assert_eq "$(kids)" 0 "no child left between polls"
check "daemon alive after every fault" wgm_alive m
wgm_stop m
assert_eq "$STOP_RC" 0 "exit status after SIGTERM (no crash, no sanitizer report)"
for f in "$M" "${WGM_LOG[m]}"; do
	assert_eq "$(count_re "$OFF" "$f")" 1 "$(basename "$f"): peer_offline exactly once"
	assert_eq "$(count_re "$ON" "$f")" 1 "$(basename "$f"): peer_online exactly once"
done
check "the file holds exactly the stderr lines" cmp -s "${WGM_LOG[m]}" "$M"
assert_eq "$(sha256sum "$REAL_WG")" "$before" "the real wg is untouched at the end"
check "no sanitizer report" test "$(count_re 'AddressSanitizer|runtime error|LeakSanitizer' "$M")" = 0
t_done
