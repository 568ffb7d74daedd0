#!/bin/bash
# SPDX-License-Identifier: MIT
# install.sh and make install (§8) without a running systemd: clear errors without root,
# without systemd and without a compiler; a staged install (--destdir, --prefix,
# --userspace) puts binary, units (ExecStart at the prefix), man page, drop-ins and
# /etc/default/wg-monitor in place; the defaults file is a conffile: re-running keeps an
# edited one (a new release's defaults go beside it as .new) and upgrades an unedited one,
# also after an uninstall; --uninstall removes what it installed and keeps the defaults.
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

SHIPPED=$T_ROOT/systemd/wg-monitor.default
check "the checksum of the installed defaults is recorded" \
	test "$(cat "$R/etc/default/wg-monitor.sha256")" = "$(sha256sum <"$SHIPPED" | cut -d' ' -f1)"
echo "CHECK_INTERVAL=60" >>"$R/etc/default/wg-monitor"
"$INST" --destdir "$R" --prefix /usr >"$T_DIR/o5" 2>&1
assert_eq "$?" 0 "re-run: exit 0"
check "re-run: an edited defaults file is kept" grep -qx "CHECK_INTERVAL=60" "$R/etc/default/wg-monitor"
check "re-run: says it kept it" grep -q "kept your edited $R/etc/default/wg-monitor" "$T_DIR/o5"
check "re-run, the same defaults: nothing new to merge, no .new" test ! -e "$R/etc/default/wg-monitor.new"

# A release with other defaults, installed over the edited file after an uninstall (which
# keeps the file and its checksum): the edit stays, the new defaults go beside it.
"$INST" --uninstall --destdir "$R" --prefix /usr >/dev/null 2>&1
cp -r "$T_ROOT/src" "$T_ROOT/systemd" "$T_ROOT/man" "$T_ROOT/Makefile" "$INST" "$T_DIR/tree/"
cp "$T_ROOT/wg-monitor" "$T_DIR/tree/" # built: nothing newer in the copy
echo "# a setting of the next release" >>"$T_DIR/tree/systemd/wg-monitor.default"
"$T_DIR/tree/install.sh" --destdir "$R" --prefix /usr >"$T_DIR/o6" 2>&1
assert_eq "$?" 0 "new release over an edited file: exit 0"
check "new release: the edited file is kept" grep -qx "CHECK_INTERVAL=60" "$R/etc/default/wg-monitor"
check "new release: its defaults beside it as wg-monitor.new" \
	cmp -s "$R/etc/default/wg-monitor.new" "$T_DIR/tree/systemd/wg-monitor.default"
check "new release: says where and how to compare" \
	grep -q "defaults are in $R/etc/default/wg-monitor.new" "$T_DIR/o6"

# The administrator merges by hand and removes the .new: a re-run of the same release offers
# nothing again (the checksum now records the defaults offered, as dpkg does).
cp "$R/etc/default/wg-monitor.new" "$T_DIR/offered"
echo "# merged by hand" >>"$R/etc/default/wg-monitor"
rm "$R/etc/default/wg-monitor.new"
"$T_DIR/tree/install.sh" --destdir "$R" --prefix /usr >"$T_DIR/o6b" 2>&1
assert_eq "$?" 0 "re-run after a merge by hand: exit 0"
check "re-run after a merge by hand: the edit kept, no .new again" \
	sh -c "grep -qx '# merged by hand' '$R/etc/default/wg-monitor' && test ! -e '$R/etc/default/wg-monitor.new'"
mv "$T_DIR/offered" "$R/etc/default/wg-monitor.new"

# The administrator takes the new file as it is: the next install finds it current.
mv "$R/etc/default/wg-monitor.new" "$R/etc/default/wg-monitor"
"$T_DIR/tree/install.sh" --destdir "$R" --prefix /usr >"$T_DIR/o7" 2>&1
assert_eq "$(count_re 'kept your edited' "$T_DIR/o7")" 0 "taken over: not called edited"

# An unedited file, after `make uninstall` and an install of another release, is upgraded:
# the checksum beside it says nobody edited it (the shipped copy in DATADIR is gone).
make -s -C "$T_DIR/tree" uninstall PREFIX=/usr DESTDIR="$R" >/dev/null 2>&1
check "make uninstall: the shipped copy is gone" test ! -e "$R/usr/share/wg-monitor/wg-monitor.default"
"$INST" --destdir "$R" --prefix /usr >"$T_DIR/o8" 2>&1
check "reinstall after an uninstall: the unedited file is upgraded" cmp -s "$R/etc/default/wg-monitor" "$SHIPPED"
check "reinstall: says so" grep -q "upgraded $R/etc/default/wg-monitor (you had not edited it)" "$T_DIR/o8"
check "reinstall: no .new" test ! -e "$R/etc/default/wg-monitor.new"

# An unedited file of an install older than the checksum record: judged by the shipped
# copy in DATADIR.
rm "$R/etc/default/wg-monitor.sha256"
echo "# an older release" | tee "$R/etc/default/wg-monitor" >"$R/usr/share/wg-monitor/wg-monitor.default"
"$INST" --destdir "$R" --prefix /usr >/dev/null 2>&1
check "re-run: an unedited defaults file of an older install is upgraded" cmp -s "$R/etc/default/wg-monitor" "$SHIPPED"

"$INST" --uninstall --destdir "$R" --prefix /usr >"$T_DIR/o9" 2>&1
assert_eq "$?" 0 "uninstall: exit 0"
left=$(cd "$R" && find . -type f | sort | tr '\n' ' ')
assert_eq "$left" "./etc/default/wg-monitor ./etc/default/wg-monitor.sha256 " \
	"uninstall: only the defaults file and its checksum are left"

make -s -C "$T_ROOT" install DESTDIR="$R/mk" >/dev/null 2>&1
assert_eq "$(grep -h '^ExecStart=' "$R"/mk/usr/local/lib/systemd/system/*.service | sort -u)" \
	"ExecStart=/usr/local/sbin/wg-monitor run" "make install: units start /usr/local/sbin/wg-monitor"
check "make install: defaults file" test -s "$R/mk/etc/default/wg-monitor"
t_done
