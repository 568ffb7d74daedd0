#!/bin/bash
# SPDX-License-Identifier: MIT
# The daemon as systemd's units run it (§8), without systemd: an unprivileged uid holding
# only CAP_NET_ADMIN (+ CAP_DAC_OVERRIDE for wireguard-go, the userspace drop-in), its log
# and state under DynamicUser's symlinks into private/, and sd_notify to an abstract
# socket read here: READY=1 once after the first poll with its STATUS= line, a STATUS=
# after each poll, WATCHDOG=1 at half of WATCHDOG_USEC, RELOADING=1 + MONOTONIC_USEC then
# READY=1 on SIGHUP, STOPPING=1 at stop; watchdog_warning when the poll budget does not
# fit in the ping period. Then root's `status` finds the state file by itself. About 15 s.
. "$(dirname "$0")/lib.sh"
t_common
command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"

SVC_UID=61234 # in systemd's dynamic range, as DynamicUser= would pick
CAPS=+net_admin
[ "$WG_IMPL" = go ] && CAPS=+net_admin,+dac_override
# DynamicUser's layout on the host: /var/{log,lib}/wg-monitor -> private/wg-monitor, a
# directory of the service's uid; private/ is root's. Inside the service, systemd mounts
# a 0755 tmpfs on private/ holding just that directory: the daemon sees private/ 0755.
for d in log lib; do
	mkdir -p "$T_DIR/var$d/private/wg-monitor"
	chmod 0755 "$T_DIR/var$d" "$T_DIR/var$d/private"
	chmod 0700 "$T_DIR/var$d/private/wg-monitor"
	chown "$SVC_UID:$SVC_UID" "$T_DIR/var$d/private/wg-monitor"
	ln -s private/wg-monitor "$T_DIR/var$d/wg-monitor"
done
LOGF=$T_DIR/varlog/private/wg-monitor/$IF_N.log
STATEF=$T_DIR/varlib/private/wg-monitor/$IF_N.state

# The notify socket's reader, in the daemon's namespace (abstract names are per netns):
# one line per datagram, its newlines shown as "|".
SOCK="wgmit-$T_ID-notify"
NOTES=$T_DIR/notify.txt
: >"$NOTES"
# shellcheck disable=SC2016
ip netns exec "$NS_N" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(4096).decode().replace("\n", "|") + "\n")
' "$SOCK" "$NOTES" &
T_PIDS+=("$!")
# The reader must be bound before the daemon's first message (a datagram to an abstract
# name nobody holds is lost): its name shows in the namespace's /proc/net/unix.
notify_bound() { ip netns exec "$NS_N" grep -q "@$SOCK\$" /proc/net/unix; }
for i in $(seq 100); do notify_bound && break; sleep 0.1; done
notify_bound || die "the notify reader did not bind @$SOCK within 10 s"

# The wrapper: /var/log and /var/lib of the layout (this mount namespace only), the
# service's environment, then the uid and capabilities of the unit.
# shellcheck disable=SC2016,SC2034 # WGM_WRAP is lib.sh's
WGM_WRAP=(/bin/sh -c 'mount --bind "$0" /var/log && mount --bind "$1" /var/lib && shift &&
	exec env NOTIFY_SOCKET="@$SOCK" WATCHDOG_USEC=2000000 INTERFACES="$IF" \
	STATE_FILE="/var/lib/wg-monitor/$IF.state" setpriv --reuid="$SVC_UID" \
	--regid="$SVC_UID" --clear-groups --inh-caps="$CAPS" --ambient-caps="$CAPS" "$@"'
	"$T_DIR/varlog" "$T_DIR/varlib")
export SOCK SVC_UID CAPS IF=$IF_N
wgm_start svc --log-path "/var/log/wg-monitor/$IF_N.log" --interval 1 --threshold 60
PID=${WGM_PID[svc]}
wait_for_log 'event=peer_initial' 10 "$LOGF" || bad "no peer_initial in the service's log file"
wait_for_count 'WATCHDOG=1' 3 8 "$NOTES" || bad "fewer than 3 watchdog pings in 8 s"

assert_eq "$(awk '/^Uid:/ {print $2 $3}' "/proc/$PID/status")" "$SVC_UID$SVC_UID" \
	"runs as the service's uid"
want=0000000000001000
[ "$WG_IMPL" = go ] && want=0000000000001002
assert_eq "$(awk '/^CapEff:/ {print $2}' "/proc/$PID/status")" "$want" \
	"effective capabilities: CAP_NET_ADMIN (+ CAP_DAC_OVERRIDE for userspace) only"
check "log file in the DynamicUser directory, owned by the service" \
	test "$(stat -c %u "$LOGF")" = "$SVC_UID"
check "no poll_error: the service reads its interface" \
	test "$(count_re 'event=poll_error' "$LOGF")" = 0
# A ping every second (WATCHDOG_USEC=2 s) leaves no room for a poll budget of 1 s (the
# interval's): said once, at start, naming both.
assert_eq "$(count_re 'WARNING event=watchdog_warning .*POLL_TIMEOUT=1 s .*WATCHDOG_USEC=2000000 ' "$LOGF")" 1 \
	"watchdog_warning: the poll budget does not fit in the ping period"

assert_eq "$(head -n 1 "$NOTES" | sed 's/STATUS=.*/STATUS=/')" "READY=1|STATUS=" \
	"the first message: READY=1 with the STATUS line"
assert_eq "$(grep -c 'READY=1' "$NOTES")" 1 "READY=1 once"
check "STATUS= says peers online and the poll's time" \
	grep -qE '^STATUS=[0-9]+/[0-9]+ peers online, last poll [0-9]+ ms$' "$NOTES"
polls=$(grep -c 'STATUS=' "$NOTES")
check "a STATUS= after every poll ($polls)" test "$polls" -ge 3

kill -HUP "$PID"
wait_for_log 'event=log_reopened' 5 "$LOGF" || bad "SIGHUP: no log_reopened"
wait_for_count 'READY=1' 2 5 "$NOTES" || bad "SIGHUP: no READY=1 after the reload"
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1" \
	test "$(grep -E '^(RELOADING=1[|]MONOTONIC_USEC=[0-9]+|READY=1)$' "$NOTES" | tail -n 2 |
		sed 's/USEC=[0-9]*$/USEC/' | tr '\n' ' ')" = "RELOADING=1|MONOTONIC_USEC READY=1 "

kill -STOP "$PID"
# A ping sent just before the stop may still be in the reader's queue: a marker sent once
# the daemon is stopped comes after it (one socket's datagrams are read in order), so the
# pings before the marker are all those the daemon sent before it froze.
for i in $(seq 50); do [ "$(awk '{print $3}' "/proc/$PID/stat")" = T ] && break; sleep 0.1; done
ip netns exec "$NS_N" "$PY" -c '
import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"MARK=frozen", "\0" + sys.argv[1])
' "$SOCK" || die "marker datagram"
wait_for_log '^MARK=frozen$' 5 "$NOTES" || die "the reader did not record the marker"
n0=$(grep -c 'WATCHDOG=1' "$NOTES")
sleep 2.5 # the observation window: more than one ping period (1 s) of a frozen daemon
n1=$(grep -c 'WATCHDOG=1' "$NOTES")
kill -CONT "$PID"
assert_eq "$n1" "$n0" "a frozen daemon sends no watchdog ping"

wgm_stop svc
assert_eq "$STOP_RC" 0 "exit status after SIGTERM"
assert_eq "$(tail -n 1 "$NOTES")" "STOPPING=1" "STOPPING=1 last"
check "state file written, owned by the service" test "$(stat -c %u "$STATEF")" = "$SVC_UID"

# Root's status, on the host's view (private/ 0700), finds the service's state file.
chmod 0700 "$T_DIR/varlib/private"
# shellcheck disable=SC2016
in_n /bin/sh -c 'mount --bind "$0" /var/lib && exec "$@"' "$T_DIR/varlib" \
	"$WGM_BIN" status --interface "$IF_N" >"$T_DIR/status.out" 2>"$T_DIR/status.err"
assert_eq "$?" 0 "status exits 0"
check "status continues the service's state file without being told" \
	grep -q "continuing the last view in /var/lib/wg-monitor/$IF_N.state" "$T_DIR/status.err"
assert_eq "$(grep -cF "$FAR_PUB" "$T_DIR/status.out")" 1 "status lists the far peer"

if [ "$WG_IMPL" = go ]; then
	# Why the userspace drop-in exists: CAP_NET_ADMIN alone cannot open wireguard-go's socket.
	in_n setpriv --reuid="$SVC_UID" --regid="$SVC_UID" --clear-groups --inh-caps=+net_admin \
		--ambient-caps=+net_admin "$WGM_BIN" status --state-file "" --interface "$IF_N" \
		>/dev/null 2>"$T_DIR/nodac.err"
	assert_eq "$?" 1 "without CAP_DAC_OVERRIDE a wireguard-go interface is unreadable"
fi
t_done
