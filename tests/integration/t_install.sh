#!/bin/bash
# SPDX-License-Identifier: MIT
# install.sh and make install (§8) without a running systemd: clear errors without root,
# without systemd and without a compiler; a staged install (--destdir, --prefix,
# --userspace) puts binary, units (ExecStart at the prefix), man page, drop-ins and
# /etc/default/wg-monitor in place; re-running keeps an edited defaults file and upgrades
# an unedited one; --uninstall removes what it installed and keeps the defaults file.
. "$(dirname "$0")/lib.sh"
t_require_root
t_require_bin
command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
INST=$T_ROOT/install.sh
R=$T_DIR/root

setpriv --reuid=65534 --regid=65534 --clear-groups "$INST" --no-start >/dev/null 2>"$T_DIR/e1"
assert_eq "$?" 1 "not root: exit 1"
check "not root: says so" grep -q "needs root: run it as 'sudo ./install.sh'" "$T_DIR/e1"

if [ ! -d /run/systemd/system ]; then
	"$INST" >/dev/null 2>"$T_DIR/e2"
	assert_eq "$?" 1 "no systemd: exit 1"
	check "no systemd: says so" grep -q "systemd is not running here" "$T_DIR/e2"
	check "no systemd: offers --no-start" grep -q -- "Use --no-start" "$T_DIR/e2"
fi

# A copy of the tree, unbuilt, and a PATH without a compiler.
mkdir -p "$T_DIR/tree" "$T_DIR/bin"
cp -r "$T_ROOT/src" "$T_ROOT/systemd" "$T_ROOT/man" "$T_ROOT/Makefile" "$INST" "$T_DIR/tree/"
for c in sh make find head id dirname; do ln -s "$(command -v "$c")" "$T_DIR/bin/$c"; done
env -i PATH="$T_DIR/bin" "$T_DIR/tree/install.sh" --destdir "$R" >/dev/null 2>"$T_DIR/e3"
assert_eq "$?" 1 "no compiler: exit 1"
check "no compiler: says so" grep -q "no C compiler found" "$T_DIR/e3"
check "no compiler: nothing installed" test ! -e "$R"

"$INST" --destdir "$R" --prefix /usr --userspace >"$T_DIR/o4" 2>&1
assert_eq "$?" 0 "staged install: exit 0"
for f in usr/sbin/wg-monitor usr/share/man/man8/wg-monitor.8 usr/lib/systemd/system/wg-monitor.service \
	usr/lib/systemd/system/wg-monitor@.service usr/share/wg-monitor/wg-monitor.default \
	etc/default/wg-monitor etc/systemd/system/wg-monitor.service.d/userspace.conf \
	etc/systemd/system/wg-monitor@.service.d/userspace.conf; do
	check "installed $f" test -s "$R/$f"
done
check "the binary is executable" test -x "$R/usr/sbin/wg-monitor"
assert_eq "$(grep -h '^ExecStart=' "$R"/usr/lib/systemd/system/*.service | sort -u)" \
	"ExecStart=/usr/sbin/wg-monitor run" "units start the binary at the prefix"
check "the defaults file is the shipped one" cmp -s "$R/etc/default/wg-monitor" "$T_ROOT/systemd/wg-monitor.default"

echo "CHECK_INTERVAL=60" >>"$R/etc/default/wg-monitor"
"$INST" --destdir "$R" --prefix /usr >"$T_DIR/o5" 2>&1
assert_eq "$?" 0 "re-run: exit 0"
check "re-run: an edited defaults file is kept" grep -qx "CHECK_INTERVAL=60" "$R/etc/default/wg-monitor"
check "re-run: says it kept it" grep -q "kept your edited /etc/default/wg-monitor" "$T_DIR/o5"

# An unedited file from an older release is upgraded.
echo "# an older release" | tee "$R/etc/default/wg-monitor" >"$R/usr/share/wg-monitor/wg-monitor.default"
"$INST" --destdir "$R" --prefix /usr >/dev/null 2>&1
check "re-run: an unedited defaults file is upgraded" \
	cmp -s "$R/etc/default/wg-monitor" "$T_ROOT/systemd/wg-monitor.default"

"$INST" --uninstall --destdir "$R" --prefix /usr >"$T_DIR/o6" 2>&1
assert_eq "$?" 0 "uninstall: exit 0"
left=$(cd "$R" && find . -type f | sort | tr '\n' ' ')
assert_eq "$left" "./etc/default/wg-monitor " "uninstall: only the defaults file is left"

make -s -C "$T_ROOT" install DESTDIR="$R/mk" >/dev/null 2>&1
assert_eq "$(grep -h '^ExecStart=' "$R"/mk/usr/local/lib/systemd/system/*.service | sort -u)" \
	"ExecStart=/usr/local/sbin/wg-monitor run" "make install: units start /usr/local/sbin/wg-monitor"
check "make install: defaults file" test -s "$R/mk/etc/default/wg-monitor"
t_done
