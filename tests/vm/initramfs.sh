#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/vm/initramfs.sh - build the VM test bed's initramfs for a suite kernel.
#
# Usage: tests/vm/initramfs.sh [SUITE]                 (SUITE default: bookworm)
# Prints the path of the initrd on stdout.
#
# The guest needs only enough to mount the host's root over 9p and chroot
# into it: a static busybox, the guest /init (guest-init.sh) and the virtio
# and 9p modules that the distribution kernel builds as modules, in
# dependency order.  Cached per kernel ABI in the kernel cache dir; rebuilt
# when guest-init.sh, this script or busybox change.
set -euo pipefail
# shellcheck source=tests/vm/common.sh
. "$(dirname "$0")/common.sh"

[[ $# -le 1 ]] || vm_die "usage: $0 [SUITE]"
vm_kernel "${1:-}"

busybox=/bin/busybox
initrd="$VM_DIR/initrd.gz"
# What the guest must load itself; their dependencies are found below.
targets=(virtio_pci 9pnet_virtio 9p)

[[ -x $busybox ]] || vm_die "$busybox not found (apt-get install busybox-static)"
key=$({
	sha256sum <"$VM_SCRIPTS/guest-init.sh"
	sha256sum <"$VM_SCRIPTS/initramfs.sh"
	sha256sum <"$busybox"
	echo "$VM_ABI ${targets[*]}"
} | sha256sum | cut -d' ' -f1)
if [[ -f $initrd && $(cat "$VM_DIR/initrd.stamp" 2>/dev/null) == "$key" ]]; then
	echo "$initrd"
	exit 0
fi
vm_lock "$VM_DIR/.initrd.lock"
command -v cpio >/dev/null || vm_die "cpio not found (apt-get install cpio)"
grep -q 'Requesting program interpreter' <<<"$(readelf -lW "$busybox")" &&
	vm_die "$busybox is dynamically linked; the initramfs needs busybox-static"

stage=$(mktemp -d "$VM_DIR/.initrd-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# Module name -> file.  Module names use '_', file names may use '-'.
mod_file() {
	local n=$1 f
	f=$(find "$VM_MODULES" \( -name "$n.ko" -o -name "$n.ko.*" -o -name "${n//_/-}.ko" \
		-o -name "${n//_/-}.ko.*" \) -print -quit)
	printf '%s' "$f"
}

# Uncompressed module bytes (busybox insmod cannot read .ko.xz/.ko.zst).
mod_cat() {
	case $1 in
	*.ko) cat "$1" ;;
	*.ko.xz) xz -dc "$1" ;;
	*.ko.zst) zstd -dcq "$1" ;;
	*.ko.gz) gzip -dc "$1" ;;
	*) vm_die "unknown module compression: $1" ;;
	esac
}

builtin_mod() {
	grep -qE "/${1}[.]ko\$|/${1//_/-}[.]ko\$" "$VM_MODULES/modules.builtin" 2>/dev/null
}

# Depth-first, dependencies first: the order insmod needs.
declare -A seen=()
order=()
visit() {
	local n=$1 f deps d
	[[ -z ${seen[$n]:-} ]] || return 0
	seen[$n]=1
	f=$(mod_file "$n")
	if [[ -z $f ]]; then
		builtin_mod "$n" && return 0
		vm_die "module $n is neither in $VM_MODULES nor built in"
	fi
	mod_cat "$f" >"$stage/$n.ko"
	deps=$(tr '\0' '\n' <"$stage/$n.ko" | sed -n 's/^depends=//p' | head -n1)
	for d in ${deps//,/ }; do
		visit "$d"
	done
	order+=("$n")
}
for t in "${targets[@]}"; do
	visit "$t"
done

root="$stage/root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,host,tmp,run,lib/modules}
cp "$busybox" "$root/bin/busybox"
install -m 0755 "$VM_SCRIPTS/guest-init.sh" "$root/init"
# The kernel opens /dev/console for init before anything is mounted.
mknod -m 600 "$root/dev/console" c 5 1
mknod -m 666 "$root/dev/null" c 1 3
i=0
for n in "${order[@]}"; do
	i=$((i + 1))
	mv "$stage/$n.ko" "$root/lib/modules/$(printf '%02d' "$i")-$n.ko"
done
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet -R 0:0 | gzip -6 >"$stage/initrd.gz")
mv "$stage/initrd.gz" "$initrd"
echo "$key" >"$VM_DIR/initrd.stamp"
vm_log "initramfs for $VM_KREL: ${order[*]}"
echo "$initrd"
