#!/bin/bash
# SPDX-License-Identifier: MIT
# `sudo make demo` (§8): runs to completion showing peer_initial, peer_online,
# peer_offline, peer_online with offline_for and three status tables, exits 0, and leaves
# no namespace, process or file behind; interrupted (Ctrl-C: SIGINT to its process group)
# it cleans up too. About 25 s.
. "$(dirname "$0")/lib.sh"
t_common
if ! command -v wireguard-go >/dev/null || [ ! -c /dev/net/tun ]; then
	skip "the demo needs wireguard-go and /dev/net/tun"
fi
DEMO=$T_ROOT/demo.sh

# leftovers RUN_OUTPUT: namespaces, processes and the directory of that run, if any.
leftovers() {
	local id dir
	id=$(sed -n 's/.*namespaces wgdemo-\([0-9]*\)-a.*/\1/p' "$1")
	dir=$(sed -n 's/.*WireGuard links, \(\/tmp\/wg-monitor-demo\.[A-Za-z0-9]*\)).*/\1/p' "$1")
	if [ -z "$id" ] || [ -z "$dir" ]; then echo "no cleanup line"; return; fi
	ip netns list | grep -E "^wgdemo-$id-" | tr '\n' ' '
	pgrep -f "wgd${id}[ab]|$dir" | tr '\n' ' '
	[ -e "$dir" ] && echo "$dir"
}

timeout 120 "$DEMO" >"$T_DIR/demo.out" 2>&1
assert_eq "$?" 0 "demo: exit 0"
for e in peer_initial peer_online peer_offline 'peer_online.*offline_for=' monitor_stop; do
	check "demo shows $e" grep -qE "event=$e" "$T_DIR/demo.out"
done
assert_eq "$(grep -c '^INTERFACE ' "$T_DIR/demo.out")" 3 "demo prints status three times"
assert_eq "$(leftovers "$T_DIR/demo.out")" "" "demo: nothing left behind"

# Ctrl-C once the peer is online: its own process group (job control), SIGINT to all.
set -m
"$DEMO" >"$T_DIR/int.out" 2>&1 &
pid=$!
set +m
wait_for_log 'event=peer_online' 30 "$T_DIR/int.out" || bad "Ctrl-C run: no peer_online"
kill -INT -- -"$pid"
wait "$pid"
assert_eq "$?" 130 "Ctrl-C: exit 130"
check "Ctrl-C: says it was interrupted" grep -q "demo: interrupted" "$T_DIR/int.out"
assert_eq "$(leftovers "$T_DIR/int.out")" "" "Ctrl-C: nothing left behind"
t_done
