#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the test VM (busybox): loads the modules, puts a tmpfs overlay over the host
# root (9p, read-only), runs the job in a chroot of it, reports output and exit status
# on two virtio ports, and powers off. Kernel arguments: wgm.job=DIR wgm.time=EPOCH, and
# wgm.mode=systemd to boot the host's systemd as PID 1 and run the job as a unit instead.
export PATH=/bin

say() { echo "wgm-init: $*" >/dev/console; }
# Without a status the host reports a failure and shows this console log.
die() { say "FATAL: $*"; sync; poweroff -f; sleep 10; }

mount_basics() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
}

# The kernel's request_module() would run this initramfs's modprobe, which cannot see
# the modules: load everything the tests need now, dependencies first (see prepare.sh).
load_modules() {
	for m in /modules/*.ko; do
		[ -e "$m" ] || continue
		insmod "$m" || say "insmod $m failed"
	done
}

parse_cmdline() {
	JOB="" HOST_TIME="" MODE=chroot MODULES_DIR=""
	# shellcheck disable=SC2013 # words, not lines
	for w in $(cat /proc/cmdline); do
		case $w in
		wgm.job=*) JOB=${w#wgm.job=} ;;
		wgm.time=*) HOST_TIME=${w#wgm.time=} ;;
		wgm.mode=systemd) MODE=systemd ;;
		wgm.modules=*) MODULES_DIR=${w#wgm.modules=} ;;
		esac
	done
	[ -n "$JOB" ] || die "no wgm.job= on the kernel command line"
}

# The RTC gives the host's time; only a clock far off (no RTC) is corrected.
set_clock() {
	[ -n "$HOST_TIME" ] || return 0
	now=$(date +%s)
	d=$((now - HOST_TIME))
	if [ "$d" -gt 600 ] || [ "$d" -lt -600 ]; then
		date -s "@$HOST_TIME" >/dev/null || say "cannot set the clock"
	fi
}

# Sets OUT_PORT and STATUS_PORT to the /dev nodes of the ports the host named.
find_ports() {
	OUT_PORT="" STATUS_PORT=""
	i=0
	while [ $i -lt 50 ]; do
		for d in /sys/class/virtio-ports/*; do
			[ -r "$d/name" ] || continue
			case $(cat "$d/name") in
			wgm.out) OUT_PORT=/dev/${d##*/} ;;
			wgm.status) STATUS_PORT=/dev/${d##*/} ;;
			esac
		done
		[ -c "$OUT_PORT" ] && [ -c "$STATUS_PORT" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	die "virtio ports wgm.out / wgm.status not found"
}

mount_root() {
	mount -t 9p -o trans=virtio,version=9p2000.L,cache=loose,msize=262144,ro \
		hostroot /lower || die "cannot mount the host root (9p)"
	mount -t tmpfs -o mode=0755 tmpfs /rw
	mkdir /rw/upper /rw/work
	mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work \
		overlay /newroot || die "cannot mount the overlay"
	r=/newroot
	mount -t proc proc $r/proc
	mount -t sysfs sysfs $r/sys
	mount -t devtmpfs devtmpfs $r/dev
	mkdir -p $r/dev/pts $r/dev/shm
	mount -t devpts -o newinstance,ptmxmode=0666 devpts $r/dev/pts
	mount -t tmpfs -o mode=1777 tmpfs $r/dev/shm
	# Else the host's /run (netns files, sockets, pid files) shows through, stale.
	mount -t tmpfs -o mode=0755 tmpfs $r/run
}

# The guest kernel's whole module tree (unpacked on the host) at the standard path, so
# the host's kmod modprobe finds any module the tests autoload (nf_tables, ...): in the
# chroot through a helper the kernel calls, under systemd directly.
install_module_tree() {
	if [ -z "$MODULES_DIR" ] || [ ! -f "/newroot$MODULES_DIR/modules.dep" ]; then
		say "module tree '$MODULES_DIR' not visible: only the preloaded modules exist"
		return 0
	fi
	d=/newroot/lib/modules/$(uname -r)
	mkdir -p "$d" && mount --bind "/newroot$MODULES_DIR" "$d" || return 0
	[ "$MODE" = systemd ] && return 0
	printf '#!/bin/sh\nexec chroot /newroot /sbin/modprobe "$@"\n' >/bin/wgm-modprobe
	chmod 0755 /bin/wgm-modprobe
	echo /bin/wgm-modprobe >/proc/sys/kernel/modprobe
}

run_job() {
	[ -f "/newroot$JOB/job.sh" ] || die "job script $JOB/job.sh not visible in the guest"
	env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		chroot /newroot /bin/sh "$JOB/job.sh" </dev/null >"$OUT_PORT" 2>&1
	rc=$?
	echo "$rc" >"$STATUS_PORT"
}

# Units of the host image that the tests do not need; postgres alone held a TCG boot
# past 4 minutes, gettys would fight over the serial console.
MASKED="postgresql.service postgresql@.service getty@.service console-getty.service
serial-getty@.service apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer
dpkg-db-backup.timer fstrim.timer systemd-timesyncd.service"

# Writes the job unit and the target that boots to it into the overlay.
write_units() {
	u=/newroot/etc/systemd/system
	mkdir -p $u /newroot/wgm-job
	# Under systemd /tmp is a fresh tmpfs, so the job script moves to the overlay root.
	cp "/newroot$JOB/job.sh" /newroot/wgm-job/job.sh
	for m in $MASKED; do ln -sf /dev/null "$u/$m"; done
	# Nothing to mount or check: the root is the overlay already.
	: >/newroot/etc/fstab
	cat >$u/wgm-job.service <<EOF
[Unit]
Description=wg-monitor VM test job
After=multi-user.target

[Service]
Type=oneshot
TimeoutStartSec=infinity
StandardOutput=file:$OUT_PORT
StandardError=inherit
ExecStart=/bin/sh -c '/bin/sh /wgm-job/job.sh; echo \$\$? >$STATUS_PORT; sync; systemctl poweroff --force --force >/dev/null 2>&1'
EOF
	cat >$u/wgm-job.target <<EOF
[Unit]
Description=wg-monitor VM test boot
Requires=multi-user.target wgm-job.service
After=multi-user.target wgm-job.service
AllowIsolate=yes
EOF
}

boot_systemd() {
	write_units
	# The host root may be a Docker image: seeing /.dockerenv, systemd takes the VM for a
	# container and skips its `mount --make-rshared /`, and with / private the credentials
	# it mounts in a child namespace (LoadCredential=) never reach the unit (seen: an empty
	# 0700 /run/credentials/UNIT). Gone from the overlay, systemd detects the VM as it is.
	rm -f /newroot/.dockerenv /newroot/run/.containerenv
	umount /newroot/proc /newroot/sys
	exec switch_root /newroot /lib/systemd/systemd --unit=wgm-job.target
}

mount_basics
load_modules
parse_cmdline
set_clock
hostname wgm-vm
ip link set lo up
find_ports
mount_root
install_module_tree
[ "$MODE" = systemd ] && boot_systemd
run_job
sync
poweroff -f
sleep 10
