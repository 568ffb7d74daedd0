#!/bin/sh
# SPDX-License-Identifier: MIT
# The service under a real systemd (§8), run inside the test VM with systemd as PID 1:
#   tests/vm/vm-run.sh --systemd sh tests/vm/service.sh      (make vm-service)
# install.sh from this tree; active only after READY; the STATUS line; a non-root uid
# holding CAP_NET_ADMIN only; priorities in the journal; reload reopens the log; a frozen
# daemon restarted by the watchdog; metrics with the token as a credential (none: the
# start fails; 401 without, 200 with; never in the journal); stop logs monitor_stop and exits 0; an instance with
# its own defaults file, log and state; root's status; install.sh again is an upgrade;
# --uninstall leaves no unit and keeps config and logs. Kernel WireGuard: two interfaces
# on loopback that handshake with each other. wireguard-go (the host's, through the shared
# root): unreadable without the userspace drop-in (a clear poll_error in the journal), read
# with it (install.sh --userspace); while its first poll is stuck the unit stays activating.
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
lacks() { ! grep -q -- "$1" "$2"; }
is_state() { [ "$(systemctl is-active "$1")" = "$2" ]; }

[ -d /run/systemd/system ] || { echo "SKIPPED: service tests (systemd is not PID 1)"; exit 0; }
T0=$(date +%s)
echo "=== service (systemd $(systemctl --version | sed -n '1s/systemd \([0-9]*\).*/\1/p'))"

# Two kernel WireGuard interfaces that handshake over loopback.
umask 077 # keys; wg genkey says so otherwise
wg genkey >/tmp/k0; wg genkey >/tmp/k1; wg genkey >/tmp/k2; wg genkey >/tmp/k3
umask 022
if ! ip link add wgvm0 type wireguard; then
	echo "FAIL: no kernel WireGuard"
	exit 1
fi
wg set wgvm0 private-key /tmp/k0 listen-port 51830 peer "$(wg pubkey </tmp/k1)" \
	allowed-ips 10.93.0.2/32 endpoint 127.0.0.1:51831
# wgvm1 handshakes at once (keepalive): deleted, wgvm0's peer goes offline; back, online.
make_wgvm1() {
	ip link add wgvm1 type wireguard &&
		wg set wgvm1 private-key /tmp/k1 listen-port 51831 peer "$(wg pubkey </tmp/k0)" \
			allowed-ips 10.93.0.1/32 endpoint 127.0.0.1:51830 persistent-keepalive 1 &&
		ip link set wgvm1 up
}
make_wgvm1 || { echo "FAIL: wgvm1"; exit 1; }
ip link set wgvm0 up

# Short cadence for the test, in the administrator's defaults file (an edit install.sh keeps).
mkdir -p /etc/default
printf 'CHECK_INTERVAL=1\nOFFLINE_THRESHOLD=8\n' >/etc/default/wg-monitor
./install.sh >/tmp/install.out 2>&1
eq "$?" 0 "install.sh exit status"
check "install.sh kept the edited defaults" grep -qx "OFFLINE_THRESHOLD=8" /etc/default/wg-monitor
eq "$(systemctl is-active wg-monitor)" active "wg-monitor.service active"
eq "$(prop wg-monitor Type)" notify "Type=notify: active only once it says READY=1"
# The state file, written (and fsync'd) after the first poll and before READY=1: after
# this first start it exists as soon as systemctl start returns. (Not the journal, which
# takes in stderr on its own time; not peer_initial, which activity liveness may defer to
# the second poll.)
check "active only after READY: the first poll's state file is there" \
	test -s /var/lib/wg-monitor/state
status_line() { prop wg-monitor StatusText | grep -qE '^[0-9]+/[0-9]+ peers online, last poll [0-9]+ ms$'; }
check "systemctl show StatusText is the STATUS line" status_line
check "systemctl status shows it" sh -c 'systemctl status --no-pager wg-monitor | grep -qE "Status: \"[0-9]+/[0-9]+ peers online"'
PID=$(mainpid wg-monitor)
uid=$(awk '/^Uid:/ {print $2}' "/proc/$PID/status")
check "runs as a non-root uid ($uid)" test "$uid" -ne 0
eq "$(awk '/^CapEff:/ {print $2}' "/proc/$PID/status")" 0000000000001000 "CapEff is CAP_NET_ADMIN only"
check "log file /var/log/wg-monitor/wg-monitor.log" test -s /var/log/wg-monitor/wg-monitor.log
check "WatchdogSec=60s fits the poll budget: no watchdog_warning" lacks event=watchdog_warning /var/log/wg-monitor/wg-monitor.log

ip link del wgvm1
until_ok 20 journal_has wg-monitor 'event=peer_offline' warning || bad "no peer_offline in journalctl -p warning"
make_wgvm1 || bad "wgvm1 again"
# peer_online is in the journal (at INFO), and -p warning leaves it out.
until_ok 20 journal_has wg-monitor 'event=peer_online' || bad "no peer_online in the journal"
check "journalctl -p warning has no peer_online" sh -c '! journalctl -q -o cat -u wg-monitor -p warning | grep -q event=peer_online'

# Reload reopens the log: rotated away as logrotate would, the new file gets log_reopened.
LOGF=/var/log/wg-monitor/wg-monitor.log
mv "$LOGF" "$LOGF.1"
systemctl reload wg-monitor
eq "$?" 0 "systemctl reload exit status"
until_ok 10 grep -q 'event=log_reopened' "$LOGF" || bad "reload: no log_reopened in a new $LOGF"
check "reload: the old file has no log_reopened" lacks event=log_reopened "$LOGF.1"
eq "$(systemctl is-active wg-monitor)" active "active after reload"

# The watchdog: a frozen daemon is killed and restarted after WatchdogSec (shortened here).
mkdir -p /etc/systemd/system/wg-monitor.service.d
printf '[Service]\nWatchdogSec=4s\nRestartSec=1s\n' >/etc/systemd/system/wg-monitor.service.d/test.conf
systemctl daemon-reload && systemctl restart wg-monitor
PID=$(mainpid wg-monitor)
# A ping every 2 s leaves no room for the 1 s poll budget (+ 1 s): said at start, once.
until_ok 10 journal_has wg-monitor "event=watchdog_warning .*POLL_TIMEOUT=1 s .*WATCHDOG_USEC=4000000 " warning ||
	bad "WatchdogSec=4s: no watchdog_warning naming POLL_TIMEOUT and WATCHDOG_USEC"
sleep 3 # several pings: a running daemon is not restarted
eq "$(mainpid wg-monitor)" "$PID" "pinging daemon not restarted"
kill -STOP "$PID"
until_ok 20 sh -c "p=\$(systemctl show -p MainPID --value wg-monitor); [ \"\$p\" != 0 ] && [ \"\$p\" != $PID ]" ||
	bad "frozen daemon not restarted by the watchdog"
check "the journal says why: watchdog timeout" sh -c 'journalctl -q -u wg-monitor | grep -qi "watchdog timeout"'
rm /etc/systemd/system/wg-monitor.service.d/test.conf
systemctl daemon-reload

# Metrics with a bearer token handed over as a systemd credential (metrics-token.conf):
# the transient user reads /etc/wg-monitor/metrics.token (root, 0600) through its copy.
DROP=/etc/systemd/system/wg-monitor.service.d
cp systemd/wg-monitor.service.d/metrics.conf systemd/wg-monitor.service.d/metrics-token.conf "$DROP/"
printf '[Service]\nEnvironment=METRICS_LISTEN=127.0.0.1:9586\n' >"$DROP/test-metrics.conf"
rm -f /etc/wg-monitor/metrics.token
systemctl daemon-reload
check "no token file: the start fails" sh -c '! systemctl restart wg-monitor 2>/dev/null'
eq "$(prop wg-monitor ExecMainStatus)" 243 "no token file: status 243/CREDENTIALS"
check "no token file: the journal says why" \
	until_ok 10 journal_has wg-monitor 'Failed to set up credentials'
eq "$(prop wg-monitor Environment | tr ' ' '\n' | grep '^METRICS_TOKEN_FILE=')" \
	METRICS_TOKEN_FILE=/run/credentials/wg-monitor.service/metrics-token "%d is the credentials directory"
mkdir -p /etc/wg-monitor
(umask 077; echo tok-one >/etc/wg-monitor/metrics.token)
# systemd 252 builds the credentials mount in a child mount namespace and moves it to
# /run/credentials/UNIT, which reaches the unit only with / shared. systemd makes / shared
# unless it takes itself for a container (init.sh removes the host image's /.dockerenv).
eq "$(findmnt -n -o PROPAGATION /)" shared "mount propagation of / (credentials need it)"
eq "$(systemd-detect-virt -c)" none "systemd sees no container"
systemctl restart wg-monitor
eq "$(systemctl is-active wg-monitor)" active "token credential: active"
CRED=/run/credentials/wg-monitor.service/metrics-token
PID=$(mainpid wg-monitor)
eq "$(stat -c '%u %a' "$CRED" 2>&1)" "$(awk '/^Uid:/ {print $2}' "/proc/$PID/status") 400" \
	"the credential is the service user's, read-only"
code() { curl -s -o /tmp/metrics.out -w '%{http_code}' ${1:+-H "Authorization: Bearer $1"} http://127.0.0.1:9586/metrics; }
eq "$(code)" 401 "metrics without a token"
eq "$(code tok-two)" 401 "metrics with another token"
eq "$(code tok-one)" 200 "metrics with the token"
check "metrics: the wg_monitor_ series" grep -q '^wg_monitor_peer_up{device="wgvm0",' /tmp/metrics.out
# A reload re-reads systemd's copy, which only a restart refreshes (as documented).
(umask 077; echo tok-two >/etc/wg-monitor/metrics.token)
n=$(grep -c event=log_reopened "$LOGF")
systemctl reload wg-monitor
until_ok 10 test "$(grep -c event=log_reopened "$LOGF")" -gt "$n" || bad "reload: no log_reopened"
eq "$(code tok-one)" 200 "after reload: still the copy's token"
systemctl restart wg-monitor
eq "$(code tok-two)" 200 "after restart: the new token"
eq "$(code tok-one)" 401 "after restart: the old token refused"
# Neither token, sent or refused, in any journal field nor in the log file.
journalctl -q -b -o verbose >/tmp/journal.all
check "the journal has the unit's lines" grep -q 'event=peer_' /tmp/journal.all
check "no token in the journal" sh -c '! grep -q -e tok-one -e tok-two /tmp/journal.all'
check "no token in the log file" sh -c "! grep -q -e tok-one -e tok-two $LOGF"
rm "$DROP/metrics.conf" "$DROP/metrics-token.conf" "$DROP/test-metrics.conf"
systemctl daemon-reload && systemctl restart wg-monitor

systemctl stop wg-monitor
eq "$(prop wg-monitor ExecMainStatus)" 0 "stop: exit status 0"
# journald takes in the last lines on its own time: wait for them, within a deadline
check "stop: monitor_stop logged" until_ok 10 journal_has wg-monitor 'event=monitor_stop'

# An instance with its own defaults file, log and state.
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

echo "=== service: wireguard-go (at $(($(date +%s) - T0)) s)"
# wireguard-go: its socket is root's, mode 0700. Without the userspace drop-in the
# instance cannot read it and says why in the journal.
modprobe tun 2>/dev/null
GO_PEER=$(wg pubkey </tmp/k3)
wireguard-go -f wggo0 >/tmp/wggo0.out 2>&1 &
GO_PID=$!
until_ok 30 test -S /run/wireguard/wggo0.sock || bad "wireguard-go: no /run/wireguard/wggo0.sock"
wg set wggo0 private-key /tmp/k2 listen-port 51840 peer "$GO_PEER" allowed-ips 10.94.0.2/32
# A long poll budget, so that a frozen wireguard-go holds the first poll below.
printf 'CHECK_INTERVAL=20\nPOLL_TIMEOUT=15\n' >/etc/default/wg-monitor-wggo0
systemctl start --no-block wg-monitor@wggo0
until_ok 20 journal_has wg-monitor@wggo0 \
	'event=poll_error .*permission denied connecting to /var/run/wireguard/wggo0.sock.*CAP_DAC_OVERRIDE' err ||
	bad "no drop-in: no poll_error naming the socket and CAP_DAC_OVERRIDE in the journal"
check "no drop-in: the state file has no wireguard-go peer" \
	sh -c '! grep -q "^peer wggo0 " /var/lib/wg-monitor/wggo0.state 2>/dev/null'

# install.sh again, now with --userspace: an upgrade that restarts both instances, and
# the drop-in lets the wireguard-go one read its interface.
PID=$(mainpid wg-monitor@wgvm0)
./install.sh --userspace >/tmp/install2.out 2>&1
eq "$?" 0 "install.sh again: exit status"
check "install.sh again restarts the running instance" test "$(mainpid wg-monitor@wgvm0)" != "$PID"
check "install.sh again says what it restarted" grep -q "restarted:.*wg-monitor@wggo0" /tmp/install2.out
check "install.sh again: the edited defaults kept" grep -qx "OFFLINE_THRESHOLD=8" /etc/default/wg-monitor
check "--userspace: drop-in for instances" test -s /etc/systemd/system/wg-monitor@.service.d/userspace.conf
GPID=$(mainpid wg-monitor@wggo0)
eq "$(awk '/^CapEff:/ {print $2}' "/proc/$GPID/status")" 0000000000001002 \
	"drop-in: CapEff is CAP_NET_ADMIN + CAP_DAC_OVERRIDE"
check "drop-in: still a non-root uid" test "$(awk '/^Uid:/ {print $2}' "/proc/$GPID/status")" -ne 0
check "drop-in: the wireguard-go peer is in the instance's state file" \
	until_ok 10 grep -q "^peer wggo0 $GO_PEER " /var/lib/wg-monitor/wggo0.state
check "drop-in: the instance's log has the peer" grep -q "event=peer_initial interface=wggo0 peer=$GO_PEER" /var/log/wg-monitor/wggo0.log

# Readiness is the first poll's: with wireguard-go frozen that poll waits (up to
# POLL_TIMEOUT=15 s) and the unit stays activating; resumed, the poll ends and it is active.
kill -STOP "$GO_PID"
systemctl restart --no-block wg-monitor@wggo0
until_ok 20 sh -c "p=\$(systemctl show -p MainPID --value wg-monitor@wggo0); [ \"\$p\" != 0 ] && [ \"\$p\" != $GPID ]" ||
	bad "frozen wireguard-go: the instance did not start again"
sleep 3 # the window the unit must stay activating in: a negative, so a fixed span
eq "$(systemctl is-active wg-monitor@wggo0)" activating "first poll stuck: still activating"
kill -CONT "$GO_PID"
until_ok 15 is_state wg-monitor@wggo0 active ||
	bad "wireguard-go resumed: the instance did not become active"

./install.sh --uninstall >/tmp/uninstall.out 2>&1
eq "$?" 0 "uninstall: exit status"
eq "$(systemctl list-unit-files --no-legend 'wg-monitor*' | wc -l)" 0 "uninstall: no unit left"
check "uninstall: the instances stopped" \
	test "$(systemctl is-active wg-monitor@wgvm0)$(systemctl is-active wg-monitor@wggo0)" = inactiveinactive
check "uninstall: no drop-in left" test ! -e /etc/systemd/system/wg-monitor@.service.d
check "uninstall: no binary left" test ! -e /usr/local/sbin/wg-monitor
check "uninstall: config kept" test -s /etc/default/wg-monitor
check "uninstall: instance config kept" test -s /etc/default/wg-monitor-wgvm0
check "uninstall: logs kept" test -s /var/log/wg-monitor/wgvm0.log
check "uninstall: state kept" test -s /var/lib/wg-monitor/wgvm0.state
kill "$GO_PID" 2>/dev/null

if [ "$FAILS" -ne 0 ]; then
	for f in /tmp/install.out /tmp/install2.out /tmp/uninstall.out; do echo "--- $f"; tail -n 20 "$f"; done
	journalctl -q -o short-monotonic -u 'wg-monitor*' | tail -n 40
	echo "FAIL service ($FAILS)"
	exit 1
fi
echo "PASS service ($(($(date +%s) - T0)) s)"
