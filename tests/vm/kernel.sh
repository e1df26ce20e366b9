#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/vm/kernel.sh - fetch a Debian distribution kernel for the VM test bed.
#
# Usage: tests/vm/kernel.sh [--resolve] [SUITE]        (SUITE default: bookworm)
#
# Downloads the suite's current kernel image package once (apt-get download +
# dpkg-deb -x, no installation) into $MDEVVER_VM_CACHE/<suite>/<abi>/ and
# extracts the ELF vmlinux from vmlinuz: module BTF must be generated against
# exactly this vmlinux's BTF, and the image package does not ship it.
# Prints shell assignments (VM_ABI, VM_KREL, VM_VMLINUZ, VM_VMLINUX,
# VM_MODULES, VM_HEADERS_PKG, VM_HEADERS, ...) on stdout, also kept in
# <cache>/<suite>/<abi>/kernel.env; use:  eval "$(tests/vm/kernel.sh)".
# A cache hit makes no network access and takes well under a second (about
# two for suites with private apt lists: apt-cache parses the whole lists).
# --resolve only resolves the names (no download), e.g. for "make deps".
set -euo pipefail
# shellcheck source=tests/vm/common.sh
. "$(dirname "$0")/common.sh"

resolve_only=0
if [[ ${1:-} == --resolve ]]; then resolve_only=1; shift; fi
[[ $# -le 1 ]] || vm_die "usage: $0 [--resolve] [SUITE]"
vm_suite "${1:-}"

print_names() {
	local v
	for v in VM_SUITE VM_ABI VM_KREL VM_HEADERS_PKG VM_HEADERS VM_KMOD_BUILD; do
		printf '%s=%s\n' "$v" "$(vm_shquote "${!v}")"
	done
}

if ((resolve_only)); then
	print_names
	exit 0
fi

envfile="$VM_DIR/kernel.env"
if [[ ! -f $envfile ]]; then
	vm_lock "$VM_CACHE/$VM_SUITE/.lock"
fi
# Re-check under the lock: another run may have filled the cache meanwhile.
if [[ ! -f $envfile ]]; then
	for tool in apt-get dpkg-deb readelf; do
		command -v "$tool" >/dev/null || vm_die "$tool not found"
	done
	tmp="$VM_CACHE/$VM_SUITE/.tmp-$VM_ABI-$$"
	rm -rf "$tmp"
	mkdir -p "$tmp/root"
	trap 'rm -rf "$tmp"' EXIT
	stale_hint="apt-get update"
	((${#VM_APT_OPTS[@]} == 0)) || stale_hint="refresh the private lists with MDEVVER_VM_APT_MAX_AGE=0"
	vm_log "downloading ${VM_IMAGE_PKGS[*]} ($VM_SUITE)"
	# Sandbox user root: apt's _apt user cannot write into our cache dir.
	(cd "$tmp" && apt-get "${VM_APT_OPTS[@]}" -q -o APT::Sandbox::User=root \
		download "${VM_IMAGE_PKGS[@]}" >/dev/null) ||
		vm_die "apt-get download ${VM_IMAGE_PKGS[*]} failed (network down, or apt lists stale: $stale_hint)"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root"
		rm -f "$deb"
	done

	# Older packages install /boot/vmlinuz-<krel>, sid's linux-binary ships
	# it next to the modules.
	vmlinuz=
	for f in "$tmp/root/boot/vmlinuz-$VM_KREL" "$tmp/root/usr/lib/modules/$VM_KREL/vmlinuz" \
		"$tmp/root/lib/modules/$VM_KREL/vmlinuz"; do
		if [[ -f $f ]]; then vmlinuz=$f; break; fi
	done
	[[ -n $vmlinuz ]] || vm_die "no vmlinuz for $VM_KREL in ${VM_IMAGE_PKGS[*]}"
	modules=
	for d in "$tmp/root/lib/modules/$VM_KREL" "$tmp/root/usr/lib/modules/$VM_KREL"; do
		if [[ -d $d ]]; then modules=$d; break; fi
	done
	[[ -n $modules ]] || vm_die "no modules directory for $VM_KREL in ${VM_IMAGE_PKGS[*]}"

	# vmlinuz is a boot stub followed by one compressed stream holding the ELF
	# vmlinux; find the stream by its magic.  The magic can also occur by
	# chance, so try each hit until one decompresses to an ELF file.
	case $VM_KERNEL_COMP in
	xz) magic='\xfd\x37\x7a\x58\x5a\x00'; unpack=(xz -dc --single-stream) ;;
	zstd) magic='\x28\xb5\x2f\xfd'; unpack=(zstd -dcq --long=31) ;;
	*) vm_die "unknown kernel compression '$VM_KERNEL_COMP'" ;;
	esac
	command -v "${unpack[0]}" >/dev/null || vm_die "${unpack[0]} not found (install xz-utils / zstd)"
	vmlinux="$tmp/vmlinux"
	found=0
	# shellcheck disable=SC2013 # one offset per line
	for off in $(LC_ALL=C grep -obUaP "$magic" "$vmlinuz" | cut -d: -f1); do
		# zstd reports an error on the trailing bytes after the frame; the
		# output is complete, so judge by the result, not the exit status.
		tail -c "+$((off + 1))" "$vmlinuz" | "${unpack[@]}" >"$vmlinux" 2>/dev/null || true
		if [[ $(head -c 4 "$vmlinux" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]; then
			found=1
			break
		fi
	done
	((found)) || vm_die "no $VM_KERNEL_COMP-compressed ELF vmlinux inside $vmlinuz"
	# Not "readelf | grep -q": with pipefail, grep quitting early makes
	# readelf die of SIGPIPE and the test fail although it matched.
	grep -q ' [.]BTF ' <<<"$(readelf -SW "$vmlinux")" || vm_die "extracted vmlinux has no .BTF section"

	# What the chroot build needs to know, taken from the same apt lists as
	# the image so that the headers match it: their exact version (the chroot
	# is rebuilt when it changes) and the gcc-N the headers package names.
	extra=()
	if [[ $VM_KMOD_BUILD == chroot ]]; then
		hdr=$(apt-cache "${VM_APT_OPTS[@]}" show --no-all-versions "$VM_HEADERS_PKG" 2>/dev/null) ||
			vm_die "apt-cache show $VM_HEADERS_PKG failed: no headers for $VM_KREL in the $VM_SUITE lists"
		VM_HEADERS_VERSION=$(sed -n 's/^Version: //p' <<<"$hdr" | head -n1)
		VM_KBUILD_GCC=$(sed -n 's/^Depends: //p' <<<"$hdr" | grep -oE '(^|[ ,|])gcc-[0-9]+' |
			grep -oE 'gcc-[0-9]+' | head -n1) || true
		[[ -n $VM_HEADERS_VERSION && -n $VM_KBUILD_GCC ]] ||
			vm_die "cannot tell the version or the gcc-N of $VM_HEADERS_PKG from apt-cache show"
		# shellcheck disable=SC2034 # printed through ${!v}
		VM_CHROOT="$VM_CACHE/$VM_SUITE/chroot"
		extra=(VM_HEADERS_VERSION VM_KBUILD_GCC VM_CHROOT)
	fi

	final_modules="$VM_DIR${modules#"$tmp/root"}"
	# shellcheck disable=SC2034 # printed through ${!v}
	{
		VM_VMLINUZ="$VM_DIR${vmlinuz#"$tmp/root"}"
		VM_VMLINUX="$VM_DIR/vmlinux"
		VM_MODULES="$final_modules"
		print_names
		for v in VM_DIR VM_VMLINUZ VM_VMLINUX VM_MODULES "${extra[@]}"; do
			printf '%s=%s\n' "$v" "$(vm_shquote "${!v}")"
		done
	} >"$tmp/kernel.env"
	# Flatten root/ into the ABI dir (boot/, lib/ or usr/) and publish
	# atomically: kernel.env exists only for a complete entry.
	mv "$tmp"/root/* "$tmp/"
	rmdir "$tmp/root"
	rm -rf "$VM_DIR"
	mv "$tmp" "$VM_DIR"
	trap - EXIT
	vm_log "kernel $VM_KREL cached in $VM_DIR"
fi
cat "$envfile"
