#!/bin/bash
# SPDX-License-Identifier: MIT
# Scale (issue 16): a wireguard-go interface of 30,000 peers, whose UAPI reply (about 10 MB)
# was past the 8 MiB a whole reply was once buffered in, is read completely by `status
# --json` (every key, rx and tx as `wg show <if> dump` says; through the uapi and the wg
# backends) and by the daemon (every peer_initial, no poll_error).
. "$(dirname "$0")/lib.sh"
t_common

PEERS=30000
wg_pair 0
send_far # one handshake and some bytes on a real peer, then quiet (no keepalive)
wait_handshake n "$FAR_PUB" 10 || die "no handshake with the far side"
# Random public keys (any 32 bytes are one), each with an endpoint and its own /32, all made
# in one python3 call and loaded by one `wg addconf`.
"$PY" -c '
import base64, os, sys
for i in range(int(sys.argv[1])):
    print("[Peer]\nPublicKey = %s\nAllowedIPs = 10.80.%d.%d/32\nEndpoint = 192.0.2.%d:%d\n"
          % (base64.b64encode(os.urandom(32)).decode(), i // 250, i % 250 + 1,
             i % 250 + 1, 1024 + i))
' "$PEERS" >"$T_DIR/peers.conf"
t0=$(now)
in_n wg addconf "$IF_N" "$T_DIR/peers.conf" || die "wg addconf"
log_note "$PEERS peers loaded in $(fsub "$(now)" "$t0") s"
TOTAL=$((PEERS + 2)) # and the far side and the absent peer of wg_pair

# compare JSON BEFORE AFTER: `status --json` against `wg show <if> dump` (peer lines) taken
# just before and after it: the same set of keys, and for each rx and tx between the two
# (the real peer's counters may move: a passive keepalive). Prints "keys=N moved=M same"
# or what differs.
COMPARE_PY='
import json, sys
def dump(path):
    d = {}
    for line in open(path).read().splitlines()[1:]:
        f = line.split("\t")
        d[f[0]] = (int(f[5]), int(f[6]))
    return d
rows = json.load(open(sys.argv[1]))
lo, hi = dump(sys.argv[2]), dump(sys.argv[3])
got = {r["public_key"]: (r["rx_bytes"], r["tx_bytes"]) for r in rows}
why = []
if len(rows) != len(got): why.append("%d rows for %d keys" % (len(rows), len(got)))
if set(got) != set(lo) or set(lo) != set(hi):
    why.append("%d keys only in status, %d only in wg" %
               (len(set(got) - set(lo)), len(set(lo) - set(got))))
bad = [k for k in got.keys() & lo.keys() & hi.keys()
       if not all(lo[k][i] <= got[k][i] <= hi[k][i] for i in (0, 1))]
if bad: why.append("%d peers with other rx/tx" % len(bad))
moved = sum(1 for k in got if got[k] != (0, 0))
print("keys=%d moved=%d %s" % (len(got), moved, "differ: " + "; ".join(why) if why else "same"))
'
# read_status NAME ARGS...: dumps around `status --json ARGS` into $T_DIR/NAME.*; its exit
# status and stderr as "rc:stderr", its comparison in COMPARED.
read_status() {
	local n=$1; shift
	in_n wg show "$IF_N" dump >"$T_DIR/$n.before" || die "wg show dump"
	in_n "$WGM_BIN" status --json "$@" >"$T_DIR/$n.json" 2>"$T_DIR/$n.err"
	STATUS="$?:$(cat "$T_DIR/$n.err")"
	in_n wg show "$IF_N" dump >"$T_DIR/$n.after" || die "wg show dump"
	COMPARED=$("$PY" -c "$COMPARE_PY" "$T_DIR/$n.json" "$T_DIR/$n.before" "$T_DIR/$n.after" 2>&1)
}
t0=$(now)
read_status uapi
log_note "status --json took $(fsub "$(now)" "$t0") s (with two wg show dump)"
assert_eq "$STATUS" "0:" "status --json exits 0, silent"
assert_eq "$COMPARED" "keys=$TOTAL moved=1 same" "status --json matches wg show dump"
# The same through the `wg` backend, whose output (about 5 MB here) is streamed too.
read_status wg --backend wg
assert_eq "$STATUS" "0:" "status --json --backend wg exits 0, silent"
assert_eq "$COMPARED" "keys=$TOTAL moved=1 same" "status --json --backend wg matches wg show dump"

wgm_start m --interval 30 --poll-timeout 20 --threshold 180 --interface "$IF_N"
if wait_for_count 'event=peer_initial' "$TOTAL" 30; then
	ok "the daemon reported all $TOTAL peers (peer_initial)"
else
	bad "the daemon reported $(count_re 'event=peer_initial' "${WGM_ERR[m]}") of $TOTAL peers"
fi
expect_log "the far peer's initial state is online" \
	"$(peer_re peer_initial "$FAR_PUB").* state=online" 1
assert_eq "$(count_re 'event=poll_error' "${WGM_ERR[m]}")" 0 "no poll_error"
grep -m1 'event=poll_error' "${WGM_ERR[m]}" | cut -c1-300 | sed 's/^/  | /'
wgm_stop m
assert_eq "$STOP_RC" 0 "daemon exits 0"
t_done
