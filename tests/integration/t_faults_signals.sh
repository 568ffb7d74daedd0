#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGTERM in the middle of a log rotation and of a state save (issue 19, item 3): strace
# holds every rename for D s at its entry, and SIGTERM arrives while the daemon is inside
# one (seen in /proc/PID/syscall). The daemon finishes it and stops within the held renames
# plus 2 s, exit 0; the rotated files hold exactly the stderr lines (none lost or doubled),
# and the state file is whole with both peers. (SIGTERM during a poll: t_budget and
# t_stop_race; during a hook: t_hooks; SIGKILL during a save: t_state_kill.)
. "$(dirname "$0")/lib.sh"
t_common
command -v strace >/dev/null || skip "needs strace"
strace -qq -o /dev/null -e inject=getpid:delay_exit=1 true 2>/dev/null || skip "strace cannot inject delays"
[ "$(uname -m)" = x86_64 ] || skip "the rename syscall numbers below are x86_64's"
D=2 # seconds each rename is held: the window in which SIGTERM must land
# rename 82, renameat 264, renameat2 316 (x86_64); bash's read, no process per look
in_rename() {
	local nr
	read -r nr _ 2>/dev/null <"/proc/$1/syscall" || return 1
	[ "$nr" = 82 ] || [ "$nr" = 264 ] || [ "$nr" = 316 ]
}

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
args=()
for i in $(seq 1 20); do args+=(peer "$(randkey)" allowed-ips "10.79.0.$i/32"); done
in_n wg set "$IF_N" "${args[@]}" || die "20 more peers"

# term_in_rename NAME: waits (bounded) until the daemon NAME is held in a rename, sends
# SIGTERM and waits for it to end; sets PID, RC and SECS.
term_in_rename() {
	local i
	# the daemon is strace's child: watched from its start, so the first save is not missed.
	# By name: before the wrapper's shell execs strace, its child is the namespace's `mount`.
	for i in $(seq 100); do PID=$(pgrep -x -P "${WGM_PID[$1]}" wg-monitor) && break; sleep 0.05; done
	[ -n "$PID" ] || die "$1: no daemon under strace"
	# the first rotation (22 peers' DEBUG lines, about 5 KiB a 1 s poll, fill 16 KiB in a
	# few polls) or the first save (right after the first poll): within a few intervals, the held renames included
	for i in $(seq 600); do in_rename "$PID" && break; sleep 0.02; done
	in_rename "$PID" || die "$1: the daemon was never seen in a rename"
	ok "$1: SIGTERM sent while held in a rename"
	local t0; t0=$(now)
	kill -TERM "$PID"
	# this rename, then at most one more (the last lines' rotation, or the save at stop)
	for i in $(seq $(((2 * D + 3) * 20))); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
	SECS=$(fsub "$(now)" "$t0")
	wait "${WGM_PID[$1]}" 2>/dev/null # strace exits with the daemon's status
	RC=$?
}
# LeakSanitizer cannot work under ptrace (make integration-asan): off for these runs only.
HOLD=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -qq -o /dev/null -e trace=rename,renameat,renameat2
	-e inject=rename,renameat,renameat2:delay_enter=$((D * 1000000)))

# ---- SIGTERM during a rotation
mkdir "$T_DIR/r"
WGM_WRAP=("${HOLD[@]}")
wgm_start r --log-path "$T_DIR/r/wgm.log" --interval 1 --threshold 60 --debug \
	--log-max-bytes 16384 --log-backups 100
WGM_WRAP=()
term_in_rename r
assert_eq "$RC" 0 "rotation: exit status"
# The first rotation is one rename (no backup to shift yet), and what is left of that
# poll's lines plus the last ones fit in the fresh 16 KiB file: no other rename follows.
assert_range "$SECS" 0 $((D + 2)) "rotation: stopped within the held rename + 2 s (s)"
files=$(for i in $(seq 100 -1 1); do [ -e "$T_DIR/r/wgm.log.$i" ] && echo "$T_DIR/r/wgm.log.$i"; done)
check "rotation: rotated at least once" test -n "$files"
# shellcheck disable=SC2086
cat $files "$T_DIR/r/wgm.log" >"$T_DIR/r.all"
if cmp -s "$T_DIR/r.all" "${WGM_ERR[r]}"; then
	ok "rotation: the files hold exactly the stderr lines, in order"
else
	bad "rotation: the files differ from stderr: $(diff "$T_DIR/r.all" "${WGM_ERR[r]}" | head -n 4 | cut -c1-120 | tr '\n' '|')"
fi
assert_eq "$(events "$T_DIR/r/wgm.log" | tail -n 1)" monitor_stop "rotation: monitor_stop is the last line"

# ---- SIGTERM during a state save
state_dir_new
WGM_WRAP=("${HOLD[@]}")
wgm_start s --interval 1 --threshold 60 --state-file "$SF"
WGM_WRAP=()
term_in_rename s
assert_eq "$RC" 0 "save: exit status"
# the save in progress, then the save at stop: two held renames
assert_range "$SECS" 0 $((2 * D + 2)) "save: stopped within the two held renames + 2 s (s)"
r=$(state_check "$SF")
assert_eq "${r% *}" "ok 22" "save: the state file is whole, with every peer"
check "save: the far peer saved online" test "$(state_peer "$SF" "$FAR_PUB" | cut -d' ' -f1)" = online
assert_eq "$(ls -A "$SD" | grep -cv '^state\(\.lock\)\?$')" 0 "save: no temporary file left"
assert_eq "$(count_re 'event=state_write_failed' "${WGM_ERR[s]}")" 0 "save: no state_write_failed"
assert_eq "$(events "${WGM_LOG[s]}" | tail -n 1)" monitor_stop "save: monitor_stop is the last line"
for n in r s; do
	assert_eq "$(count_re "$(peer_re peer_initial "$FAR_PUB")" "${WGM_ERR[$n]}")" 1 "$n: the far peer announced once"
done
check "no sanitizer report" test "$(cat "${WGM_ERR[r]}" "${WGM_ERR[s]}" | grep -cE 'AddressSanitizer|runtime error|LeakSanitizer')" = 0
t_done
