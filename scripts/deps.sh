#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Install the Debian 12 packages mdevver-trace needs to build, test and demo.
# Idempotent: when everything is present it only says so.  The kernel headers
# follow Debian's current bookworm kernel ABI (the one the VM boots), resolved
# from linux-image-amd64 so the test bed tracks Debian's updates.
set -euo pipefail

packages=(
	clang llvm                   # BPF compiler (-target bpf), llvm-strip
	libclang-rt-14-dev           # libFuzzer for clang 14 (make fuzz, the fuzz suite)
	bpftool                      # skeleton generation
	libbpf-dev libelf-dev zlib1g-dev pkg-config   # loader library and its deps
	libjson-c-dev                # parses JSON records (report, top --replay)
	libncurses-dev               # the live view (top)
	libmicrohttpd-dev            # serves Prometheus metrics over HTTP
	libcap-ng-dev                # drops capabilities once attached
	libsystemd-dev               # record identity (sd-id128: machine, boot, run ids), sd_notify
	libpq-dev                    # report --db: the collector's PostgreSQL table (libpq)
	rsyslog rsyslog-relp rsyslog-pgsql   # fleet suite: dist/rsyslog/ snippets, RELP, ompgsql
	postgresql                   # fleet suite: a throwaway cluster (initdb, pg_ctl) as the store
	valgrind                     # the valgrind suite (report, top --replay)
	prometheus                   # promtool: metrics, alert rules; a real Prometheus in the VM
	prometheus-alertmanager      # amtool and Alertmanager: the alert test in the VM
	chromium                     # tests render the report's HTML page
	debootstrap debian-archive-keyring   # build chroots for the trixie/sid test kernels
	tmux                         # tests read the live view with capture-pane
	strace                       # audit tests count --flush fsync's fdatasync calls
	bpftrace                     # make bench: the counting one-liner it compares with
	gcc make libc6-dev           # user space; kernel module
	qemu-system-x86              # VM test bed (TCG)
	busybox-static cpio          # VM initramfs
	dwarves                      # pahole: BTF for the test module
	xz-utils zstd                # Debian kernel images are xz/zstd-compressed
	kmod                         # modinfo for module dependencies
	python3                      # integration test driver
	man-db groff-base            # tests render the man page (man -l) against --help
	bash-completion              # tests run the shipped completion
)

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
	done
}

need=$(missing "${packages[@]}")
if [ -n "$need" ]; then
	echo "deps: installing: $(echo $need)"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

abi=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n1)
if [ -z "$abi" ]; then
	apt-get update -qq
	abi=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n1)
fi
[ -n "$abi" ] || { echo "deps: cannot resolve Debian's kernel ABI from linux-image-amd64" >&2; exit 1; }
hdr="linux-headers-$abi-amd64"
if [ -n "$(missing "$hdr")" ]; then
	echo "deps: installing $hdr (to build the simulated vGPU module for the VM kernel)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$hdr" >/dev/null
fi
echo "deps: all present (VM kernel ABI $abi)"
