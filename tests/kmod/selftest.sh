#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/kmod/selftest.sh - check mdevsim.ko's sysfs ABI inside the VM.
#
# Usage (host): tests/vm/run.sh -- tests/kmod/selftest.sh
#
# Pins down the behaviour the tracer's tests rely on, so that a regression in
# the simulator shows up here rather than as a confusing tracer test failure.
# Runs in the guest (needs the module loaded with its default parameters);
# prints each check and exits non-zero if any failed.
set -u

P=/sys/devices/mdevsim/0000:00:02.0
T=$P/mdev_supported_types
D=$P/4b7e2d3a-1c9f-4e55-9a2b-6c0d8e1f2a3b
PARAM=/sys/module/mdevsim/parameters
fails=0

ok() { echo "PASS kmod: $*"; }
bad() { echo "FAIL kmod: $*"; fails=$((fails + 1)); }

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1: '$2'"; else bad "$1: got '$2', want '$3'"; fi
}

# expect_write WHAT WANT(ok|ERRNO-TEXT) CMD...: run a command and compare its
# outcome with the strerror text at the end of its message.  Writes go
# through bash: dash's builtin echo reports every write error as EIO.
expect_write() {
	what=$1 want=$2
	shift 2
	err=$( ("$@") 2>&1) && got=ok || got=${err##*: }
	if [ "$got" = "$want" ]; then ok "$what -> $got"; else bad "$what -> '$got', want '$want'"; fi
}

[ -d "$P" ] || { echo "FAIL mdevsim not loaded ($P missing)"; exit 1; }

v=$(cat "$T/i915-GVTg_V5_4/version")
expect_eq "read V5_4/version" "$v" "00028086-193b-i915-GVTg_V5_4"
expect_eq "read V5_2/version" "$(cat "$T/i915-GVTg_V5_2/version")" "00028086-193b-i915-GVTg_V5_2"
expect_write "echo own string (with newline)" ok bash -c "echo '$v' > $T/i915-GVTg_V5_4/version"
expect_write "printf own string (no newline)" "Invalid argument" bash -c "printf %s '$v' > $T/i915-GVTg_V5_4/version"
expect_write "echo V5_8 string into V5_4" "Invalid argument" \
	bash -c "echo 00028086-193b-i915-GVTg_V5_8 > $T/i915-GVTg_V5_4/version"

m=$(cat "$T/i915-GVTg_V5_4/migration_version")
expect_eq "read V5_4/migration_version" "$m" "8086-193b-i915-GVTg_V5_4-00000001"
expect_write "echo own migration string" ok bash -c "echo '$m' > $T/i915-GVTg_V5_4/migration_version"
expect_write "printf own migration string" "Invalid argument" \
	bash -c "printf %s '$m' > $T/i915-GVTg_V5_4/migration_version"
expect_write "echo old-format string into migration_version" "Invalid argument" \
	bash -c "echo '$v' > $T/i915-GVTg_V5_4/migration_version"

dm=$(cat "$D/migration_version")
expect_eq "read device migration_version" "$dm" "8086-193b-i915-GVTg_V5_4-00000001"
expect_write "echo own string into device" ok bash -c "echo '$dm' > $D/migration_version"
expect_write "echo V5_2 string into device" "Invalid argument" \
	bash -c "echo 8086-193b-i915-GVTg_V5_2-00000001 > $D/migration_version"

expect_eq "mdev_type link" "$(readlink -f "$D/mdev_type")" "$T/i915-GVTg_V5_4"
expect_eq "type devices/ link" "$(readlink -f "$T/i915-GVTg_V5_4/devices/4b7e2d3a-1c9f-4e55-9a2b-6c0d8e1f2a3b")" "$D"
expect_eq "device_api" "$(cat "$T/i915-GVTg_V5_8/device_api")" "vfio-pci"
expect_eq "name" "$(cat "$T/i915-GVTg_V5_8/name")" "GVTg_V5_8"
expect_eq "available_instances V5_4" "$(cat "$T/i915-GVTg_V5_4/available_instances")" "3"
expect_eq "version mode" "$(stat -c %a "$T/i915-GVTg_V5_4/version")" "644"

expect_write "write sim_notes" ok bash -c "echo hello notes > $P/sim_notes"
expect_eq "read sim_notes" "$(cat "$P/sim_notes")" "hello notes"

# sw_version and devid are read at every access.
echo 2 >"$PARAM/sw_version"
expect_eq "migration_version after sw_version=2" "$(cat "$D/migration_version")" "8086-193b-i915-GVTg_V5_4-00000002"
expect_write "old sw_version string now incompatible" "Invalid argument" bash -c "echo '$dm' > $D/migration_version"
echo 1 >"$PARAM/sw_version"
echo 0x3e92 >"$PARAM/devid"
expect_eq "version after devid=0x3e92" "$(cat "$T/i915-GVTg_V5_4/version")" "00028086-3e92-i915-GVTg_V5_4"
echo 0x193b >"$PARAM/devid"

# Unsupported generation: every read and write is ENODEV.
echo 11 >"$PARAM/gen"
expect_write "read version on gen11" "No such device" cat "$T/i915-GVTg_V5_4/version"
expect_write "write version on gen11" "No such device" bash -c "echo '$v' > $T/i915-GVTg_V5_4/version"
expect_write "read migration_version on gen11" "No such device" cat "$T/i915-GVTg_V5_4/migration_version"
expect_write "write device migration_version on gen11" "No such device" \
	bash -c "echo '$dm' > $D/migration_version"
echo 8 >"$PARAM/gen"
expect_write "write version on gen8" ok bash -c "echo '$v' > $T/i915-GVTg_V5_4/version"
echo 9 >"$PARAM/gen"

# The tracer attaches to these by name: kallsyms and module BTF must have them.
for f in intel_gvt_get_vfio_device_version_len intel_gvt_get_vfio_device_version \
	intel_gvt_get_vfio_device_migration_version intel_gvt_check_vfio_device_version; do
	if grep -q " $f	\[mdevsim\]\$" /proc/kallsyms; then ok "kallsyms $f"; else bad "kallsyms $f"; fi
	if command -v bpftool >/dev/null; then
		if bpftool btf dump file /sys/kernel/btf/mdevsim | grep -q "FUNC '$f' "; then
			ok "BTF FUNC $f"
		else
			bad "BTF FUNC $f"
		fi
	fi
done

lsm=$(cat /sys/kernel/security/lsm)
# since 6.9 ima and evm are always appended after the lsm= list: bpf need not be last
case ",$lsm," in *,bpf,*) ok "bpf in the lsm list: $lsm" ;; *) bad "lsm list: $lsm" ;; esac

if [ "$fails" -eq 0 ]; then echo "selftest: all passed"; else echo "selftest: $fails failed"; fi
[ "$fails" -eq 0 ]
