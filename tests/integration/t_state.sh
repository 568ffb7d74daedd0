#!/bin/bash
# SPDX-License-Identifier: MIT
# §12 the state file: written whole (0600, no temp left) at stop, restored without false
# transitions, offline_for and state_for spanning a restart, corrupt files ignored and
# replaced, unsafe paths and a second daemon refused. (SIGKILL safety: t_state_kill.sh.)
. "$(dirname "$0")/lib.sh"
t_common

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
state_dir_new
ARGS=(--interval 1 --threshold 5 --state-file "$SF")
INIT_RE=$(peer_re peer_initial "$FAR_PUB")
ON_RE=$(peer_re peer_online "$FAR_PUB")
OFF_RE=$(peer_re peer_offline "$FAR_PUB")

# no_transition NAME WHAT: the daemon NAME logged no peer_online/offline for the far peer.
no_transition() {
	local e=${WGM_ERR[$1]}
	assert_eq "$(count_re "$ON_RE" "$e")/$(count_re "$OFF_RE" "$e")" 0/0 \
		"$2: no peer_online/peer_offline (online/offline lines)"
}
# file_ok WHAT: the state file parses whole, with both peers, and no temporary is left.
file_ok() {
	local out
	out=$(state_check "$SF")
	assert_eq "$(printf '%s' "$out" | cut -d' ' -f1-2)" "ok 2" "$1: state file parses, 2 peers"
	check "$1: no $SF.tmp left" test ! -e "$SF.tmp"
}
# The durations in peer_initial/peer_online are whole seconds, truncated, of the daemon's
# steady clock; the lines' stamps are its wall clock, and a restart passes the saved ages on
# through the file's written time. Each of the (at most 4) wall/steady clock pairs involved
# is read to the ms separately (1 ms each), and NTP may slew the wall clock (at most 500
# ppm: 10 ms over these gaps of under 20 s): a duration d measured between two stamps is
# within CLK s of the daemon's own, so its truncation lies in (d - 1 - CLK, d + CLK].
CLK=0.02
ONE_CLK=$(fsub 1 "-$CLK") # 1 + CLK
# wait_new_handshake OLD TIMEOUT: until the near side's handshake with the far peer is
# newer than OLD (Unix seconds).
wait_new_handshake() {
	local end=$((SECONDS + $2)) h
	while [ $SECONDS -le $end ]; do
		h=$(hs_of n "$FAR_PUB")
		[ "${h:-0}" -gt "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# ---- a. first run on a healthy link, stop: the file
wgm_start a "${ARGS[@]}"
A=${WGM_ERR[a]}
wait_for_log "$INIT_RE" 5 "$A" || die "a: no peer_initial"
assert_eq "$(field "$WAIT_LINE" state)" online "a: initial state"
check "a: monitor_start names the state file" grep -qE "event=monitor_start .*state_file=$SF" "$A"
assert_eq "$(count_re 'event=state_(restored|ignored)' "$A")" 0 "a: no state_restored/ignored without a file"
t_stop=$(now)
wgm_stop a
assert_eq "$STOP_RC" 0 "a: exit status after SIGTERM"
if [ -f "$SF" ]; then
	ok "a: state file written"
	assert_eq "$(stat -c %a "$SF")" 600 "a: state file mode"
	file_ok a
	written=$(state_check "$SF" | cut -d' ' -f3)
	assert_range "$(( ${written:-0} - $(awk -v a="$t_stop" 'BEGIN{printf "%.0f", a * 1000}') ))" -1000 3000 \
		"a: written = the time of the stop (ms after SIGTERM)"
	read -r st since hs heard rx tx failing ep <<<"$(state_peer "$SF" "$FAR_PUB")"
	assert_eq "${st:-none}" online "a: far peer saved online"
	assert_range "$(( ${hs:-0} / 1000 - $(hs_of n "$FAR_PUB") ))" -1 0 \
		"a: saved handshake = wg's (s)"
	# heard is the daemon's clock-step-proof view, the stamp WireGuard's: within a second
	check "a: saved heard >= handshake (1 s slack)" test "$(( ${heard:-0} + 1000 ))" -ge "${hs:-1}"
	check "a: saved rx > 0" test "${rx:-0}" -gt 0
	assert_eq "${failing:-x}/${ep:-x}" "0/$FAR_IP:$PORT_F" "a: failing since / endpoint"
	assert_eq "$(state_peer "$SF" "$ABSENT_PUB" | cut -d' ' -f1)" never "a: absent peer saved never"
else
	bad "a: no state file at $SF after the stop"
fi

# ---- b. restart on the same file: restored, no transition; a roam meanwhile is logged
in_n wg set "$IF_N" peer "$ABSENT_PUB" endpoint 10.77.0.98:51820 || die "roam"
wgm_start b "${ARGS[@]}"
B=${WGM_ERR[b]}
if wait_for_log 'event=state_restored' 5 "$B"; then
	assert_eq "$(field "$WAIT_LINE" peers)" 2 "b: state_restored peers="
	check "b: state_restored has saved=" test -n "$(field "$WAIT_LINE" saved)"
else
	bad "b: no state_restored"
fi
wait_for_log "$INIT_RE" 5 "$B" || die "b: no peer_initial"
assert_eq "$(field "$WAIT_LINE" state)" online "b: initial state after restart"
# Online since before a was started: how long is not known, so no state_for.
assert_eq "$(field "$WAIT_LINE" state_for)" "" "b: no state_for for a peer online since unknown"
if wait_for_log "$(peer_re endpoint_changed "$ABSENT_PUB")" 3 "$B"; then
	assert_eq "$(field "$WAIT_LINE" old_endpoint) $(field "$WAIT_LINE" endpoint)" \
		"10.77.0.99:51820 10.77.0.98:51820" "b: endpoint changed while stopped: old new"
else
	bad "b: no endpoint_changed for a peer that roamed while the daemon was stopped"
fi
sleep 3 # observation window: three polls
no_transition b "b: restart on a healthy link"
assert_eq "$(count_re 'event=(peer_added|peer_removed|state_ignored)' "$B")" 0 \
	"b: no peer_added/peer_removed/state_ignored"

# ---- c. offline across restarts
far_down
wait_for_log "$OFF_RE" 15 "$B" || die "c: no peer_offline after the far side stopped"
t_off=$(ts_epoch "$WAIT_LINE")
wgm_stop b
assert_eq "$(state_peer "$SF" "$FAR_PUB" | cut -d' ' -f1)" offline "c: far peer saved offline"
sleep 2 # down a while with no daemon: state_for must count it

# Restart while still offline: peer_initial offline with the time since it went.
wgm_start c1 "${ARGS[@]}"
C1=${WGM_ERR[c1]}
if wait_for_log "$INIT_RE" 5 "$C1"; then
	assert_eq "$(field "$WAIT_LINE" state)" offline "c1: initial state, still offline"
	d=$(fsub "$(ts_epoch "$WAIT_LINE")" "$t_off")
	# Offline since the crossing (heard + threshold), which the peer_offline poll saw at
	# most one interval later: state_for = trunc(d + [0, 1] s), so from d - 1 - CLK (the
	# upper bound leaves 2 s for late polls).
	assert_range "$(field "$WAIT_LINE" state_for)" "$(fsub "$d" "$ONE_CLK")" "$(fsub "$d" -3)" \
		"c1: state_for = time since peer_offline before the restart (s)"
else
	bad "c1: no peer_initial"
fi
sleep 2 # observation window
no_transition c1 "c1: restart while offline"
wgm_stop c1

# Down a while longer with no daemon, then the far side returns before the next start.
sleep 2
old_hs=$(hs_of n "$FAR_PUB")
far_up
wait_new_handshake "${old_hs:-0}" 10 || die "c2: no new handshake after the far side returned"
wgm_start c2 "${ARGS[@]}"
C2=${WGM_ERR[c2]}
if wait_for_log "$ON_RE" 5 "$C2"; then
	t_on=$(ts_epoch "$WAIT_LINE")
	d=$(fsub "$t_on" "$t_off")
	# As c1: offline since the crossing, up to an interval before the peer_offline line.
	assert_range "$(field "$WAIT_LINE" offline_for)" "$(fsub "$d" "$ONE_CLK")" "$(fsub "$d" -3)" \
		"c2: offline_for spans the restarts (s since peer_offline)"
else
	bad "c2: no peer_online for the returned peer"
	t_on=$(now)
fi
if wait_for_log "$INIT_RE" 3 "$C2"; then
	assert_eq "$(field "$WAIT_LINE" state)" offline "c2: peer_initial gives the saved state"
	l_init=$(grep -nE "$INIT_RE" "$C2" | head -1 | cut -d: -f1)
	l_on=$(grep -nE "$ON_RE" "$C2" | head -1 | cut -d: -f1)
	check "c2: peer_initial (line $l_init) comes before peer_online (line ${l_on:-none})" \
		test -n "$l_on" -a "$l_init" -lt "${l_on:-0}"
else
	bad "c2: no peer_initial"
fi
sleep 2 # observation window; also gives c3 a time in state to count
assert_eq "$(count_re "$OFF_RE" "$C2")" 0 "c2: no peer_offline after the restart"
wgm_stop c2

# Online since c2 watched it come: the next start knows for how long. The absent peer is
# removed meanwhile: forgotten without an event (its removal was not seen).
in_n wg set "$IF_N" peer "$ABSENT_PUB" remove || die "remove absent peer"
wgm_start c3 "${ARGS[@]}"
C3=${WGM_ERR[c3]}
if wait_for_log "$INIT_RE" 5 "$C3"; then
	assert_eq "$(field "$WAIT_LINE" state)" online "c3: initial state"
	d=$(fsub "$(ts_epoch "$WAIT_LINE")" "$t_on")
	# Online since the very poll that logged peer_online: state_for = trunc(d +- CLK).
	assert_range "$(field "$WAIT_LINE" state_for)" "$(fsub "$d" "$ONE_CLK")" "$(fsub "$d" "-$CLK")" \
		"c3: state_for = time since c2's peer_online (s)"
else
	bad "c3: no peer_initial"
fi
wgm_stop c3
no_transition c3 "c3: restart while online"
assert_eq "$(count_re 'event=peer_added' "$C3")" 0 "c3: no peer_added at a restart"
assert_eq "$(count_re 'event=peer_removed' "$C3")" 1 "c3: one peer_removed, for the peer removed while stopped"
assert_eq "$(grep 'event=peer_removed' "$C3" | grep -F "peer=$ABSENT_PUB " | grep -c 'reason=forgotten')" 1 \
	"c3: it leaves the table announced, reason=forgotten"
assert_eq "$(state_check "$SF" | cut -d' ' -f1-2)" "ok 1" "c3: state file parses, the removed peer gone"
assert_eq "$(state_peer "$SF" "$ABSENT_PUB")" "" "c3: no line for the removed peer"
cp "$SF" "$T_DIR/good"
in_n wg set "$IF_N" peer "$ABSENT_PUB" allowed-ips 10.78.0.99/32 endpoint 10.77.0.99:51820 ||
	die "absent peer back"

# ---- c4. offline at the save, up and down again while no daemon ran: still offline at the
# restart, but only since its latest handshake crossed the threshold (--liveness handshake:
# under activity the traffic of the gap is credited to the first poll, so it is online).
HS_ARGS=(--interval 1 --threshold 3 --liveness handshake --state-file "$SF")
wgm_start c4a "${HS_ARGS[@]}"
wait_for_log "$INIT_RE" 5 "${WGM_ERR[c4a]}" || die "c4a: no peer_initial"
far_down
# Offline in the file: by a peer_offline, or at once when the handshake was already
# older than 3 s at the start (the rule changed, so the restart re-judged it quietly).
wait_state "$SF" "$FAR_PUB" '^offline ' 10 || die "c4a: far peer not saved offline"
wgm_stop c4a
sleep 2 # offline a while longer first: the saved crossing is well before the handshake
old_hs=$(hs_of n "$FAR_PUB")
far_up
wait_new_handshake "${old_hs:-0}" 10 || die "c4: no new handshake"
hs1=$(hs_of n "$FAR_PUB")
far_down
sleep 5 # a gap with no daemon: the new handshake is older than the threshold at the restart
wgm_start c4b "${HS_ARGS[@]}"
C4=${WGM_ERR[c4b]}
if wait_for_log "$INIT_RE" 5 "$C4"; then
	assert_eq "$(field "$WAIT_LINE" state)" offline "c4: initial state, offline again"
	t=$(ts_epoch "$WAIT_LINE")
	# offline since hs + threshold, hs in [hs1, hs1 + 1): trunc(t - hs1 - 3 - [0, 1) +- CLK)
	assert_range "$(field "$WAIT_LINE" state_for)" "$(fsub "$(fsub "$t" "$hs1")" "$(fsub 5 "-$CLK")")" \
		"$(fsub "$(fsub "$t" "$hs1")" "$(fsub 3 "$CLK")")" "c4: state_for counts from the handshake of the gap (s)"
else
	bad "c4: no peer_initial"
fi
sleep 1 # observation window
no_transition c4b "c4: restart while offline again"
wgm_stop c4b
far_up

# ---- e. corrupt files: ignored (with the line), the daemon runs, and writes a good file
# corrupt NAME EXPECTED-MESSAGE-ERE: SF already holds the bad content.
corrupt() {
	local n=$1 e
	chmod 0600 "$SF"
	wgm_start "$n" "${ARGS[@]}"
	e=${WGM_ERR[$n]}
	if wait_for_log 'event=state_ignored' 5 "$e"; then
		check "$n: state_ignored is WARNING" grep -qE 'WARNING event=state_ignored' "$e"
		if printf '%s\n' "$WAIT_LINE" | grep -qE -- "$2"; then
			ok "$n: message names the problem"
		else
			bad "$n: message does not match /$2/: $WAIT_LINE"
		fi
	else
		bad "$n: no state_ignored"
	fi
	wait_for_log "$INIT_RE" 5 "$e" || bad "$n: no peer_initial (not polling?)"
	check "$n: still running" wgm_alive "$n"
	assert_eq "$(count_re 'event=state_restored' "$e")" 0 "$n: nothing restored"
	wgm_stop "$n"
	assert_eq "$STOP_RC" 0 "$n: exit status"
	file_ok "$n: rewritten at stop"
}
# A file that is not a state file at all (a typo naming a WireGuard config, say) is never
# replaced: wg-monitor refuses to start, and the file stays as it was.
printf 'garbage \001\377 here\nmore\n' >"$SF"
cp "$SF" "$T_DIR/garbage"
out=$(in_n timeout 5 "$WGM_BIN" run --log-path '' "${ARGS[@]}" 2>&1)
assert_eq "$?" 2 "e_garbage: a file that is not a state file: exit status"
check "e_garbage: the message says it is not replaced" \
	grep -qE -- '--state-file: .* is not a wg-monitor state file; not replacing it' <<<"$out"
check "e_garbage: the file is untouched" cmp -s "$SF" "$T_DIR/garbage"
sed '3s/ [0-9]* / x /' "$T_DIR/good" >"$SF"
corrupt e_badline 'event=state_ignored message=.*: line 3: '
head -n -1 "$T_DIR/good" >"$SF"
corrupt e_noend "event=state_ignored message=.*: line $(wc -l <"$SF"): truncated \\(no end line\\)"
head -c -7 "$T_DIR/good" >"$SF"
corrupt e_cut "event=state_ignored message=.*: line $(( $(wc -l <"$SF") + 1 )): truncated \\(no newline\\)"
sed '1s/.*/wg-monitor-state 9/' "$T_DIR/good" >"$SF"
corrupt e_foreign 'event=state_ignored message=.*: line 1: unsupported version'

# ---- f. refusals
WW=$T_DIR/ww
mkdir "$WW" && chmod 1777 "$WW" || die "mkdir $WW"
out=$(in_n timeout 5 "$WGM_BIN" run --log-path '' --state-file "$WW/state" 2>&1)
assert_eq "$?" 2 "f: --state-file in a world-writable directory: exit status"
check "f: the message names --state-file and says why" \
	grep -qE -- '--state-file.*writable by others' <<<"$out"
out=$(in_n env STATE_FILE="$WW/state" timeout 5 "$WGM_BIN" run --log-path '' 2>&1)
assert_eq "$?" 2 "f: STATE_FILE in a world-writable directory: exit status"
check "f: the message names STATE_FILE" grep -qE 'STATE_FILE.*writable by others' <<<"$out"
check "f: nothing created in the world-writable directory" test -z "$(ls -A "$WW")"
in_n "$WGM_BIN" check-config --state-file "$WW/state" >/dev/null 2>&1
assert_eq "$?" 2 "f: check-config --state-file <world-writable dir>/state: exit status"
in_n "$WGM_BIN" check-config --state-file "$SF" >/dev/null 2>&1
assert_eq "$?" 0 "f: check-config --state-file <private dir>/state: exit status"
ln -s "$SF" "$SD/link"
in_n "$WGM_BIN" check-config --state-file "$SD/link" >/dev/null 2>&1
assert_eq "$?" 2 "f: check-config --state-file <symlink>: exit status"
mkfifo "$SD/fifo"
in_n timeout 5 "$WGM_BIN" check-config --state-file "$SD/fifo" >/dev/null 2>&1
assert_eq "$?" 2 "f: check-config --state-file <fifo>: exit status"

wgm_start f1 "${ARGS[@]}"
wait_for_log "$INIT_RE" 5 "${WGM_ERR[f1]}" || die "f1: no peer_initial"
out=$(in_n timeout 5 "$WGM_BIN" run --log-path '' "${ARGS[@]}" 2>&1)
assert_eq "$?" 2 "f: a second daemon on the same state file: exit status"
check "f: the message says the file is in use" grep -q 'in use by another wg-monitor' <<<"$out"
out=$(in_n timeout 5 "$WGM_BIN" run --log-path '' --interval 1 --state-file "$SD/../sd/./state" 2>&1)
assert_eq "$?" 2 "f: a second daemon, the same file spelt differently: exit status"
check "f: ... says in use" grep -q 'in use by another wg-monitor' <<<"$out"
check "f: the first daemon still runs" wgm_alive f1

# ---- g. the file cannot be written for a while: said once, retried, recovered
mkdir "$SF.tmp" || die "mkdir $SF.tmp" # where each save starts: now it cannot
G_PUB=$(randkey)
in_n wg set "$IF_N" peer "$G_PUB" # a new peer: a save is due at once
if wait_for_log 'event=state_write_failed' 5 "${WGM_ERR[f1]}"; then
	check "g: state_write_failed is WARNING" grep -q 'WARNING event=state_write_failed' "${WGM_ERR[f1]}"
else
	bad "g: no state_write_failed while the save was blocked"
fi
sleep 2 # observation window: saves retried every poll, said once
assert_eq "$(count_re 'event=state_write_failed' "${WGM_ERR[f1]}")" 1 "g: state_write_failed said once"
check "g: the daemon still runs" wgm_alive f1
rmdir "$SF.tmp" || die "rmdir"
expect_log "g: state_write_recovered once saving works again" 'event=state_write_recovered' 3 \
	"${WGM_ERR[f1]}"
assert_eq "$(state_peer "$SF" "$G_PUB" | cut -d' ' -f1)" never "g: the recovered save has the new peer"
# ---- g2. the directory is held open: renamed away (and another put in its place), the
# saves follow the directory, not the path
mv "$SD" "$SD.away" || die "mv"
mkdir -m 0700 "$SD" || die "mkdir"
in_n wg set "$IF_N" peer "$G_PUB" remove
if wait_state "$SD.away/state" "$G_PUB" '^$' 5 && [ -z "$STATE_LINE" ] &&
	state_check "$SD.away/state" >/dev/null; then
	ok "g2: the save went to the directory opened at start"
else
	bad "g2: the removed peer is still in $SD.away/state"
fi
check "g2: nothing written at the path's new directory" test -z "$(ls -A "$SD")"
rmdir "$SD" && mv "$SD.away" "$SD" || die "mv back"
wgm_stop f1
assert_eq "$STOP_RC" 0 "f1: exit status"
file_ok f1
t_done
