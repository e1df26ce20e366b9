# mk/vm.mk - VM test bed targets; included by the top-level Makefile.
#
# Kernel-touching tests run in a qemu VM with a Debian distribution kernel
# (the build host can neither load modules nor attach fentry/LSM programs).
# Run a command in the VM with:   $(VM_RUN) -- CMD [ARGS...]
# (its exit status is CMD's, 125 if the VM failed; see tests/vm/run.sh).
# Kernel images are cached outside the repo in $(MDEVVER_VM_CACHE)
# (default /var/cache/mdevver-trace/vm); the test module builds in build/kmod/.

VM_SUITE ?= bookworm
VM_SCRIPTS_DIR := tests/vm
VM_RUN    = $(VM_SCRIPTS_DIR)/run.sh --suite $(VM_SUITE)
VM_RUN_BENCH = $(VM_RUN) --icount
# Host packages the test bed needs (the kernel image itself is fetched by
# vm-kernel with apt-get download, not installed).
VM_DEB_PKGS = qemu-system-x86 busybox-static cpio dwarves xz-utils zstd bpftool
# The headers package matching the suite's kernel, e.g. for "make deps":
#   apt-get install $(VM_HEADERS_PKG)     (bookworm: a host package)
VM_HEADERS_PKG = $(shell $(VM_SCRIPTS_DIR)/kernel.sh --resolve $(VM_SUITE) | sed -n "s/^VM_HEADERS_PKG='\(.*\)'/\1/p")

.PHONY: vm-kernel vm-kmod vm-initramfs vm-kmod-selftest

vm-kernel:
	$(VM_SCRIPTS_DIR)/kernel.sh $(VM_SUITE)

vm-kmod:
	$(VM_SCRIPTS_DIR)/build-kmod.sh $(VM_SUITE)

vm-initramfs:
	$(VM_SCRIPTS_DIR)/initramfs.sh $(VM_SUITE)

# Checks the simulated vGPU module's sysfs ABI inside the VM.
vm-kmod-selftest:
	$(VM_RUN) -- tests/kmod/selftest.sh
