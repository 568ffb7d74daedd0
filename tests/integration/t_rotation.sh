#!/bin/bash
# SPDX-License-Identifier: MIT
# Built-in rotation under a flood of DEBUG lines (§6): every file <= LOG_MAX_BYTES, at most
# 1 + LOG_BACKUPS files, and no line lost: the files, oldest first, are exactly stderr
# (all of it with 100 backups, its tail with 3).
. "$(dirname "$0")/lib.sh"
t_common
MAX=4096

netns_pair
genkey "$T_DIR/n.key"
wg_create "$NS_N" "$VIEW_N" "$IF_N" "$NEAR_TUN"
args=()
for i in $(seq 1 50); do args+=(peer "$(randkey)" allowed-ips "10.79.0.$i/32"); done
in_n wg set "$IF_N" private-key "$T_DIR/n.key" listen-port "$PORT_N" "${args[@]}" || die "50 peers"

mkdir "$T_DIR/r100" "$T_DIR/r3"
wgm_start r100 --log-path "$T_DIR/r100/wgm.log" --interval 1 --threshold 60 --debug \
	--log-max-bytes $MAX --log-backups 100
wgm_start r3 --log-path "$T_DIR/r3/wgm.log" --interval 1 --threshold 60 --debug \
	--log-max-bytes $MAX --log-backups 3
# Five polls of 50 peers each: far more than 100 KiB of lines.
wait_for_count 'event=peer_initial' 50 5 "${WGM_ERR[r100]}" || bad "no 50 peer_initial lines"
for n in r100 r3; do
	wait_for_count ' DEBUG ' 250 10 "${WGM_ERR[$n]}" || bad "$n: fewer than 250 DEBUG lines in 10 s"
done
for n in r100 r3; do wgm_stop $n; assert_eq "$STOP_RC" 0 "$n: exit status"; done

# files DIR: the log files oldest first (wgm.log.N ... wgm.log.1 wgm.log).
files() {
	local d=$1 i
	for i in $(seq 200 -1 1); do [ -e "$d/wgm.log.$i" ] && echo "$d/wgm.log.$i"; done
	echo "$d/wgm.log"
}
for n in r100 r3; do
	d=$T_DIR/$n
	big=0
	for f in $(files "$d"); do
		s=$(stat -c %s "$f")
		[ "$s" -le $MAX ] || { big=1; bad "$n: $(basename "$f") has $s bytes > $MAX"; }
	done
	[ $big = 0 ] && ok "$n: every file <= $MAX bytes"
	nf=$(files "$d" | wc -l)
	cat $(files "$d") >"$T_DIR/$n.all"
	total=$(stat -c %s "${WGM_ERR[$n]}")
	if [ $n = r100 ]; then
		check "r100: rotated (found $nf files, stderr $total bytes)" test "$nf" -ge 5
		check "r100: backups numbered without gaps" test "$(ls "$d" | wc -l)" = "$nf"
		if cmp -s "$T_DIR/$n.all" "${WGM_ERR[$n]}"; then
			ok "r100: the files hold exactly the stderr lines, in order"
		else
			bad "r100: the files differ from stderr: $(diff "$T_DIR/$n.all" "${WGM_ERR[$n]}" | head -n 4 | tr '\n' '|')"
		fi
	else
		assert_eq "$nf" 4 "r3: 1 + 3 files"
		assert_eq "$(ls "$d" | wc -l)" 4 "r3: nothing else in the folder (no wgm.log.4)"
		k=$(wc -l <"$T_DIR/$n.all")
		if tail -n "$k" "${WGM_ERR[$n]}" | cmp -s - "$T_DIR/$n.all"; then
			ok "r3: the files hold exactly the last $k stderr lines, in order"
		else
			bad "r3: the files are not the tail of stderr"
		fi
		check "r3: retained lines fill most of 4 files" test "$(stat -c %s "$T_DIR/$n.all")" -gt $((3 * MAX))
	fi
	check "$n: every file ends with a whole line" \
		test -z "$(for f in $(files "$d"); do [ -s "$f" ] && [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" != '\n' ] && echo "$f"; done)"
done
t_done
