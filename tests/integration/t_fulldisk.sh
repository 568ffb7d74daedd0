#!/bin/bash
# SPDX-License-Identifier: MIT
# A full file system under the log file (§6): the daemon keeps running and logging to
# stderr, says so once (log_file_error), and recovers (log_file_recovered) once space is free.
. "$(dirname "$0")/lib.sh"
t_common

netns_pair
genkey "$T_DIR/n.key"
wg_create "$NS_N" "$VIEW_N" "$IF_N" "$NEAR_TUN"
args=()
for i in $(seq 1 20); do args+=(peer "$(randkey)" allowed-ips "10.79.0.$i/32"); done
in_n wg set "$IF_N" private-key "$T_DIR/n.key" "${args[@]}" || die "20 peers"

D=$T_DIR/disk
mkdir "$D"
mount -t tmpfs -o size=256k,mode=0700 wgmit "$D" || skip "cannot mount a tmpfs"
T_MOUNTS+=("$D")
L=$D/wgm.log
# 20 peers with --debug: about 4 KiB of lines a second, so a full disk shows at once.
wgm_start m --log-path "$L" --interval 1 --threshold 60 --debug
E=${WGM_ERR[m]}
wait_for_log 'event=peer_initial' 5 "$L" || die "no lines in the log file"

dd if=/dev/zero of="$D/fill" bs=4k 2>/dev/null # until ENOSPC
t_full=$(now)
expect_log "disk full: log_file_error on stderr" 'ERROR event=log_file_error' 15
n1=$(wc -l <"$E")
sleep 3.5
check "daemon still running on a full disk" wgm_alive m
n2=$(wc -l <"$E")
check "stderr keeps getting lines ($n1 -> $n2)" test "$n2" -gt $((n1 + 20))
assert_eq "$(count_re 'event=log_file_error' "$E")" 1 "the failure is said once"
size_full=$(stat -c %s "$L")

rm -f "$D/fill"
t_free=$(now)
expect_log "space freed: log_file_recovered on stderr" 'event=log_file_recovered' 5
sleep 1.5
size_after=$(stat -c %s "$L")
check "the log file grows again ($size_full -> $size_after)" test "$size_after" -gt "$size_full"
last=$(tail -n 1 "$L")
assert_range "$(fsub "$(ts_epoch "$last")" "$t_free")" 0 10 "the file's last line is newer than the recovery (s)"
assert_eq "$(count_re 'event=log_file_error' "$E")" 1 "still one failure notice"
wgm_stop m
assert_eq "$STOP_RC" 0 "exit status after SIGTERM"
: "$t_full"
t_done
