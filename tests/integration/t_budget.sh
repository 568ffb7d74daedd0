#!/bin/bash
# SPDX-License-Identifier: MIT
# One budget per poll (§14): four UAPI sockets that accept and never answer, beside a real
# interface, at --interval 2: the polls keep their cadence (at least 8 in 22 s, none longer
# than the budget), each dead socket is a poll_error, the real peer still goes offline on
# time, and SIGTERM ends a poll that is waiting on the dead sockets within 2 s.
. "$(dirname "$0")/lib.sh"
t_common
INT=2
THR=5
RUN=22

wg_pair 1
wait_handshake n "$FAR_PUB" 10 || die "no handshake"

# Four sockets in the near side's UAPI directory that accept and never answer. Unix sockets
# are reached by path, so the listener needs no namespace; its name is unique per run.
DEAD=() PATHS=()
for i in 0 1 2 3; do DEAD+=("wgd${T_ID}$i"); PATHS+=("$VIEW_N/wgd${T_ID}$i.sock"); done
# shellcheck disable=SC2016
DEAD_PY='
import select, socket, sys
ls = []
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(p)
    s.listen(64)
    ls.append(s)
held = []
while True:
    for s in select.select(ls, [], [])[0]:
        held.append(s.accept()[0])  # accepted, never read, never answered
'
"$PY" -c "$DEAD_PY" "${PATHS[@]}" >"$T_DIR/dead.out" 2>&1 &
T_PIDS+=("$!")
for i in $(seq 50); do
	n=0; for p in "${PATHS[@]}"; do [ -S "$p" ] && n=$((n + 1)); done
	[ $n = 4 ] && break
	sleep 0.1
done
[ $n = 4 ] || die "the dead sockets were not created"

T0=$(now)
wgm_start m --interval $INT --threshold $THR --debug
M=${WGM_ERR[m]}
# (one budget: the first poll ends within 2 s, well inside the far side's keepalives)
wait_for_log "$(peer_re peer_initial "$FAR_PUB")" 15 "$M"
assert_eq "$(field "$WAIT_LINE" state)" online "the real peer starts online"

# The far side goes away; the near side's rx is sampled so the last change is bracketed: it
# happened after chg_lo and was visible at chg_hi (as in t_offline_online).
last_rx=$(rx_of n "$FAR_PUB"); prev=$(now); chg_lo=; chg_hi=; t1=$(now)
while awk -v a="$(now)" -v b="$t1" 'BEGIN{exit !(a - b < 1.5)}'; do
	s=$(now); r=$(rx_of n "$FAR_PUB")
	if [ "$r" != "$last_rx" ]; then last_rx=$r; chg_lo=$prev; chg_hi=$(now); fi
	prev=$s
	sleep 0.1
done
far_down
[ -n "$chg_lo" ] || die "near rx did not change in the 1.5 s before the far side stopped"
wait_for_log "$(peer_re peer_offline "$FAR_PUB")" $((THR + 2 * INT + 5)) "$M"
OFF_LINE=$WAIT_LINE
# Until RUN s after the start, then SIGTERM while a poll waits on the dead sockets: the
# daemon holds a socket to each of them only then.
while awk -v a="$(now)" -v b="$T0" -v r=$RUN 'BEGIN{exit !(a - b < r)}'; do sleep 0.2; done
pid=${WGM_PID[m]} socks=0
for i in $(seq 100); do
	socks=$(find "/proc/$pid/fd" -lname 'socket:*' 2>/dev/null | wc -l)
	[ "$socks" -ge 4 ] && break
	sleep 0.05
done
check "SIGTERM sent while a poll waits on the dead sockets ($socks sockets open)" test "$socks" -ge 4
polls=$(count_re ' DEBUG event=poll ' "$M")
STOP_RC=
wgm_signal_stop m TERM
assert_eq "$STOP_RC" 0 "exit status after SIGTERM"
assert_range "$STOP_SECS" 0 2 "SIGTERM mid-poll: stopped within 2 s (s)"
assert_range "$polls" 8 12 "polls in the first $RUN s at --interval $INT"

# A poll ends by its budget, however many sockets are dead: what follows the deadline is
# the reading of what already came and the bookkeeping, which the emulated VM (kernel)
# makes slower.
slack=200; [ "$WG_IMPL" = kernel ] && slack=1000
max_ms=$(grep -E ' DEBUG event=poll ' "$M" | sed -n 's/.* poll_ms=\([0-9]*\).*/\1/p' | sort -n | tail -n 1)
assert_range "${max_ms:-x}" 0 $((INT * 1000 + slack)) "the longest poll, capped by the budget (ms)"
# On time: the offline is judged at the end of a poll, so its bound is threshold + 2 x
# interval (SPEC §13) plus the poll's own length, which the budget caps.
if [ -n "$OFF_LINE" ]; then
	t=$(ts_epoch "$OFF_LINE")
	assert_range "$(fsub "$t" "$chg_lo")" "$THR" 999 \
		"not offline before the threshold after the last rx (s)"
	assert_range "$(fsub "$t" "$chg_hi")" -999 "$(fsub $((THR + 2 * INT)) "-${max_ms:-0}e-3")" \
		"offline within threshold + 2 x interval + one poll of the last rx (s)"
else
	bad "no peer_offline within $((THR + 2 * INT + 5)) s after the far side stopped"
fi
for d in "${DEAD[@]}"; do
	if grep -qE "event=poll_error interface=$d .*no reply from .*/$d\.sock within [0-9]+ ms \(poll budget\)" "$M"; then
		ok "poll_error for the dead socket $d"
	else
		bad "no poll_error naming the dead socket $d"
	fi
done
assert_eq "$(count_re "event=poll_error interface=$IF_N " "$M")" 0 "no poll_error for the real interface"
check "the real interface was read in every poll" \
	test "$(count_re "event=poll_error .*incomplete|interrupted" "$M")" = 0
t_done
