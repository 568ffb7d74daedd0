#!/bin/bash
# SPDX-License-Identifier: MIT
# Fault injection on the WireGuard side (issue 19, item 3): beside a real wireguard-go pair,
# fake UAPI sockets (a python3 server in the near side's private /run/wireguard) that trickle
# a valid reply byte by byte, die mid-reply every other poll, reset mid-reply, or send
# garbage; a third real interface deleted and re-created during the polls; a fourth whose
# wireguard-go is killed with SIGKILL (its socket left behind). The daemon never
# crashes or hangs, each fault is a poll_error of its own interface only, and no transition
# is lost: the far peer's peer_offline and peer_online are each logged exactly once.
. "$(dirname "$0")/lib.sh"
t_common
INT=2 # the poll budget is the smaller of the interval and 10 s: 2 s
THR=4

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"

hexkey() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
b64_of_hex() { "$PY" -c 'import base64, sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())' "$1"; }
K_TRICKLE=$(hexkey) K_FLAKY=$(hexkey)
# name mode peer-key-hex (garbage and reset need no key)
IF_T=wgq${T_ID}t IF_FL=wgq${T_ID}k IF_G=wgq${T_ID}g IF_R=wgq${T_ID}r
# shellcheck disable=SC2016
FAKE_PY='
import os, select, socket, struct, sys, threading, time
def reply(key):
    r = "private_key=%s\nlisten_port=51999\nfwmark=0\n" % ("11" * 32)
    if key:
        r += ("public_key=%s\nendpoint=10.1.2.3:51820\nlast_handshake_time_sec=0\n"
              "last_handshake_time_nsec=0\nrx_bytes=0\ntx_bytes=0\n"
              "persistent_keepalive_interval=0\nallowed_ip=10.9.9.9/32\nprotocol_version=1\n" % key)
    return (r + "errno=0\n\n").encode()
socks = {}
for spec in sys.argv[1:]:
    path, mode, key = spec.split(",")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(16)
    socks[s] = [mode, key, 0]
def serve(c, st, n):
    c.settimeout(5)
    try:
        req = b""
        while not req.endswith(b"\n\n"):
            b = c.recv(64)
            if not b:
                break
            req += b
        r = reply(st[1])
        if st[0] == "trickle":      # a valid reply, one byte per send, a pause every 16
            for i in range(len(r)):
                c.send(r[i:i + 1])
                if i % 16 == 0:
                    time.sleep(0.002)
        elif st[0] == "flaky":      # whole on odd connections, cut mid-line on even ones
            c.sendall(r if n % 2 else r[:len(r) // 2])
        elif st[0] == "reset":      # part of a reply, then RST
            c.sendall(r[:len(r) // 2])
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:                       # garbage: random bytes, NULs, a 100 KiB line
            c.sendall(os.urandom(4096) + b"\0\n=\n" + b"x" * 100000 + b"\n\n")
    except OSError:
        pass
    c.close()
while True:
    for s in select.select(list(socks), [], [])[0]:
        c = s.accept()[0]
        st = socks[s]
        st[2] += 1
        # one thread per connection: no socket waits behind another one
        threading.Thread(target=serve, args=(c, st, st[2]), daemon=True).start()
'
FAKES=("$VIEW_N/$IF_T.sock,trickle,$K_TRICKLE" "$VIEW_N/$IF_FL.sock,flaky,$K_FLAKY"
	"$VIEW_N/$IF_G.sock,garbage,-" "$VIEW_N/$IF_R.sock,reset,-")
FAKES=("${FAKES[@]/%,-/,}")
"$PY" -c "$FAKE_PY" "${FAKES[@]}" >"$T_DIR/fake.out" 2>&1 &
T_PIDS+=("$!")
for i in $(seq 50); do [ -S "$VIEW_N/$IF_R.sock" ] && break; sleep 0.1; done
[ -S "$VIEW_N/$IF_R.sock" ] || die "the fake sockets were not created"
P_TRICKLE=$(b64_of_hex "$K_TRICKLE") P_FLAKY=$(b64_of_hex "$K_FLAKY")

wgm_start m --backend uapi --interval $INT --threshold $THR --debug
M=${WGM_ERR[m]} L=${WGM_LOG[m]}
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 10 "$M" || die "no peer_initial for the far peer"
# Three polls (3 x INT + budget): the flaky socket has failed at least once by then.
wait_for_count ' DEBUG event=poll ' 3 $((4 * INT + 5)) "$M" || bad "fewer than 3 polls"

# A third real interface deleted and re-created. The first cycle waits for the daemon to see
# it come and go (one interval + one budget each, doubled for the load), so the alternation
# check below always has lines; the other five ignore the poll schedule and run while the far
# side goes down and comes back: some polls meet the interface half made or half gone.
IF_C="wgt${T_ID}c"
wg_create "$NS_N" "$VIEW_N" "$IF_C" 10.78.7.1
wait_for_log "event=interface_added .*interface=$IF_C( |$)" $((2 * 2 * INT)) "$M" ||
	bad "churn: no interface_added for $IF_C"
wg_delete "$NS_N" "$VIEW_N" "$IF_C"
wait_for_log "event=interface_removed .*interface=$IF_C( |$)" $((2 * 2 * INT)) "$M" ||
	bad "churn: no interface_removed for $IF_C"
# (its wireguard-go pids in churn.pids, killed by the EXIT trap after the churn stops)
: >"$T_DIR/churn.pids"
wg_churn "$IF_C" 10.78.7.1 "$T_DIR/churn.pids" 5 >"$T_DIR/churn.out" 2>&1 &
CHURN=$!
T_PIDS+=("$CHURN")
trap 'wg_churn_reap "$CHURN" "$T_DIR/churn.pids"; t_cleanup' EXIT

far_down
# Offline is judged at the end of a poll: threshold + 2 x interval + one budget (SPEC §13),
# doubled for the load of parallel runs.
expect_log "far side down: peer_offline" "$(peer_re peer_offline "$FAR_PUB")" $((2 * (THR + 3 * INT))) "$M"
far_up
# The far side's keepalive (1 s) makes a handshake at once; the next poll sees it.
expect_log "far side up: peer_online" "$(peer_re peer_online "$FAR_PUB")" $((2 * (3 * INT + 1))) "$M"
wait "$CHURN" || bad "churn failed: $(tail -n 3 "$T_DIR/churn.out" | tr '\n' ' ')"
# wireguard-go killed outright (SIGKILL) at no particular moment: its socket stays behind,
# refusing connections; the interface is gone, not an error. Seen by the next poll: one
# interval + one budget, doubled for the load.
IF_K="wgt${T_ID}x"
wg_create "$NS_N" "$VIEW_N" "$IF_K" 10.78.6.1
wait_for_log "event=interface_added .*interface=$IF_K( |$)" $((2 * 2 * INT)) "$M" ||
	bad "killed: no interface_added for $IF_K"
kill -KILL "${WG_GO_PID[$IF_K]}"
wait "${WG_GO_PID[$IF_K]}" 2>/dev/null
unset "WG_GO_PID[$IF_K]"
check "killed: its socket is left behind" test -S "$VIEW_N/$IF_K.sock"
expect_log "killed: interface_removed" "event=interface_removed .*interface=$IF_K( |$)" $((2 * 2 * INT)) "$M"
sync_to_poll m || bad "no poll after the churn"
sync_to_poll m || bad "no second poll after the churn"
check "daemon alive after every fault" wgm_alive m
wgm_stop m
assert_eq "$STOP_RC" 0 "exit status after SIGTERM (no crash, no sanitizer report)"

# No transition lost, none twice: every line goes to stderr and the (healthy) file.
for f in "$M" "$L"; do
	w=$(basename "$f")
	assert_eq "$(count_re "$(peer_re peer_offline "$FAR_PUB")" "$f")" 1 "$w: the far peer's peer_offline once"
	assert_eq "$(count_re "$(peer_re peer_online "$FAR_PUB")" "$f")" 1 "$w: the far peer's peer_online once"
done
check "the file holds exactly the stderr lines" cmp -s "$L" "$M"
# The trickled reply (about 430 bytes in 27 spurts 2 ms apart: far inside the 2 s budget
# even when sleeps stretch tenfold under load) is read whole: its peer is seen, and it is never an error.
assert_eq "$(count_re "$(peer_re peer_initial "$P_TRICKLE")" "$M")" 1 "trickle: its peer seen once"
assert_eq "$(count_re "event=poll_error interface=$IF_T " "$M")" 0 "trickle: no poll_error"
# A reply cut every other poll is a poll_error, and its peer is neither lost nor re-announced.
check "flaky: a poll_error for the cut reply" grep -qE "event=poll_error interface=$IF_FL " "$M"
assert_eq "$(count_re "$(peer_re peer_initial "$P_FLAKY")" "$M")" 1 "flaky: its peer announced once"
assert_eq "$(count_re "event=(peer_removed|peer_offline|peer_added) .*peer=$(printf '%s' "$P_FLAKY" | sed 's/+/[+]/g')" "$M")" 0 \
	"flaky: no false event for its peer"
assert_eq "$(count_re "event=interface_(removed|added) .*interface=$IF_FL( |$)" "$M")" 0 \
	"flaky: the interface is not taken as gone and back"
for i in "$IF_G" "$IF_R"; do
	check "$i: a poll_error" grep -qE "event=poll_error interface=$i " "$M"
done
for i in "$IF_N" "$IF_K"; do
	assert_eq "$(count_re "event=poll_error interface=$i " "$M")" 0 "no poll_error for the real $i"
done
# The churned interface: its added and removed lines alternate, starting with added.
seq_c=$(grep -oE "event=interface_(added|removed) .*interface=$IF_C( |$)" "$M" |
	sed 's/event=interface_\([a-z]*\).*/\1/' | tr '\n' ' ')
check "churn: interface_added/removed for $IF_C alternate ($seq_c)" \
	"$PY" -c 'import sys; s = sys.argv[1].split(); sys.exit(not s or any(a == b for a, b in zip(s, s[1:])) or s[0] != "added")' "$seq_c"
check "no sanitizer report" test "$(count_re 'AddressSanitizer|runtime error|LeakSanitizer' "$M")" = 0
t_done
