#!/bin/bash
# SPDX-License-Identifier: MIT
# Allowed IPs in /metrics (issue 17) from a real tunnel, read by two daemons at once (the
# uapi or netlink backend, and the `wg` fallback): one wireguard_peer_allowed_ips_info
# series per allowed IP with its family, MindFlavor's allowed_ips label exactly as
# `wg show dump` prints the list, a peer with 100 allowed IPs cut at the bound of 64 and
# counted, a changed list followed at the next poll; promtool accepts every exposition;
# `status --json` lists them as wg does.
. "$(dirname "$0")/lib.sh"
t_common
command -v promtool >/dev/null || skip "promtool not installed (Debian package prometheus)"
command -v curl >/dev/null || skip "curl not installed"
if [ "$WG_IMPL" = kernel ]; then B1=netlink; else B1=uapi; fi

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
in_n wg set "$IF_N" peer "$FAR_PUB" allowed-ips "$FAR_TUN/32,10.60.0.0/16,fd77:1::/64" ||
	die "far peer's allowed IPs"
BIG=$(randkey)
ips=$(for i in $(seq 0 99); do printf '10.61.%d.%d/32,' $((i / 200)) $((i % 200 + 1)); done)
in_n wg set "$IF_N" peer "$BIG" allowed-ips "${ips%,}" || die "a peer with 100 allowed IPs"

wgm_start one --interval 1 --debug --state-file "" --backend $B1 --metrics-listen 127.0.0.1:9586
wgm_start two --interval 1 --debug --state-file "" --backend wg --metrics-listen 127.0.0.1:9587 \
	--poll-timeout 10
wait_for_count 'event=poll ' 2 10 "${WGM_ERR[one]}" || die "--backend $B1 does not poll"
wait_for_count 'event=poll ' 2 10 "${WGM_ERR[two]}" || die "--backend wg does not poll"

# wg's own list of a peer's allowed IPs (the dump's 4th peer field), comma-separated.
wg_ips() { in_n wg show "$IF_N" dump | awk -F'\t' -v k="$1" 'NF == 8 && $1 == k {print $4}'; }
# scrape PORT NAME: the exposition into $T_DIR/NAME.txt, checked by promtool.
scrape() {
	in_n curl -sS --max-time 5 -o "$T_DIR/$2.txt" "http://127.0.0.1:$1/metrics" ||
		bad "scrape of $2 failed"
	if promtool check metrics <"$T_DIR/$2.txt" >"$T_DIR/$2.promtool" 2>&1; then
		ok "promtool check metrics accepts $2"
	else
		bad "promtool check metrics ($2): $(head -5 "$T_DIR/$2.promtool")"
	fi
}
# info FILE PUB: the allowed_ips,family pairs of PUB's info series, sorted.
info() {
	grep -F "wireguard_peer_allowed_ips_info{device=\"$IF_N\",public_key=\"$2\"," "$1" |
		sed 's/.*allowed_ips="\([^"]*\)",family="\([^"]*\)"} 1$/\1 \2/' | sort
}
# mf FILE PUB: the allowed_ips label of PUB's wireguard_sent_bytes_total series.
mf() {
	grep -F "wireguard_sent_bytes_total{interface=\"$IF_N\",public_key=\"$2\"," "$1" |
		sed 's/.*,allowed_ips="\([^"]*\)".*/\1/'
}

check_all() { # NAME: the checks on one daemon's exposition
	local f="$T_DIR/$1.txt" want
	want=$(printf '%s\n' "$FAR_TUN/32 IPv4" "10.60.0.0/16 IPv4" "fd77:1::/64 IPv6" | sort)
	assert_eq "$(info "$f" "$FAR_PUB" | tr '\n' ' ')" "$(printf '%s\n' "$want" | tr '\n' ' ')" \
		"$1: the far peer's IPv4 and IPv6 allowed IPs, one series each"
	assert_eq "$(info "$f" "$ABSENT_PUB")" "10.78.0.99/32 IPv4" "$1: the absent peer's"
	assert_eq "$(mf "$f" "$FAR_PUB")" "$(wg_ips "$FAR_PUB")" \
		"$1: MindFlavor's allowed_ips label is wg's list"
	assert_eq "$(info "$f" "$BIG" | wc -l)" 64 "$1: 100 allowed IPs, 64 series (the bound)"
	want=$(wg_ips "$BIG" | cut -d, -f1-64)
	check "$1: and the label lists wg's first 64" \
		test "$(mf "$f" "$BIG")" = "$want" -a "$(printf '%s' "$want" | tr -cd , | wc -c)" = 63
	assert_eq "$(grep -c '^wg_monitor_peers_allowed_ips_truncated 1$' "$f")" 1 \
		"$1: the cut is counted"
}
scrape 9586 "$B1"
scrape 9587 wg
check_all "$B1"
check_all wg

# status --json lists them too, as wg does, with the count where the list was cut.
for b in "$B1" wg; do
	in_n "$WGM_BIN" status --json --state-file "" --backend $b >"$T_DIR/status-$b.json" 2>/dev/null
	got=$("$PY" -c '
import json, sys
rows = {r["public_key"]: r for r in json.load(open(sys.argv[1]))}
far, big = rows[sys.argv[2]], rows[sys.argv[3]]
print(",".join(far["allowed_ips"]), "allowed_ips_total" in far,
      len(big["allowed_ips"]), big.get("allowed_ips_total"))' "$T_DIR/status-$b.json" "$FAR_PUB" "$BIG")
	assert_eq "$got" "$(wg_ips "$FAR_PUB") False 64 100" \
		"status --json --backend $b: allowed_ips as wg lists them, the cut counted"
done

# A list changed: the next poll's scrape follows it, the dropped series gone.
in_n wg set "$IF_N" peer "$FAR_PUB" allowed-ips "$FAR_TUN/32,fd77:1::/64" || die "wg set"
for n in one two; do
	c=$(count_re 'event=poll ' "${WGM_ERR[$n]}")
	wait_for_count 'event=poll ' $((c + 2)) 10 "${WGM_ERR[$n]}" || bad "$n stopped polling"
done
scrape 9586 "$B1-changed"
scrape 9587 wg-changed
for n in "$B1" wg; do
	assert_eq "$(info "$T_DIR/$n-changed.txt" "$FAR_PUB" | tr '\n' ' ')" \
		"$FAR_TUN/32 IPv4 fd77:1::/64 IPv6 " "$n: a removed allowed IP's series is gone"
	assert_eq "$(mf "$T_DIR/$n-changed.txt" "$FAR_PUB")" "$(wg_ips "$FAR_PUB")" \
		"$n: the label follows"
done

wgm_stop one; rc1=$STOP_RC
wgm_stop two; rc2=$STOP_RC
assert_eq "$rc1:$rc2" "0:0" "both exit 0"
t_dump_on_fail
t_done
