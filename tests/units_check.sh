#!/bin/sh
# SPDX-License-Identifier: MIT
# The shipped systemd units (systemd/): `systemd-analyze verify` without a word, no
# directive newer than systemd 252 (Debian 12), and `systemd-analyze security
# --offline=true` at most 2.0 for each unit as shipped and with the userspace, hooks and
# metrics drop-ins.
# Usage: tests/units_check.sh BINARY (the built wg-monitor, which verify wants to exist).
set -u
bin=$1
here=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIPPED: units check (systemd-analyze not installed)"
	exit 0
fi
tmp=$(mktemp -d /tmp/wgm-units.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "units check: $*"; fails=$((fails + 1)); }

# Newer than 252: Type=notify-reload, ReloadSignal= (253), OpenFile= (253),
# RestartSteps=/RestartMaxDelaySec= (254), PrivatePIDs= (257), ProtectControlGroups=private.
for f in "$here"/systemd/*.service "$here"/systemd/*.service.d/*.conf; do
	if grep -nE '^(Type=notify-reload|ReloadSignal=|OpenFile=|RestartSteps=|RestartMaxDelaySec=|PrivatePIDs=|ProtectControlGroups=(private|strict))' "$f"; then
		fail "$(basename "$f"): a directive newer than systemd 252"
	fi
done

# The defaults file names every setting the binary knows (a new setting needs its line).
for v in $(env -i "$bin" check-config 2>/dev/null | sed -n 's/^\([A-Z_][A-Z_]*\)=.*/\1/p'); do
	grep -qE "^#?$v=" "$here/systemd/wg-monitor.default" ||
		fail "wg-monitor.default: no line for $v"
done

# The units as shipped, but starting the binary just built; an instance for the template.
for u in wg-monitor.service wg-monitor@.service; do
	sed "s|^ExecStart=/usr/local/sbin/wg-monitor|ExecStart=$bin|" "$here/systemd/$u" >"$tmp/$u"
done
cp "$tmp/wg-monitor@.service" "$tmp/wg-monitor@wg0.service"
# The drop-in folded into a copy: offline security reads one file.
for u in wg-monitor wg-monitor@wg0; do
	sed '/^\[Install\]/,$d' "$tmp/$u.service" >"$tmp/$u-userspace.service"
	grep -v '^\[Service\]' "$here/systemd/wg-monitor.service.d/userspace.conf" >>"$tmp/$u-userspace.service"
done
# And with contrib/hooks/network.conf, the drop-in that lets hooks reach their servers.
sed '/^\[Install\]/,$d' "$tmp/wg-monitor.service" >"$tmp/wg-monitor-hooks.service"
grep -v '^\[Service\]' "$here/contrib/hooks/network.conf" >>"$tmp/wg-monitor-hooks.service"

# And with the metrics drop-ins: TCP sockets, loopback, the token as a credential.
sed '/^\[Install\]/,$d' "$tmp/wg-monitor.service" >"$tmp/wg-monitor-metrics.service"
for d in metrics metrics-token; do
	grep -v '^\[Service\]' "$here/systemd/wg-monitor.service.d/$d.conf" >>"$tmp/wg-monitor-metrics.service"
done

cd "$tmp" || exit 1
for u in wg-monitor.service wg-monitor@wg0.service wg-monitor-userspace.service \
         wg-monitor@wg0-userspace.service wg-monitor-hooks.service wg-monitor-metrics.service; do
	if ! out=$(systemd-analyze verify --man=no "./$u" 2>&1) || [ -n "$out" ]; then
		fail "$u: systemd-analyze verify:"
		echo "$out" | sed 's/^/  | /'
	fi
	score=$(systemd-analyze security --offline=true "./$u" 2>&1 |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -z "$score" ]; then
		fail "$u: no exposure score from systemd-analyze security"
	elif awk -v s="$score" 'BEGIN { exit !(s > 2.0) }'; then
		fail "$u: exposure $score, above 2.0"
	else
		echo "units check: $u: verify clean, exposure $score"
	fi
done
[ "$fails" -eq 0 ] || { echo "units check: $fails problem(s)"; exit 1; }
