#!/bin/sh
# SPDX-License-Identifier: MIT
# Boots one throw-away VM (stock Debian kernel, real WireGuard module) and runs CMD in it
# as root, in a chroot of this host's root under a tmpfs overlay, in the current directory.
# Usage: vm-run.sh [--systemd] CMD...   Prints CMD's output; exits with its status (125:
# VM failure). --systemd boots the host's systemd as PID 1 and runs CMD as a unit (~60 s).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd -P)
VM_CACHE=${VM_CACHE:-/var/cache/wg-monitor-vm}
VM_TIMEOUT=${VM_TIMEOUT:-1500} # about 10 minutes on an idle 2-core host; room for a loaded one
VM_MEM=${VM_MEM:-1024}
VM_CPUS=${VM_CPUS:-2}
# Space-separated names of host environment variables to pass into the guest command.
VM_PASS_ENV=${VM_PASS_ENV:-}

say() { printf 'vm-run: %s\n' "$*" >&2; }

usage() {
	echo "usage: vm-run.sh [--systemd] CMD...   (CMD is run with /bin/sh -c inside the VM)" >&2
	exit 2
}

# Single-quotes $1 for the shell.
shquote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# TCG unless the host has real hardware virtualisation: a paravirtual nested /dev/kvm
# (kvm_pvm, no vmx/svm flags) only runs special guests and aborts or hangs with ours.
pick_accel() {
	case ${VM_ACCEL:-auto} in
	kvm) echo "-accel kvm -cpu host" ;;
	tcg) echo "-accel tcg,thread=multi -cpu max" ;;
	*)
		if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo &&
			[ ! -d /sys/module/kvm_pvm ]; then
			echo "-accel kvm -cpu host"
		else
			echo "-accel tcg,thread=multi -cpu max"
		fi ;;
	esac
}

write_job() {
	cwd=$(pwd -P)
	{
		echo "cd $(shquote "$cwd") || exit 126"
		for v in $VM_PASS_ENV; do
			eval "isset=\${$v+x}"
			# shellcheck disable=SC2154
			[ -n "$isset" ] || continue
			eval "val=\$$v"
			# shellcheck disable=SC2154
			echo "export $v=$(shquote "$val")"
		done
		echo "exec /bin/sh -c $(shquote "$*")"
	} >"$JOB/job.sh"
	: >"$JOB/out"
	: >"$JOB/status"
}

# Starts QEMU in the background; sets QPID.
start_qemu() {
	# shellcheck disable=SC2046
	timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 \
		-nodefaults -no-user-config -display none -no-reboot \
		$(pick_accel) -machine pc -smp "$VM_CPUS" -m "$VM_MEM" \
		-kernel "$VM_KERNEL" -initrd "$VM_INITRD" \
		-append "console=ttyS0 panic=-1 quiet mitigations=off wgm.job=$JOB wgm.time=$(date +%s) wgm.mode=$MODE wgm.modules=${VM_MODULES:-}" \
		-serial "file:$JOB/console.log" \
		-device virtio-serial-pci,id=vser \
		-chardev "file,id=out,path=$JOB/out" \
		-device virtserialport,bus=vser.0,chardev=out,name=wgm.out \
		-chardev "file,id=status,path=$JOB/status" \
		-device virtserialport,bus=vser.0,chardev=status,name=wgm.status \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		</dev/null >"$JOB/qemu.log" 2>&1 &
	QPID=$!
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	[ -n "${QPID:-}" ] && kill "$QPID" 2>/dev/null
	if [ -n "${VM_KEEP:-}" ]; then say "kept $JOB"; else rm -rf "$JOB"; fi
}

report_failure() {
	if [ "$1" = 124 ]; then
		say "FAIL: the VM did not finish within VM_TIMEOUT=${VM_TIMEOUT}s"
	else
		say "FAIL: the VM gave no exit status (qemu/timeout exit $1)"
	fi
	say "--- last lines of the guest console ---"
	tail -n 40 "$JOB/console.log" >&2 2>/dev/null || true
	if [ -s "$JOB/qemu.log" ]; then
		say "--- qemu ---"
		tail -n 20 "$JOB/qemu.log" >&2
	fi
}

main() {
	[ $# -ge 1 ] || usage
	MODE=chroot
	if [ "$1" = "--systemd" ]; then MODE=systemd; shift; [ $# -ge 1 ] || usage; fi
	if [ "$1" = "--" ]; then shift; [ $# -ge 1 ] || usage; fi
	if [ -z "${VM_SKIP_PREPARE:-}" ]; then
		"$HERE/prepare.sh" || exit 125
	fi
	# shellcheck disable=SC1091
	. "$VM_CACHE/current.env"
	# The guest sees the host root, so the job directory is visible to it at this path.
	JOB=$(mktemp -d /tmp/wgm-vm.XXXXXX)
	QPID=""
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	write_job "$@"
	start_qemu
	# Stream the command's output while the VM runs; tail stops when QEMU is gone.
	tail -n +1 -s 0.2 -f --pid="$QPID" "$JOB/out"
	qrc=0
	wait "$QPID" || qrc=$?
	QPID=""
	st=$(tr -dc 0-9 <"$JOB/status")
	if [ -z "$st" ]; then
		report_failure "$qrc"
		exit 125
	fi
	exit "$st"
}

main "$@"
