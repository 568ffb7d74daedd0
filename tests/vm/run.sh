#!/bin/sh
# SPDX-License-Identifier: MIT
# `make vm-test`: boots ONE VM with the stock Debian kernel and runs tests/vm/suite.sh in
# it. Where that cannot be done (not root, no qemu/kernel) it says SKIPPED loudly, exit 0.
set -u

cd "$(dirname "$0")/../.." || exit 1

skip() {
	echo "SKIPPED: kernel VM tests ($*)"
	exit 0
}

[ "$(id -u)" = 0 ] || skip "needs root: run as root to boot the test VM"
[ "$(uname -m)" = x86_64 ] || skip "needs an x86-64 host"

t0=$(date +%s)
tests/vm/prepare.sh
rc=$?
case $rc in
0) ;;
3) skip "qemu or the Debian kernel cannot be had here; see the prepare: lines above" ;;
*) echo "FAIL: kernel VM tests: tests/vm/prepare.sh failed (exit $rc)"; exit 1 ;;
esac
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
t1=$(date +%s)

VM_SKIP_PREPARE=1 tests/vm/vm-run.sh sh tests/vm/suite.sh
rc=$?
t2=$(date +%s)
echo "vm-test: prepare $((t1 - t0)) s, VM $((t2 - t1)) s, exit $rc"
[ "$rc" -eq 125 ] && echo "FAIL: kernel VM tests: the VM itself failed"
exit "$rc"
