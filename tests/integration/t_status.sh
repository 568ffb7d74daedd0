#!/bin/bash
# SPDX-License-Identifier: MIT
# status exit codes (README "Exit status"): 1 when nothing could be read — here two
# interfaces that both refuse an unprivileged reader — and 0 as soon as one is read.
. "$(dirname "$0")/lib.sh"
t_common

wg_pair 1
IF_2="wgt${T_ID}m"
wg_create "$NS_N" "$VIEW_N" "$IF_2" 10.79.0.1
# wireguard-go's sockets are root-only (srwx------); kernel interfaces need CAP_NET_ADMIN.
case "$WG_IMPL" in
go) BACKEND=uapi ;;
*) BACKEND=netlink ;;
esac
as_nobody() { in_n setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }

as_nobody "$WGM_BIN" status --backend "$BACKEND" --state-file "" \
	>"$T_DIR/nobody.out" 2>"$T_DIR/nobody.err"
assert_eq "$?" 1 "status exits 1 when both interfaces refuse the reader"
assert_eq "$(grep -c -e "^wg-monitor: $IF_N: " -e "^wg-monitor: $IF_2: " "$T_DIR/nobody.err")" 2 \
	"each unreadable interface is named on stderr"
assert_eq "$(grep -c . "$T_DIR/nobody.out")" 1 "the table has its header and no peer"

in_n "$WGM_BIN" status --backend "$BACKEND" --state-file "" >"$T_DIR/root.out" 2>"$T_DIR/root.err"
assert_eq "$?" 0 "status exits 0 when the interfaces are read"
assert_eq "$(grep -cF "$FAR_PUB" "$T_DIR/root.out")" 1 "the far peer is listed"

t_done
