#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs inside the VM (tests/demo.sh): mdevver-trace live, while a scripted
# "migration orchestrator" reads versions and performs compatible,
# incompatible and unsupported checks on the simulated vGPU.
set -euo pipefail
cd "$(dirname "$0")/../.."

types=/sys/devices/mdevsim/0000:00:02.0/mdev_supported_types
dev=/sys/devices/mdevsim/0000:00:02.0/4b7e2d3a-1c9f-4e55-9a2b-6c0d8e1f2a3b
bin=build/mdevver-trace

# the kernel's own mdev sample driver with VFIO migration (6.7+), loaded
# before the tracer so its lifecycle hooks attach (docs/migration.md)
tests/vm/load-mtty.sh > /dev/null
"$bin" probes | sed -n '1,3p;/^auto mode/p;/^lifecycle/p'
echo
# wait_started ERRFILE PID WORDS: until the tool says WORDS on stderr
# (attaching takes seconds under software emulation; a fixed sleep raced it)
wait_started() {
	for _ in $(seq 600); do
		grep -q "$3" "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
mkdir -p /run/demo
"$bin" 2> /run/demo/trace.err &
tracer=$!
tail -f --pid="$tracer" /run/demo/trace.err >&2 &
wait_started /run/demo/trace.err "$tracer" "tracing in"

step() { sleep 0.5; printf '\n# %s\n' "$*"; }
check() { # check FILE STRING: write it the way a tool would, report the errno
	if printf '%s' "$2" > "$1" 2>/dev/null; then r=ok; else r=refused; fi
	sleep 0.3   # let the tracer print its line first (it polls every 100 ms)
	printf '#   -> write returned: %s\n' "$r"
}

step "orchestrator reads the source device's version"
src=$(cat "$types/i915-GVTg_V5_4/version")
step "check it against the same type on the target: compatible"
check "$types/i915-GVTg_V5_4/version" "$src"$'\n'
step "against another type (V5_8): incompatible (EINVAL)"
check "$types/i915-GVTg_V5_8/version" "$src"$'\n'
step "the newline quirk: printf %s without the newline: incompatible"
check "$types/i915-GVTg_V5_4/version" "$src"
step "later proposal: migration_version on the mdev device itself"
mig=$(cat "$dev/migration_version")
check "$dev/migration_version" "$mig"$'\n'
step "target GPU is gen 11: migration unsupported (ENODEV)"
echo 11 > /sys/module/mdevsim/parameters/gen
cat "$types/i915-GVTg_V5_4/version" 2>/dev/null || true
check "$types/i915-GVTg_V5_4/version" "$src"$'\n'
echo 9 > /sys/module/mdevsim/parameters/gen
step "decode what was read"
"$bin" decode "$src" "$mig"

# ---- today's kernels: the VFIO migration uAPI v2 -------------------------
step "today's kernels: a real migration of two upstream mtty devices, by a VM's QEMU (libvirt scope)"
a=6f1c0e2a-5b7d-4c3e-9a1f-0d2e3c4b5a61
b=6f1c0e2a-5b7d-4c3e-9a1f-0d2e3c4b5a62
build/vfio_migrate create mtty-1 "$a" > /dev/null
build/vfio_migrate create mtty-1 "$b" > /dev/null
scope='/sys/fs/cgroup/machine.slice/machine-qemu\x2d1\x2dweb\x2d01.scope'
mkdir -p "$scope"
sh -c "echo \$\$ > '$scope/cgroup.procs'; exec build/vfio_migrate migrate $a $b" > /dev/null
sleep 0.5
step "the target's data cut short: the device refuses RESUMING -> STOP (EINVAL)"
build/vfio_migrate migrate "$a" "$b" --corrupt=truncate > /dev/null
build/vfio_migrate remove "$a" > /dev/null
build/vfio_migrate remove "$b" > /dev/null
sleep 1
kill -INT "$tracer"
wait "$tracer"

# ---- enforcement: the same checks under an admin's deny list --------------
printf '\n# enforcement: a policy refuses a known-bad source string in the kernel\n'
policy=/run/demo.policy
install -m 0644 /dev/null "$policy"
cat > "$policy" <<POLICY
deny remote="$src" type=i915-GVTg_V5_4 name=gvt-bug-1234
audit op=check name=every-check
POLICY
sed 's/^/#   /' "$policy"
"$bin" enforce --policy "$policy" 2> /run/demo/enforce.err &
enforcer=$!
tail -f --pid="$enforcer" /run/demo/enforce.err >&2 &
wait_started /run/demo/enforce.err "$enforcer" "enforcing"
step "the check the driver would call compatible: refused (EPERM) by rule gvt-bug-1234"
check "$types/i915-GVTg_V5_4/version" "$src"$'\n'
step "any other check reaches the driver (here: incompatible), marked by the audit rule"
check "$types/i915-GVTg_V5_8/version" "$src"$'\n'
sleep 1
kill -INT "$enforcer"
wait "$enforcer"
