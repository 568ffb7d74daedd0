#!/bin/bash
# SPDX-License-Identifier: MIT
# /metrics and the listener (SPEC §10) on a real tunnel: promtool accepts the output, the
# values match the tunnel, both listeners answer, bad requests get their status, a missing
# or wrong token 401 (and SIGHUP rotates it); then 300 slow clients sending a byte a second
# while polls keep their 1 s cadence (from the daemon's own log), fresh scrapes answered
# within a second, the daemon's fds and memory bounded during the storm and back to where
# they were afterwards; clients that disconnect in the middle of a 1.7 MiB page.
. "$(dirname "$0")/lib.sh"
t_common
command -v promtool >/dev/null || skip "promtool not installed (Debian package prometheus)"
command -v curl >/dev/null || skip "curl not installed"

PORT=9586
TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
printf '%s\n' "$TOKEN" >"$T_DIR/token"
chmod 600 "$T_DIR/token"

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
# The storm below bounds the daemon's memory growth. Under ASan (make integration-asan) the
# allocator's quarantine keeps every freed connection buffer resident, about 4 KiB per
# connection accepted, which measures ASan, not the daemon: off for this run only.
WGM_WRAP=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0")
wgm_start m --interval 1 --debug --threshold 60 --state-file "" \
	--metrics-listen "127.0.0.1:$PORT,[::1]:$PORT" --metrics-token-file "$T_DIR/token"
wait_for_count 'event=poll ' 2 10 || die "the daemon does not poll"
PID=${WGM_PID[m]}

# scrape URL [CURL ARGS...]: the body on stdout; the status in $T_DIR/code.
scrape() {
	local url=$1; shift
	in_n curl -sS -o - -w '%{stderr}%{http_code}' --max-time 5 "$@" "$url" 2>"$T_DIR/code"
}
AUTH=(-H "Authorization: Bearer $TOKEN")
M="http://127.0.0.1:$PORT/metrics"

# ------------------------------------------------------------------ the exposition
scrape "$M" "${AUTH[@]}" >"$T_DIR/metrics.txt"
assert_eq "$(cat "$T_DIR/code")" 200 "GET /metrics with the token"
if promtool check metrics <"$T_DIR/metrics.txt" >"$T_DIR/promtool.out" 2>&1; then
	ok "promtool check metrics accepts the output"
else
	bad "promtool check metrics: $(head -5 "$T_DIR/promtool.out")"
fi
grep_line() { grep -cF -- "$1" "$T_DIR/metrics.txt"; }
assert_eq "$(grep_line "wg_monitor_peer_up{device=\"$IF_N\",public_key=\"$FAR_PUB\"} 1")" 1 \
	"the connected peer is up"
assert_eq "$(grep_line "wg_monitor_peer_up{device=\"$IF_N\",public_key=\"$ABSENT_PUB\"} 0")" 1 \
	"the absent peer is not"
assert_eq "$(grep_line "wireguard_peer_info{device=\"$IF_N\",public_key=\"$FAR_PUB\",endpoint=\"$FAR_IP:$PORT_F\",name=\"\"} 1")" 1 \
	"wireguard_peer_info carries the endpoint"
hs=$(hs_of n "$FAR_PUB")
got=$(grep -F "wireguard_latest_handshake_seconds{interface=\"$IF_N\",public_key=\"$FAR_PUB\",allowed_ips=\"$FAR_TUN/32\"} " \
	"$T_DIR/metrics.txt" | awk '{print $NF}')
assert_range "${got:-x}" $((hs - 2)) $((hs + 2)) "MindFlavor's handshake is the Unix time of wg's"
assert_eq "$(grep_line "wireguard_latest_handshake_seconds{interface=\"$IF_N\",public_key=\"$ABSENT_PUB\",allowed_ips=\"10.78.0.99/32\"} 0")" 1 \
	"never: handshake 0"
assert_eq "$(grep -c "^wg_monitor_last_poll_timestamp_seconds " "$T_DIR/metrics.txt")" 1 \
	"the last poll's timestamp is served"

scrape "http://[::1]:$PORT/metrics" "${AUTH[@]}" >/dev/null
assert_eq "$(cat "$T_DIR/code")" 200 "the [::1] listener answers too"
scrape "http://127.0.0.1:$PORT/" "${AUTH[@]}" >"$T_DIR/page.html"
assert_eq "$(cat "$T_DIR/code")" 200 "GET / (the status page)"
check "the page lists the peers and has no script" \
	sh -c "grep -qF '$IF_N' '$T_DIR/page.html' && ! grep -qi '<script' '$T_DIR/page.html'"

# ------------------------------------------------------------------ statuses
scrape "$M" >/dev/null
assert_eq "$(cat "$T_DIR/code")" 401 "no token: 401"
in_n curl -sS -o /dev/null -D "$T_DIR/h401" "$M" 2>/dev/null
check "401 names the Bearer scheme" grep -qi '^WWW-Authenticate: Bearer' "$T_DIR/h401"
scrape "$M" -H "Authorization: Bearer ${TOKEN}x" >/dev/null
assert_eq "$(cat "$T_DIR/code")" 401 "a wrong token: 401"
scrape "$M" -X POST "${AUTH[@]}" >/dev/null
assert_eq "$(cat "$T_DIR/code")" 405 "POST: 405"
scrape "http://127.0.0.1:$PORT/nope" "${AUTH[@]}" >/dev/null
assert_eq "$(cat "$T_DIR/code")" 404 "an unknown path: 404"
scrape "$M?$(head -c 5000 /dev/zero | tr '\0' a)" "${AUTH[@]}" >/dev/null
assert_eq "$(cat "$T_DIR/code")" 414 "a 5,000-byte target: 414"
scrape "$M" "${AUTH[@]}" -H "X-Big: $(head -c 5000 /dev/zero | tr '\0' b)" >/dev/null
assert_eq "$(cat "$T_DIR/code")" 431 "a 5,000-byte header: 431"

# raw REQUEST: the status line of the answer to bytes sent as they are.
raw() {
	in_n "$PY" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
s.shutdown(socket.SHUT_WR)
print(s.makefile("rb").readline().decode().strip())' "$PORT" "$1"
}
assert_eq "$(raw 'garbage\r\n\r\n')" "HTTP/1.1 400 Bad Request" "garbage: 400"
assert_eq "$(raw 'GET /metrics HTTP/1.1\r\n\r\n')" "HTTP/1.1 400 Bad Request" "HTTP/1.1 without Host: 400"
assert_eq "$(raw 'GET /metrics HTTP/3.0\r\nHost: x\r\n\r\n')" "HTTP/1.1 505 HTTP Version Not Supported" "HTTP/3.0: 505"
assert_eq "$(raw 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc')" "HTTP/1.1 413 Content Too Large" "a body: 413"
assert_eq "$(raw "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer $TOKEN\r\n\r\n")" "HTTP/1.1 200 OK" \
	"a half-closed client still gets its answer"

# SIGHUP re-reads the token; the old one stops working, the new one works.
NEW=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
printf '%s\n' "$NEW" >"$T_DIR/token"
kill -HUP "$PID"
sleep 0.5
scrape "$M" "${AUTH[@]}" >/dev/null
assert_eq "$(cat "$T_DIR/code")" 401 "after SIGHUP the old token is refused"
AUTH=(-H "Authorization: Bearer $NEW")
scrape "$M" "${AUTH[@]}" >/dev/null
assert_eq "$(cat "$T_DIR/code")" 200 "after SIGHUP the new token works"
: >"$T_DIR/token"   # an empty file: no token; the one in force stays
kill -HUP "$PID"
expect_log "a bad token file at SIGHUP is reported" 'WARNING event=metrics_token_error ' 5
scrape "$M" "${AUTH[@]}" >/dev/null
assert_eq "$(cat "$T_DIR/code")" 200 "and the token in force stays"
check "the token is never logged" sh -c "! grep -qF -e '$TOKEN' -e '$NEW' '${WGM_ERR[m]}'"

# ------------------------------------------------------------------ slow clients
fds() { ls "/proc/$PID/fd" | wc -l; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
FD0=$(fds)
RSS0=$(rss)
polls0=$(count_re 'event=poll ' "${WGM_ERR[m]}")
# 300 clients, each sending one byte of a request a second; one dropped reconnects at once.
in_n "$PY" - "$PORT" 300 12 >"$T_DIR/slow.out" 2>&1 <<'PYEOF' &
import socket, sys, time
port, n, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
req = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
def conn():
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    return [s, 0]
cs = [conn() for _ in range(n)]
end = time.time() + secs
drops = 0
while time.time() < end:
    for c in cs:
        try:
            c[0].send(req[c[1] % len(req):c[1] % len(req) + 1])
            c[1] += 1
        except OSError:
            drops += 1
            c[0].close()
            c[:] = conn()
    time.sleep(1)
for c in cs:
    c[0].close()
print("drops", drops)
PYEOF
SLOW=$!
T_PIDS+=("$SLOW")
# The daemon's fds and VmRSS every 0.1 s while the storm lasts.
(while kill -0 "$SLOW" 2>/dev/null; do echo "$(fds) $(rss)"; sleep 0.1; done) >"$T_DIR/samples" &
SAMPLER=$!
T_PIDS+=("$SAMPLER")
sleep 2
worst=0
codes=""
for i in 1 2 3 4 5 6; do
	r=$(in_n curl -sS -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 "${AUTH[@]}" "$M" 2>/dev/null)
	codes="$codes${r%% *} "
	worst=$(awk -v a="$worst" -v b="${r#* }" 'BEGIN{print (b + 0 > a) ? b + 0 : a}')
	sleep 1
done
assert_eq "$codes" "200 200 200 200 200 200 " "fresh scrapes during the storm"
assert_range "$worst" 0 1 "answered within a second (worst, s)"
wait "$SLOW"
wait "$SAMPLER"
fd_max=$(awk '$1 > m {m = $1} END {print m + 0}' "$T_DIR/samples")
rss_max=$(awk '$2 > m {m = $2} END {print m + 0}' "$T_DIR/samples")
log_note "$(wc -l <"$T_DIR/samples") samples of the daemon's fds and VmRSS during the storm"
# At most 16 connections (HTTP_MAX_CONNS) beside the fds of before; one more for a
# newcomer over the cap between its accept and its close.
assert_range "$fd_max" "$FD0" $((FD0 + 17)) "the daemon's fds during the storm (most seen)"
# Each connection has a 4 KiB request buffer in the daemon's table and, only while it
# answers, one 32 KiB output buffer: 16 x 32 KiB = 512 KiB, with 1.5 MiB for the heap's
# slack.
assert_range "$((rss_max - RSS0))" -100000 2048 "memory growth during the storm (most seen, KiB)"
log_note "slow clients: $(cat "$T_DIR/slow.out")"
# Poll cadence through the storm: the gaps between consecutive poll lines.
gap=$(grep 'event=poll ' "${WGM_ERR[m]}" | tail -n +"$polls0" | while read -r l; do ts_epoch "$l"; done |
	awk 'NR > 1 && $1 - p > g {g = $1 - p} {p = $1} END {printf "%.3f\n", g}')
polls=$(( $(count_re 'event=poll ' "${WGM_ERR[m]}") - polls0 ))
assert_range "$gap" 0 1.5 "the longest gap between polls during the storm (s)"
assert_range "$polls" 10 30 "polls during the storm and after"
# Every connection ends by its deadline (5 s to send a head, 1 s linger): fds come back.
for i in $(seq 40); do [ "$(fds)" -le "$FD0" ] && break; sleep 0.25; done
assert_eq "$(fds)" "$FD0" "the daemon's fds after the storm"
assert_range "$(( $(rss) - RSS0 ))" -100000 2048 "memory growth through the storm (KiB)"
check "the daemon is still running" wgm_alive m

# 1,000 connections at once (held open, silent) while a fresh scrape is made.
in_n "$PY" - "$PORT" 1000 >"$T_DIR/flood.out" 2>&1 <<'PYEOF' &
import resource, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
port, n = int(sys.argv[1]), int(sys.argv[2])
cs = []
for _ in range(n):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    cs.append(s)
time.sleep(4)
print("opened", len(cs))
PYEOF
FLOOD=$!
T_PIDS+=("$FLOOD")
sleep 1.5
r=$(in_n curl -sS -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 "${AUTH[@]}" "$M" 2>/dev/null)
assert_eq "${r%% *}" 200 "a scrape during a flood of 1,000 connections"
assert_range "${r#* }" 0 1 "answered within a second (s)"
wait "$FLOOD"
for i in $(seq 40); do [ "$(fds)" -le "$FD0" ] && break; sleep 0.25; done
assert_eq "$(fds)" "$FD0" "the daemon's fds after the flood"

# 1,000 more peers: the exposition still passes promtool, one series per peer and family.
"$PY" -c '
import base64, os, sys
for i in range(1000):
    print("[Peer]\nPublicKey = %s\nAllowedIPs = 10.79.%d.%d/32\n"
          % (base64.b64encode(os.urandom(32)).decode(), i // 250, i % 250 + 1))
' >"$T_DIR/peers.conf"
in_n wg addconf "$IF_N" "$T_DIR/peers.conf" || die "wg addconf"
wait_for_count 'event=peer_initial' 1002 10 || bad "the 1,000 peers were not polled"
scrape "$M" "${AUTH[@]}" >"$T_DIR/metrics1000.txt"
if promtool check metrics <"$T_DIR/metrics1000.txt" >"$T_DIR/promtool1000.out" 2>&1; then
	ok "promtool check metrics accepts the output for 1,002 peers"
else
	bad "promtool check metrics (1,002 peers): $(head -5 "$T_DIR/promtool1000.out")"
fi
assert_eq "$(grep -c '^wg_monitor_peer_up{' "$T_DIR/metrics1000.txt")" 1002 "one peer_up series per peer"
assert_eq "$(grep -c '^wg_monitor_peer_state{' "$T_DIR/metrics1000.txt")" 3006 "three state series per peer"

# Clients that read 64 KiB of the 1.7 MiB page and go, closing or resetting: the daemon
# keeps polling, their fds are released, and the next scrape is whole.
polls1=$(count_re 'event=poll ' "${WGM_ERR[m]}")
# (every other one resets: fin then rst, each after 64 KiB through a 4 KiB receive buffer)
in_n "$PY" "$T_LIB_DIR/metrics_client.py" abort "$PORT" 20 --token "$NEW" --timeout 5 \
	--rcvbuf 4096 --plan fin@65536,rst@65536 >"$T_DIR/cut.out" 2>&1
log_note "cut short: $(cat "$T_DIR/cut.out")"
check "the clients read 64 KiB of each answer" awk '$1 == "read" && $2 >= 65536 {f = 1} END {exit !f}' "$T_DIR/cut.out"
check "the daemon is still running after answers cut short" wgm_alive m
wait_for_count 'event=poll ' $((polls1 + 3)) 10 || bad "no polls after answers cut short"
for i in $(seq 40); do [ "$(fds)" -le "$FD0" ] && break; sleep 0.25; done
assert_eq "$(fds)" "$FD0" "the daemon's fds after answers cut short"
scrape "$M" "${AUTH[@]}" >"$T_DIR/metrics_after.txt"
assert_eq "$(grep -c '^wg_monitor_peer_up{' "$T_DIR/metrics_after.txt")" 1002 "then a whole scrape"

# A port in use stops the start: exit 2 with the address named.
in_n "$WGM_BIN" run --metrics-listen "127.0.0.1:$PORT" --log-path "" --state-file "" \
	>/dev/null 2>"$T_DIR/busy.err"
assert_eq "$?" 2 "a port in use: exit 2"
check "the message names the address" grep -q "cannot listen on 127.0.0.1:$PORT" "$T_DIR/busy.err"

wgm_stop m
assert_eq "$STOP_RC" 0 "SIGTERM: exit 0"
t_dump_on_fail
t_done
