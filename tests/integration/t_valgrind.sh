#!/bin/bash
# SPDX-License-Identifier: MIT
# The daemon under valgrind (issue 19) through a whole cycle: start with a state file, polls,
# a peer offline and online (a hook run each time), built-in rotation, a renamed log and
# SIGHUP, a reload (SIGHUP with a changed names file and token), /metrics scraped, SIGTERM.
# No memory error, no definite or indirect leak, no file descriptor open at exit but 0-2.
. "$(dirname "$0")/lib.sh"
t_common
command -v valgrind >/dev/null || skip "valgrind not installed: the daemon was NOT checked under valgrind"
command -v curl >/dev/null || skip "curl not installed: the valgrind cycle needs it for /metrics"
# make integration-asan runs every test against the ASan build, which valgrind cannot run
# (two allocators, ASan's shadow memory): the plain build is checked by make integration.
if grep -qa __asan_init "$WGM_BIN"; then
	skip "an ASan build ($WGM_BIN): valgrind checks the plain build (make integration)"
fi

# The daemon frees everything it allocated before it exits (its snapshot and spare arrays
# included), so a block of any kind left at exit is a leak, one a live or interior pointer
# may hide (still reachable, possibly lost): every kind is an error
# (--errors-for-leak-kinds=all), listed, and checked again below.
VG_LOG=$T_DIR/valgrind.log
WGM_WRAP=(valgrind --leak-check=full --error-exitcode=1 --track-fds=yes
	--errors-for-leak-kinds=all --show-leak-kinds=all --log-file="$VG_LOG")

wg_pair 1
state_dir_new
# A hook that records each run and then fails with a message, so the daemon logs the run
# (hook_failed) and reads the hook's stderr.
HD=$T_DIR/hook; mkdir -p "$HD/out"
cat >"$HD/hook" <<EOF
#!/bin/sh
echo "\$WG_MONITOR_EVENT" >"$HD/out/\$WG_MONITOR_SEQ"
echo "hook ran for \$WG_MONITOR_EVENT" >&2
exit 3
EOF
chmod 0755 "$HD/hook"
NAMES=$T_DIR/names; printf '%s far-one\n' "$FAR_PUB" >"$NAMES"
TOKEN=$T_DIR/token; printf 'first-token-0123456789abcdef\n' >"$TOKEN"; chmod 0600 "$TOKEN"
MPORT=9586 # inside the test's own namespace
mkdir "$T_DIR/logs"
L=$T_DIR/logs/wgm.log

# valgrind runs the daemon some 20-50 times slower: a 2 s poll keeps its cadence (one poll
# of two peers is milliseconds natively), the threshold of 4 s is two polls.
wgm_start m --log-path "$L" --interval 2 --threshold 4 --debug --log-max-bytes 8192 \
	--log-backups 2 --state-file "$SF" --on-change "$HD/hook" --names "$NAMES" \
	--metrics-listen "127.0.0.1:$MPORT" --metrics-token-file "$TOKEN"
E=${WGM_ERR[m]}
# The waits below are bounded by what valgrind's start (about 3 s natively, far more
# under the load of parallel runs) and a poll need; none is a sleep.
expect_log "start: monitor_start names the state file" "event=monitor_start .*state_file=$SF" 60 "$E"
expect_log "poll: the far peer is online" "$(peer_re peer_initial "$FAR_PUB").* state=online" 30 "$E"

far_down
expect_log "transition: peer_offline" "$(peer_re peer_offline "$FAR_PUB")" 30 "$E"
expect_log "hook: the daemon reports the hook's exit and its stderr" \
	"event=hook_failed .*hook ran for peer_offline" 30 "$E"
check "hook: the hook ran for peer_offline" grep -qx peer_offline "$HD"/out/*
far_up
expect_log "transition: peer_online" "$(peer_re peer_online "$FAR_PUB")" 30 "$E"

# Built-in rotation at 8 KiB: the DEBUG lines of a few polls fill it.
wait_for_log . 60 "$L.1" && ok "rotation: wgm.log.1 made at 8 KiB" ||
	bad "rotation: no wgm.log.1 within 60 s"

mv "$L" "$L.moved"
kill -HUP "${WGM_PID[m]}"
expect_log "renamed log + SIGHUP: log_reopened in a new file" 'event=log_reopened' 30 "$L"

printf '%s far-two\n' "$FAR_PUB" >"$NAMES"
printf 'second-token-0123456789abcdef\n' >"$TOKEN"
kill -HUP "${WGM_PID[m]}"
expect_log "reload: the changed name is read" "event=peer_renamed .*far-two" 30 "$E"

scrape() { in_n curl -sS --max-time 20 -H "Authorization: Bearer $1" "http://127.0.0.1:$MPORT/metrics"; }
out=$(scrape second-token-0123456789abcdef)
check "metrics: scraped with the reloaded token" grep -q '^wg_monitor_build_info' <<<"$out"
code=$(in_n curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
	-H "Authorization: Bearer first-token-0123456789abcdef" "http://127.0.0.1:$MPORT/metrics")
assert_eq "$code" 401 "metrics: the old token refused"

# SIGTERM: valgrind's leak check at exit takes seconds under load; wgm_signal_stop's 5 s
# would SIGKILL it, so this waits up to 60 s for the exit status.
pid=${WGM_PID[m]}
kill -TERM "$pid"
for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
	kill -KILL "$pid"; bad "stop: still running 60 s after SIGTERM"
fi
wait "$pid"; rc=$?
assert_eq "$rc" 0 "stop: exit status under valgrind (1 = a valgrind error)"
check "stop: monitor_stop logged" grep -q 'event=monitor_stop' "$E"
out=$(state_check "$SF")
check "stop: the state file is whole ($out)" test "${out%% *}" = ok

# valgrind's report
if grep -q 'ERROR SUMMARY: 0 errors' "$VG_LOG"; then
	ok "valgrind: no memory error and no leak of any kind"
else
	bad "valgrind: $(grep 'ERROR SUMMARY' "$VG_LOG")"
fi
for kind in definitely indirectly possibly; do
	n=$(sed -n "s/.*$kind lost: \([0-9,]*\) bytes.*/\1/p" "$VG_LOG" | tr -d ,)
	assert_eq "${n:-0}" 0 "valgrind: bytes $kind lost"
done
reach=$(grep -c 'still reachable in loss record' "$VG_LOG")
assert_eq "$reach" 0 "valgrind: still-reachable blocks at exit"
check "valgrind: all heap blocks were freed" grep -q 'All heap blocks were freed' "$VG_LOG"
# --track-fds lists every descriptor open at exit, with the stack that opened it or
# "<inherited from parent>" (the test shell's and valgrind's own): none of the daemon's
# may be left beyond stdin, stdout and stderr.
# ("Open file descriptor N: path", "Open AF_INET socket N: ...", "Open AF_UNIX socket N: ...")
fds=$(awk '/== Open [^:]* [0-9]+:/ { if (fd != "" && !inh) print fd
		fd = $0; sub(/:.*/, "", fd); sub(/.* /, "", fd); inh = 0; next }
	/<inherited from parent>/ { inh = 1 }
	END { if (fd != "" && !inh) print fd }' "$VG_LOG" | awk '$1 > 2' | tr '\n' ' ')
assert_eq "$fds" "" "valgrind: no descriptor the daemon opened is open at exit"
grep -q 'FILE DESCRIPTORS:' "$VG_LOG" || bad "valgrind: no FILE DESCRIPTORS report in its log"
log_note "valgrind: $(grep -E 'FILE DESCRIPTORS|in use at exit|still reachable' "$VG_LOG" | sed 's/^==[0-9]*== *//' | tr '\n' ';')"
[ "$T_FAILS" = 0 ] || sed 's/^/    vg| /' "$VG_LOG" | tail -n 80
t_done
