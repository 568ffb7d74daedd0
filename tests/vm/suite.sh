#!/bin/sh
# SPDX-License-Identifier: MIT
# Kernel-WireGuard suite, run INSIDE the VM as root from the project root (tests/vm/run.sh):
# (a) the real module handshakes, (b) wg-monitor status = wg dump, (c) the integration
# tests with WG_IMPL=kernel, (d) the same cross-check with 10,000 peers.
set -u

NS_A=wgvm-a NS_B=wgvm-b NS_C=wgvm-c NS_D=wgvm-d
NPEERS=${VM_SUITE_PEERS:-10000}
PASSED=0 FAILED=0 SKIPPED=0
SUMMARY=""
TMP=$(mktemp -d /tmp/wgvm-suite.XXXXXX)
# Unquoted where used: "busybox ping" is two words.
PING="ping"
command -v ping >/dev/null 2>&1 || PING="busybox ping"

cleanup() {
	for ns in $NS_A $NS_B $NS_C $NS_D; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

# Records a part's result: record NAME pass|fail|skip SECONDS [REASON].
record() {
	case $2 in
	pass) PASSED=$((PASSED + 1)); r=PASS ;;
	fail) FAILED=$((FAILED + 1)); r=FAIL ;;
	*) SKIPPED=$((SKIPPED + 1)); r=SKIPPED ;;
	esac
	line="$r: $1 (${3}s)${4:+ - $4}"
	echo "$line"
	SUMMARY="$SUMMARY$line
"
}

# Runs part function $2 as part "$1", timing it; the function returns 0 pass, 1 fail,
# 77 skip (with its reason in $TMP/skip).
part() {
	echo "=== $1"
	part_t0=$(date +%s)
	rm -f "$TMP/skip"
	"$2"
	rc=$?
	dt=$(($(date +%s) - part_t0))
	case $rc in
	0) record "$1" pass "$dt" ;;
	77) record "$1" skip "$dt" "$(cat "$TMP/skip" 2>/dev/null)" ;;
	*) record "$1" fail "$dt" ;;
	esac
}

skip_because() { echo "$*" >"$TMP/skip"; return 77; }

# Two namespaces joined by veth, a kernel WireGuard interface in each, peered.
setup_pair() {
	umask 077
	wg genkey >"$TMP/a.key" && wg pubkey <"$TMP/a.key" >"$TMP/a.pub" &&
		wg genkey >"$TMP/b.key" && wg pubkey <"$TMP/b.key" >"$TMP/b.pub" || return 1
	ip netns add $NS_A && ip netns add $NS_B &&
		ip link add vwa netns $NS_A type veth peer name vwb netns $NS_B || return 1
	setup_side $NS_A vwa wgk0 1 2 51820 51821 "$TMP/a.key" "$(cat "$TMP/b.pub")" &&
		setup_side $NS_B vwb wgk1 2 1 51821 51820 "$TMP/b.key" "$(cat "$TMP/a.pub")"
}

# setup_side NS VETH WGIF MYNUM PEERNUM MYPORT PEERPORT KEYFILE PEERPUB
setup_side() {
	ip -n "$1" link set lo up &&
		ip -n "$1" addr add "192.168.99.$4/24" dev "$2" &&
		ip -n "$1" link set "$2" up &&
		ip -n "$1" link add "$3" type wireguard &&
		ip netns exec "$1" wg set "$3" private-key "$8" listen-port "$6" \
			peer "$9" endpoint "192.168.99.$5:$7" allowed-ips "10.99.0.$5/32" &&
		ip -n "$1" addr add "10.99.0.$4/24" dev "$3" &&
		ip -n "$1" link set "$3" up
}

# Prints the latest-handshake column of every peer in namespace $1.
handshakes() {
	ip netns exec "$1" wg show all dump | awk -F'\t' 'NF == 9 { print $6 }'
}

part_smoke() {
	[ -d /sys/module/wireguard ] || { echo "wireguard module not loaded"; return 1; }
	setup_pair || { echo "setting up namespaces/interfaces failed"; return 1; }
	ip -n $NS_A -d link show wgk0 | grep -qw wireguard || {
		echo "wgk0 is not a kernel wireguard link"; return 1; }
	# shellcheck disable=SC2086
	ip netns exec $NS_A $PING -c 3 -W 5 10.99.0.2 || { echo "ping across failed"; return 1; }
	for ns in $NS_A $NS_B; do
		hs=$(handshakes "$ns")
		echo "$ns: latest handshake $hs (now $(date +%s))"
		case $hs in
		'' | 0 | *[!0-9]*) echo "$ns: no handshake in wg show all dump"; return 1 ;;
		esac
	done
	ip netns exec $NS_A wg show all dump | awk -F'\t' 'NF == 9 {
		printf "peer %s endpoint %s rx %s tx %s\n", $2, $4, $7, $8 }'
}

# Cross-checks wg-monitor's status with wg's dump in namespace $1; retries when the
# state moved between the two reads of wg.
status_matches() {
	i=0
	while [ $i -lt 3 ]; do
		i=$((i + 1))
		ip netns exec "$1" wg show all dump >"$TMP/dump1" || return 1
		st0=$(date +%s%N)
		if ! ip netns exec "$1" ./wg-monitor status --json --backend "${2:-netlink}" \
			>"$TMP/status.json" 2>"$TMP/status.err"; then
			echo "wg-monitor status failed:"; head -c 2000 "$TMP/status.err"; return 1
		fi
		st1=$(date +%s%N)
		ip netns exec "$1" wg show all dump >"$TMP/dump2" || return 1
		cmp -s "$TMP/dump1" "$TMP/dump2" && break
		echo "state changed during the check; again"
	done
	echo "wg-monitor status --json: $(((st1 - st0) / 1000000)) ms, $(wc -c <"$TMP/status.json") bytes"
	python3 tests/vm/compare_status.py "$TMP/dump2" "$TMP/status.json"
}

need_monitor() {
	[ -x ./wg-monitor ] || { skip_because "./wg-monitor not built"; return; }
	command -v python3 >/dev/null || skip_because "python3 not available"
}

part_status() {
	need_monitor || return
	[ -n "$(handshakes $NS_A)" ] || { echo "the smoke test's peers are missing"; return 1; }
	status_matches $NS_A
}

part_integration() {
	[ -f tests/integration/run.sh ] || { skip_because "tests/integration/run.sh absent"; return; }
	# Its own namespaces and interfaces; ours must not get in the way.
	ip netns del $NS_A 2>/dev/null
	ip netns del $NS_B 2>/dev/null
	# The tests whose outcome depends on how WireGuard is read. Those of the log file, the
	# settings, the loop's wake-ups, kill -9 during saves and signal races do not, and run
	# on the host only (under emulation they would take most of the VM's time).
	WG_IMPL=kernel bash tests/integration/run.sh $KERNEL_TESTS
}

KERNEL_TESTS="backends baseline budget endpoint interface liveness offline_online oneway
peers state status"

# The core scenarios again with the daemon on --backend netlink (BACKEND, read by every
# daemon a test starts without its own --backend), beside the auto run above.
part_integration_netlink() {
	[ -f tests/integration/run.sh ] || { skip_because "tests/integration/run.sh absent"; return; }
	BACKEND=netlink WG_IMPL=kernel bash tests/integration/run.sh baseline offline_online
}

# Prints $1 random peer public keys. Any 32 bytes configure fine (wg genkey per key is
# slow under emulation): 43 base64 characters, the last forced to carry no padding bits.
random_keys() {
	head -c $(($1 * 129 / 4 + 3)) /dev/urandom | base64 -w 43 | head -n "$1" |
		sed 's/.$/A=/'
}

# Writes [Peer] sections for the keys on stdin: IPv4, IPv6 and no endpoints mixed.
peers_conf() {
	awk '{
		n = NR
		printf "[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.%d/32", $0,
			100 + int(n / 65536), int(n / 256) % 256, n % 256
		if (n % 5 == 0) printf ", fd00::%x/128", n
		printf "\n"
		if (n % 7 == 0) { }
		else if (n % 3 == 0) printf "Endpoint = [2001:db8::%x]:%d\n", n, 1024 + n % 60000
		else printf "Endpoint = 192.0.2.%d:%d\n", n % 250 + 1, 1024 + n % 60000
	}'
}

# A real partner for wgk2 in namespace $NS_D, so one of the many peers has a handshake
# and traffic counters that must come out on the right peer.
setup_partner() {
	wg genkey >"$TMP/c.key" && wg pubkey <"$TMP/c.key" >"$TMP/c.pub" &&
		wg genkey >"$TMP/d.key" && wg pubkey <"$TMP/d.key" >"$TMP/d.pub" || return 1
	ip netns add $NS_C && ip netns add $NS_D &&
		ip -n $NS_C link set lo up && ip -n $NS_D link set lo up &&
		ip link add vwc netns $NS_C type veth peer name vwd netns $NS_D || return 1
	for x in "$NS_C vwc wgk2 1 2 51830 51831 c d" "$NS_D vwd wgk3 2 1 51831 51830 d c"; do
		# shellcheck disable=SC2086
		set -- $x
		ip -n "$1" addr add "192.168.98.$4/24" dev "$2" && ip -n "$1" link set "$2" up &&
			ip -n "$1" link add "$3" type wireguard &&
			ip netns exec "$1" wg set "$3" private-key "$TMP/$8.key" listen-port "$6" &&
			ip -n "$1" addr add "10.98.0.$4/24" dev "$3" && ip -n "$1" link set "$3" up ||
			return 1
	done
	ip netns exec $NS_D wg set wgk3 peer "$(cat "$TMP/c.pub")" \
		endpoint 192.168.98.1:51830 allowed-ips 10.98.0.1/32
}

part_many_peers() {
	need_monitor || return
	umask 077
	nrand=$((NPEERS - 1))
	half=$((nrand / 2))
	random_keys "$nrand" >"$TMP/keys"
	u=$(sort -u "$TMP/keys" | wc -l)
	[ "$u" -eq "$nrand" ] || { echo "generated $u unique keys, wanted $nrand"; return 1; }
	head -n "$half" "$TMP/keys" | peers_conf >"$TMP/peers1.conf"
	tail -n +"$((half + 1))" "$TMP/keys" | peers_conf >"$TMP/peers2.conf"
	# Random peers, the real one in the middle of the dump, random peers again.
	if ! { setup_partner &&
		ip netns exec $NS_C wg addconf wgk2 "$TMP/peers1.conf" &&
		ip netns exec $NS_C wg set wgk2 peer "$(cat "$TMP/d.pub")" \
			endpoint 192.168.98.2:51831 allowed-ips 10.98.0.2/32 &&
		ip netns exec $NS_C wg addconf wgk2 "$TMP/peers2.conf"; }; then
		echo "configuring $NPEERS peers failed"
		return 1
	fi
	n=$(ip netns exec $NS_C wg show wgk2 peers | wc -l)
	[ "$n" -eq "$NPEERS" ] || { echo "wgk2 has $n peers, wanted $NPEERS"; return 1; }
	# shellcheck disable=SC2086
	ip netns exec $NS_C $PING -c 2 -W 5 10.98.0.2 >/dev/null || {
		echo "ping to the real peer failed"; return 1; }
	hs=$(ip netns exec $NS_C wg show wgk2 dump | awk -F'\t' 'NF == 8 && $5 != 0' | wc -l)
	[ "$hs" -eq 1 ] || { echo "$hs peers with a handshake on wgk2, wanted 1"; return 1; }
	status_matches $NS_C
}

# A wireguard-go interface beside the kernel one in namespace A, as a second peer of
# wgk1: --backend auto must read both in one poll and agree with `wg show all dump`.
part_side_by_side() {
	need_monitor || return
	command -v wireguard-go >/dev/null || { skip_because "wireguard-go not installed"; return; }
	modprobe tun 2>/dev/null
	umask 077
	wg genkey >"$TMP/g.key" && wg pubkey <"$TMP/g.key" >"$TMP/g.pub" || return 1
	ip netns exec $NS_A wireguard-go wgg0 >/dev/null 2>&1 || { echo "wireguard-go failed"; return 1; }
	ip netns exec $NS_A wg set wgg0 private-key "$TMP/g.key" listen-port 51830 \
		peer "$(cat "$TMP/b.pub")" endpoint 192.168.99.2:51821 allowed-ips 10.98.0.2/32 &&
		ip -n $NS_A addr add 10.98.0.1/24 dev wgg0 && ip -n $NS_A link set wgg0 up &&
		ip netns exec $NS_B wg set wgk1 peer "$(cat "$TMP/g.pub")" allowed-ips 10.98.0.1/32 \
			endpoint 192.168.99.1:51830 &&
		ip -n $NS_B addr add 10.98.0.2/24 dev wgk1 || { echo "configuring wgg0 failed"; return 1; }
	# shellcheck disable=SC2086
	ip netns exec $NS_A $PING -c 2 -W 5 10.98.0.2 >/dev/null || { echo "ping over wgg0 failed"; return 1; }
	kinds=$(ip netns exec $NS_A wg show all dump | awk -F'\t' 'NF == 9 && $6 != 0 { print $1 }' | sort | tr '\n' ' ')
	[ "$kinds" = "wgg0 wgk0 " ] || { echo "expected handshakes on wgg0 and wgk0, got: $kinds"; return 1; }
	status_matches $NS_A auto
	rc=$?
	ip -n $NS_A link del wgg0
	return $rc
}

# The netlink unit tests that need the real module (they print SKIPPED on the host).
part_netlink_units() {
	ok=0
	for t in test_netlink_kernel test_netlink_host; do
		for b in build build-asan; do
			[ -x "$b/tests/$t" ] || { skip_because "$b/tests/$t not built"; return; }
			"$b/tests/$t" || ok=1
		done
	done
	return $ok
}

# Counts lines of event $1 in log file $2.
count_event() {
	grep -c "event=$1 " "$2"
}

# A wall-clock step of an hour, forward and back, while the daemon watches a peer whose
# handshake is fresh: a rule on raw wall-clock ages would flip it offline and back. The
# threshold (300 s) is far below the step and far above the handshake's age, which the
# emulated VM's slowness makes a minute or more by now.
part_clock_step() {
	need_monitor || return
	log="$TMP/clock.log"
	ip netns exec $NS_A $PING -c 1 -W 5 10.99.0.2 >/dev/null
	ip netns exec $NS_A ./wg-monitor --interval 1 --threshold 300 --interface wgk0 \
		--backend netlink --log-path "$log" 2>/dev/null &
	pid=$!
	i=0
	until grep -q "event=peer_initial .*state=online" "$log" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "no peer_initial online"; kill $pid; return 1; }
		sleep 0.1
	done
	date -s "@$(($(date +%s) + 3600))" >/dev/null
	polls_before=$(grep -c . "$log")
	sleep 4
	date -s "@$(($(date +%s) - 3600))" >/dev/null
	sleep 4
	kill -TERM $pid; wait $pid; rc=$?
	cat "$log"
	[ $rc -eq 0 ] || { echo "exit status $rc"; return 1; }
	off=$(count_event peer_offline "$log"); on=$(count_event peer_online "$log")
	echo "after the steps: $off peer_offline, $on peer_online ($polls_before lines before)"
	[ "$off" -eq 0 ] && [ "$on" -eq 0 ] && grep -q "event=monitor_stop" "$log"
}

# Least privilege: CAP_NET_ADMIN alone reads kernel interfaces; without it the error
# names the capability.
part_capabilities() {
	need_monitor || return
	command -v setpriv >/dev/null || { skip_because "setpriv not available"; return; }
	ip netns exec $NS_A setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=+net_admin --ambient-caps=+net_admin \
		./wg-monitor status --json --backend netlink >"$TMP/cap.json" 2>"$TMP/cap.err" ||
		{ echo "with CAP_NET_ADMIN: status failed"; cat "$TMP/cap.err"; return 1; }
	grep -q "\"interface\":\"wgk0\"" "$TMP/cap.json" ||
		{ echo "with CAP_NET_ADMIN: wgk0 not listed"; cat "$TMP/cap.json" "$TMP/cap.err"; return 1; }
	echo "with CAP_NET_ADMIN only: wgk0 read"
	ip netns exec $NS_A setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all \
		./wg-monitor status --backend netlink >"$TMP/nocap.out" 2>"$TMP/nocap.err"
	cat "$TMP/nocap.err"
	grep -q "wgk0: permission denied reading wgk0 over netlink: wg-monitor needs CAP_NET_ADMIN" \
		"$TMP/nocap.err" || { echo "without CAP_NET_ADMIN: no clear message"; return 1; }
}

part "a. kernel module smoke (two namespaces, handshake)" part_smoke
part "b. wg-monitor status vs wg dump (netlink)" part_status
part "b2. kernel and wireguard-go side by side (auto) vs wg dump" part_side_by_side
part "c. netlink unit tests against the real module" part_netlink_units
part "d. wall-clock step of an hour, forward and back" part_clock_step
part "e. CAP_NET_ADMIN only, and no capability" part_capabilities
part "f. integration tests, WG_IMPL=kernel (backend auto)" part_integration
part "f2. core scenarios, WG_IMPL=kernel, backend netlink" part_integration_netlink
part "g. $NPEERS peers: wg-monitor status vs wg dump" part_many_peers

echo "=== summary"
printf '%s' "$SUMMARY"
echo "VM SUITE: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
