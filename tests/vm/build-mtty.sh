#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/vm/build-mtty.sh - build the kernel's own mtty sample for a VM kernel.
#
# Usage: tests/vm/build-mtty.sh [SUITE]                (SUITE default: bookworm)
# Prints the path of the built mtty.ko on stdout.
#
# mtty (samples/vfio-mdev/mtty.c) is the upstream mdev driver with VFIO
# migration v2 (since 6.7): the migration tests need a real driver, not our
# simulation.  Debian builds no samples, so the source comes from Debian's
# kernel source package of exactly the suite kernel's version
# (linux-source-X.Y, apt-get download, no installation); only mtty.c is
# taken out of it, into the cache dir (never into this repository):
#   <cache>/<suite>/mtty-src/<version>/mtty.c
# When the archive no longer has that exact version, the closest it has
# (the candidate of linux-source-X.Y) is used and the script says so.
#
# The module is built like the simulated vGPU (build-kmod.sh): on the host
# for bookworm, in the suite's debootstrap chroot for trixie/sid, with
# module BTF so that fentry/fexit attach to its functions.  Output in
# build/mtty/<abi>/, with mtty-funcs.txt listing the mtty_* functions that
# are BTF FUNCs (what a tracer can hook).  Skips everything when the inputs
# are unchanged; the source extraction is cached separately (the package is
# ~160 MB and its tarball takes a minute to unpack).
set -euo pipefail
# shellcheck source=tests/vm/common.sh
. "$(dirname "$0")/common.sh"

[[ $# -le 1 ]] || vm_die "usage: $0 [SUITE]"
vm_kernel "${1:-}"
build=${VM_KMOD_BUILD:-host}

# --- the source ---------------------------------------------------------------
# Which source package and version, resolved once per kernel ABI and kept in
# <cache>/<suite>/<abi>/mtty-source: resolving costs apt-cache runs over the
# suite's whole lists (seconds), too much for every VM run.
resolved="$VM_DIR/mtty-source"
apt_ready=0
if [[ -f $resolved ]]; then
	read -r src_pkg src_ver <"$resolved"
else
	# The apt options come from the suite function (vm_kernel may have used
	# a cached kernel.env); keep the ABI vm_kernel chose.
	MDEVVER_VM_ABI=$VM_ABI vm_suite "$VM_SUITE"
	apt_ready=1
	# The kernel's Debian version (e.g. 6.12.117-1) from the image package:
	# the headers, the image and linux-source-X.Y of one upload share it.
	image_pkg=${VM_IMAGE_PKGS[0]}
	kver=$(apt-cache "${VM_APT_OPTS[@]}" show --no-all-versions "$image_pkg" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n1) || true
	[[ -n $kver ]] || vm_die "cannot tell the version of $image_pkg from apt-cache show (apt lists stale?)"
	series=$(grep -oE '^[0-9]+[.][0-9]+' <<<"$kver") || vm_die "cannot tell the kernel series of version $kver"
	src_pkg="linux-source-$series"
	avail=$(apt-cache "${VM_APT_OPTS[@]}" madison "$src_pkg" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
	[[ -n $avail ]] || vm_die "no $src_pkg in the $VM_SUITE apt lists: cannot get mtty.c for $VM_KREL"
	if grep -qxF "$kver" <<<"$avail"; then
		src_ver=$kver
	else
		src_ver=$(apt-cache "${VM_APT_OPTS[@]}" policy "$src_pkg" | sed -n 's/^ *Candidate: //p')
		vm_log "warning: no $src_pkg $kver in the $VM_SUITE archive; using the closest, $src_ver (have: ${avail//$'\n'/ })"
	fi
	echo "$src_pkg $src_ver" >"$resolved.tmp" && mv "$resolved.tmp" "$resolved"
fi
series=${src_pkg#linux-source-}

srcdir="$VM_CACHE/$VM_SUITE/mtty-src/$src_ver"
if [[ ! -f $srcdir/mtty.c ]]; then
	vm_lock "$VM_CACHE/$VM_SUITE/.mtty-src.lock"
fi
if [[ ! -f $srcdir/mtty.c ]]; then
	tmp="$VM_CACHE/$VM_SUITE/.mtty-src-tmp-$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	((apt_ready)) || MDEVVER_VM_ABI=$VM_ABI vm_suite "$VM_SUITE"
	vm_log "downloading $src_pkg=$src_ver ($VM_SUITE) for samples/vfio-mdev/mtty.c"
	(cd "$tmp" && apt-get "${VM_APT_OPTS[@]}" -q -o APT::Sandbox::User=root \
		download "$src_pkg=$src_ver" >/dev/null) ||
		vm_die "apt-get download $src_pkg=$src_ver failed"
	deb=$(echo "$tmp"/*.deb)
	[[ -f $deb ]] || vm_die "apt-get download left no .deb in $tmp"
	# The package holds one tarball, /usr/src/linux-source-X.Y.tar.xz.
	tarball=$(dpkg-deb -c "$deb" | awk '{ print $NF }' | grep -E "/linux-source-${series}[.]tar[.](xz|bz2|gz|zst)\$" | head -n1) ||
		vm_die "no linux-source-$series tarball in $deb"
	member="linux-source-$series/samples/vfio-mdev/mtty.c"
	case $tarball in
	*.xz) unpack=(xz -dc) ;;
	*.zst) unpack=(zstd -dcq) ;;
	*.bz2) unpack=(bzip2 -dc) ;;
	*.gz) unpack=(gzip -dc) ;;
	esac
	# --occurrence=1: tar stops once it has the file, and the writers
	# before it die of SIGPIPE, so only the last tar's status counts.
	(
		set +o pipefail
		dpkg-deb --fsys-tarfile "$deb" 2>/dev/null | tar -xOf - "$tarball" 2>/dev/null |
			"${unpack[@]}" 2>/dev/null | tar -xOf - --occurrence=1 "$member" >"$tmp/mtty.c"
	) || vm_die "cannot extract $member from $tarball in $deb"
	[[ -s $tmp/mtty.c ]] || vm_die "$member is empty or missing in $deb"
	rm -f "$deb"
	printf '%s=%s\n' "$src_pkg" "$src_ver" >"$tmp/source"
	mkdir -p "$(dirname "$srcdir")"
	rm -rf "$srcdir"
	mv "$tmp" "$srcdir"
	trap - EXIT
	vm_log "mtty.c of $src_pkg $src_ver cached in $srcdir"
fi

# --- the module ---------------------------------------------------------------
root=
if [[ $build == chroot ]]; then
	root=$("$VM_SCRIPTS/chroot.sh" "$VM_SUITE")
	chroot_id=$(cat "$root/.mdevver-chroot")
fi
out="$VM_TOP/build/mtty/$VM_ABI"
ko="$out/mtty.ko"
key=$({
	sha256sum <"$srcdir/mtty.c"
	sha256sum <"$VM_SCRIPTS/build-mtty.sh"
	echo "$VM_ABI $VM_VMLINUX $(stat -c '%s %Y' "$VM_VMLINUX")"
	[[ -z $root ]] || echo "chroot $root $chroot_id"
} | sha256sum | cut -d' ' -f1)
if [[ -f $ko && $(cat "$out/.stamp" 2>/dev/null) == "$key" ]]; then
	echo "$ko"
	exit 0
fi
vm_lock "$VM_TOP/build/mtty/.lock-$VM_ABI"

write_kbuild() {
	printf '# generated by tests/vm/build-mtty.sh\nobj-m := mtty.o\n' >"$1/Kbuild"
}

build_on_host() {
	[[ -f $VM_HEADERS/Makefile ]] ||
		vm_die "kernel headers $VM_HEADERS missing: apt-get install $VM_HEADERS_PKG (make deps)"
	command -v pahole >/dev/null || vm_die "pahole not found (apt-get install dwarves)"
	mkdir -p "$out"
	rm -f "$out/.stamp" "$ko" "$out"/*.o	# a stale .ko would be kept by kbuild and get BTF twice
	cp "$srcdir/mtty.c" "$out/"
	write_kbuild "$out"
	vm_log "building mtty.ko ($(cat "$srcdir/source")) for $VM_KREL"
	if ! make -C "$VM_HEADERS" M="$out" modules >"$out/build.log" 2>&1; then
		tail -n 30 "$out/build.log" >&2
		vm_die "mtty build failed; full log: $out/build.log"
	fi
	[[ -f $ko ]] || vm_die "kbuild produced no $ko; log: $out/build.log"
	pahole_flags=$(PAHOLE=pahole sh "$VM_HEADERS/scripts/pahole-flags.sh" 2>/dev/null || true)
	# shellcheck disable=SC2086 # pahole_flags is a word list
	LLVM_OBJCOPY=objcopy pahole -J $pahole_flags --btf_base "$VM_VMLINUX" "$ko" >>"$out/build.log" 2>&1 ||
		vm_die "pahole -J failed; log: $out/build.log"
}

build_in_chroot() {
	local bdir=/tmp/mtty-build
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
	cp "$srcdir/mtty.c" "$root$bdir/"
	write_kbuild "$root$bdir"
	vm_log "building mtty.ko ($(cat "$srcdir/source")) for $VM_KREL in the $VM_SUITE chroot"
	trap 'vm_umount_below "$root/proc"' EXIT
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc" || vm_die "cannot mount proc in $root"
	if ! chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		make -C "$VM_HEADERS" M="$bdir" modules >"$out/build.log" 2>&1; then
		tail -n 30 "$out/build.log" >&2
		vm_die "mtty build in $root failed; full log: $out/build.log"
	fi
	vm_umount_below "$root/proc"
	trap - EXIT
	[[ -f $root$bdir/mtty.ko ]] || vm_die "kbuild produced no mtty.ko; log: $out/build.log"
	cp "$root$bdir/mtty.ko" "$ko"
}

case $build in
host) build_on_host ;;
chroot) build_in_chroot ;;
*) vm_die "unknown VM_KMOD_BUILD '$build'" ;;
esac

# The module must carry BTF (fentry/fexit on its functions); which mtty_*
# functions survived as BTF FUNCs (not inlined) is written down for the
# tracer's authors: mtty-funcs.txt, one name a line.
sections=$(readelf -SW "$ko")
grep -q ' [.]BTF ' <<<"$sections" || vm_die "$ko has no .BTF section (log: $out/build.log)"
if command -v bpftool >/dev/null; then
	# read against .BTF.base or vmlinux (vm_module_btf, common.sh)
	btf=$(vm_module_btf "$ko") || exit 1
	sed -n "s/.* FUNC '\(mtty_[A-Za-z0-9_]*\)' .*/\1/p" <<<"$btf" | sort -u >"$out/mtty-funcs.txt"
	[[ -s $out/mtty-funcs.txt ]] || vm_die "no mtty_* BTF FUNC in $ko"
fi
cp "$srcdir/source" "$out/source"
echo "$key" >"$out/.stamp"
vm_log "built $ko from $(cat "$srcdir/source") (with BTF)"
echo "$ko"
