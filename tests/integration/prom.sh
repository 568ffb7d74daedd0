# SPDX-License-Identifier: MIT
# A real Prometheus for the integration tests (sourced after lib.sh): started in the near
# namespace on loopback with a config the test wrote, and asked through its HTTP API.

PROM=127.0.0.1:9090

# prom_start CONFIG: Prometheus in NS_N with CONFIG and a fresh storage directory; dies
# unless it is ready within 30 s.
prom_start() {
	mkdir -p "$T_DIR/tsdb"
	# $! must be Prometheus itself: ip and sh exec it.
	ip netns exec "$NS_N" /bin/sh -c "$NS_VIEW_SH" "$VIEW_N" prometheus \
		--config.file="$1" --storage.tsdb.path="$T_DIR/tsdb" \
		--web.listen-address="$PROM" --log.level=warn \
		</dev/null >"$T_DIR/prometheus.stdout" 2>"$T_DIR/prometheus.stderr" &
	T_PIDS+=("$!")
	for _ in $(seq 60); do
		in_n curl -sf "http://$PROM/-/ready" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	die "Prometheus did not start"
}

# query PROMQL [LABEL]: the first result's value (or its LABEL, "" if it has none), or
# "none" when there is no result.
query() {
	in_n curl -sS --max-time 5 "http://$PROM/api/v1/query" --data-urlencode "query=$1" 2>/dev/null |
		"$PY" -c '
import json, sys
try:
    r = json.load(sys.stdin)["data"]["result"]
    print((r[0]["metric"].get(sys.argv[1], "") if sys.argv[1] else r[0]["value"][1]) if r else "none")
except Exception:
    print("none")' "${2:-}"
}
# wait_value PROMQL VALUE TIMEOUT [LABEL]: until query gives VALUE; false on timeout.
wait_value() {
	local end=$((SECONDS + $3))
	while [ "$SECONDS" -lt "$end" ]; do
		[ "$(query "$1" "${4:-}")" = "$2" ] && return 0
		sleep 0.5
	done
	return 1
}
