#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/vm/chroot.sh - the build chroot for a suite's test module.
#
# Usage: tests/vm/chroot.sh [SUITE]                    (SUITE default: bookworm)
# Prints the chroot's path on stdout.
#
# Newer suites' kbuild helpers (fixdep, modpost, objtool, ...) are linked
# against a newer glibc than the host's, and their headers want that suite's
# gcc, so the module cannot be built on the host.  Instead: a minimal
# debootstrap of the suite with the compiler the headers package names, make,
# libc6-dev, the headers and pahole (kbuild writes module BTF with it).  It
# lives in <cache>/<suite>/chroot and is rebuilt only when the headers
# package (name or version) or the compiler changes.  Only for suites with
# VM_KMOD_BUILD=chroot; bookworm builds on the host.
set -euo pipefail
# shellcheck source=tests/vm/common.sh
. "$(dirname "$0")/common.sh"

[[ $# -le 1 ]] || vm_die "usage: $0 [SUITE]"
vm_kernel "${1:-}"
[[ ${VM_KMOD_BUILD:-host} == chroot ]] || vm_die "suite $VM_SUITE builds its test module on the host, not in a chroot"

root=$VM_CHROOT
want="$VM_HEADERS_PKG=$VM_HEADERS_VERSION $VM_KBUILD_GCC"
stamp=.mdevver-chroot

if [[ $(cat "$root/$stamp" 2>/dev/null) == "$want" ]]; then
	echo "$root"
	exit 0
fi
vm_lock "$VM_CACHE/$VM_SUITE/.chroot.lock"
if [[ $(cat "$root/$stamp" 2>/dev/null) == "$want" ]]; then
	echo "$root"
	exit 0
fi
command -v debootstrap >/dev/null || vm_die "debootstrap not found (apt-get install debootstrap)"
vm_host_mirror

# The host's debootstrap may predate the suite's name; every current suite
# bootstraps like sid.
script=/usr/share/debootstrap/scripts/$VM_SUITE
[[ -e $script ]] || script=/usr/share/debootstrap/scripts/sid

tmp="$VM_CACHE/$VM_SUITE/.chroot-tmp"
log="$VM_CACHE/$VM_SUITE/debootstrap.log"
# debootstrap mounts proc and sys in its target and can leave them behind
# when it fails; never recurse into a mounted file system.
vm_clean() {
	vm_umount_below "$1"
	rm -rf --one-file-system "$1"
}
vm_clean "$tmp"
trap 'vm_clean "$tmp"' EXIT

vm_log "debootstrap $VM_SUITE with $VM_KBUILD_GCC and $VM_HEADERS_PKG into $root (1-2 minutes)"
if ! debootstrap --variant=minbase --keyring="$VM_KEYRING" \
	--include="$VM_KBUILD_GCC,make,libc6-dev,$VM_HEADERS_PKG,dwarves" \
	"$VM_SUITE" "$tmp" "$VM_MIRROR" "$script" >"$log" 2>&1; then
	tail -n 5 "$log" | sed 's/^/vm: debootstrap: /' >&2
	vm_die "debootstrap of $VM_SUITE failed (a newer kernel in the archive? refresh with MDEVVER_VM_APT_MAX_AGE=0); log: $log"
fi
vm_umount_below "$tmp"
[[ -f $tmp$VM_HEADERS/Makefile ]] || vm_die "debootstrap installed no $VM_HEADERS; log: $log"

# The archive may have moved on since kernel.sh picked the image; a module
# built against other headers of the same ABI usually loads, so only warn.
# shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
got=$(chroot "$tmp" dpkg-query -W -f='${Version}' "$VM_HEADERS_PKG")
[[ $got == "$VM_HEADERS_VERSION" ]] ||
	vm_log "warning: the chroot has $VM_HEADERS_PKG $got, the kernel image is $VM_HEADERS_VERSION"
rm -f "$tmp"/var/cache/apt/archives/*.deb
echo "$want" >"$tmp/$stamp"

vm_clean "$root"
mv "$tmp" "$root"
trap - EXIT
vm_log "build chroot for $VM_KREL ready in $root"
echo "$root"
