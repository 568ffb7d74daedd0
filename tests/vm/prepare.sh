#!/bin/sh
# SPDX-License-Identifier: MIT
# Prepares (once, cached) what tests/vm/vm-run.sh boots: host packages, a stock Debian
# kernel unpacked into VM_CACHE (nothing touches /boot), and an initramfs built from it.
# Writes VM_CACHE/current.env (VM_KVER, VM_KERNEL, VM_INITRD). Exit 0 ok, 3 = this host
# cannot provide the VM (not root / package or kernel unobtainable), 1 = other failure.
set -eu

VM_CACHE=${VM_CACHE:-/var/cache/wg-monitor-vm}
VM_KERNEL_PKG=${VM_KERNEL_PKG:-linux-image-6.12-amd64}
HERE=$(cd "$(dirname "$0")" && pwd -P)
PACKAGES="qemu-system-x86 busybox cpio kmod xz-utils wireguard-tools iproute2"
# Modules the guest needs (dependencies are added from modules.dep). Some of them may
# be built into the kernel; that is fine.
MODULES="virtio_pci virtio_console 9pnet_virtio 9p overlay wireguard veth"

say() { printf 'prepare: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
unavailable() { say "UNAVAILABLE: $*"; exit 3; }

pkg_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# True when apt knows a candidate version for every package given.
apt_has_candidates() {
	for p in "$@"; do
		c=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ { print $2 }')
		[ -n "$c" ] && [ "$c" != "(none)" ] || return 1
	done
}

ensure_packages() {
	missing=""
	for p in $PACKAGES; do pkg_installed "$p" || missing="$missing $p"; done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || unavailable "missing packages:$missing (need root to install)"
	command -v apt-get >/dev/null || unavailable "missing packages:$missing and no apt-get"
	# shellcheck disable=SC2086
	if ! apt_has_candidates $missing; then
		say "some packages are unknown to apt; running apt-get update"
		apt-get update -q >&2 || unavailable "apt-get update failed"
	fi
	say "INSTALLING Debian packages:$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		--no-upgrade $missing >&2 || unavailable "apt-get install$missing failed"
}

# Prints the versioned kernel package the meta package depends on today.
kernel_package() {
	apt-cache depends "$VM_KERNEL_PKG" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

resolve_kernel() {
	KPKG=$(kernel_package)
	if [ -z "$KPKG" ] && [ "$(id -u)" = 0 ]; then
		say "$VM_KERNEL_PKG unknown to apt; running apt-get update"
		apt-get update -q >&2 || true
		KPKG=$(kernel_package)
	fi
	if [ -z "$KPKG" ]; then
		# Offline but cached earlier: keep using what is there.
		[ -f "$VM_CACHE/current.env" ] || unavailable "cannot resolve $VM_KERNEL_PKG"
		KPKG=linux-image-$(sed -n 's/^VM_KVER=//p' "$VM_CACHE/current.env")
		say "cannot resolve $VM_KERNEL_PKG; using cached $KPKG"
	fi
	KVER=${KPKG#linux-image-}
	KROOT=$VM_CACHE/kernel/$KVER
}

fetch_kernel() {
	[ -f "$KROOT/.complete" ] && return 0
	[ "$(id -u)" = 0 ] || unavailable "kernel $KVER not cached (need root to fetch it)"
	dl=$VM_CACHE/download
	rm -rf "$dl" "$KROOT"
	mkdir -p "$dl" "$KROOT"
	say "downloading $KPKG (about 110 MB) into $dl"
	(cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "$KPKG" >&2) ||
		unavailable "apt-get download $KPKG failed"
	set -- "$dl"/*.deb
	[ -f "$1" ] || die "no .deb downloaded for $KPKG"
	say "unpacking $(basename "$1") into $KROOT"
	dpkg-deb -x "$1" "$KROOT" || die "dpkg-deb -x failed"
	[ -f "$KROOT/boot/vmlinuz-$KVER" ] || die "no vmlinuz-$KVER in $KPKG"
	depmod -b "$KROOT" "$KVER" || die "depmod failed"
	rm -rf "$dl"
	touch "$KROOT/.complete"
}

# Prints the module files (relative to the modules dir) to load for the given module,
# dependencies first, from modules.dep, which lists a module's dependencies in reverse
# load order. Prints nothing for a built-in module; fails when there is no such module.
module_load_order() {
	awk -v want="$1" '
		function norm(p,   b) { b = p; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b)
			gsub(/-/, "_", b); return b }
		BEGIN { gsub(/-/, "_", want) }
		{ f = $1; sub(/:$/, "", f)
		  if (norm(f) != want) next
		  for (i = NF; i >= 2; i--) print $i
		  print f; found = 1; exit }
		END { exit found ? 0 : 1 }' "$MODDIR/modules.dep"
}

is_builtin() {
	awk -v want="$1" '
		{ b = $0; sub(/.*\//, "", b); sub(/\.ko$/, "", b); gsub(/-/, "_", b)
		  if (b == want) { found = 1; exit } }
		END { exit found ? 0 : 1 }' "$MODDIR/modules.builtin"
}

# Writes the ordered, de-duplicated module list to $1.
resolve_modules() {
	: >"$1.tmp"
	: >"$1.notes"
	for m in $MODULES; do
		want=$(printf '%s' "$m" | tr - _)
		if module_load_order "$want" >>"$1.tmp"; then
			continue
		elif is_builtin "$want"; then
			echo "module $m: built into $KVER" >>"$1.notes"
		else
			echo "module $m: not found as module in $KVER (assuming built in)" >>"$1.notes"
		fi
	done
	awk '!seen[$0]++' "$1.tmp" >"$1"
	rm -f "$1.tmp"
}

# Copies a host file into the staging tree at the same path, following symlinks.
stage_file() {
	mkdir -p "$STAGE$(dirname "$1")"
	cp -L "$1" "$STAGE$1"
}

build_initramfs() {
	MODDIR=$KROOT/lib/modules/$KVER
	INITRD=$VM_CACHE/initramfs-$KVER.cpio
	mods=$VM_CACHE/modules-$KVER.list
	resolve_modules "$mods"
	bb=$(command -v busybox) || unavailable "busybox not installed"
	libs=$(ldd "$bb" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
	# Every input of the image, by content: rebuild only when one of them changes.
	sig=$( {
		echo "$KVER"; cat "$mods"; cat "$HERE/init.sh"
		# shellcheck disable=SC2086
		sha256sum "$bb" $libs
		sed 's|^|'"$MODDIR"'/|' "$mods" | xargs -r sha256sum
	} | sha256sum | cut -d' ' -f1)
	if [ -f "$INITRD" ] && [ "$(cat "$INITRD.sig" 2>/dev/null)" = "$sig" ]; then
		return 0
	fi
	say "building initramfs $INITRD"
	while IFS= read -r l; do say "$l"; done <"$mods.notes"
	STAGE=$VM_CACHE/stage
	rm -rf "$STAGE"
	mkdir -p "$STAGE/bin" "$STAGE/proc" "$STAGE/sys" "$STAGE/dev" "$STAGE/lower" \
		"$STAGE/rw" "$STAGE/newroot" "$STAGE/modules"
	cp "$bb" "$STAGE/bin/busybox"
	for l in $libs; do stage_file "$l"; done
	for a in $("$bb" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$STAGE/bin/$a"
	done
	ln -s bin "$STAGE/sbin"
	n=0
	while IFS= read -r m; do
		n=$((n + 1))
		out=$STAGE/modules/$(printf '%02d' "$n")-$(basename "$m" | sed 's/\.ko\..*$/.ko/')
		case $m in
		*.xz) xz -dc "$MODDIR/$m" >"$out" ;;
		*.zst) zstd -qdc "$MODDIR/$m" >"$out" ;;
		*.gz) gzip -dc "$MODDIR/$m" >"$out" ;;
		*) cp "$MODDIR/$m" "$out" ;;
		esac
	done <"$mods"
	install -m 0755 "$HERE/init.sh" "$STAGE/init"
	(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$INITRD.tmp"
	mv "$INITRD.tmp" "$INITRD"
	echo "$sig" >"$INITRD.sig"
	rm -rf "$STAGE"
	say "initramfs: $(du -h "$INITRD" | cut -f1), $n modules"
}

main() {
	ensure_packages
	mkdir -p "$VM_CACHE" 2>/dev/null || unavailable "cannot create $VM_CACHE"
	# Concurrent runs (parallel test jobs) must not build into the same files at once.
	[ -w "$VM_CACHE" ] || unavailable "$VM_CACHE is not writable (run as root or set VM_CACHE)"
	exec 9>>"$VM_CACHE/.lock"
	flock 9
	resolve_kernel
	fetch_kernel
	build_initramfs
	cat >"$VM_CACHE/current.env.tmp" <<EOF
VM_KVER=$KVER
VM_KERNEL=$KROOT/boot/vmlinuz-$KVER
VM_INITRD=$INITRD
VM_MODULES=$KROOT/lib/modules/$KVER
EOF
	mv "$VM_CACHE/current.env.tmp" "$VM_CACHE/current.env"
}

main "$@"
