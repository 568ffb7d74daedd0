#!/bin/bash
# SPDX-License-Identifier: MIT
# Log path policy (§6): refusals exit 2 with one line and create nothing; allowed places work.
. "$(dirname "$0")/lib.sh"
t_common

ns_add "$NS_N" "$VIEW_N" # an empty namespace: nothing to watch, nothing else seen
OUT=$(mktemp -d /var/tmp/wgmit.XXXXXX) || die "mktemp /var/tmp"
trap 't_cleanup; rm -rf "$OUT"' EXIT

# refuse DESC PATH [CWD]: the daemon must exit 2 at once with a single line on stderr.
refuse() {
	local desc=$1 p=$2 cwd=${3:-$T_DIR} rc lines
	(cd "$cwd" && timeout 5 ip netns exec "$NS_N" /bin/sh -c "$NS_VIEW_SH" "$VIEW_N" "$WGM_BIN" run --interval 3600 --log-path "$p" \
		</dev/null >"$T_DIR/refuse.out" 2>"$T_DIR/refuse.err")
	rc=$?
	lines=$(wc -l <"$T_DIR/refuse.err")
	if [ "$rc" = 2 ] && [ "$lines" = 1 ]; then
		ok "refused $desc: exit 2, one line: $(head -c 150 "$T_DIR/refuse.err")"
	else
		bad "refused $desc ($p): exit $rc (want 2), $lines stderr lines (want 1): $(head -n 3 "$T_DIR/refuse.err" | tr '\n' '|')"
	fi
}

E1=/etc/wgmit-$T_ID.log
refuse "a file in /etc" "$E1"
check "nothing created in /etc" test ! -e "$E1"
refuse "/tmp/../etc" "/tmp/../etc/wgmit-$T_ID.log"
check "nothing created via /tmp/.." test ! -e "/etc/wgmit-$T_ID.log"
refuse "/var/log/../../etc" "/var/log/../../etc/wgmit-$T_ID.log"

echo keep >"$T_DIR/target.log"
ln -s "$T_DIR/target.log" "$T_DIR/link.log"
refuse "a symlink to a file in /tmp" "$T_DIR/link.log"
assert_eq "$(cat "$T_DIR/target.log")" keep "symlink target untouched"
ln -s "/etc/wgmit-$T_ID-target" "$T_DIR/dangling.log"
refuse "a dangling symlink to /etc" "$T_DIR/dangling.log"
check "dangling symlink target not created" test ! -e "/etc/wgmit-$T_ID-target"
ln -s /etc "/tmp/wgmit-$T_ID-etc"
refuse "a file under a symlinked directory /tmp/x -> /etc" "/tmp/wgmit-$T_ID-etc/wgmit-$T_ID.log"
rm -f "/tmp/wgmit-$T_ID-etc"
check "nothing created in /etc through the directory link" test ! -e "/etc/wgmit-$T_ID.log"
mkdir "$T_DIR/adir"
refuse "a directory" "$T_DIR/adir"
mkfifo "$T_DIR/fifo.log"
refuse "a FIFO (not a regular file)" "$T_DIR/fifo.log"
touch "/tmp/wgmit-$T_ID-other.log" && chown nobody "/tmp/wgmit-$T_ID-other.log"
refuse "someone else's file in world-writable /tmp" "/tmp/wgmit-$T_ID-other.log"
rm -f "/tmp/wgmit-$T_ID-other.log"
refuse "a path outside the allowed roots (/var/tmp)" "$OUT/x.log"
refuse "./x.log from a working directory outside the roots" "./x.log" "$OUT"
mkdir "$OUT/logs"
refuse "./logs/../x.log escaping ./logs" "./logs/../x.log" "$OUT"

# accept DESC PATH CWD FILE: runs, writes monitor_start into FILE, stops with 0.
accept() {
	local desc=$1 p=$2 cwd=$3 f=$4 pid
	(cd "$cwd" && exec ip netns exec "$NS_N" /bin/sh -c "$NS_VIEW_SH" "$VIEW_N" "$WGM_BIN" run --interval 3600 --log-path "$p" \
		</dev/null >/dev/null 2>"$T_DIR/accept.err") &
	pid=$!
	WGM_PID[acc]=$pid; WGM_ERR[acc]=$T_DIR/accept.err; T_PIDS+=("$pid")
	if wait_for_log 'event=monitor_start' 5 "$f"; then
		ok "accepted $desc"
	else
		bad "accepted $desc: no monitor_start in $f: $(head -n 2 "$T_DIR/accept.err" | tr '\n' '|')"
	fi
	wgm_stop acc
	assert_eq "$STOP_RC" 0 "$desc: exit status after SIGTERM"
}
accept "./logs/x.log (working directory outside the roots)" ./logs/x.log "$OUT" "$OUT/logs/x.log"
accept "logs/y.log" logs/y.log "$OUT" "$OUT/logs/y.log"
accept "a file in a private folder under /tmp" "$T_DIR/ok.log" "$T_DIR" "$T_DIR/ok.log"
assert_eq "$(stat -c %a "$T_DIR/ok.log")" 640 "created with mode 0640"
VL=/var/log/wgmit-$T_ID.log
accept "a file in /var/log" "$VL" / "$VL"
rm -f "$VL"

# Issue 19 item 1: after start, the log's directory is renamed away and a symlink to
# another directory put in its place. SIGHUP's reopen and the rotations its lines cause
# must stay in the directory walked at start: nothing appears in the other one.
SW=$T_DIR/swap MV=$T_DIR/swap.moved OTHER=$T_DIR/other
mkdir "$SW" "$OTHER"
(cd "$T_DIR" && exec ip netns exec "$NS_N" /bin/sh -c "$NS_VIEW_SH" "$VIEW_N" "$WGM_BIN" run --interval 3600 \
	--log-path "$SW/x.log" --log-max-bytes 4096 --log-backups 2 </dev/null >/dev/null 2>"$T_DIR/swap.err") &
WGM_PID[swap]=$!; WGM_ERR[swap]=$T_DIR/swap.err; T_PIDS+=("${WGM_PID[swap]}")
wait_for_log 'event=monitor_start' 5 "$SW/x.log" || die "swap: no monitor_start in $SW/x.log"
mv "$SW" "$MV" && ln -s "$OTHER" "$SW" || die "swap: cannot swap the directory"
for i in $(seq 100); do # about 9 KB of log_reopened lines: two rotations at 4096 bytes
	kill -HUP "${WGM_PID[swap]}"
	wait_for_count 'event=log_reopened' "$i" 5 "${WGM_ERR[swap]}" || break
done
assert_eq "$(count_re 'event=log_reopened' "${WGM_ERR[swap]}")" 100 "swap: every SIGHUP reopened the log"
wgm_stop swap
assert_eq "$STOP_RC" 0 "swap: exit status after SIGTERM"
assert_eq "$(ls -A "$OTHER" | tr '\n' ' ')" "" "swap: nothing created in the directory swapped in"
assert_eq "$(cd "$MV" && ls | tr '\n' ' ')" "x.log x.log.1 x.log.2 " "swap: the log and its backups stay in the walked directory"
check "swap: monitor_stop went to the walked directory" grep -q 'event=monitor_stop' "$MV/x.log"
check "swap: no log_file_error" test "$(count_re 'event=log_file_error' "${WGM_ERR[swap]}")" = 0
t_done
