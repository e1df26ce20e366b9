# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# mk/vm.mk - VM test bed targets; included by the top-level Makefile.
#
# Kernel-touching tests run in a qemu VM with a Debian distribution kernel
# (the build host can neither load modules nor attach fentry/LSM programs).
# Run a command in the VM with:   $(VM_RUN) -- CMD [ARGS...]
# (its exit status is CMD's, 125 if the VM failed; see tests/vm/run.sh).
# Kernel images are cached outside the repo in $(MDEVVER_VM_CACHE)
# (default /var/cache/mdevver-trace/vm); the test module builds in build/kmod/.
#
# VM_SUITE picks the kernel: bookworm (6.1, the host's own suite), trixie
# (6.12) or sid (the newest).  trixie and sid are resolved through private
# apt lists in the cache dir (the host's sources stay untouched) and build the
# test module in a debootstrap chroot of that suite (vm-chroot); the first
# run of each downloads a few hundred MB and takes a few minutes, later runs are
# offline until the lists are a day old (MDEVVER_VM_APT_MAX_AGE, seconds).

VM_SUITE ?= bookworm
VM_SUITES := bookworm trixie sid
VM_SCRIPTS_DIR := tests/vm
VM_RUN    = $(VM_SCRIPTS_DIR)/run.sh --suite $(VM_SUITE)
VM_RUN_BENCH = $(VM_RUN) --icount
# Host packages the test bed needs (the kernel image itself is fetched by
# vm-kernel with apt-get download, not installed; debootstrap and the keyring
# are for the trixie/sid build chroots).
VM_DEB_PKGS = qemu-system-x86 busybox-static cpio dwarves xz-utils zstd bpftool \
	debootstrap debian-archive-keyring
# The headers package matching the suite's kernel, e.g. for "make deps":
#   apt-get install $(VM_HEADERS_PKG)     (bookworm only: a host package;
#   trixie/sid install theirs in the build chroot)
VM_HEADERS_PKG = $(shell $(VM_SCRIPTS_DIR)/kernel.sh --resolve $(VM_SUITE) | sed -n "s/^VM_HEADERS_PKG='\(.*\)'/\1/p")

.PHONY: vm-kernel vm-chroot vm-kmod vm-mtty vm-initramfs vm-kmod-selftest vm-mtty-tests

vm-kernel:
	$(VM_SCRIPTS_DIR)/kernel.sh $(VM_SUITE)

# trixie/sid only: the suite's build chroot for the test module.
vm-chroot:
	$(VM_SCRIPTS_DIR)/chroot.sh $(VM_SUITE)

vm-kmod:
	$(VM_SCRIPTS_DIR)/build-kmod.sh $(VM_SUITE)

# The kernel's mtty sample (real mdev driver with VFIO migration on 6.7+),
# from Debian's linux-source-X.Y of the suite kernel; see docs/test-bed.md.
vm-mtty:
	$(VM_SCRIPTS_DIR)/build-mtty.sh $(VM_SUITE)

vm-initramfs:
	$(VM_SCRIPTS_DIR)/initramfs.sh $(VM_SUITE)

# Checks the simulated vGPU module's sysfs ABI inside the VM.
vm-kmod-selftest:
	$(VM_RUN) -- tests/kmod/selftest.sh

# The mtty bed alone: load the modules, migrate between mtty devices.
vm-mtty-tests: $(VFIO_MIGRATE)
	$(VM_RUN) --mtty -- python3 tests/integration/mtty_tests.py
