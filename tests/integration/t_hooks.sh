#!/bin/bash
# SPDX-License-Identifier: MIT
# Hooks (§11) on a real tunnel: the exact environment and JSON stdin of peer_offline and
# peer_online; a hook that ignores SIGTERM killed at its limit and reported while polls keep
# their cadence; a flood of 100 peer_added events with a slow hook where every event ran or
# is a hook_dropped; ON_CHANGE_GRACE swallowing a short flap and not a longer one; a bad
# program or event list refused at start (exit 2); SIGTERM ending a running hook.
. "$(dirname "$0")/lib.sh"
t_common

# hook DIR: a hook that records its own initial environment (/proc/self/environ: exactly
# what execve gave it, no shell additions) and stdin under DIR/out/SEQ.*, then does what
# DIR/mode says.
hook() {
	mkdir -p "$1/out"
	cat >"$1/hook" <<EOF
#!/bin/sh
o=$1/out/\$WG_MONITOR_SEQ
tr '\\0' '\\n' </proc/\$\$/environ >"\$o.tmp"
cat >"\$o.in"
mv "\$o.tmp" "\$o.env"
m=; [ -e $1/mode ] && read -r m <$1/mode
case \$m in
hang) trap '' TERM; sleep 30 ;;
slow) sleep 0.1 ;;
fail) printf 'boom: it\303 broke\nsecond\n' >&2; exit 3 ;;
esac
exit 0
EOF
	chmod 0755 "$1/hook"
}
envval() { sed -n "s/^$2=//p" "$1"; }

# ---- refused at start: exit 2 and one line naming the setting
log_note "$SECONDS s: refused at start: exit 2 and one line naming the setting"
HB="$T_DIR/bad"; hook "$HB"; CMD=run
start_refused() {
	local desc=$1 want=$2 rc; shift 2
	"$WGM_BIN" "$CMD" --log-path '' "$@" >/dev/null 2>"$T_DIR/refused.err" </dev/null
	rc=$?
	if [ $rc = 2 ] && grep -q -- "$want" "$T_DIR/refused.err"; then ok "refused: $desc"
	else bad "refused: $desc: exit $rc, stderr: $(head -c 300 "$T_DIR/refused.err")"; fi
}
start_refused "relative path" "not an absolute path" --on-change bad/hook
start_refused "missing program" "No such file" --on-change "$HB/nothere"
chmod 0775 "$HB/hook"
start_refused "group-writable program" "writable by group" --on-change "$HB/hook"
chmod 0755 "$HB/hook"; chown 4321 "$HB/hook"
start_refused "program of another user" "owned by uid 4321" --on-change "$HB/hook"
chown 0 "$HB/hook"; chmod 0777 "$HB"
start_refused "directory writable by others" "$HB" --on-change "$HB/hook"
chmod 0700 "$HB"
start_refused "unknown event" "on-change-events \"peer_offline,nonsense\": \"nonsense\" is not a peer event" --on-change "$HB/hook" \
	--on-change-events peer_offline,nonsense
ln -s "$HB/hook" "$HB/link" # the walk checks the link's directories, not its target's
start_refused "a symlink as the program" "give the program's real path" --on-change "$HB/link"
# a control byte in the path reaches the terminal escaped, never raw
for CMD in run check-config; do
	start_refused "$CMD: a control byte in the path, escaped" 'x1b' --on-change "$HB/$(printf '\033')x"
	if grep -q "$(printf '\033')" "$T_DIR/refused.err"; then bad "$CMD: a raw ESC on stderr"
	else ok "$CMD: no raw ESC on stderr"; fi
done
CMD=check-config start_refused "check-config too" "not an absolute path" --on-change x
"$WGM_BIN" check-config --on-change "$HB/hook" >/dev/null 2>&1
assert_eq "$?" 0 "check-config accepts a good hook"

# ---- the tunnel and three daemons
log_note "$SECONDS s: the tunnel and three daemons"
wg_pair 1
# a's limit is 3 s: under the load of parallel test runs (a load average of 11 on 2 cores
# seen) the recording hook, four processes, once took over 1 s.
HA="$T_DIR/a"; hook "$HA" # grace 0, JSON stdin, 3 s limit
# The flap lasts from c's peer_offline through far_up (a wireguard-go start) and a
# handshake to c's next poll: about 2 s, once over 6 s under ASan and load; a grace of 12 s
# leaves room, and the flap's length is checked against it from c's own log below.
HC="$T_DIR/c"; hook "$HC" # grace 12 s
HF="$T_DIR/f"; hook "$HF" # the flood
echo slow >"$HF/mode"
wgm_start a --interval 1 --threshold 2 --debug --on-change "$HA/hook" --on-change-stdin json \
	--on-change-timeout 3
wgm_start c --interval 1 --threshold 2 --on-change "$HC/hook" --on-change-grace 12
MPORT=9586 # inside the test's own namespace
wgm_start f --interval 1 --threshold 2 --on-change "$HF/hook" --on-change-events peer_added \
	--metrics-listen "127.0.0.1:$MPORT"
A=${WGM_ERR[a]} C=${WGM_ERR[c]} F=${WGM_ERR[f]}
for f in "$A" "$C" "$F"; do
	wait_for_log "$(peer_re peer_initial "$FAR_PUB").* state=online" 10 "$f" ||
		die "no online peer_initial in $f"
done

# ---- a short flap: a runs offline and online; c (grace 12 s) runs nothing
log_note "$SECONDS s: a short flap: a runs offline and online; c (grace 12 s) runs nothing"
far_down
wait_for_log "$(peer_re peer_offline "$FAR_PUB")" 10 "$A" || die "no peer_offline (a)"
# c polls on its own phase: the far side stays down until c too has seen the outage.
wait_for_log "$(peer_re peer_offline "$FAR_PUB")" 10 "$C" || die "no peer_offline (c)"
t_flap0=$(ts_epoch "$WAIT_LINE")
far_up
wait_for_log "$(peer_re peer_online "$FAR_PUB")" 10 "$A" || die "no peer_online (a)"
wait_for_log "$(peer_re peer_online "$FAR_PUB")" 10 "$C" || die "no peer_online (c)"
# c's grace timer runs from its peer_offline; the peer_online that cancels it is logged by
# the same daemon, so the two stamps decide. 1 s short of the grace: a clear verdict.
flap=$(fsub "$(ts_epoch "$WAIT_LINE")" "$t_flap0")
assert_range "$flap" 0 11 "the flap, as c logged it, is shorter than its grace (s)"
t_flap_end=$SECONDS
for i in $(seq 50); do [ -e "$HA/out/2.env" ] && break; sleep 0.1; done

want_keys="PATH WG_MONITOR_EVENT WG_MONITOR_INTERFACE WG_MONITOR_PEER WG_MONITOR_NAME
WG_MONITOR_ENDPOINT WG_MONITOR_STATE WG_MONITOR_LAST_HANDSHAKE WG_MONITOR_LAST_HEARD
WG_MONITOR_HANDSHAKE_AGE WG_MONITOR_OFFLINE_FOR WG_MONITOR_SESSION_SECONDS
WG_MONITOR_SESSION_RX_BYTES WG_MONITOR_SESSION_TX_BYTES WG_MONITOR_SEQ"
want_keys=$(printf '%s\n' $want_keys | sort)
for n in 1 2; do
	e="$HA/out/$n.env"
	[ -s "$e" ] || { bad "hook run $n left no environment"; continue; }
	assert_eq "$(cut -d= -f1 "$e" | sort | tr '\n' ' ')" "$(printf '%s ' $want_keys)" \
		"run $n: exactly PATH and the 14 WG_MONITOR_* variables"
	assert_eq "$(envval "$e" PATH)" /usr/bin:/usr/sbin:/bin:/sbin "run $n: PATH"
	assert_eq "$(envval "$e" WG_MONITOR_INTERFACE)" "$IF_N" "run $n: interface"
	assert_eq "$(envval "$e" WG_MONITOR_PEER)" "$FAR_PUB" "run $n: the public key"
	assert_eq "$(envval "$e" WG_MONITOR_SEQ)" "$n" "run $n: seq"
	assert_eq "$(envval "$e" WG_MONITOR_ENDPOINT)" "$FAR_IP:$PORT_F" "run $n: endpoint"
	check "run $n: last_heard is a Unix time" grep -qE '^WG_MONITOR_LAST_HEARD=1[0-9]{9}$' "$e"
	check "run $n: handshake time as in the log" \
		grep -qE '^WG_MONITOR_LAST_HANDSHAKE=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$e"
	check "run $n: no private key in the environment" \
		bash -c "! grep -qF -- '$(cat "$T_DIR/n.key")' '$e' && ! grep -qF -- '$(cat "$T_DIR/f.key")' '$e'"
	"$PY" -c 'import json,sys; o=json.loads(open(sys.argv[1]).read()); \
assert o["event"] == sys.argv[2] and o["peer"] == sys.argv[3], o' \
		"$HA/out/$n.in" "$(envval "$e" WG_MONITOR_EVENT)" "$FAR_PUB"
	check "run $n: stdin is the event as one JSON object" test $? = 0
	check "run $n: stdin is one line" test "$(wc -l <"$HA/out/$n.in")" = 1
done
assert_eq "$(envval "$HA/out/1.env" WG_MONITOR_EVENT) $(envval "$HA/out/1.env" WG_MONITOR_STATE)" \
	"peer_offline offline" "run 1: peer_offline, state offline"
assert_eq "$(envval "$HA/out/1.env" WG_MONITOR_OFFLINE_FOR)" "" "run 1: offline_for empty"
assert_eq "$(envval "$HA/out/2.env" WG_MONITOR_EVENT) $(envval "$HA/out/2.env" WG_MONITOR_STATE)" \
	"peer_online online" "run 2: peer_online, state online"
check "run 2: offline_for in seconds" grep -qE '^WG_MONITOR_OFFLINE_FOR=[0-9]+$' "$HA/out/2.env"

# ---- a hook that ignores SIGTERM: SIGKILL 2 s after its 3 s limit, polls go on meanwhile
log_note "$SECONDS s: a hook that ignores SIGTERM: SIGKILL 2 s after its 3 s limit, polls go on meanwhile"
echo hang >"$HA/mode"
far_down
wait_for_count "$(peer_re peer_offline "$FAR_PUB")" 2 10 "$C" || die "no second peer_offline (c)"
t_c_off=$(ts_epoch "$WAIT_LINE")
if wait_for_log "$(peer_re hook_timeout "$FAR_PUB")" 12 "$A"; then
	ok "hanging hook reported as hook_timeout"
	check "hook_timeout: killed by SIGKILL (it ignored SIGTERM)" \
		test "$(field "$WAIT_LINE" signal)" = SIGKILL
	check "hook_timeout: for peer_offline" test "$(field "$WAIT_LINE" hook_event)" = peer_offline
	t_to=$(ts_epoch "$WAIT_LINE")
	wait_for_count "$(peer_re peer_offline "$FAR_PUB")" 2 1 "$A"
	t_off=$(ts_epoch "$WAIT_LINE")
	assert_range "$(fsub "$t_to" "$t_off")" 4.9 6.5 "hook_timeout 3 s + 2 s after the event (s)"
	# Every poll line between the event and the kill, in seconds since the epoch: a loop
	# that waited for the hook would show one gap of 5 s. Cadence 1 s; 2 s bounds a poll
	# delayed by load without missing the stall.
	gap=$(grep -E 'event=poll ' "$A" | while read -r l; do ts_epoch "$l"; done |
		awk -v a="$t_off" -v b="$t_to" '$1 >= a - 1 && $1 <= b + 1 {
			if (n++ && $1 - p > g) g = $1 - p; p = $1 } END { printf "%.3f %d\n", g, n }')
	assert_range "${gap% *}" 0 2 "largest gap between polls while the hook hung (s)"
	assert_range "${gap#* }" 6 99 "polls while the hook hung"
else
	bad "no hook_timeout within 10 s"
fi
echo >"$HA/mode"

# ---- grace: the short flap ran nothing in c; the long outage runs peer_offline after 12 s
log_note "$SECONDS s: grace: the short flap ran nothing in c; the long outage runs peer_offline after 12 s"
# Seq 1 and 2 were the flap's, swallowed; seq 3 the long outage's peer_offline.
for i in $(seq 200); do [ -e "$HC/out/3.env" ] && break; sleep 0.1; done
if [ -e "$HC/out/3.env" ]; then
	assert_eq "$(envval "$HC/out/3.env" WG_MONITOR_EVENT)" peer_offline \
		"grace: the long outage's peer_offline ran"
	t_run=$(stat -c %.3Y "$HC/out/3.env")
	assert_range "$(fsub "$t_run" "$t_c_off")" 11.9 14 "grace: the hook ran 12 s after peer_offline"
else
	bad "grace: no hook run for an outage longer than the grace"
fi
assert_eq "$(count_re "event=peer_(offline|online) " "$C")" 3 "grace: the log keeps all three events"
check "grace: nothing ran for the flap" test "$(ls "$HC/out")" = "$(printf '3.env\n3.in')"
far_up

# ---- a flood: 100 peers added at once, a 0.1 s hook, four at a time, 64 may wait
log_note "$SECONDS s: a flood: 100 peers added at once, a 0.1 s hook, four at a time, 64 may wait"
conf="$T_DIR/flood.conf"
"$PY" -c 'import base64, os
for i in range(100):
    print("[Peer]\nPublicKey = %s\nAllowedIPs = 10.79.0.%d/32\n" %
          (base64.b64encode(os.urandom(32)).decode(), i + 1))' >"$conf"
in_n wg addconf "$IF_N" "$conf" || die "wg addconf"
wait_for_count "event=peer_added " 100 10 "$F" || die "not 100 peer_added"
end=$((SECONDS + 30))
while [ $SECONDS -lt $end ]; do
	ran=$(find "$HF/out" -name '*.env' | wc -l)
	dropped=$(count_re "event=hook_dropped " "$F")
	[ $((ran + dropped)) -ge 100 ] && break
	sleep 0.2
done
assert_eq "$((ran + dropped))" 100 "flood: every event ran or is a hook_dropped"
check "flood: some were dropped (64 wait at most)" test "$dropped" -ge 30
# Each seq once: a run's file or a hook_dropped line, never both, never neither.
seqs=$( (cd "$HF/out" && ls -- *.env | sed 's/\.env$//'
	sed -n 's/.*event=hook_dropped .* seq=\([0-9]*\) .*/\1/p' "$F") | sort -n | tr '\n' ' ')
assert_eq "$seqs" "$(seq 100 | tr '\n' ' ')" "flood: each seq ran once or was dropped once"
# /metrics counts them the same (a run counts once it ended: wait for the last to end)
if command -v curl >/dev/null; then
	want="ok=$ran dropped=$dropped"
	for i in $(seq 50); do
		got=$(in_n curl -sS --max-time 5 "http://127.0.0.1:$MPORT/metrics" | awk '
			/^wg_monitor_hook_runs_total\{result="ok"\}/ { ok = $2 }
			/^wg_monitor_hooks_dropped_total / { d = $2 } END { printf "ok=%s dropped=%s", ok, d }')
		[ "$got" = "$want" ] && break
		sleep 0.2
	done
	assert_eq "$got" "$want" "flood: /metrics counts the runs and the drops"
fi

# ---- the program is checked before every run: made group-writable, it is not run
chmod g+w "$HF/hook"
nf=$(find "$HF/out" -name '*.env' | wc -l)
in_n wg set "$IF_N" peer "$(randkey)" allowed-ips 10.79.1.1/32 || die "one more peer"
if wait_for_log 'event=hook_failed .*seq=101 .*writable by group' 10 "$F"; then
	ok "a program that became group-writable: hook_failed, not run"
	assert_eq "$(find "$HF/out" -name '*.env' | wc -l)" "$nf" "... and it did not run"
else
	bad "no hook_failed for a group-writable program"
fi

# ---- a failing hook: exit status and its first stderr line
log_note "$SECONDS s: a failing hook: exit status and its first stderr line"
echo fail >"$HA/mode"
far_down
if wait_for_log "event=hook_failed .*peer=" 12 "$A"; then
	check "hook_failed: exit_status=3" test "$(field "$WAIT_LINE" exit_status)" = 3
	# a byte that is not ASCII is escaped once, by the log (quoted: \\xc3; \\x5cxc3 were twice)
	check "hook_failed: the first line of stderr, escaped once" \
		grep -q 'detail="boom: it\\\\xc3 broke"' <<<"$WAIT_LINE"
else
	bad "no hook_failed for a hook that exits 3"
fi

# ---- SIGTERM while a hook hangs: at most 2 s for it, then killed and reported
log_note "$SECONDS s: SIGTERM while a hook hangs: at most 2 s for it, then killed and reported"
echo hang >"$HA/mode"
far_up
wait_for_count "$(peer_re peer_online "$FAR_PUB")" 3 12 "$A" || die "no third peer_online (a)"
sleep 0.3
wgm_stop a
assert_eq "$STOP_RC" 0 "stop with a hanging hook: exit 0"
assert_range "$STOP_SECS" 1.5 3.5 "stop waited about 2 s for the hook (s)"
check "the hook killed at stop is reported" grep -q 'event=hook_failed .*detail="killed: the daemon stopped"' "$A"
check "no hook process left" test -z "$(pgrep -f "^/bin/sh $HA/hook")"
for n in c f; do wgm_stop $n; done
check "no poll_error" test "$(count_re 'event=poll_error' "$A")$(count_re 'event=poll_error' "$C")" = 00
t_dump_on_fail
t_done
