# SPDX-License-Identifier: MIT
# Helpers for the integration tests: namespaces joined by veth, real WireGuard links
# (wireguard-go or the kernel module, WG_IMPL=go|kernel), the daemon under test, waits, asserts.
# Sourced by tests/integration/t_*.sh; every resource made here is removed by the EXIT trap.

set -u

T_NAME=$(basename "${0%.sh}")
T_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_ROOT=$(cd "$T_LIB_DIR/../.." && pwd)
WGM_BIN=${WGM_BIN:-$T_ROOT/wg-monitor}
WG_IMPL=${WG_IMPL:-go}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# Lines on stderr must be bare log lines, never journald-prefixed.
unset JOURNAL_STREAM NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
unset LOG_PATH CHECK_INTERVAL OFFLINE_THRESHOLD STATS_INTERVAL DEBUG INTERFACES BACKEND \
	LOG_FORMAT LOG_MAX_BYTES LOG_BACKUPS LIVENESS PEER_NAMES METRICS_LISTEN ON_CHANGE STATE_FILE
export LC_ALL=C TZ=UTC

T_FAILS=0
T_PASSES=0
T_PIDS=()     # processes to kill at exit
T_NSS=()      # namespaces to delete at exit
T_MOUNTS=()   # mount points to unmount at exit
T_CLEANED=0

# A short id unique to this test run; interface names are built from it (max 15 chars).
T_ID=$(printf '%04x' $(( ($$ * 7 + RANDOM) % 65536 )))
T_DIR=$(mktemp -d "/tmp/wgmit.$T_NAME.XXXXXX") || { echo "FAIL $T_NAME: mktemp"; exit 1; }
chmod 0700 "$T_DIR"

# ---------------------------------------------------------------- reporting
log_note() { printf '  .... %s: %s\n' "$T_NAME" "$*"; }
ok()  { T_PASSES=$((T_PASSES + 1)); printf '  PASS %s: %s\n' "$T_NAME" "$*"; }
bad() { T_FAILS=$((T_FAILS + 1)); printf '  FAIL %s: %s\n' "$T_NAME" "$*"; }
# check DESC CMD...: PASS if the command succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
assert_eq() { if [ "$1" = "$2" ]; then ok "$3 ($1)"; else bad "$3: got '$1', want '$2'"; fi; }
# assert_range VALUE LO HI DESC: LO <= VALUE <= HI, decimals allowed. A VALUE that does
# not begin with a number (empty: no data) fails; awk would read it as 0.
assert_range() {
	if printf '%s' "$1" | grep -Eq '^-?[0-9]+(\.[0-9]+)?' &&
	   awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN{exit !(v+0 >= lo+0 && v+0 <= hi+0)}'; then
		ok "$4 ($1 in [$2, $3])"
	else
		bad "$4: $1 not in [$2, $3]"
	fi
}
# skip REASON: the whole test is skipped (exit 77 tells run.sh).
skip() { printf '  SKIP %s: %s\n' "$T_NAME" "$*"; exit 77; }
# die REASON: the setup failed; counts as a failure.
die() { bad "setup: $*"; exit 1; }
# t_done: the last line of every test.
t_done() {
	if [ "$T_FAILS" -gt 0 ]; then exit 1; fi
	[ "$T_PASSES" -gt 0 ] || { bad "no assertion ran"; exit 1; }
	exit 0
}
# Dump what helps to debug a failure: the daemon's logs.
t_dump_on_fail() {
	[ "$T_FAILS" -gt 0 ] || return 0
	local f
	for f in "$T_DIR"/*.stderr; do
		[ -s "$f" ] || continue
		echo "  ---- last lines of $(basename "$f"):"
		tail -n 25 "$f" | sed 's/^/  | /'
	done
}

# ---------------------------------------------------------------- time
now() { printf '%s\n' "$EPOCHREALTIME"; }
# fsub A B: A - B with 3 decimals.
fsub() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f\n", a - b}'; }
# ts_epoch LINE: the leading ISO-8601 UTC timestamp of a text log line as Unix seconds.
ts_epoch() { date -u -d "${1%% *}" +%s.%3N; }
# iso_epoch 2026-11-24T17:27:41Z -> Unix seconds.
iso_epoch() { date -u -d "$1" +%s; }

# ---------------------------------------------------------------- cleanup
t_cleanup() {
	[ "$T_CLEANED" = 1 ] && return 0
	T_CLEANED=1
	t_dump_on_fail
	local p m n i
	for p in "${T_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${T_PIDS[@]}"; do
		for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	for m in "${T_MOUNTS[@]}"; do umount -l "$m" 2>/dev/null; done
	for n in "${T_NSS[@]}"; do ip netns del "$n" 2>/dev/null; done
	# WGM_KEEP=1 keeps the logs for a post-mortem.
	if [ "${WGM_KEEP:-0}" = 1 ]; then
		echo "  kept $T_DIR"
	else
		case "$T_DIR" in /tmp/wgmit.*) rm -rf "$T_DIR" ;; esac
	fi
	wait 2>/dev/null
}
trap t_cleanup EXIT
trap 'echo "  FAIL $T_NAME: interrupted"; T_FAILS=$((T_FAILS + 1)); exit 130' INT TERM HUP

# ---------------------------------------------------------------- preconditions
t_require_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }
t_require_bin() {
	[ -x "$WGM_BIN" ] || die "no wg-monitor binary at $WGM_BIN (run make)"
}
t_require_wg() {
	command -v wg >/dev/null || skip "wg (wireguard-tools) not installed"
	command -v ip >/dev/null || skip "ip (iproute2) not installed"
	if [ "$WG_IMPL" = go ]; then
		command -v wireguard-go >/dev/null || skip "wireguard-go not installed"
		[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
	fi
}

# ---------------------------------------------------------------- namespaces
# Each namespace has its own view of /run/wireguard (a bind mount of a private folder made
# by every `ip netns exec` here), so a test sees only its own userspace interfaces and
# never those of other tests or of the host; kernel links are per namespace anyway.
mkdir -p /run/wireguard
NS_N="wgmit-$T_ID-n"
NS_F="wgmit-$T_ID-f"
VIEW_N="$T_DIR/run-n"
VIEW_F="$T_DIR/run-f"
IF_N="wgt${T_ID}n"
IF_F="wgt${T_ID}f"
NEAR_IP=10.77.0.1
FAR_IP=10.77.0.2
NEAR_TUN=10.78.0.1
FAR_TUN=10.78.0.2
PORT_N=51820
PORT_F=51821

# ns_exec NS VIEW CMD...: run CMD inside namespace NS with VIEW as /run/wireguard.
# shellcheck disable=SC2016
NS_VIEW_SH='mount --bind "$0" /run/wireguard && exec "$@"'
ns_exec() {
	local ns=$1 view=$2; shift 2
	ip netns exec "$ns" /bin/sh -c "$NS_VIEW_SH" "$view" "$@"
}
in_n() { ns_exec "$NS_N" "$VIEW_N" "$@"; }
in_f() { ns_exec "$NS_F" "$VIEW_F" "$@"; }

# ns_add NS VIEW: an empty namespace with loopback up.
ns_add() {
	ip netns add "$1" || die "ip netns add $1"
	T_NSS+=("$1")
	mkdir -p "$2" && chmod 0755 "$2"
	ip -n "$1" link set lo up
}

# netns_pair: NS_N and NS_F joined by a veth pair, NEAR_IP <-> FAR_IP.
netns_pair() {
	ns_add "$NS_N" "$VIEW_N"
	ns_add "$NS_F" "$VIEW_F"
	ip link add "vn$T_ID" netns "$NS_N" type veth peer name "vf$T_ID" netns "$NS_F" ||
		die "veth pair"
	ip -n "$NS_N" addr add "$NEAR_IP/24" dev "vn$T_ID"
	ip -n "$NS_F" addr add "$FAR_IP/24" dev "vf$T_ID"
	ip -n "$NS_N" link set "vn$T_ID" up
	ip -n "$NS_F" link set "vf$T_ID" up
}

# ---------------------------------------------------------------- WireGuard links
# genkey FILE: a private key in FILE, its public key in FILE.pub.
genkey() {
	(umask 077; wg genkey >"$1") || die "wg genkey"
	wg pubkey <"$1" >"$1.pub" || die "wg pubkey"
}
# randkey: a random public key (any 32 bytes are a valid peer key).
randkey() { wg genkey; }

# wg_pid_var IF: the variable holding IF's wireguard-go pid.
declare -A WG_GO_PID=()

# wg_create NS VIEW IF ADDR: a WireGuard link (WG_IMPL) with tunnel address ADDR/24, up.
wg_create() {
	local ns=$1 view=$2 ifn=$3 addr=$4 i
	case "$WG_IMPL" in
	go)
		# -f: stay in the foreground so the pid is ours to stop.
		# Not through ns_exec: $! must be the process that becomes wireguard-go.
		LOG_LEVEL=error ip netns exec "$ns" /bin/sh -c "$NS_VIEW_SH" "$view" \
			wireguard-go -f "$ifn" >>"$T_DIR/wireguard-go-$ifn.out" 2>&1 &
		WG_GO_PID[$ifn]=$!
		T_PIDS+=("$!")
		for i in $(seq 50); do [ -S "$view/$ifn.sock" ] && break; sleep 0.1; done
		[ -S "$view/$ifn.sock" ] || die "wireguard-go $ifn made no socket"
		;;
	kernel)
		ip -n "$ns" link add "$ifn" type wireguard || die "ip link add $ifn type wireguard"
		;;
	*) die "WG_IMPL must be go or kernel, not '$WG_IMPL'" ;;
	esac
	for i in $(seq 50); do ip -n "$ns" link show "$ifn" >/dev/null 2>&1 && break; sleep 0.1; done
	ip -n "$ns" addr add "$addr/24" dev "$ifn" || die "address on $ifn"
	ip -n "$ns" link set "$ifn" up || die "link up $ifn"
}

# wg_delete NS VIEW IF: remove the link (and wait for wireguard-go to go away).
wg_delete() {
	local ns=$1 view=$2 ifn=$3 pid i
	ip -n "$ns" link del "$ifn" 2>/dev/null
	pid=${WG_GO_PID[$ifn]:-}
	if [ -n "$pid" ]; then
		for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		unset "WG_GO_PID[$ifn]"
	fi
	for i in $(seq 30); do [ -e "$view/$ifn.sock" ] || break; sleep 0.1; done
}

# wg_pair [FAR_KEEPALIVE]: namespaces + a near link IF_N and a far link IF_F that know each
# other (endpoints on both sides). The far side sends persistent keepalives every
# FAR_KEEPALIVE seconds (default 1; 0 = off), which also makes it start the handshake.
# Also configures a second near peer ABSENT_PUB that never answers.
wg_pair() {
	local ka=${1:-1}
	FAR_KA=$ka
	netns_pair
	genkey "$T_DIR/n.key"; genkey "$T_DIR/f.key"
	NEAR_PUB=$(cat "$T_DIR/n.key.pub"); FAR_PUB=$(cat "$T_DIR/f.key.pub")
	ABSENT_PUB=$(randkey)
	wg_create "$NS_N" "$VIEW_N" "$IF_N" "$NEAR_TUN"
	wg_create "$NS_F" "$VIEW_F" "$IF_F" "$FAR_TUN"
	near_config
	in_n wg set "$IF_N" peer "$ABSENT_PUB" allowed-ips 10.78.0.99/32 endpoint 10.77.0.99:51820 ||
		die "absent peer"
	far_config "$ka"
}
near_config() {
	in_n wg set "$IF_N" private-key "$T_DIR/n.key" listen-port "$PORT_N" \
		peer "$FAR_PUB" allowed-ips "$FAR_TUN/32" endpoint "$FAR_IP:$PORT_F" || die "near wg set"
}
# far_config KEEPALIVE: the keepalive is set last, when the endpoint is known, so it starts a
# handshake at once.
far_config() {
	in_f wg set "$IF_F" private-key "$T_DIR/f.key" listen-port "$PORT_F" \
		peer "$NEAR_PUB" allowed-ips "$NEAR_TUN/32" endpoint "$NEAR_IP:$PORT_N" || die "far wg set"
	if [ "${1:-0}" != 0 ]; then
		in_f wg set "$IF_F" peer "$NEAR_PUB" persistent-keepalive "$1" || die "far keepalive"
	fi
}

# wg_churn IF ADDR PIDS UNTIL: creates and deletes the near link IF (tunnel address ADDR)
# at random moments (0-0.9 s apart), UNTIL times, or, when UNTIL is a path, until that file
# exists. Meant for the background (`wg_churn ... &`): the wireguard-go pids such a
# subshell starts never reach T_PIDS, so each is appended to the file PIDS (after each
# start, and on the way out); wg_churn_reap kills them.
wg_churn() {
	local ifn=$1 addr=$2 pids=$3 until=$4 i=0
	# expanded now: the EXIT trap may run after the function's locals are gone
	trap "echo \"\${WG_GO_PID[$ifn]:-}\" >>'$pids'" EXIT
	while if [ -n "${until//[0-9]/}" ]; then [ ! -e "$until" ]; else [ $i -lt "$until" ]; fi; do
		i=$((i + 1))
		wg_create "$NS_N" "$VIEW_N" "$ifn" "$addr"
		echo "${WG_GO_PID[$ifn]:-}" >>"$pids"
		sleep 0.$((RANDOM % 10))
		wg_delete "$NS_N" "$VIEW_N" "$ifn"
		sleep 0.$((RANDOM % 10))
	done
}
# wg_churn_reap PID PIDS: stops the churn PID (for an EXIT trap), then kills every
# wireguard-go it listed in PIDS: none outlives the test.
wg_churn_reap() {
	local p
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	[ -f "$2" ] || return 0
	while read -r p; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null; done <"$2"
}

# far_down / far_up: the far side stops / resumes. Down deletes its link (wireguard-go ignores
# `ip link set down`: it keeps sending keepalives), so the near side hears nothing; up
# re-creates it with the same keys, and its persistent keepalive starts a fresh handshake.
FAR_KA=1
far_down() { wg_delete "$NS_F" "$VIEW_F" "$IF_F"; }
far_up() { wg_create "$NS_F" "$VIEW_F" "$IF_F" "$FAR_TUN"; far_config "$FAR_KA"; }

# send_far: one UDP datagram through the tunnel from the near side (starts a handshake if
# needed); bash's /dev/udp, as ping is not always installed.
send_far() {
	ip netns exec "$NS_N" bash -c "echo wgmit >/dev/udp/$FAR_TUN/9" 2>/dev/null
}

# wg_dump_peer SIDE PUB: the `wg show <if> dump` line (8 fields) of peer PUB; SIDE is n or f.
wg_dump_peer() {
	if [ "$1" = n ]; then in_n wg show "$IF_N" dump; else in_f wg show "$IF_F" dump; fi |
		awk -F'\t' -v k="$2" 'NF == 8 && $1 == k'
}
# hs_of SIDE PUB: latest handshake (Unix seconds, 0 = never).
hs_of() { wg_dump_peer "$1" "$2" | cut -f5; }
rx_of() { wg_dump_peer "$1" "$2" | cut -f6; }

# wait_handshake SIDE PUB TIMEOUT: until the peer has a handshake (non-zero) or timeout.
wait_handshake() {
	local end h
	end=$(awk -v n="$(now)" -v t="$3" 'BEGIN{printf "%.3f\n", n + t}')
	while :; do
		h=$(hs_of "$1" "$2")
		[ -n "$h" ] && [ "$h" != 0 ] && return 0
		awk -v n="$(now)" -v e="$end" 'BEGIN{exit !(n > e)}' && return 1
		sleep 0.2
	done
}

# ---------------------------------------------------------------- the daemon
declare -A WGM_PID=() WGM_LOG=() WGM_ERR=()

WGM_WRAP=() # a command that runs the daemon (e.g. strace ...), normally none
# wgm_start NAME ARGS...: the daemon in the near namespace, in the background. Its log file
# is $T_DIR/NAME.log (unless ARGS has --log-path), its stderr $T_DIR/NAME.stderr.
wgm_start() {
	local name=$1; shift
	local logp="$T_DIR/$name.log" a
	for a in "$@"; do [ "$a" = --log-path ] && logp=""; done
	WGM_LOG[$name]=$logp
	WGM_ERR[$name]="$T_DIR/$name.stderr"
	if [ -n "$logp" ]; then set -- --log-path "$logp" "$@"; fi
	# $! must be the process that becomes the daemon (ip and sh exec it), so no function here.
	ip netns exec "$NS_N" /bin/sh -c "$NS_VIEW_SH" "$VIEW_N" \
		${WGM_WRAP[@]+"${WGM_WRAP[@]}"} "$WGM_BIN" run "$@" \
		</dev/null >"$T_DIR/$name.stdout" 2>"${WGM_ERR[$name]}" &
	WGM_PID[$name]=$!
	T_PIDS+=("$!")
}

# wgm_signal_stop NAME SIG: send SIG; sets STOP_RC (exit status, 124 = still running after
# 5 s) and STOP_SECS (seconds from the signal until it was gone).
wgm_signal_stop() {
	local pid=${WGM_PID[$1]} t0 i
	t0=$(now)
	kill -"$2" "$pid" 2>/dev/null
	for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	STOP_SECS=$(fsub "$(now)" "$t0")
	if kill -0 "$pid" 2>/dev/null; then
		STOP_RC=124
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	local rc=$?
	[ "${STOP_RC:-}" = 124 ] || STOP_RC=$rc
}
wgm_stop() { STOP_RC=; wgm_signal_stop "$1" TERM; }

# wgm_alive NAME: the daemon is still running.
wgm_alive() { kill -0 "${WGM_PID[$1]}" 2>/dev/null; }

# ---------------------------------------------------------------- waiting on logs
# wait_for_log PATTERN TIMEOUT [FILE]: poll FILE (default: the "m" daemon's stderr) until a
# line matches the ERE PATTERN or TIMEOUT seconds pass. The first match is in WAIT_LINE.
wait_for_log() {
	wait_for_count "$1" 1 "$2" "${3:-}"
}
# wait_for_count PATTERN N TIMEOUT [FILE]: until N lines match; WAIT_LINE = the Nth.
wait_for_count() {
	local pat=$1 n=$2 file=${4:-${WGM_ERR[m]:-}} end c
	end=$(awk -v a="$(now)" -v t="$3" 'BEGIN{printf "%.3f\n", a + t}')
	WAIT_LINE=
	while :; do
		c=$(grep -cE -- "$pat" "$file" 2>/dev/null)
		if [ "${c:-0}" -ge "$n" ]; then
			WAIT_LINE=$(grep -E -- "$pat" "$file" | sed -n "${n}p")
			return 0
		fi
		awk -v a="$(now)" -v e="$end" 'BEGIN{exit !(a > e)}' && return 1
		sleep 0.1
	done
}
# expect_log DESC PATTERN TIMEOUT [FILE]: wait_for_log as an assertion.
expect_log() {
	if wait_for_log "$2" "$3" "${4:-}"; then ok "$1"; else bad "$1: no line matching /$2/ within $3 s"; fi
}

# field LINE KEY: the value of key=value in a text log line (quotes removed).
field() {
	printf '%s\n' "$1" | awk -v k="$2" '{
		for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) {
			v = substr($i, length(k) + 2); gsub(/^"|"$/, "", v); print v; exit
		}
	}'
}
# events FILE: the event names in order.
events() { sed -n 's/.* event=\([A-Za-z0-9_]*\).*/\1/p' "$1"; }
# count_re PATTERN FILE: number of lines matching.
count_re() { local c; c=$(grep -cE -- "$1" "$2" 2>/dev/null); echo "${c:-0}"; }
# peer_re EVENT PUB: an ERE for EVENT about peer PUB (base64 has + / =, escaped here).
peer_re() { printf 'event=%s .*peer=%s' "$1" "$(printf '%s' "$2" | sed 's/+/[+]/g')"; }

# sync_to_poll NAME: return just after the daemon NAME (run with --debug) polled, so that a
# change made now lands well inside the next interval and is seen whole by one poll.
sync_to_poll() {
	local f=${WGM_ERR[$1]} c
	c=$(count_re ' DEBUG ' "$f")
	wait_for_count ' DEBUG ' $((c + 1)) 5 "$f"
}

# t_common: the usual preconditions of a test that runs the daemon on real links.
t_common() { t_require_root; t_require_wg; t_require_bin; }

# ---------------------------------------------------------------- the state file (§12)
# state_dir_new: SD, a fresh private (0700) directory for the state file, and SF in it.
state_dir_new() { SD=$T_DIR/sd; mkdir -m 0700 "$SD" || die "mkdir $SD"; SF=$SD/state; }
# state_check FILE: parses FILE strictly as a version 2 (or 1) state file. Prints
# "ok <peers> <written ms>" and succeeds, or prints "bad: <reason>" and fails.
# state_peer FILE PUB: PUB's saved fields with its durations turned back into Unix ms
# (state since handshake heard rx tx failing_since endpoint; 0 = unknown or none; the
# handshake's own age left out), nothing if the file has no such line.
# state_session FILE PUB: PUB's saved session (began, Unix ms; length ms; rx; tx), "none"
# without one, nothing if the file has no such line.
# shellcheck disable=SC2016
STATE_PY='
import re, sys
def parse(path):
    data = open(path, "rb").read()
    if not data.endswith(b"\n"):
        raise ValueError("no newline at the end")
    lines = data.decode("ascii").split("\n")[:-1]
    if len(lines) < 3:
        raise ValueError("%d lines" % len(lines))
    if lines[0] not in ("wg-monitor-state 1", "wg-monitor-state 2"):
        raise ValueError("header %r" % lines[0])
    nf = 12 if lines[0].endswith(" 1") else 16
    m = re.fullmatch(r"written ([0-9]+) boot ([0-9a-f-]{36}|-) [0-9]+ threshold [0-9]+ "
                     r"liveness (activity|handshake)", lines[1])
    if not m:
        raise ValueError("line 2 %r" % lines[1])
    m2 = re.fullmatch(r"end ([0-9]+)", lines[-1])
    if not m2:
        raise ValueError("last line %r" % lines[-1])
    peers, sessions = {}, {}
    for i, l in enumerate(lines[2:-1], 3):
        f = l.split(" ")
        if (len(f) != nf or f[0] != "peer" or len(f[2]) != 44
                or f[3] not in ("never", "online", "offline")
                or not f[5].isdigit() or not all(x.isdigit() for x in f[8:10])
                or not all(x.isdigit() or x == "-" for x in (f[4], f[6], f[7], f[10]) + tuple(f[12:14]))
                or not all(x.isdigit() for x in f[14:16])):
            raise ValueError("line %d %r" % (i, l))
        w = int(m.group(1))
        at = lambda a: "0" if a == "-" else str(w - int(a))
        peers[f[2]] = [f[3], at(f[4]), f[5], at(f[7]), f[8], f[9], at(f[10]), f[11]]
        sessions[f[2]] = ["none"] if nf == 12 or f[12] == "-" else [at(f[12])] + f[13:16]
    if int(m2.group(1)) != len(lines) - 3:
        raise ValueError("end counts %s, %d peer lines" % (m2.group(1), len(lines) - 3))
    return int(m.group(1)), peers, sessions
try:
    written, peers, sessions = parse(sys.argv[2])
except Exception as e:
    print("bad: %s" % e)
    sys.exit(1)
if sys.argv[1] == "check":
    print("ok %d %d" % (len(peers), written))
elif sys.argv[3] in peers:
    print(" ".join((sessions if sys.argv[1] == "session" else peers)[sys.argv[3]]))
'
state_check() { "$PY" -c "$STATE_PY" check "$1"; }
state_peer() { "$PY" -c "$STATE_PY" peer "$1" "$2"; }
state_session() { "$PY" -c "$STATE_PY" session "$1" "$2"; }
# wait_state FILE PUB ERE TIMEOUT: until PUB's fields in FILE (as state_peer prints them)
# match ERE; they are then in STATE_LINE.
wait_state() {
	local end
	end=$(awk -v a="$(now)" -v t="$4" 'BEGIN{printf "%.3f\n", a + t}')
	while :; do
		STATE_LINE=$(state_peer "$1" "$2" 2>/dev/null)
		printf '%s\n' "$STATE_LINE" | grep -qE -- "$3" && return 0
		awk -v a="$(now)" -v e="$end" 'BEGIN{exit !(a > e)}' && return 1
		sleep 0.2
	done
}
