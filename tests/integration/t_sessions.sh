#!/bin/bash
# SPDX-License-Identifier: MIT
# §12 sessions on a real link: `status --json` shows the session so far; peer_offline (text
# and JSON) carries the session that ended, its length from the peer_online that began it
# to the moment it went offline (last heard + threshold), and its bytes as `wg show`
# counts them; a daemon restart through the state file keeps the session. About 20 s.
. "$(dirname "$0")/lib.sh"
t_common
THR=4
INT=1

wg_pair 0 # no handshake yet: the session's bytes are the near side's counters from 0
SD=$T_DIR/sd
mkdir -m 0700 "$SD" || die "mkdir $SD"
SF=$SD/state
ON_RE=$(peer_re peer_online "$FAR_PUB")
OFF_RE=$(peer_re peer_offline "$FAR_PUB")
wgm_start a --interval $INT --threshold $THR --state-file "$SF"
wgm_start j --interval $INT --threshold $THR --log-format json
A=${WGM_ERR[a]} J=${WGM_ERR[j]}
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 5 "$A" || die "no peer_initial"
wait_for_log '"event":"peer_initial"' 5 "$J" || die "no peer_initial (json)"

in_f wg set "$IF_F" peer "$NEAR_PUB" persistent-keepalive 1 # far side starts the handshake
FAR_KA=1
wait_for_log "$ON_RE" 10 "$A" || die "no peer_online"
t_on=$(ts_epoch "$WAIT_LINE")
for i in 1 2 3; do send_far; done # some tx beside the far side's keepalives (rx)

# json_session FILE PUB: "<seconds> <rx> <tx>" of PUB's session in status --json output
# (FILE), or of the last peer_offline line in a JSON log (FILE).
json_session() {
	"$PY" -c '
import json, sys
text = open(sys.argv[1]).read()
rows = json.loads(text) if text.startswith("[") else [
    json.loads(l) for l in text.splitlines() if l.startswith("{") and "\"peer_offline\"" in l]
for p in rows:
    if p.get("public_key", p.get("peer")) == sys.argv[2]:
        s = "%s %s %s" % (p["session_seconds"], p["session_rx_bytes"], p["session_tx_bytes"])
print(s)
' "$1" "$2"
}

# ---- the session so far: status continues the daemon's view
sleep 2 # a session of a few seconds
wgm_alive a || die "daemon a died"
rx0=$(rx_of n "$FAR_PUB"); t_st0=$(now)
in_n timeout 10 "$WGM_BIN" status --json --state-file "$SF" >"$T_DIR/status.json" \
	2>"$T_DIR/status.err" || die "status failed: $(cat "$T_DIR/status.err")"
t_st=$(now); rx1=$(rx_of n "$FAR_PUB")
read -r s_sec s_rx s_tx <<<"$(json_session "$T_DIR/status.json" "$FAR_PUB")"
# status's own clock reading lies between t_st0 and t_st; whole seconds lose up to 1.
assert_range "${s_sec:-x}" "$(fsub "$(fsub "$t_st0" "$t_on")" 1)" "$(fsub "$t_st" "$t_on")" \
	"status: session_seconds = the time since peer_online"
assert_range "${s_rx:-x}" "$rx0" "$rx1" "status: session_rx_bytes = wg show's rx (between reads)"
check "status: session_tx_bytes > 0 (handshake and datagrams sent)" test "${s_tx:-0}" -gt 0
in_n timeout 10 "$WGM_BIN" status --state-file "$SF" >"$T_DIR/status.txt" 2>>"$T_DIR/status.err"
check "status table: the far peer's SESSION column, in seconds" \
	grep -qE "^$IF_N +$(printf '%s' "$FAR_PUB" | sed 's/+/[+]/g') .* [0-9]+ +[0-9]s -\$" "$T_DIR/status.txt"

# ---- restart: the session goes on through the state file
wgm_stop a
assert_eq "$STOP_RC" 0 "a: exit status after SIGTERM"
read -r began len _ <<<"$(state_session "$SF" "$FAR_PUB")"
assert_range "$(fsub "${began:-0}" "$(awk -v a="$t_on" 'BEGIN{printf "%.0f", a * 1000}')")" \
	-1000 1000 "state file: the session began at peer_online (ms)"
sleep 2 # the daemon is away; the far side keeps sending
wgm_start b --interval $INT --threshold $THR --state-file "$SF"
B=${WGM_ERR[b]}
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 5 "$B" || die "b: no peer_initial"
assert_eq "$(field "$WAIT_LINE" state)" online "b: restored online"
t_b=$(ts_epoch "$WAIT_LINE")
sleep 1.5

# ---- the far side stops: peer_offline carries the session
rx_down=$(rx_of n "$FAR_PUB"); tx_down=$(wg_dump_peer n "$FAR_PUB" | cut -f7)
far_down
if wait_for_log "$OFF_RE" $((THR + 2 * INT + 6)) "$B"; then
	off=$WAIT_LINE
	rx_end=$(rx_of n "$FAR_PUB"); tx_end=$(wg_dump_peer n "$FAR_PUB" | cut -f7)
	sec=$(field "$off" session_seconds); heard=$(field "$off" last_heard)
	# It ended at last heard + threshold (last_heard is whole seconds: up to 1 s early).
	want=$(fsub "$(fsub "$heard" "-$THR")" "$t_on")
	assert_range "${sec:-x}" "$(fsub "$want" 1.5)" "$(fsub "$want" -1.5)" \
		"b: session_seconds = last_heard + threshold - peer_online (from before the restart)"
	assert_range "${sec:-x}" "$(fsub "$(fsub "$(ts_epoch "$off")" "$t_b")" -2)" 999 \
		"b: the session counts from before the restart (2 s away and more)"
	# Nothing arrives once the far side is gone, so its rx stays what the last poll read
	# (a keepalive in flight at far_down may still land after rx_down was read).
	assert_eq "$(field "$off" session_rx_bytes)" "$rx_end" \
		"b: session_rx_bytes = wg show's rx after peer_offline"
	assert_range "$rx_end" "$rx_down" 999999999 "near rx: no less than before the far side stopped"
	assert_range "$(field "$off" session_tx_bytes)" "$tx_down" "$tx_end" \
		"b: session_tx_bytes = wg show's tx (before the far side stopped .. after peer_offline)"
else
	bad "b: no peer_offline within $((THR + 2 * INT + 6)) s of the far side stopping"
fi

# ---- the JSON log of the daemon that ran throughout
if wait_for_log '"event":"peer_offline"' 5 "$J"; then
	read -r j_sec j_rx j_tx <<<"$(json_session "$J" "$FAR_PUB")"
	assert_range "${j_sec:-x}" "$(fsub "${sec:-0}" 1.5)" "$(fsub "${sec:-0}" -1.5)" \
		"json: session_seconds as in the text line"
	assert_eq "${j_rx:-x}" "$(field "${off:-}" session_rx_bytes)" "json: session_rx_bytes as in the text line"
	assert_range "${j_tx:-x}" "$tx_down" "${tx_end:-0}" "json: session_tx_bytes = wg show's tx"
else
	bad "json: no peer_offline"
fi
check "no poll_error" test "$(count_re 'event=poll_error' "$B")$(count_re 'poll_error' "$J")" = 00
t_done
