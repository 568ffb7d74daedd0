#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGTERM ends a poll at once even when it lands between a source's check of the stop flag
# and its wait (§8, §14): connect() to a socket that never answers is held for 1.5 s by
# strace, and SIGTERM arrives meanwhile. Before the fix the signal only set the flag and
# the wait that followed slept out the whole budget (about 9.5 s of 10).
. "$(dirname "$0")/lib.sh"
t_common
command -v strace >/dev/null || skip "needs strace"
strace -qq -o /dev/null -e inject=getpid:delay_exit=1 true 2>/dev/null || skip "strace cannot inject delays"

ns_add "$NS_N" "$VIEW_N"
SOCK="$VIEW_N/wgz${T_ID}.sock"
# shellcheck disable=SC2016
"$PY" -c '
import socket, sys, select
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(8)
held = []
while True:
    select.select([s], [], [])
    held.append(s.accept()[0])  # accepted, never answered
' "$SOCK" >"$T_DIR/dead.out" 2>&1 &
T_PIDS+=("$!")
for i in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || die "no dead socket"

WGM_WRAP=(strace -qq -o "$T_DIR/strace.out" -e trace=connect -e inject=connect:delay_exit=1500000)
wgm_start m --backend uapi --interval 30
WGM_WRAP=()
wait_for_log 'event=monitor_start' 10 || die "no monitor_start"
PID=$(field "$WAIT_LINE" pid)
# The first poll starts right after monitor_start and sits in the delayed connect for 1.5 s.
T_SIG=$(now)
kill -TERM "$PID" || die "kill"
for i in $(seq 200); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
SECS=$(fsub "$(now)" "$T_SIG")
wait "${WGM_PID[m]}" 2>/dev/null
assert_range "$SECS" 0 3.5 "SIGTERM during a held connect: stopped within the delay plus 2 s (s)"
check "monitor_stop logged" grep -q 'event=monitor_stop signal=SIGTERM' "${WGM_ERR[m]}"
check "the delayed connect happened" grep -q 'connect(' "$T_DIR/strace.out"
t_done
