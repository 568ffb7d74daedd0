#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs the integration tests (tests/integration/t_*.sh, or those named as arguments) against
# the real wg-monitor binary and real WireGuard links in network namespaces; prints a summary.
# WG_IMPL=go (default, wireguard-go) or kernel (the module, e.g. inside the QEMU guest).

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# The tests check the log file mode 0640 as created under the usual umask 022; a
# caller with a tighter umask (the VM suite generates keys under 077) must not change that.
umask 022
export WG_IMPL=${WG_IMPL:-go}
export WGM_BIN=${WGM_BIN:-$root/wg-monitor}
per_test_timeout=${WGM_TEST_TIMEOUT:-150}

loud_skip() {
	echo "************************************************************************"
	echo "SKIPPED: integration tests $*"
	echo "************************************************************************"
	exit 0
}
[ "$(id -u)" = 0 ] || loud_skip "need root (network namespaces, WireGuard links): sudo make integration"
for tool in wg ip; do
	command -v "$tool" >/dev/null || loud_skip "need '$tool' (run tests/deps.sh as root)"
done
if [ "$WG_IMPL" = go ]; then
	command -v wireguard-go >/dev/null || loud_skip "need wireguard-go (run tests/deps.sh as root)"
	[ -c /dev/net/tun ] || loud_skip "need /dev/net/tun for wireguard-go"
fi
if [ ! -x "$WGM_BIN" ]; then
	echo "integration: FAILED: no wg-monitor binary at $WGM_BIN (run make)"
	exit 1
fi

tests=()
if [ $# -gt 0 ]; then
	for a in "$@"; do
		a=${a%.sh}; a=${a#t_}
		if [ -f "$here/t_$a.sh" ]; then tests+=("$here/t_$a.sh"); continue; fi # exact name
		for f in "$here"/t_*"$a"*.sh; do [ -f "$f" ] && tests+=("$f"); done
	done
else
	tests=("$here"/t_*.sh)
fi

echo "integration: ${#tests[@]} tests, WG_IMPL=$WG_IMPL, binary $WGM_BIN"
passed=0; failed=0; skipped=0; failed_names=""; t_start=$SECONDS
for t in "${tests[@]}"; do
	name=$(basename "${t%.sh}")
	start=$SECONDS
	echo "=== $name"
	timeout -k 10 "$per_test_timeout" bash "$t"
	rc=$?
	secs=$((SECONDS - start))
	case $rc in
	0) passed=$((passed + 1)); echo "PASS $name (${secs} s)" ;;
	77) skipped=$((skipped + 1)); echo "SKIP $name (${secs} s)" ;;
	124|137) failed=$((failed + 1)); failed_names="$failed_names $name"
		echo "FAIL $name (timed out after ${per_test_timeout} s)" ;;
	*) failed=$((failed + 1)); failed_names="$failed_names $name"; echo "FAIL $name (exit $rc, ${secs} s)" ;;
	esac
done
echo "integration: $passed passed, $failed failed, $skipped skipped ($((SECONDS - t_start)) s, WG_IMPL=$WG_IMPL)"
[ "$failed" -eq 0 ] || { echo "integration: FAILED:$failed_names"; exit 1; }
exit 0
