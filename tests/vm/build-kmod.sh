#!/usr/bin/env bash
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
set -euo pipefail
# shellcheck source=tests/vm/common.sh
. "$(dirname "$0")/common.sh"

[[ $# -le 1 ]] || vm_die "usage: $0 [SUITE]"
vm_kernel "${1:-}"

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
} | sha256sum | cut -d' ' -f1)

if [[ -f $ko && $(cat "$out/.stamp" 2>/dev/null) == "$key" ]]; then
	echo "$ko"
	exit 0
fi
vm_lock "$VM_TOP/build/kmod/.lock-$VM_ABI"

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

# Verify what the tests rely on, so a compiler change fails here and not as a
# puzzling "no event" in the VM: a .BTF section, and each hook as a BTF FUNC
# and as a plain (not .isra/.constprop) symbol.
readelf -SW "$ko" | grep -q ' [.]BTF ' || vm_die "$ko has no .BTF section after pahole"
if command -v bpftool >/dev/null; then
	btf=$(bpftool -B "$VM_VMLINUX" btf dump file "$ko") || vm_die "bpftool cannot read the BTF of $ko"
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
