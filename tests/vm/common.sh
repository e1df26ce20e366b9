# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
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

# vm_module_btf KO: print bpftool's dump of a built module's BTF (dies if it
# cannot be read).  With a distilled base BTF (kbuild of 6.11+ with pahole
# >= 1.28, for out-of-tree modules) the module's type ids count from the
# small .BTF.base, which the kernel maps onto its own BTF at load time; the
# host's bpftool cannot do that mapping, so the module's BTF is read against
# .BTF.base itself.  Otherwise against the suite's vmlinux ($VM_VMLINUX).
vm_module_btf() {
	local ko=$1 sections tmp btf
	sections=$(readelf -SW "$ko")
	if grep -q ' [.]BTF[.]base ' <<<"$sections"; then
		tmp=$(mktemp -d)
		objcopy --dump-section .BTF.base="$tmp/base.btf" --dump-section .BTF="$tmp/mod.btf" \
			"$ko" "$tmp/ko" || { rm -rf "$tmp"; vm_die "objcopy cannot extract the BTF sections of $ko"; }
		btf=$(bpftool -B "$tmp/base.btf" btf dump file "$tmp/mod.btf") || btf=
		rm -rf "$tmp"
	else
		btf=$(bpftool -B "$VM_VMLINUX" btf dump file "$ko") || btf=
	fi
	[[ -n $btf ]] || vm_die "bpftool cannot read the BTF of $ko"
	printf '%s\n' "$btf"
}

# Serialise concurrent runs (make -j, two CI jobs) on one cache entry.
# Usage: vm_lock FILE  -- holds the lock until the script exits.  Each call
# takes a fresh fd, so a script can hold several locks (the module build
# holds its own and the suite chroot's).
vm_lock() {
	local fd
	mkdir -p "$(dirname "$1")"
	exec {fd}>"$1"
	flock "$fd"
}

# Usage: vm_umount_below DIR  -- unmount whatever is mounted on or below DIR,
# deepest first: what an interrupted debootstrap or chroot build left behind,
# before anything removes DIR.
vm_umount_below() {
	local dir m
	dir=$(readlink -m "$1")
	# /proc/self/mounts escapes blanks as \040; cache paths have none.
	awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts |
		sort -r | while read -r m; do
		umount -l "$m" || vm_die "cannot unmount $m"
	done
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
#   VM_KMOD_BUILD  host: build the test module with the host's compiler
#                  against host-installed headers; chroot: in a debootstrap
#                  chroot of the suite (chroot.sh), VM_HEADERS is then a
#                  path inside it

# Debian 12 is the host's own suite: its apt lists are already there.
vm_suite_bookworm() {
	VM_APT_OPTS=()
	vm_resolve_abi 'linux-image-[0-9.]+-[0-9]+-amd64'
	VM_KREL="$VM_ABI-amd64"
	VM_IMAGE_PKGS=("linux-image-$VM_KREL-unsigned")
	VM_HEADERS_PKG="linux-headers-$VM_KREL"
	VM_HEADERS="/usr/src/linux-headers-$VM_KREL"
	VM_KERNEL_COMP=xz
	VM_KMOD_BUILD=host
}

# Debian 13.  Its ABI names carry the full version (6.12.117+deb13), and its
# kbuild helpers need a newer glibc than the host's, hence the chroot.
vm_suite_trixie() {
	vm_private_apt trixie
	vm_resolve_abi 'linux-image-[0-9][0-9a-z.+~]*-amd64'
	VM_KREL="$VM_ABI-amd64"
	VM_IMAGE_PKGS=("linux-image-$VM_KREL-unsigned")
	VM_HEADERS_PKG="linux-headers-$VM_KREL"
	VM_HEADERS="/usr/src/linux-headers-$VM_KREL"
	VM_KERNEL_COMP=zstd
	VM_KMOD_BUILD=chroot
}

# Debian unstable, the newest kernel.  The image is split: vmlinuz in
# linux-binary, the modules in linux-modules, and modules.builtin (which
# initramfs.sh needs to tell built-in virtio from a missing module) in
# linux-base-<kv>.
vm_suite_sid() {
	vm_private_apt sid
	vm_resolve_abi 'linux-image-[0-9][0-9a-z.+~]*-amd64'
	VM_KREL="$VM_ABI-amd64"
	VM_IMAGE_PKGS=("linux-binary-$VM_KREL" "linux-modules-$VM_KREL" "linux-base-$VM_KREL")
	VM_HEADERS_PKG="linux-headers-$VM_KREL"
	VM_HEADERS="/usr/src/linux-headers-$VM_KREL"
	VM_KERNEL_COMP=zstd
	VM_KMOD_BUILD=chroot
}

# The host's Debian mirror, to reuse for the other suites: whatever mirror
# (or proxy) the machine is configured with is the one known to work here.
# Sets VM_MIRROR (URI; MDEVVER_VM_MIRROR overrides) and VM_KEYRING: Debian's
# whole archive keyring, not the host entry's Signed-By, which may name a
# keyring for the host's release only (MDEVVER_VM_KEYRING overrides).
vm_host_mirror() {
	local codename files=() f
	codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	[[ -n $codename ]] || codename=bookworm
	[[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
	for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] && files+=("$f")
	done
	# The first "deb" entry for exactly the host's suite (not -security or
	# -updates: other archives, or no kernels), in one-line or deb822 format.
	VM_MIRROR=${MDEVVER_VM_MIRROR:-$( ((${#files[@]})) && awk -v want="$codename" '
		function emit(uri) { if (uri !~ /^cdrom:/) print uri }
		function stanza(  n, i, s, u) {
			if (types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) != "no") {
				n = split(suites, s, /[ \t]+/)
				for (i = 1; i <= n; i++) if (s[i] == want) { split(uris, u, /[ \t]+/); emit(u[1]) }
			}
			types = suites = uris = enabled = ""
		}
		FNR == 1 { stanza(); deb822 = (FILENAME ~ /[.]sources$/) }
		/^[ \t]*#/ { next }
		!deb822 {
			line = $0
			sub(/\[[^]]*\]/, "", line)	# [arch=... signed-by=...]
			split(line, w, /[ \t]+/); k = (w[1] == "" ? 1 : 0)
			if (w[1 + k] == "deb" && w[3 + k] == want) emit(w[2 + k])
			next
		}
		/^[ \t]*$/ { stanza(); next }
		/^[A-Za-z-]+:/ {
			f = tolower(substr($0, 1, index($0, ":") - 1)); v = substr($0, index($0, ":") + 1)
			gsub(/^[ \t]+|[ \t]+$/, "", v)
			if (f == "types") types = v; else if (f == "uris") uris = v
			else if (f == "suites") suites = v; else if (f == "enabled") enabled = v
		}
		END { stanza() }' "${files[@]}" | head -n1)}
	[[ -n $VM_MIRROR ]] ||
		vm_die "no 'deb ... $codename' entry in /etc/apt/sources.list{,.d}: cannot tell which Debian mirror to use (set MDEVVER_VM_MIRROR)"
	VM_KEYRING=${MDEVVER_VM_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
	[[ -f $VM_KEYRING ]] || vm_die "no $VM_KEYRING (apt-get install debian-archive-keyring)"
}

# A private apt configuration for a suite other than the host's own: its own
# sources.list, lists and cache under the suite's cache dir, so the machine's
# sources and lists stay untouched.  Sets VM_APT_OPTS.  The lists are fetched
# when missing and refreshed when older than MDEVVER_VM_APT_MAX_AGE seconds
# (default one day: CI follows Debian, yet repeated runs stay offline); a
# failed refresh falls back to the old lists.
vm_private_apt() {
	local suite=$1 dir="$VM_CACHE/$1/apt" line max_age
	vm_host_mirror
	line="deb [signed-by=$VM_KEYRING] $VM_MIRROR $suite main"
	VM_APT_OPTS=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=-
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache")
	max_age=${MDEVVER_VM_APT_MAX_AGE:-86400}
	[[ $max_age =~ ^[0-9]+$ ]] || vm_die "MDEVVER_VM_APT_MAX_AGE must be a number of seconds, got '$max_age'"
	vm_apt_fresh "$dir" "$line" "$max_age" && return 0
	mkdir -p "$dir"
	# apt-get locks the lists itself but fails instead of waiting; wait here.
	(
		flock 8
		vm_apt_fresh "$dir" "$line" "$max_age" && exit 0
		mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
		if [[ $(cat "$dir/sources.list" 2>/dev/null) != "$line" ]]; then
			rm -f "$dir/updated"
			printf '%s\n' "$line" >"$dir/sources.list"
		fi
		vm_log "apt-get update ($suite from $VM_MIRROR, private lists in $dir)"
		# Sandbox user root: apt's _apt user cannot write into our cache dir.
		if apt-get "${VM_APT_OPTS[@]}" -o APT::Sandbox::User=root -o Acquire::Languages=none \
			-q update >"$dir/update.log" 2>&1 && ! grep -q '^[WE]:' "$dir/update.log"; then
			touch "$dir/updated"
		elif [[ -f $dir/updated ]]; then
			vm_log "warning: apt-get update for $suite failed, using the lists of $(date -r "$dir/updated" '+%F %T'); log: $dir/update.log"
		else
			vm_die "apt-get update for $suite failed: $(grep -m1 '^[WE]:' "$dir/update.log" || tail -n1 "$dir/update.log"); log: $dir/update.log"
		fi
	) 8>"$dir/.lock" || exit 1
}

# Usage: vm_apt_fresh DIR SOURCES-LINE MAX-AGE  -- true when DIR's lists were
# fetched for exactly this sources line less than MAX-AGE seconds ago.
vm_apt_fresh() {
	local age
	[[ $(cat "$1/sources.list" 2>/dev/null) == "$2" && -f $1/updated ]] || return 1
	age=$(($(date +%s) - $(stat -c %Y "$1/updated")))
	((age >= 0 && age < $3))
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
		grep -oE "Depends: $re\$" | head -n1 | sed 's/^Depends: linux-image-//; s/-amd64$//') || true
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
