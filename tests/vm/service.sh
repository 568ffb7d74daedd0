#!/bin/sh
# SPDX-License-Identifier: MIT
# The service under a real systemd (§8), run inside the test VM with systemd as PID 1:
#   tests/vm/vm-run.sh --systemd sh tests/vm/service.sh      (make vm-service)
# install.sh from this tree; active only after READY; the STATUS line; a non-root uid
# holding CAP_NET_ADMIN only; priorities in the journal; reload reopens the log; a frozen
# daemon restarted by the watchdog; stop logs monitor_stop and exits 0; an instance with
# its own defaults file, log and state; root's status; install.sh again is an upgrade;
# --uninstall leaves no unit and keeps config and logs. Kernel WireGuard: two interfaces
# on loopback that handshake with each other.
set -u
FAILS=0
ok() { echo "  PASS service: $*"; }
bad() { echo "  FAIL service: $*"; FAILS=$((FAILS + 1)); }
check() { d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
eq() { if [ "$1" = "$2" ]; then ok "$3 ($1)"; else bad "$3: got '$1', want '$2'"; fi; }
# until SECONDS CMD...: CMD until it succeeds, at most SECONDS.
until_ok() { n=$(($1 * 5)); shift; while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.2; n=$((n - 1)); done; return 1; }
prop() { systemctl show -p "$2" --value "$1"; }
mainpid() { prop "$1" MainPID; }
journal_has() { journalctl -q -o cat -u "$1" ${3:+-p "$3"} | grep -q -- "$2"; }

[ -d /run/systemd/system ] || { echo "SKIPPED: service tests (systemd is not PID 1)"; exit 0; }
echo "=== service (systemd $(systemctl --version | sed -n '1s/systemd \([0-9]*\).*/\1/p'))"

# Two kernel WireGuard interfaces that handshake over loopback.
wg genkey >/tmp/k0; wg genkey >/tmp/k1
if ! ip link add wgvm0 type wireguard || ! ip link add wgvm1 type wireguard; then
	echo "FAIL: no kernel WireGuard"
	exit 1
fi
wg set wgvm0 private-key /tmp/k0 listen-port 51830 peer "$(wg pubkey </tmp/k1)" \
	allowed-ips 10.93.0.2/32 endpoint 127.0.0.1:51831
wg set wgvm1 private-key /tmp/k1 listen-port 51831 peer "$(wg pubkey </tmp/k0)" \
	allowed-ips 10.93.0.1/32 endpoint 127.0.0.1:51830 persistent-keepalive 1
ip link set wgvm0 up; ip link set wgvm1 up

# Short cadence for the test, in the administrator's defaults file (an edit install.sh keeps).
mkdir -p /etc/default
printf 'CHECK_INTERVAL=1\nOFFLINE_THRESHOLD=8\n' >/etc/default/wg-monitor
./install.sh >/tmp/install.out 2>&1
eq "$?" 0 "install.sh exit status"
check "install.sh kept the edited defaults" grep -qx "OFFLINE_THRESHOLD=8" /etc/default/wg-monitor
eq "$(systemctl is-active wg-monitor)" active "wg-monitor.service active"
# The state file, written (and fsync'd) after the first poll and before READY=1: after
# this first start it exists as soon as systemctl start returns. (Not the journal, which
# takes in stderr on its own time; not peer_initial, which activity liveness may defer to
# the second poll.)
check "active only after READY: the first poll's state file is there" \
	test -s /var/lib/wg-monitor/state
status_line() { prop wg-monitor StatusText | grep -qE '^[0-9]+/[0-9]+ peers online, last poll [0-9]+ ms$'; }
check "systemctl status shows the STATUS line" status_line
PID=$(mainpid wg-monitor)
uid=$(awk '/^Uid:/ {print $2}' "/proc/$PID/status")
check "runs as a non-root uid ($uid)" test "$uid" -ne 0
eq "$(awk '/^CapEff:/ {print $2}' "/proc/$PID/status")" 0000000000001000 "CapEff is CAP_NET_ADMIN only"
check "log file /var/log/wg-monitor/wg-monitor.log" test -s /var/log/wg-monitor/wg-monitor.log

ip link del wgvm1
until_ok 20 journal_has wg-monitor 'event=peer_offline' warning || bad "no peer_offline in journalctl -p warning"
check "journalctl -p warning has no peer_online" sh -c '! journalctl -q -o cat -u wg-monitor -p warning | grep -q event=peer_online'

systemctl reload wg-monitor
until_ok 10 grep -q 'event=log_reopened' /var/log/wg-monitor/wg-monitor.log || bad "reload: no log_reopened"
eq "$(systemctl is-active wg-monitor)" active "active after reload"

# The watchdog: a frozen daemon is killed and restarted after WatchdogSec (shortened here).
mkdir -p /etc/systemd/system/wg-monitor.service.d
printf '[Service]\nWatchdogSec=4s\nRestartSec=1s\n' >/etc/systemd/system/wg-monitor.service.d/test.conf
systemctl daemon-reload && systemctl restart wg-monitor
PID=$(mainpid wg-monitor)
sleep 3 # several pings: a running daemon is not restarted
eq "$(mainpid wg-monitor)" "$PID" "pinging daemon not restarted"
kill -STOP "$PID"
until_ok 20 sh -c "p=\$(systemctl show -p MainPID --value wg-monitor); [ \"\$p\" != 0 ] && [ \"\$p\" != $PID ]" ||
	bad "frozen daemon not restarted by the watchdog"
check "the journal says why: watchdog timeout" sh -c 'journalctl -q -u wg-monitor | grep -qi "watchdog timeout"'
rm /etc/systemd/system/wg-monitor.service.d/test.conf
systemctl daemon-reload

systemctl stop wg-monitor
eq "$(prop wg-monitor ExecMainStatus)" 0 "stop: exit status 0"
# journald takes in the last lines on its own time: wait for them, within a deadline
check "stop: monitor_stop logged" until_ok 10 journal_has wg-monitor 'event=monitor_stop'

# An instance with its own defaults file, log and state.
ip link add wgvm1 type wireguard
printf 'OFFLINE_THRESHOLD=33\n' >/etc/default/wg-monitor-wgvm0
systemctl start wg-monitor@wgvm0
eq "$(systemctl is-active wg-monitor@wgvm0)" active "wg-monitor@wgvm0 active"
until_ok 10 test -s /var/log/wg-monitor/wgvm0.log || bad "instance: no /var/log/wg-monitor/wgvm0.log"
check "instance: its own defaults (threshold=33)" grep -q 'event=monitor_start.*interfaces=wgvm0 .*threshold=33' /var/log/wg-monitor/wgvm0.log
check "instance: watches only wgvm0" sh -c '! grep -q "interface=wgvm1" /var/log/wg-monitor/wgvm0.log'
until_ok 10 test -s /var/lib/wg-monitor/wgvm0.state || bad "instance: no /var/lib/wg-monitor/wgvm0.state"
wg-monitor status >/tmp/status.out 2>/tmp/status.err
eq "$?" 0 "root's status exit status"
check "status continues the instance's state file by itself" \
	grep -q "continuing the running daemon's view in /var/lib/wg-monitor/wgvm0.state" /tmp/status.err

PID=$(mainpid wg-monitor@wgvm0)
./install.sh >/tmp/install2.out 2>&1
eq "$?" 0 "install.sh again: exit status"
check "install.sh again restarts the running instance" test "$(mainpid wg-monitor@wgvm0)" != "$PID"

./install.sh --uninstall >/tmp/uninstall.out 2>&1
eq "$?" 0 "uninstall: exit status"
eq "$(systemctl list-unit-files --no-legend 'wg-monitor*' | wc -l)" 0 "uninstall: no unit left"
check "uninstall: the instance stopped" test "$(systemctl is-active wg-monitor@wgvm0)" != active
check "uninstall: config kept" test -s /etc/default/wg-monitor
check "uninstall: logs kept" test -s /var/log/wg-monitor/wgvm0.log

if [ "$FAILS" -ne 0 ]; then
	for f in /tmp/install.out /tmp/install2.out /tmp/uninstall.out; do echo "--- $f"; tail -n 20 "$f"; done
	journalctl -q -o short-monotonic -u 'wg-monitor*' | tail -n 40
	echo "FAIL service ($FAILS)"
	exit 1
fi
echo "PASS service"
