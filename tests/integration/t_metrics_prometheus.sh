#!/bin/bash
# SPDX-License-Identifier: MIT
# A real Prometheus server (the Debian package), started on loopback with a 1 s scrape
# interval and the bearer token, scrapes wg-monitor watching a wireguard-go tunnel. Through
# Prometheus's HTTP API: the target is up, wg_monitor_peer_up goes 1 -> 0 when the far side
# stops and back to 1 when it returns, and the names join (SPEC §10).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/prom.sh"
t_common
command -v prometheus >/dev/null || skip "prometheus not installed (Debian package prometheus)"
command -v curl >/dev/null || skip "curl not installed"

PORT=9586
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

prom_start "$T_DIR/prometheus.yml"

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
