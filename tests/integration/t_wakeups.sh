#!/bin/bash
# SPDX-License-Identifier: MIT
# Wake-ups (§14): an idle interface of 1,000 peers at --interval 30 --stats-interval 60
# wakes the daemon once per poll (stats share the poll's round) and for nothing else; a
# SIGHUP wakes it at once, and log_reopened is logged only when the reopen worked.
. "$(dirname "$0")/lib.sh"
t_common
command -v strace >/dev/null || skip "strace not installed (counts the loop's ppoll calls)"
strace -o /dev/null -e trace=ppoll true 2>/dev/null || skip "strace cannot trace here (ptrace)"

PEERS=1000
ns_add "$NS_N" "$VIEW_N"
wg_create "$NS_N" "$VIEW_N" "$IF_N" "$NEAR_TUN"
# Random public keys (any 32 bytes are one), each with its own /32; nobody ever answers.
"$PY" -c '
import base64, os, sys
for i in range(int(sys.argv[1])):
    print("[Peer]\nPublicKey = %s\nAllowedIPs = 10.79.%d.%d/32\n"
          % (base64.b64encode(os.urandom(32)).decode(), i // 250, i % 250 + 1))
' "$PEERS" >"$T_DIR/peers.conf"
in_n wg addconf "$IF_N" "$T_DIR/peers.conf" || die "wg addconf"
assert_eq "$(in_n wg show "$IF_N" peers | wc -l)" "$PEERS" "peers on the interface"

# ctx_switches PID: the voluntary context switches so far (each sleep that ended is one).
ctx_switches() { awk '/^voluntary_ctxt_switches:/ {print $2}' "/proc/$1/status"; }
# ppoll_calls: the loop's ppoll() calls so far (strace writes a call as it is entered); all
# but the last have returned, each return one round of the loop. The loop's calls are those
# with no timeout (NULL) or a zero one; a source's waits would carry their deadline.
ppoll_calls() {
	count_re '^[0-9:.]+ ppoll\(.*\], [0-9]+, (NULL|\{tv_sec=0, tv_nsec=0\}), ' "$T_DIR/ppoll.strace"
}

# LeakSanitizer cannot work under ptrace (make integration-asan): off for this run only.
WGM_WRAP=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	strace -o "$T_DIR/ppoll.strace" -tt -e trace=ppoll)
t0=$(now)
wgm_start m --interval 30 --stats-interval 60 --threshold 180 --interface "$IF_N"
WGM_WRAP=()
wait_for_count 'event=peer_initial' "$PEERS" 20 || die "the first poll did not report $PEERS peers"
first=$(fsub "$(now)" "$t0")
DPID=$(pgrep -P "${WGM_PID[m]}")
[ -n "$DPID" ] || die "no daemon under strace"
log_note "first poll of $PEERS peers reported after $first s"

# Between two polls nothing is due: not a single wake-up (no tick, no retry, no timeout).
sleep 3
a=$(ctx_switches "$DPID") c=$(ppoll_calls)
sleep "$(awk -v t0="$t0" -v n="$(now)" 'BEGIN{s = t0 + 28 - n; printf "%.3f\n", (s > 0 ? s : 0)}')"
b=$(ctx_switches "$DPID")
assert_eq "$((b - a))" 0 "no voluntary context switch from 3 s to 28 s (between polls)"
assert_eq "$(ppoll_calls)" "$c" "no ppoll() entered between polls"

# Polls at 0, 30 and 60 s; stats are due at 60 s too and run in the same round, after the
# poll. Each round is one ppoll(): the first does not sleep (the first poll is due at
# once), the next two sleep until 30 and 60 s, the fourth is asleep now. So 3 rounds have
# returned; the bound allows polls + stats + 1 (a spare round), and a tick of any period
# under 20 s would break it.
expect_log "stats at 60 s" 'event=stats ' 45
st=$WAIT_LINE
sleep 1
polls=$(field "$st" polls)
assert_eq "$polls" 3 "polls counted in the stats at 60 s (0, 30, 60 s; poll before stats)"
rounds=$(($(ppoll_calls) - 1))
log_note "over $(fsub "$(now)" "$t0") s: $rounds rounds of the loop returned;" \
	"$(($(ctx_switches "$DPID") - b)) voluntary context switches since 28 s, all of them" \
	"inside the polls at 30 and 60 s (reading $PEERS peers) and the stats"
assert_range "$rounds" 3 $((polls + 1 + 1)) "rounds of the loop (<= polls + stats + 1)"

# SIGHUP mid-sleep: the loop wakes at once (the next poll is 30 s away) and reopens.
L=${WGM_LOG[m]}
mv "$L" "$L.1"
kill -HUP "$DPID"
if wait_for_log 'event=log_reopened' 2; then
	ok "SIGHUP handled within 2 s while the next poll was 30 s away"
else
	bad "SIGHUP: no log_reopened within 2 s"
fi
check "SIGHUP: log_reopened in the new file" grep -q 'event=log_reopened' "$L"
# A reopen that fails (a directory now at the log path) is not reported as done; the
# failure comes with the next line written (here the stats at stop).
rm -f "$L"
mkdir "$L" || die "mkdir at the log path"
kill -HUP "$DPID"
sleep 1 # an observation window: a wrong log_reopened would be written at once
kill -TERM "$DPID"
wait_for_log 'event=monitor_stop' 5 || bad "no monitor_stop within 5 s of SIGTERM"
wait "${WGM_PID[m]}" 2>/dev/null
assert_eq "$?" 0 "exit status (through strace)"
assert_eq "$(count_re 'event=log_reopened' "${WGM_ERR[m]}")" 1 "log_reopened once: not for the failed reopen"
check "the failed reopen reported as log_file_error" \
	grep -q 'event=log_file_error .*[Ii]s a directory' "${WGM_ERR[m]}"
rmdir "$L"
t_done
