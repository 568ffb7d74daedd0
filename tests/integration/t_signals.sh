#!/bin/bash
# SPDX-License-Identifier: MIT
# Signals (§6, §8): SIGTERM and SIGINT stop within 2 s even mid-sleep (--interval 3600), with
# stats then monitor_stop as the last lines, exit 0; SIGHUP reopens a renamed log file.
. "$(dirname "$0")/lib.sh"
t_common

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"

for sig in TERM INT; do
	n=s$sig
	wgm_start "$n" --interval 3600 --threshold 60
	wait_for_count 'event=peer_initial' 2 5 "${WGM_ERR[$n]}" || bad "SIG$sig: no peer_initial"
	sleep 0.5 # now surely asleep until the next poll in an hour
	STOP_RC=
	wgm_signal_stop "$n" "$sig"
	assert_eq "$STOP_RC" 0 "SIG$sig: exit status"
	assert_range "$STOP_SECS" 0 2 "SIG$sig: stopped within 2 s (s)"
	for f in "${WGM_LOG[$n]}" "${WGM_ERR[$n]}"; do
		w=$(basename "$f")
		assert_eq "$(events "$f" | tail -n 2 | tr '\n' ' ')" "stats monitor_stop " "SIG$sig: last events in $w"
		last=$(tail -n 1 "$f")
		assert_eq "$(field "$last" signal)" "SIG$sig" "SIG$sig: monitor_stop signal= in $w"
	done
	st=$(grep -E 'event=stats' "${WGM_ERR[$n]}" | tail -n 1)
	for k in peers online offline never; do
		check "SIG$sig: final stats has $k=" test -n "$(field "$st" $k)"
	done
	assert_eq "$(field "$st" peers)" 2 "SIG$sig: final stats peers"
done

# SIGHUP: rename the log away (as logrotate does), HUP, then the next lines go to a new file.
wgm_start h --interval 1 --threshold 60 --debug
L=${WGM_LOG[h]}
wait_for_log ' DEBUG ' 5 "$L" || bad "SIGHUP: no DEBUG line in the log file"
mv "$L" "$L.1"
kill -HUP "${WGM_PID[h]}"
if wait_for_log ' DEBUG ' 5 "$L"; then
	ok "SIGHUP: new lines in a new file at the log path"
else
	bad "SIGHUP: no new file with lines at the log path within 5 s"
fi
check "SIGHUP: daemon still running" wgm_alive h
wgm_stop h
assert_eq "$STOP_RC" 0 "SIGHUP run: exit status after SIGTERM"
check "SIGHUP: monitor_stop in the new file" grep -q 'event=monitor_stop' "$L"
check "SIGHUP: nothing after the rename+HUP went to the old file" \
	test "$(count_re 'event=monitor_stop' "$L.1")" = 0
# No process substitution: the VM guest's chroot has no /dev/fd.
cat "$L.1" "$L" >"$T_DIR/h.files"
if cmp -s "$T_DIR/h.files" "${WGM_ERR[h]}"; then
	ok "SIGHUP: old + new file hold every line of stderr"
else
	bad "SIGHUP: old + new file differ from stderr (< files, > stderr):"
	diff "$T_DIR/h.files" "${WGM_ERR[h]}" | cut -c1-160 | sed 's/^/  | /'
fi
t_done
