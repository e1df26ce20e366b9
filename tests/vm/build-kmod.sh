#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/vm/build-kmod.sh - build the simulated vGPU module for a VM kernel.
#
# Usage: tests/vm/build-kmod.sh [SUITE]                (SUITE default: bookworm)
# Prints the path of the built mdevsim.ko on stdout.
#
# Builds tests/kmod/ against the suite kernel's headers in build/kmod/<abi>/
# (kbuild writes its objects next to the sources, so the sources are copied
# there to keep tests/kmod/ clean).  Out-of-tree builds get no BTF because
# the headers package lacks vmlinux; the tracer's fentry probes on the
# module's functions need it, so it is added with pahole against the vmlinux
# that kernel.sh extracted.  Skips everything when the inputs are unchanged.
#
# Suites with VM_KMOD_BUILD=chroot (newer than the host) build inside their
# debootstrap chroot (chroot.sh) instead: the host can run neither their
# compiler nor their kbuild helpers.  There the vmlinux is put into the
# headers directory, so kbuild writes the module's BTF itself, exactly as
# that kernel's pahole options want it.
set -euo pipefail
# shellcheck source=tests/vm/common.sh
. "$(dirname "$0")/common.sh"

[[ $# -le 1 ]] || vm_die "usage: $0 [SUITE]"
vm_kernel "${1:-}"
build=${VM_KMOD_BUILD:-host}	# kernel.env files from before chroot builds lack it
root=
if [[ $build == chroot ]]; then
	root=$("$VM_SCRIPTS/chroot.sh" "$VM_SUITE")
	chroot_id=$(cat "$root/.mdevver-chroot")
fi

src="$VM_TOP/tests/kmod"
out="$VM_TOP/build/kmod/$VM_ABI"
ko="$out/mdevsim.ko"
# Functions the tracer attaches to; they must exist under exactly these names.
hooks=(intel_gvt_get_vfio_device_version_len intel_gvt_get_vfio_device_version
	intel_gvt_get_vfio_device_migration_version intel_gvt_check_vfio_device_version)

key=$({
	(cd "$src" && sha256sum mdevsim.c Kbuild)
	sha256sum <"$VM_SCRIPTS/build-kmod.sh"
	echo "$VM_ABI $VM_VMLINUX $(stat -c '%s %Y' "$VM_VMLINUX")"
	[[ -z $root ]] || echo "chroot $root $chroot_id"
} | sha256sum | cut -d' ' -f1)

if [[ -f $ko && $(cat "$out/.stamp" 2>/dev/null) == "$key" ]]; then
	echo "$ko"
	exit 0
fi
vm_lock "$VM_TOP/build/kmod/.lock-$VM_ABI"

build_on_host() {
	[[ -f $VM_HEADERS/Makefile ]] ||
		vm_die "kernel headers $VM_HEADERS missing: apt-get install $VM_HEADERS_PKG (make deps)"
	command -v pahole >/dev/null || vm_die "pahole not found (apt-get install dwarves)"

	mkdir -p "$out"
	rm -f "$out/.stamp" "$ko"	# a stale .ko would be kept by kbuild and get BTF twice
	cp "$src/mdevsim.c" "$src/Kbuild" "$out/"
	vm_log "building mdevsim.ko for $VM_KREL"
	if ! make -C "$VM_HEADERS" M="$out" modules >"$out/build.log" 2>&1; then
		tail -n 30 "$out/build.log" >&2
		vm_die "module build failed; full log: $out/build.log"
	fi
	[[ -f $ko ]] || vm_die "kbuild produced no $ko; log: $out/build.log"

	# Same pahole options kbuild would use for an in-tree module of this kernel.
	pahole_flags=$(PAHOLE=pahole sh "$VM_HEADERS/scripts/pahole-flags.sh" 2>/dev/null || true)
	# shellcheck disable=SC2086 # pahole_flags is a word list
	LLVM_OBJCOPY=objcopy pahole -J $pahole_flags --btf_base "$VM_VMLINUX" "$ko" >>"$out/build.log" 2>&1 ||
		vm_die "pahole -J failed; log: $out/build.log"
}

build_in_chroot() {
	local bdir=/tmp/mdevsim-build
	# One build at a time per chroot (they would share and unmount its
	# /proc), and none while chroot.sh replaces it.
	vm_lock "$VM_CACHE/$VM_SUITE/.chroot.lock"
	[[ $(cat "$root/.mdevver-chroot" 2>/dev/null) == "$chroot_id" ]] ||
		vm_die "the $VM_SUITE build chroot was replaced meanwhile; run again"
	[[ -f $root$VM_HEADERS/Makefile ]] || vm_die "no $VM_HEADERS in the chroot $root"

	mkdir -p "$out"
	rm -f "$out/.stamp" "$ko"
	# With vmlinux in the headers dir kbuild generates the module's BTF.
	cmp -s "$VM_VMLINUX" "$root$VM_HEADERS/vmlinux" || cp "$VM_VMLINUX" "$root$VM_HEADERS/vmlinux"
	rm -rf "$root$bdir"
	mkdir -p "$root$bdir"
	cp "$src/mdevsim.c" "$src/Kbuild" "$root$bdir/"
	vm_log "building mdevsim.ko for $VM_KREL in the $VM_SUITE chroot"
	# objtool reads /proc; the trap unmounts it however the build ends.
	trap 'vm_umount_below "$root/proc"' EXIT
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc" || vm_die "cannot mount proc in $root"
	if ! chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		make -C "$VM_HEADERS" M="$bdir" modules >"$out/build.log" 2>&1; then
		tail -n 30 "$out/build.log" >&2
		vm_die "module build in $root failed; full log: $out/build.log"
	fi
	vm_umount_below "$root/proc"
	trap - EXIT
	[[ -f $root$bdir/mdevsim.ko ]] || vm_die "kbuild produced no mdevsim.ko; log: $out/build.log"
	cp "$root$bdir/mdevsim.ko" "$ko"
}

case $build in
host) build_on_host ;;
chroot) build_in_chroot ;;
*) vm_die "unknown VM_KMOD_BUILD '$build'" ;;
esac

# Verify what the tests rely on, so a compiler change fails here and not as a
# puzzling "no event" in the VM: a .BTF section, and each hook as a BTF FUNC
# and as a plain (not .isra/.constprop) symbol.
# Not "readelf | grep -q": with pipefail an early grep exit can fail readelf.
sections=$(readelf -SW "$ko")
grep -q ' [.]BTF ' <<<"$sections" || vm_die "$ko has no .BTF section (log: $out/build.log)"
if command -v bpftool >/dev/null; then
	# read against .BTF.base or vmlinux (vm_module_btf, common.sh)
	btf=$(vm_module_btf "$ko") || exit 1
	for f in "${hooks[@]}"; do
		grep -q "FUNC '$f' " <<<"$btf" || vm_die "$f is not a BTF FUNC in $ko"
	done
fi
syms=$(readelf -sW "$ko" | awk '$4 == "FUNC" { print $8 }')
for f in "${hooks[@]}"; do
	grep -qx "$f" <<<"$syms" || vm_die "no FUNC symbol $f in $ko (inlined?)"
done
if grep -E '^intel_gvt_.*[.]' <<<"$syms" >&2; then
	vm_die "the compiler cloned intel_gvt_* functions (see above); fentry would miss them"
fi

echo "$key" >"$out/.stamp"
vm_log "built $ko (with BTF)"
echo "$ko"
