#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages the integration and VM tests need (root on Debian only).
# Idempotent: silent when everything is present; runs `apt-get update` only if something is missing.

PKGS="wireguard-go wireguard-tools iproute2 nftables python3 clang qemu-system-x86 busybox cpio kmod xz-utils strace gdb util-linux systemd prometheus curl chromium python3-yaml clang-tidy cppcheck valgrind libclang-rt-14-dev e2fsprogs procps"
# `tests/deps.sh PKG...` installs those instead (make bench uses it).
[ $# -gt 0 ] && PKGS="$*"

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: not root, not installing test packages ($PKGS); tests that need them will be SKIPPED"
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system (no apt-get/dpkg-query); install by hand: $PKGS"
	exit 0
fi

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "installing Debian packages for the tests:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "deps.sh: apt-get update failed" >&2; exit 1; }
# --no-install-recommends: wireguard-tools recommends a whole kernel (wireguard-modules).
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends --no-upgrade $missing || {
	echo "deps.sh: apt-get install failed for:$missing" >&2; exit 1; }
