#!/bin/bash
# SPDX-License-Identifier: MIT
# Fault injection on the log file (issue 19, item 3): made append-only (chattr +a, so
# rotation's rename is refused) for many retries and back, immutable (+i) and back, replaced
# by a symlink and back, its disk full and emptied (a third daemon), and SIGHUP in a tight
# loop while the far side goes down and up (to a second daemon too, whose healthy file must
# then equal its stderr). No crash, no hang, no transition lost: each of the far peer's
# peer_offline/peer_online is on stderr exactly once and in the files at most once (never
# while the file is refused); the backups made before the append-only spell survive it;
# every line in the files is whole.
. "$(dirname "$0")/lib.sh"
t_common
# Without a working chattr only the append-only and immutable phases are skipped.
CHATTR=1
chattr_skip() { CHATTR=0; printf '  SKIPPED %s: the chattr phases (+a, +i): %s\n' "$T_NAME" "$*"; }
command -v chattr >/dev/null || chattr_skip "needs chattr (e2fsprogs)"
INT=1
THR=3
MAX=4096
BK=3

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"
D=$T_DIR/logs
mkdir "$D"
L=$D/wgm.log
# chattr'd files would survive the EXIT trap's rm -rf: set before the first chattr
trap 'chattr -i -a "$L" 2>/dev/null; chattr -i "$D/probe" 2>/dev/null; t_cleanup' EXIT
if [ $CHATTR = 1 ]; then
	touch "$D/probe" && chattr +i "$D/probe" 2>/dev/null || chattr_skip "chattr +i does not work on $D's file system"
	chattr -i "$D/probe" 2>/dev/null; rm -f "$D/probe"
fi

# Two backups from an earlier run: rotations shift them up, and refused ones must not.
for i in 1 2; do echo "2026-01-01T00:00:0$i.000Z INFO event=backup_marker n=$i" >"$L.$i"; done
chmod 0640 "$L".[12]
wgm_start m --log-path "$L" --interval $INT --threshold $THR --debug \
	--log-max-bytes $MAX --log-backups $BK
# A second daemon on the same tunnel with a healthy, unrotated file takes the SIGHUP storm
# too: its file must then hold every line of its stderr.
wgm_start h --interval $INT --threshold $THR
# A third one logs on a small tmpfs, made full during the first outage and emptied before
# the return: every transition once on stderr, at most once in the file, in whole lines.
FD=$T_DIR/disk
# listed before the mount, so no moment has it mounted but unknown to the EXIT trap
T_MOUNTS+=("$FD")
mkdir "$FD" && mount -t tmpfs -o size=256k,mode=0700 wgmit "$FD" || skip "cannot mount a tmpfs"
wgm_start d --log-path "$FD/wgm.log" --interval $INT --threshold $THR --debug
M=${WGM_ERR[m]} H=${WGM_ERR[h]} HL=${WGM_LOG[h]} DE=${WGM_ERR[d]} DL=$FD/wgm.log
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 10 "$M" || die "no peer_initial"
OFF=$(peer_re peer_offline "$FAR_PUB") ON=$(peer_re peer_online "$FAR_PUB")
# Offline is judged at the end of a poll: threshold + 2 x interval + one budget (SPEC §13),
# doubled for the load of parallel runs; online: the far side's 1 s keepalive handshakes at
# once and the next poll (interval + budget) sees it, doubled likewise.
T_OFF=$((2 * (THR + 3 * INT))) T_ON=$((2 * (3 * INT + 1)))
# Every poll writes DEBUG lines, so a broken file is found within one interval, and a
# failing file is retried at most once a second: 1 s + one interval, doubled for the load.
T_NOTE=$((2 * (1 + INT) + 2))
# On a full tmpfs a line still lands in the file's last, already allocated page (up to 4096
# bytes), and each poll writes at least its ' DEBUG event=poll ' line: the error comes within
# ceil(4096 / that line's length) polls, plus T_NOTE to notice it.
wait_for_log ' DEBUG event=poll ' 10 "$DE" || die "d: no poll"
PL=$(printf '%s\n' "$WAIT_LINE" | wc -c)
T_FULL=$(( (4096 + PL - 1) / PL * INT + T_NOTE ))
files_count() { cat "$L".* "$L" 2>/dev/null | grep -cE -- "$1"; }

# ---- append-only from the start (the file is far from MAX yet): writes work until the
# first rotation, whose rename is refused and retried every second
[ $CHATTR = 0 ] || chattr +a "$L" || die "chattr +a"
dd if=/dev/zero of="$FD/fill" bs=4k 2>/dev/null # until ENOSPC
far_down
expect_log "full disk: log_file_error" 'ERROR event=log_file_error ' $T_FULL "$DE"
# The file fills to MAX at a few hundred bytes a poll: at most MAX / 100 polls.
[ $CHATTR = 0 ] || expect_log "+a: the refused rotation is a log_file_error" 'event=log_file_error .*rotate' \
	$((MAX / 100 * INT)) "$M"
expect_log "+a: peer_offline on stderr" "$OFF" $T_OFF "$M"
if [ $CHATTR = 1 ]; then
	# BK + 2 more polls while rotation is refused: more retries than there are backups.
	wait_for_count ' DEBUG event=poll ' $(( $(count_re ' DEBUG event=poll ' "$M") + BK + 2 )) \
		$((2 * (BK + 2) * INT + 5)) "$M" || bad "+a: fewer than $((BK + 2)) polls"
	assert_range "$(files_count "$OFF")" 0 1 "+a: peer_offline at most once in the files"
	# Checked while +a still refuses every rotation: the first refused one shifted the two
	# backups to .2 and .3 (leaving .1 free), the retries since moved none further.
	for i in 1 2; do
		check "+a: backup $i survived the refused rotations" grep -q "event=backup_marker n=$i" "$L.$((i + 1))"
	done
	chattr -a "$L"
fi
wait_for_log "$OFF" $T_OFF "$DE" || bad "full disk: no peer_offline on stderr"
rm -f "$FD/fill"
expect_log "disk emptied: log_file_recovered" 'event=log_file_recovered ' $T_NOTE "$DE"
[ $CHATTR = 0 ] || expect_log "-a: log_file_recovered" 'event=log_file_recovered ' $T_NOTE "$M"

# ---- immutable: every write refused (or the rotation, if the file is at MAX); the
# transition goes to stderr only
if [ $CHATTR = 1 ]; then
	chattr +i "$L" || die "chattr +i"
	wait_for_count 'ERROR event=log_file_error ' 2 $T_NOTE "$M" && ok "+i: log_file_error" ||
		bad "+i: no second log_file_error within $T_NOTE s"
fi
far_up
expect_log "+i: peer_online on stderr" "$ON" $T_ON "$M"
[ $CHATTR = 0 ] || assert_eq "$(files_count "$ON")" 0 "+i: peer_online not in the immutable file"
for n in h d; do # before the next outage: each daemon polls on its own schedule
	wait_for_log "$ON" $T_ON "${WGM_ERR[$n]}" || bad "$n: no peer_online within $T_ON s"
done
if [ $CHATTR = 1 ]; then
	chattr -i "$L"
	wait_for_count 'event=log_file_recovered ' 2 $T_NOTE "$M" && ok "-i: log_file_recovered" ||
		bad "-i: no second log_file_recovered within $T_NOTE s"
fi

# ---- replaced by a symlink (to a file of ours elsewhere): never followed, then recovered
echo keep >"$T_DIR/target"
E0=$(count_re 'event=log_file_error ' "$M") R0=$(count_re 'event=log_file_recovered ' "$M")
# (renamed over the file: the daemon re-creates a deleted file at once)
ln -s "$T_DIR/target" "$T_DIR/link" && mv -fT "$T_DIR/link" "$L" || die "symlink"
wait_for_count 'event=log_file_error ' $((E0 + 1)) $T_NOTE "$M" && ok "symlink: log_file_error" ||
	bad "symlink: no new log_file_error within $T_NOTE s"
wait_polls_m() { wait_for_count ' DEBUG event=poll ' $(( $(count_re ' DEBUG event=poll ' "$M") + $1 )) $((2 * $1 * INT + 5)) "$M"; }
wait_polls_m 2 || bad "symlink: fewer than 2 polls"
assert_eq "$(cat "$T_DIR/target")" keep "symlink: its target untouched"
rm -f "$L"
wait_for_count 'event=log_file_recovered ' $((R0 + 1)) $T_NOTE "$M" && ok "symlink removed: log_file_recovered" ||
	bad "symlink removed: no new log_file_recovered within $T_NOTE s"
check "symlink removed: a regular file again" test -f "$L" -a ! -L "$L"

# ---- SIGHUP in a tight loop while the far side goes down and up
hup_storm() {
	local i
	for i in $(seq 400); do kill -HUP "${WGM_PID[m]}" "${WGM_PID[h]}" 2>/dev/null || return; done
}
far_down
hup_storm
# every daemon must see this outage before it ends (each polls on its own schedule)
for n in m h d; do
	wait_for_count "$OFF" 2 $T_OFF "${WGM_ERR[$n]}" || bad "HUP storm: $n: no second peer_offline within $T_OFF s"
done
hup_storm
far_up
hup_storm
for n in m h d; do
	wait_for_count "$ON" 2 $T_ON "${WGM_ERR[$n]}" || bad "HUP storm: $n: no second peer_online within $T_ON s"
done
hup_storm
sync_to_poll m || bad "HUP storm: no poll after it"
for n in m h d; do
	check "$n: alive after every fault" wgm_alive $n
	wgm_stop $n
	assert_eq "$STOP_RC" 0 "$n: exit status after SIGTERM (no crash, no sanitizer report)"
	[ $n = d ] || check "$n: some SIGHUPs reopened the log" \
		test "$(count_re 'event=log_reopened' "${WGM_ERR[$n]}")" -gt 0
done

assert_eq "$(count_re "$OFF" "$M")" 2 "stderr: peer_offline exactly twice (one per outage)"
assert_eq "$(count_re "$ON" "$M")" 2 "stderr: peer_online exactly twice (one per return)"
# Through the storm, h's file stayed healthy: it holds exactly its stderr, each transition once.
for f in "$H" "$HL"; do
	assert_eq "$(count_re "$OFF" "$f")" 2 "h: $(basename "$f"): peer_offline exactly twice"
	assert_eq "$(count_re "$ON" "$f")" 2 "h: $(basename "$f"): peer_online exactly twice"
done
check "h: the file holds exactly the stderr lines through the SIGHUP storm" cmp -s "$HL" "$H"
# The full disk: the first outage on stderr only, the rest in the file.
assert_eq "$(count_re "$OFF" "$DE") $(count_re "$ON" "$DE")" "2 2" "d: stderr: peer_offline, peer_online twice each"
# (a line that fits in the file's last, already allocated page is still written on a full
# tmpfs: the offline during the full disk may be in the file, but never twice)
assert_range "$(count_re "$OFF" "$DL")" 1 2 "d: file: peer_offline at most once per outage"
assert_eq "$(count_re "$ON" "$DL")" 2 "d: file: peer_online once per return (the disk was free)"
# Whole lines only: each starts with a timestamp and holds one event.
bad_lines=$(cat "$L".[0-9] "$L" "$DL" | grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z [A-Z]+ event=[a-z_]+( |$)')
assert_eq "$bad_lines" 0 "files: every line whole (no glued or torn line)"
assert_eq "$(cat "$L".[0-9] "$L" "$DL" | grep -c 'event=.*event=')" 0 "files: no two events on one line"
check "no sanitizer report" test "$(cat "$M" "$H" "$DE" | grep -cE 'AddressSanitizer|runtime error|LeakSanitizer')" = 0
t_done
