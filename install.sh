#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs wg-monitor as a systemd service from this source tree, or upgrades it in place:
# builds if needed, installs the binary, units, man page and /etc/default/wg-monitor
# (never replacing one the administrator edited), reloads systemd, enables and starts the
# service (or restarts the instances already running). --uninstall reverses it and keeps
# the configuration, logs and state. Run `./install.sh --help` for the options.
set -eu

PREFIX=/usr/local
DESTDIR=
START=1
USERSPACE=0
UNINSTALL=0

usage() {
	cat <<'EOF'
usage: sudo ./install.sh [--prefix DIR] [--no-start] [--userspace]
       sudo ./install.sh --uninstall [--prefix DIR]

  --prefix DIR   install under DIR (default /usr/local): DIR/sbin/wg-monitor,
                 DIR/lib/systemd/system/wg-monitor{,@}.service, DIR/share/man/man8
  --no-start     install only: no daemon-reload, enable or start (systemd need not run)
  --userspace    also install the drop-in that adds CAP_DAC_OVERRIDE, which reading
                 userspace WireGuard (wireguard-go, boringtun) needs
  --uninstall    stop and disable wg-monitor and every wg-monitor@ instance, remove what
                 was installed; keeps /etc/default/wg-monitor*, logs and state
  --destdir DIR  stage everything under DIR (packaging, tests); implies --no-start and
                 needs no root
EOF
}

die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	--prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; PREFIX=$2; shift ;;
	--prefix=*) PREFIX=${1#--prefix=} ;;
	--destdir) [ $# -ge 2 ] || die "--destdir needs a directory"; DESTDIR=$2; shift ;;
	--destdir=*) DESTDIR=${1#--destdir=} ;;
	--no-start) START=0 ;;
	--userspace) USERSPACE=1 ;;
	--uninstall) UNINSTALL=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown option: $1" ;;
	esac
	shift
done
case "$PREFIX" in /*) ;; *) die "--prefix must be an absolute path, not '$PREFIX'" ;; esac
# The Makefile's recipes and sed take these as plain words.
case "$PREFIX$DESTDIR" in *[[:space:]\|\&]*) die "--prefix and --destdir may not hold spaces, | or &" ;; esac
# systemd looks for units under /usr and /usr/local only (or /etc): elsewhere, stage.
case "$PREFIX" in /usr|/usr/local) ;; *)
	[ -n "$DESTDIR" ] || die "--prefix $PREFIX: systemd would not find the units there; use /usr or /usr/local, or stage with --destdir" ;;
esac
[ -z "$DESTDIR" ] || START=0

cd "$(dirname "$0")"
if [ ! -f src/main.c ] || [ ! -f systemd/wg-monitor.service ]; then
	die "run me from the wg-monitor source tree (no src/main.c or systemd/ here)"
fi

if [ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ]; then
	die "needs root: run it as 'sudo ./install.sh'"
fi
SYSTEMD=0
[ -d /run/systemd/system ] && SYSTEMD=1
# Without systemd there is nothing to stop or disable: the files go all the same.
[ "$UNINSTALL" = 1 ] && [ "$SYSTEMD" = 0 ] && START=0
if [ "$START" = 1 ] && [ "$SYSTEMD" = 0 ]; then
	die "systemd is not running here (no /run/systemd/system), so the service cannot be
started. Use --no-start to install the files anyway, or run wg-monitor under your own
service manager: 'make install' and 'wg-monitor run'."
fi

DATADIR=$PREFIX/share/wg-monitor
ETC=$DESTDIR/etc
DEFAULTS=$ETC/default/wg-monitor
DEFAULTS_SUM=$DEFAULTS.sha256 # what was installed last: see install_defaults
DROPINS="wg-monitor.service.d wg-monitor@.service.d"

# Every wg-monitor unit systemd knows of: the service and each instance, loaded or enabled.
units() {
	{
		systemctl list-units --all --plain --no-legend 'wg-monitor.service' 'wg-monitor@*.service'
		systemctl list-unit-files --plain --no-legend 'wg-monitor@*.service'
	} 2>/dev/null | awk '{print $1}' | grep -E '^wg-monitor(@.+)?\.service$' | grep -v '@\.service$' |
		sort -u
}

uninstall() {
	if [ "$START" = 1 ]; then
		for u in $(units) wg-monitor.service; do
			systemctl disable --now "$u" >/dev/null 2>&1 || true
		done
		# Enabled instances are symlinks to the template; disable them by name too.
		for l in "$ETC"/systemd/system/*.wants/wg-monitor@*.service; do
			if [ -L "$l" ]; then systemctl disable --now "$(basename "$l")" >/dev/null 2>&1 || true; fi
		done
	fi
	make --no-print-directory uninstall PREFIX="$PREFIX" DESTDIR="$DESTDIR" >/dev/null
	for d in $DROPINS; do
		rm -f "$ETC/systemd/system/$d/userspace.conf"
		rmdir "$ETC/systemd/system/$d" 2>/dev/null || true
	done
	[ "$START" = 1 ] && systemctl daemon-reload
	echo "wg-monitor removed. Kept: /etc/default/wg-monitor*, /var/log/wg-monitor, /var/lib/wg-monitor."
}

build() {
	command -v make >/dev/null 2>&1 || die "make not found: install it (Debian/Ubuntu: apt-get install make gcc)"
	if [ -x wg-monitor ] && [ -z "$(find src Makefile -newer wg-monitor 2>/dev/null | head -n 1)" ]; then
		return 0 # built, and nothing changed since
	fi
	if ! command -v "${CC:-cc}" >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1 &&
	   ! command -v clang >/dev/null 2>&1; then
		die "no C compiler found (cc, gcc or clang): install one (Debian/Ubuntu: apt-get install gcc make)"
	fi
	echo "building wg-monitor ..."
	if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ] && command -v runuser >/dev/null 2>&1 &&
	   [ "$(stat -c %U .)" = "$SUDO_USER" ]; then
		# Build as the user who called sudo (and owns the tree), so it gets no root's files.
		runuser -u "$SUDO_USER" -- make --no-print-directory -s all || die "the build failed"
	else
		make --no-print-directory -s all || die "the build failed"
	fi
}

# The defaults file is a conffile, as dpkg keeps one: the checksum of the copy installed
# last is kept beside it (and --uninstall keeps both), so a file nobody edited is replaced
# by this release's, even after an uninstall; an edited one stays, and when this release's
# defaults differ from the ones it was made from, they go beside it as DEFAULTS.new.
sum() { sha256sum <"$1" | cut -d' ' -f1; }

# Whether $DEFAULTS is the copy an earlier install put there, unedited: its checksum is the
# recorded one (installs older than the record: it is the shipped copy left in DATADIR).
defaults_unedited() {
	if [ -s "$DEFAULTS_SUM" ]; then
		[ "$(sum "$DEFAULTS")" = "$(cat "$DEFAULTS_SUM")" ]
	else
		[ -f "$DESTDIR$DATADIR/wg-monitor.default" ] &&
			cmp -s "$DEFAULTS" "$DESTDIR$DATADIR/wg-monitor.default"
	fi
}

install_defaults() {
	new=systemd/wg-monitor.default
	install -d "$ETC/default"
	if [ -f "$DEFAULTS" ] && ! cmp -s "$DEFAULTS" "$new" && ! defaults_unedited; then
		echo "kept your edited $DEFAULTS"
		[ -s "$DEFAULTS_SUM" ] && [ "$(sum "$new")" = "$(cat "$DEFAULTS_SUM")" ] &&
			return 0 # made from these very defaults: nothing new to merge
		install -m 0644 "$new" "$DEFAULTS.new"
		# As dpkg does: these defaults are now the ones offered, so a re-run of this
		# release after the merge offers nothing again.
		sum "$new" >"$DEFAULTS_SUM"
		echo "  this release's defaults are in $DEFAULTS.new: merge what you need"
		echo "  (diff -u $DEFAULTS $DEFAULTS.new), then remove it"
		return 0
	fi
	if [ -f "$DEFAULTS" ] && ! cmp -s "$DEFAULTS" "$new"; then
		echo "upgraded $DEFAULTS (you had not edited it) to this release's defaults"
	fi
	install -m 0644 "$new" "$DEFAULTS"
	sum "$new" >"$DEFAULTS_SUM"
	rm -f "$DEFAULTS.new" # merged, or stale: the file is this release's now
}

# Before make install, which replaces the shipped copy in DATADIR that an install older
# than the checksum record is judged by (and installs the defaults only where there are none).
install_files() {
	install_defaults
	make --no-print-directory -s install PREFIX="$PREFIX" DESTDIR="$DESTDIR" >/dev/null
	if [ "$USERSPACE" = 1 ]; then
		for d in $DROPINS; do
			install -d "$ETC/systemd/system/$d"
			install -m 0644 systemd/wg-monitor.service.d/userspace.conf "$ETC/systemd/system/$d/"
		done
	fi
}

# Restarts what runs (an upgrade); with nothing running, enables and starts the service
# unless instances are enabled (then those are the setup the administrator chose).
start() {
	systemctl daemon-reload
	running=$(systemctl list-units --plain --no-legend --state=running 'wg-monitor.service' \
		'wg-monitor@*.service' 2>/dev/null | awk '{print $1}')
	if [ -n "$running" ]; then
		for u in $running; do systemctl restart "$u"; done
		echo "restarted: $(printf "%s\n" "$running" | paste -sd " ")"
	elif [ -z "$(systemctl list-unit-files --plain --no-legend --state=enabled 'wg-monitor@*.service' 2>/dev/null)" ]; then
		systemctl enable --now wg-monitor.service
		running=wg-monitor
	fi
	cat <<EOF

wg-monitor is installed$( [ -n "$running" ] && echo " and running" ).
  status:        systemctl status wg-monitor      sudo wg-monitor status
  events:        journalctl -u wg-monitor -f      (warnings only: journalctl -p warning -u wg-monitor)
  log file:      /var/log/wg-monitor/wg-monitor.log
  settings:      /etc/default/wg-monitor, then: sudo systemctl restart wg-monitor
  per interface: sudo systemctl disable --now wg-monitor; sudo systemctl enable --now wg-monitor@wg0
  remove:        sudo ./install.sh --uninstall
EOF
}

if [ "$UNINSTALL" = 1 ]; then
	uninstall
	exit 0
fi
build
install_files
if [ "$START" = 1 ]; then
	start
else
	echo "wg-monitor installed under ${DESTDIR}$PREFIX (not started: --no-start)."
	[ "$SYSTEMD" = 1 ] && [ -z "$DESTDIR" ] &&
		echo "start it with: sudo systemctl daemon-reload && sudo systemctl enable --now wg-monitor"
fi
exit 0
