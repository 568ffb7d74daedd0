#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the test VM (busybox): loads the modules, puts a tmpfs overlay over the host
# root (9p, read-only), runs the job in a chroot of it, reports output and exit status
# on two virtio ports, and powers off. Kernel arguments: wgm.job=DIR wgm.time=EPOCH.
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
	JOB="" HOST_TIME=""
	# shellcheck disable=SC2013 # words, not lines
	for w in $(cat /proc/cmdline); do
		case $w in
		wgm.job=*) JOB=${w#wgm.job=} ;;
		wgm.time=*) HOST_TIME=${w#wgm.time=} ;;
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

run_job() {
	[ -f "/newroot$JOB/job.sh" ] || die "job script $JOB/job.sh not visible in the guest"
	env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		chroot /newroot /bin/sh "$JOB/job.sh" </dev/null >"$OUT_PORT" 2>&1
	rc=$?
	echo "$rc" >"$STATUS_PORT"
}

mount_basics
load_modules
parse_cmdline
set_clock
hostname wgm-vm
ip link set lo up
find_ports
mount_root
run_job
sync
poweroff -f
sleep 10
