# shellcheck shell=bash disable=SC2034  # the VM_* variables are for the callers
# tests/vm/common.sh - shared helpers for the VM test bed scripts (sourced, not run).
#
# The test bed boots Debian's own distribution kernels under qemu, because the
# build host can neither load modules nor attach fentry/LSM programs.  Which
# kernel is a parameter ("suite"); everything suite-specific lives in one
# vm_suite_<name> function below so that adding trixie/sid means adding one
# function, not touching every script.

VM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VM_SCRIPTS="$VM_TOP/tests/vm"
# Outside the repo: the kernel packages are large and shared by every checkout.
VM_CACHE=${MDEVVER_VM_CACHE:-/var/cache/mdevver-trace/vm}

vm_log() { printf 'vm: %s\n' "$*" >&2; }
vm_die() { printf 'vm: error: %s\n' "$*" >&2; exit 1; }

# Serialise concurrent runs (make -j, two CI jobs) on one cache entry.
# Usage: vm_lock FILE  -- holds the lock on fd 9 until the script exits.
vm_lock() {
	mkdir -p "$(dirname "$1")"
	exec 9>"$1"
	flock 9
}

# Quote a value for a POSIX shell (the guest's busybox ash and the host's dash
# read the files we write; bash's printf %q output is not portable to them).
vm_shquote() {
	local s=$1
	printf "'%s'" "${s//\'/\'\\\'\'}"
}

# --- suites -------------------------------------------------------------------
# A suite function sets:
#   VM_APT_OPTS    array: extra options for apt-get/apt-cache (a private apt
#                  configuration for suites other than the host's own)
#   VM_ABI         e.g. 6.1.0-56 (resolved at run time so CI follows Debian)
#   VM_KREL        kernel release (uname -r), e.g. 6.1.0-56-amd64
#   VM_IMAGE_PKGS  array: packages holding vmlinuz and the modules
#   VM_HEADERS_PKG package the test module is built against
#   VM_HEADERS     its kbuild directory
#   VM_KERNEL_COMP compression of vmlinuz: xz or zstd

# Debian 12 is the host's own suite: its apt lists are already there.
vm_suite_bookworm() {
	VM_APT_OPTS=()
	vm_resolve_abi 'linux-image-[0-9.]+-[0-9]+-amd64'
	VM_KREL="$VM_ABI-amd64"
	VM_IMAGE_PKGS=("linux-image-$VM_KREL-unsigned")
	VM_HEADERS_PKG="linux-headers-$VM_KREL"
	VM_HEADERS="/usr/src/linux-headers-$VM_KREL"
	VM_KERNEL_COMP=xz
}

# Sets VM_ABI from the metapackage's dependency; MDEVVER_VM_ABI overrides (to
# pin a kernel, or to use a cached one when the apt lists moved on offline).
vm_resolve_abi() {
	local re=$1 dep
	if [[ -n ${MDEVVER_VM_ABI:-} ]]; then
		VM_ABI=$MDEVVER_VM_ABI
		return
	fi
	dep=$(apt-cache "${VM_APT_OPTS[@]}" depends linux-image-amd64 2>/dev/null |
		grep -oE "Depends: $re" | head -n1 | sed 's/^Depends: linux-image-//; s/-amd64$//') || true
	[[ -n $dep ]] || vm_die "cannot resolve the kernel ABI of suite '$VM_SUITE' from 'apt-cache depends linux-image-amd64' (apt lists missing? run apt-get update)"
	VM_ABI=$dep
}

# Usage: vm_suite SUITE  -- sets VM_SUITE, the variables above and VM_DIR.
vm_suite() {
	VM_SUITE=${1:-bookworm}
	declare -F "vm_suite_$VM_SUITE" >/dev/null ||
		vm_die "unknown suite '$VM_SUITE' (known: $(declare -F | sed -n 's/^declare -f vm_suite_//p' | tr '\n' ' '))"
	"vm_suite_$VM_SUITE"
	VM_DIR="$VM_CACHE/$VM_SUITE/$VM_ABI"
}

# Usage: vm_kernel SUITE  -- makes sure the suite's kernel is cached and loads
# its kernel.env (VM_ABI, VM_VMLINUZ, VM_VMLINUX, VM_MODULES, ...).  Resolving
# the ABI costs an apt-cache run (~0.7 s); a caller that already did it
# exports MDEVVER_VM_KERNEL_ENV so the scripts it runs skip that.
vm_kernel() {
	local suite=${1:-bookworm} envfile=${MDEVVER_VM_KERNEL_ENV:-}
	if [[ -n $envfile && -f $envfile && $envfile == "$VM_CACHE/$suite/"*/kernel.env ]]; then
		# shellcheck disable=SC1090 # written by kernel.sh
		. "$envfile"
	else
		eval "$("$VM_SCRIPTS/kernel.sh" "$suite")"
	fi
	export MDEVVER_VM_KERNEL_ENV="$VM_DIR/kernel.env"
}
