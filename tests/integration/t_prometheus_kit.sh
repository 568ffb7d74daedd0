#!/bin/bash
# SPDX-License-Identifier: MIT
# The fleet kit in contrib/prometheus (issue 17): promtool checks and unit-tests the alerting
# rules (and a copy whose for: are gone must fail those tests); a real Prometheus runs the
# shipped scrape job and rules against wg-monitor watching a wireguard-go tunnel; every query
# of the shipped Grafana dashboard (and of its variables) evaluates without error and with
# data; every rule evaluates cleanly; WgMonitorPeerDown fires, by name, for a stopped far
# side (the test's copy of the rules has for: 1s, to fit in the test) and clears when it returns.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/prom.sh"
t_common
command -v prometheus >/dev/null || skip "prometheus not installed (Debian package prometheus)"
command -v promtool >/dev/null || skip "promtool not installed (Debian package prometheus)"
command -v curl >/dev/null || skip "curl not installed"
"$PY" -c 'import yaml' 2>/dev/null || skip "python3 yaml not installed (Debian package python3-yaml)"

KIT=$T_ROOT/contrib/prometheus
PORT=9586

# ---------------------------------------------------------------- the rules, offline
# quietly NAME CMD...: CMD with its output in $T_DIR/NAME.stderr (shown if the test fails).
quietly() { local out=$T_DIR/$1.stderr; shift; "$@" >"$out" 2>&1; }
check "promtool check rules: the shipped rules" \
	quietly check-rules promtool check rules "$KIT/wg-monitor.rules.yml"
check "promtool test rules: each alert fires and stays quiet as its unit test says" \
	quietly test-rules promtool test rules "$KIT/wg-monitor.rules.test.yml"
# The unit tests can fail: without their for: durations the alerts that have one fire too early.
mkdir -p "$T_DIR/nofor"
cp "$KIT/wg-monitor.rules.test.yml" "$T_DIR/nofor/"
sed '/^ *for:/d' "$KIT/wg-monitor.rules.yml" >"$T_DIR/nofor/wg-monitor.rules.yml"
if promtool test rules "$T_DIR/nofor/wg-monitor.rules.test.yml" >"$T_DIR/nofor.out" 2>&1; then
	bad "the unit tests pass rules without their for: durations"
else
	ok "the unit tests fail rules without their for: durations"
fi

# ---------------------------------------------------------------- a real Prometheus
# The shipped scrape job as it is (token from credentials_file, relabelled instance), with
# this test's target, token and a copy of the rules whose for: are 1 s.
head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$T_DIR/token"
chmod 600 "$T_DIR/token"
sed 's/^\( *for:\) .*/\1 1s/' "$KIT/wg-monitor.rules.yml" >"$T_DIR/rules.yml"
"$PY" - "$KIT/prometheus.yml" "$T_DIR" "127.0.0.1:$PORT" >"$T_DIR/prometheus.yml" <<'EOF' ||
import sys, yaml
src, tdir, target = sys.argv[1:]
cfg = yaml.safe_load(open(src))
job, = [j for j in cfg["scrape_configs"] if j["job_name"] == "wg-monitor"]
job.update(scrape_interval="1s", scrape_timeout="1s", static_configs=[{"targets": [target]}])
job["authorization"]["credentials_file"] = tdir + "/token"
cfg["rule_files"] = [tdir + "/rules.yml"]
cfg["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
print(yaml.safe_dump(cfg))
EOF
	die "the shipped prometheus.yml has no wg-monitor job with authorization"
check "promtool check config: the shipped scrape job" \
	quietly check-config promtool check config "$T_DIR/prometheus.yml"

wg_pair 1
printf '%s far side\n' "$FAR_PUB" >"$T_DIR/names"
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
wgm_start m --interval 1 --liveness activity --threshold 3 --state-file "" \
	--names "$T_DIR/names" --metrics-listen "127.0.0.1:$PORT" --metrics-token-file "$T_DIR/token"
wait_for_log 'event=peer_initial' 10 || die "the daemon does not poll"

prom_start "$T_DIR/prometheus.yml"

check "Prometheus scrapes wg-monitor with the shipped job and the token (up == 1)" \
	wait_value 'up{job="wg-monitor"}' 1 15
assert_eq "$(query 'up{job="wg-monitor"}' instance)" 127.0.0.1 "the shipped relabelling drops the port"

# Every rule loaded and evaluated without error (a join that matches many-to-many would
# show here, as a rule health of "err").
rules_health() {
	in_n curl -sS --max-time 5 "http://$PROM/api/v1/rules" 2>/dev/null | "$PY" -c '
import json, sys
rs = [r for g in json.load(sys.stdin)["data"]["groups"] for r in g["rules"]]
done = all(not r["lastEvaluation"].startswith("0001") for r in rs)
print(len(rs), " ".join(sorted({r["health"] for r in rs})) if done else "not yet evaluated")'
}
# wait_health TIMEOUT: until every rule has been evaluated, cleanly.
wait_health() {
	local end=$((SECONDS + $1))
	while [ "$SECONDS" -lt "$end" ]; do
		[ "$(rules_health)" = "7 ok" ] && return 0
		sleep 0.5
	done
	return 1
}
check "the 7 rules evaluate without error" wait_health 5

PD="ALERTS{alertname=\"WgMonitorPeerDown\",alertstate=\"firing\",public_key=\"$FAR_PUB\"}"
assert_eq "$(query 'count(ALERTS{alertname="WgMonitorPeerDown"})')" none \
	"no peer-down alert while the far side runs (the never-seen peer is not down)"
t0=$(now)
far_down
check "WgMonitorPeerDown fires for the stopped far side" wait_value "$PD" 1 25
log_note "WgMonitorPeerDown firing $(fsub "$(now)" "$t0") s after the far side stopped"
assert_eq "$(query "$PD" name)" "far side" "the alert names the peer"
assert_eq "$(query 'count(ALERTS{alertname="WgMonitorPeerDown"})')" 1 "only that peer is down"
assert_eq "$(query 'count(ALERTS{alertname=~"WgMonitorDown|WgMonitorNotPolling|WgMonitorManyPeersDown"})')" \
	none "no daemon or host alert"
far_up
check "WgMonitorPeerDown clears when the far side returns" wait_value "count($PD)" none 25
assert_eq "$(rules_health)" "7 ok" "the 7 rules still evaluate without error"

# Now that the far side went and came back (its state has a known start, which
# wg_monitor_peer_state_since_seconds needs), every target of every panel and every
# variable's label_values(), the variables substituted as the dashboard's "All" ($job etc.
# -> .*) and $__rate_interval as 10s: "OK n expr" for a result of n series, else
# "ERR why expr".
in_n "$PY" - "$KIT/grafana-dashboard.json" "http://$PROM" >"$T_DIR/dashboard.out" 2>&1 <<'EOF'
import json, re, sys, urllib.parse, urllib.request
dash, base = json.load(open(sys.argv[1])), sys.argv[2]
def panels(ps):
    for p in ps:
        yield p
        yield from panels(p.get("panels", []))
exprs = []
for p in panels(dash["panels"]):
    if p["type"] == "row":
        continue
    ts = [t.get("expr", "") for t in p.get("targets", [])]
    if not ts or not all(ts):
        print("ERR panel-without-a-query", p.get("title"))
    if {p["datasource"]["uid"]} | {t["datasource"]["uid"] for t in p["targets"]} != {"${datasource}"}:
        print("ERR panel-not-on-the-datasource-variable", p.get("title"))
    exprs += ts
vs = dash["templating"]["list"]
if not [v for v in vs if v["type"] == "datasource" and v["query"] == "prometheus"]:
    print("ERR no-prometheus-datasource-variable -")
for v in vs:
    if v["type"] == "query":
        m = re.fullmatch(r"label_values\((.*), *(\w+)\)", v["definition"])
        if not m:
            print("ERR variable-not-label_values", v["name"])
            continue
        exprs.append("count by (%s) (%s)" % (m.group(2), m.group(1)))
subst = {"__rate_interval": "10s", "__interval": "1s", "__range": "1m"}
for e in exprs:
    q = re.sub(r"\$\{?(\w+)\}?", lambda m: subst.get(m.group(1), ".*"), e)
    try:
        url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
        r = json.load(urllib.request.urlopen(url, timeout=5))
        n = len(r["data"]["result"]) if r["status"] == "success" else -1
        print(("OK %d " % n if n > 0 else "ERR no-data ") + e)
    except Exception as x:
        body = x.read().decode(errors="replace")[:200] if hasattr(x, "read") else str(x)
        print("ERR %s %s" % (body.replace("\n", " "), e))
EOF
nq=$(grep -c '' "$T_DIR/dashboard.out")
assert_range "$nq" 30 1000 "dashboard queries found (panels' targets and variables)"
while read -r st why expr; do
	if [ "$st" = OK ]; then ok "dashboard query, $why series: $expr"; else bad "dashboard query: $why: $expr"; fi
done <"$T_DIR/dashboard.out"

wgm_stop m
assert_eq "$STOP_RC" 0 "SIGTERM: exit 0"
t_dump_on_fail
t_done
