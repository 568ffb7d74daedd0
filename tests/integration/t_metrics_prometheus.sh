#!/bin/bash
# SPDX-License-Identifier: MIT
# A real Prometheus server (the Debian package), started on loopback with a 1 s scrape
# interval and the bearer token, scrapes wg-monitor watching a wireguard-go tunnel. Through
# Prometheus's HTTP API: the target is up, wg_monitor_peer_up goes 1 -> 0 when the far side
# stops and back to 1 when it returns, and the names join (SPEC §10).
. "$(dirname "$0")/lib.sh"
t_common
command -v prometheus >/dev/null || skip "prometheus not installed (Debian package prometheus)"
command -v curl >/dev/null || skip "curl not installed"

PORT=9586
PROM=127.0.0.1:9090
head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$T_DIR/token"
chmod 600 "$T_DIR/token"
cat >"$T_DIR/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: wg-monitor
    authorization:
      credentials_file: $T_DIR/token
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
wgm_start m --interval 1 --liveness activity --threshold 3 --state-file "" \
	--metrics-listen "127.0.0.1:$PORT" --metrics-token-file "$T_DIR/token"
wait_for_log 'event=peer_initial' 10 || die "the daemon does not poll"

mkdir -p "$T_DIR/tsdb"
# $! must be Prometheus itself: ip and sh exec it.
ip netns exec "$NS_N" /bin/sh -c "$NS_VIEW_SH" "$VIEW_N" prometheus \
	--config.file="$T_DIR/prometheus.yml" --storage.tsdb.path="$T_DIR/tsdb" \
	--web.listen-address="$PROM" --log.level=warn \
	</dev/null >"$T_DIR/prometheus.stdout" 2>"$T_DIR/prometheus.stderr" &
T_PIDS+=("$!")
for i in $(seq 60); do
	in_n curl -sf "http://$PROM/-/ready" >/dev/null 2>&1 && break
	sleep 0.5
done
in_n curl -sf "http://$PROM/-/ready" >/dev/null 2>&1 || die "Prometheus did not start"

# query PROMQL: the first result's value, or "none".
query() {
	in_n curl -sS --max-time 5 "http://$PROM/api/v1/query" --data-urlencode "query=$1" 2>/dev/null |
		"$PY" -c '
import json, sys
try:
    r = json.load(sys.stdin)["data"]["result"]
    print(r[0]["value"][1] if r else "none")
except Exception:
    print("none")'
}
# wait_value PROMQL VALUE TIMEOUT: until the query gives VALUE; false on timeout.
wait_value() {
	local end=$((SECONDS + $3))
	while [ "$SECONDS" -lt "$end" ]; do
		[ "$(query "$1")" = "$2" ] && return 0
		sleep 0.5
	done
	return 1
}
UP="wg_monitor_peer_up{public_key=\"$FAR_PUB\"}"

check "Prometheus scrapes wg-monitor with the token (up == 1)" \
	wait_value 'up{job="wg-monitor"}' 1 15
check "wg_monitor_peer_up is 1 while the far side runs" wait_value "$UP" 1 10
t0=$(now)
far_down
check "wg_monitor_peer_up goes to 0 when the far side stops" wait_value "$UP" 0 25
log_note "peer_up 0 seen in Prometheus $(fsub "$(now)" "$t0") s after the far side stopped"
far_up
check "wg_monitor_peer_up is back to 1 when it returns" wait_value "$UP" 1 25
assert_eq "$(query "count(wg_monitor_peer_up * on(device, public_key) group_left(endpoint) wg_monitor_peer_info{public_key=\"$FAR_PUB\"})")" 1 \
	"the endpoint joins in from wg_monitor_peer_info"
assert_eq "$(query "wireguard_peer_last_handshake_seconds{public_key=\"$FAR_PUB\"} > 0")" \
	"$(query "wireguard_peer_last_handshake_seconds{public_key=\"$FAR_PUB\"}")" \
	"the mdlayher handshake is a timestamp"
assert_eq "$(query 'scrape_samples_scraped{job="wg-monitor"} > 0' | grep -c '^[0-9]')" 1 \
	"samples are scraped"

wgm_stop m
assert_eq "$STOP_RC" 0 "SIGTERM: exit 0"
t_dump_on_fail
t_done
