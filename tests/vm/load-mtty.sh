#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/vm/load-mtty.sh - in the VM guest (as root): load vfio,
# vfio_iommu_type1 and mdev from the guest kernel's own module tree, then
# the kernel's mtty sample (tests/vm/build-mtty.sh).
#
# Usage (in a job of tests/vm/run.sh --mtty): tests/vm/load-mtty.sh
# run.sh --mtty exports MDEVVER_VM_MODULES (the kernel's modules directory
# in the host's cache, visible read-only in the guest) and MDEVVER_MTTY_KO.
# The Debian module tree has no modules.dep (depmod runs at installation),
# so each module's dependencies are read from its own modinfo "depends=",
# as initramfs.sh does; compressed modules are unpacked into /run first,
# since busybox's insmod cannot read them.  Idempotent: loaded modules are
# skipped.  Prints one line per module; exits 1 when one cannot be loaded.
# The simulated vGPU (mdevsim) stays loaded: it does not use mdev.
set -eu

die() { echo "load-mtty: error: $*" >&2; exit 1; }
if [ -z "${MDEVVER_VM_MODULES:-}" ] || [ -z "${MDEVVER_MTTY_KO:-}" ]; then
	die "MDEVVER_VM_MODULES / MDEVVER_MTTY_KO unset: run the VM with tests/vm/run.sh --mtty"
fi
[ -d "$MDEVVER_VM_MODULES" ] || die "no module tree $MDEVVER_VM_MODULES"
[ -f "$MDEVVER_MTTY_KO" ] || die "no $MDEVVER_MTTY_KO"
tmp=/run/mdevver-vm/mtty
mkdir -p "$tmp"

loaded() { [ -d "/sys/module/$1" ]; }

# Module name -> uncompressed file in $tmp (names use '_', files may use '-').
unpack() {
	n=$1
	dash=$(echo "$n" | tr _ -)
	f=$(find "$MDEVVER_VM_MODULES" \( -name "$n.ko" -o -name "$n.ko.*" -o -name "$dash.ko" \
		-o -name "$dash.ko.*" \) -print | head -n1)
	[ -n "$f" ] || return 1
	case $f in
	*.ko) cp "$f" "$tmp/$n.ko" ;;
	*.ko.xz) xz -dc "$f" >"$tmp/$n.ko" ;;
	*.ko.zst) zstd -dcq "$f" >"$tmp/$n.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$tmp/$n.ko" ;;
	*) die "unknown module compression: $f" ;;
	esac
}

builtin() {
	grep -qE "/$1[.]ko\$" "$MDEVVER_VM_MODULES/modules.builtin" 2>/dev/null
}

# load NAME [FILE]: dependencies first (depth first), then NAME itself.
load() {
	name=$1
	if loaded "$name"; then
		echo "load-mtty: $name already loaded"
		return 0
	fi
	if [ $# -ge 2 ]; then
		file=$2
	elif unpack "$name"; then
		file=$tmp/$name.ko
	elif builtin "$name"; then
		echo "load-mtty: $name built in"
		return 0
	else
		die "module $name is neither in $MDEVVER_VM_MODULES nor built in"
	fi
	deps=$(tr '\0' '\n' <"$file" | sed -n 's/^depends=//p' | head -n1)
	for d in $(echo "$deps" | tr , ' '); do
		# recursion clobbers the globals: the callee saves nothing
		(load "$d") || exit 1
	done
	err=$(insmod "$file" 2>&1) || die "insmod $file: $err"
	echo "load-mtty: $name loaded from $file"
}

for m in vfio vfio_iommu_type1 mdev; do
	load "$m"
done
load mtty "$MDEVVER_MTTY_KO"
[ -d /sys/class/mdev_bus/mtty ] || die "mtty loaded but /sys/class/mdev_bus/mtty is missing"
[ -c /dev/vfio/vfio ] || die "vfio loaded but /dev/vfio/vfio is missing"
