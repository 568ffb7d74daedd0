#!/bin/bash
# SPDX-License-Identifier: MIT
# Start-up: monitor_start, peer_initial with the right state per peer, JSON log format, and
# `status --json` agreeing with `wg show <if> dump` (SPEC §2, §4, §5).
. "$(dirname "$0")/lib.sh"
t_common

wg_pair 0
send_far
wait_handshake n "$FAR_PUB" 10 || die "no handshake"

wgm_start m --interval 1 --threshold 60
expect_log "monitor_start logged" 'INFO event=monitor_start' 5
wait_for_count 'event=peer_initial' 2 5 || bad "fewer than 2 peer_initial lines"
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 1
line=$WAIT_LINE
assert_eq "$(field "$line" state)" online "connected peer: state"
assert_eq "$(field "$line" interface)" "$IF_N" "connected peer: interface"
assert_eq "$(field "$line" endpoint)" "$FAR_IP:$PORT_F" "connected peer: endpoint"
lh=$(field "$line" last_handshake)
hs=$(hs_of n "$FAR_PUB")
if [ -n "$lh" ] && [ "$(iso_epoch "$lh" 2>/dev/null)" = "$hs" ]; then
	ok "connected peer: last_handshake=$lh matches wg dump ($hs)"
else
	bad "connected peer: last_handshake='$lh' does not match wg dump ($hs)"
fi
check "connected peer: handshake_age and last_heard present" \
	test -n "$(field "$line" handshake_age)" -a -n "$(field "$line" last_heard)"
wait_for_log "$(peer_re peer_initial "$ABSENT_PUB")" 1
assert_eq "$(field "$WAIT_LINE" state)" never "absent peer: state"
assert_eq "$(count_re 'event=peer_initial' "${WGM_ERR[m]}")" 2 "exactly one peer_initial per peer"
check "every stderr line has the documented shape" \
	test "$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z (DEBUG|INFO|WARNING|ERROR) event=[a-z_]+( |$)' "${WGM_ERR[m]}")" = 0
sleep 2.5 # several polls: a steady peer must not produce transitions
assert_eq "$(count_re 'event=peer_(online|offline)' "${WGM_ERR[m]}")" 0 "no transitions on a steady link"
check "log file and stderr hold the same lines" cmp -s "${WGM_LOG[m]}" "${WGM_ERR[m]}"
assert_eq "$(stat -c %a "${WGM_LOG[m]}")" 640 "log file created with mode 0640"

# status --json, bracketed by two dumps so rx/tx may only lie between them.
in_n wg show "$IF_N" dump >"$T_DIR/dump1"
in_n timeout 10 "$WGM_BIN" status --json >"$T_DIR/status.json" 2>"$T_DIR/status.err"
rc=$?
in_n wg show "$IF_N" dump >"$T_DIR/dump2"
assert_eq "$rc" 0 "status --json exit status"
if out=$("$PY" - "$T_DIR/status.json" "$T_DIR/dump1" "$T_DIR/dump2" "$IF_N" "$FAR_PUB" "$ABSENT_PUB" <<'PYEOF'
import json, sys, calendar, time
st, d1, d2, ifn, far, absent = sys.argv[1:7]
errs = []
def dump(p):
    peers = {}
    for ln in open(p):
        f = ln.rstrip("\n").split("\t")
        if len(f) == 8:
            peers[f[0]] = f
    return peers
a, b = dump(d1), dump(d2)
try:
    arr = json.load(open(st))
except Exception as e:
    print("status --json is not JSON: %s" % e); sys.exit(1)
if not isinstance(arr, list):
    print("status --json is not an array"); sys.exit(1)
mine = [o for o in arr if isinstance(o, dict) and o.get("interface") == ifn]
if len(mine) != len(a):
    errs.append("status has %d peers on %s, wg dump %d" % (len(mine), ifn, len(a)))
need = ["interface", "public_key", "name", "state", "last_handshake", "handshake_age",
        "last_heard", "endpoint", "rx_bytes", "tx_bytes", "persistent_keepalive"]
def epoch(v):
    if v is None or v == "" or v == 0 or v == "never":
        return 0
    if isinstance(v, (int, float)):
        return int(v)
    return calendar.timegm(time.strptime(v.rstrip("Z"), "%Y-%m-%dT%H:%M:%S"))
for o in mine:
    k = o.get("public_key")
    miss = [x for x in need if x not in o]
    if miss:
        errs.append("%s: keys missing: %s" % (k, miss))
    if k not in a:
        errs.append("status peer %s not in wg dump" % k); continue
    f1, f2 = a[k], b[k]
    ep = o.get("endpoint") or "(none)"
    if ep != f1[2]:
        errs.append("%s: endpoint %r != dump %r" % (k, ep, f1[2]))
    hs = epoch(o.get("last_handshake"))
    if not (int(f1[4]) <= hs <= int(f2[4])):
        errs.append("%s: last_handshake %r != dump %s" % (k, o.get("last_handshake"), f1[4]))
    for i, key in ((5, "rx_bytes"), (6, "tx_bytes")):
        v = o.get(key)
        if not isinstance(v, int) or not (int(f1[i]) <= v <= int(f2[i])):
            errs.append("%s: %s %r not within dump [%s, %s]" % (k, key, v, f1[i], f2[i]))
    ka = o.get("persistent_keepalive")
    if (ka in (None, 0, "off")) != (f1[7] == "off"):
        errs.append("%s: persistent_keepalive %r vs dump %s" % (k, ka, f1[7]))
    want = "never" if k == absent else "online" if k == far else None
    if want and o.get("state") != want:
        errs.append("%s: state %r, want %r" % (k, o.get("state"), want))
print("; ".join(errs) if errs else "%d peers agree" % len(mine))
sys.exit(1 if errs else 0)
PYEOF
); then ok "status --json agrees with wg show dump: $out"; else bad "status --json vs wg dump: $out"; fi

in_n timeout 10 "$WGM_BIN" status >"$T_DIR/status.txt" 2>&1
rc=$?
assert_eq "$rc" 0 "status (table) exit status"
check "status table names the interface" grep -q "$IF_N" "$T_DIR/status.txt"

wgm_stop m
assert_eq "$STOP_RC" 0 "exit status after SIGTERM"

# The JSON log format: every line one object with ts, level, event.
wgm_start j --interval 1 --threshold 60 --log-format json
wait_for_count '"peer_initial"' 2 5 "${WGM_ERR[j]}" || bad "json: fewer than 2 peer_initial"
wgm_stop j
if out=$("$PY" - "${WGM_ERR[j]}" "$FAR_PUB" <<'PYEOF'
import json, sys
n = 0
states = {}
for ln in open(sys.argv[1]):
    o = json.loads(ln)
    for k in ("ts", "level", "event"):
        if k not in o:
            raise SystemExit("line without %s: %s" % (k, ln))
    if o["event"] == "peer_initial":
        states[o.get("peer")] = o.get("state")
    n += 1
if states.get(sys.argv[2]) != "online":
    raise SystemExit("peer_initial state of far peer: %r" % states.get(sys.argv[2]))
print("%d JSON lines" % n)
PYEOF
); then ok "json log format: $out"; else bad "json log format: $out"; fi
assert_eq "$STOP_RC" 0 "json: exit status after SIGTERM"
t_done
