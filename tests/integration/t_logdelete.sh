#!/bin/bash
# SPDX-License-Identifier: MIT
# A log file deleted or renamed by someone else (no SIGHUP) is noticed and re-created (§6).
. "$(dirname "$0")/lib.sh"
t_common

wg_pair 1
wgm_start m --interval 1 --threshold 60 --debug
L=${WGM_LOG[m]}
wait_for_log ' DEBUG ' 5 "$L" || die "no DEBUG lines in the log file"

rm -f "$L"
t_rm=$(now)
if wait_for_log ' DEBUG ' 5 "$L"; then
	ok "deleted: the file is re-created with the next lines"
	assert_range "$(fsub "$(ts_epoch "$(tail -n 1 "$L")")" "$t_rm")" 0 10 "deleted: new lines are newer than the deletion (s)"
	assert_eq "$(stat -c %a "$L")" 640 "deleted: re-created with mode 0640"
else
	bad "deleted: no new file at the log path within 5 s"
fi

mv "$L" "$L.moved"
t_mv=$(now)
if wait_for_log ' DEBUG ' 5 "$L"; then
	ok "renamed: a new file at the log path gets the next lines"
else
	bad "renamed: no new file at the log path within 5 s"
fi
n=$(wc -l <"$L.moved")
sleep 2
assert_eq "$(wc -l <"$L.moved")" "$n" "renamed: the moved file gets no more lines"
check "daemon still running" wgm_alive m
wgm_stop m
assert_eq "$STOP_RC" 0 "exit status after SIGTERM"
check "monitor_stop went to the new file" grep -q 'event=monitor_stop' "$L"
: "$t_mv"
t_done
