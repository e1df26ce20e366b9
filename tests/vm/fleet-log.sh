#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs inside the VM (tests/vm/guest-suite.sh): one real tracer run over a
# scripted set of reads and checks on the simulated vGPU, its audit log kept
# as $MDEVVER_VM_OUT/fleet-audit.jsonl.  The fleet suite
# (tests/integration/fleet_tests.py) ships the three kernel lines' logs
# through rsyslog into PostgreSQL: real records, with the identity a real
# run gives them (host_id, boot_id, run_id, seq), from three boots.
# The guest's host name is set to vm-<suite> first, so the three logs are
# three hosts in the report (the guests share one root, hence one
# machine-id: host_id alone would not tell them apart, boot_id does).
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${MDEVVER_VM_OUT:?run inside tests/vm/run.sh}
suite=${MDEVVER_VM_SUITE:?run inside tests/vm/run.sh}
log=$out/fleet-audit.jsonl
types=/sys/devices/mdevsim/0000:00:02.0/mdev_supported_types
dev=/sys/devices/mdevsim/0000:00:02.0/4b7e2d3a-1c9f-4e55-9a2b-6c0d8e1f2a3b
bin=build/mdevver-trace
err=/run/fleet-log.err

# through /proc: hostname(1) refuses to set back the initramfs's "(none)"
old_host=$(cat /proc/sys/kernel/hostname)
trap 'printf "%s" "$old_host" > /proc/sys/kernel/hostname' EXIT
printf '%s' "vm-$suite" > /proc/sys/kernel/hostname
rm -f "$log"
"$bin" -o "$log" 2> "$err" > /dev/null &
tracer=$!
# until the tool says it is tracing (attaching takes seconds under TCG)
started=0
for _ in $(seq 1200); do
	if grep -q "tracing in" "$err" 2>/dev/null; then started=1; break; fi
	kill -0 "$tracer" 2>/dev/null || break
	sleep 0.1
done
if [ "$started" != 1 ]; then
	echo "FAIL fleet-log: the tracer did not start: $(head -c 500 "$err")"
	kill "$tracer" 2>/dev/null
	exit 1
fi

check() { printf '%s' "$2" > "$1" 2>/dev/null || true; }
src=$(cat "$types/i915-GVTg_V5_4/version")
mig=$(cat "$dev/migration_version")
check "$types/i915-GVTg_V5_4/version" "$src"$'\n'	# compatible
check "$types/i915-GVTg_V5_8/version" "$src"$'\n'	# incompatible (EINVAL)
check "$types/i915-GVTg_V5_4/version" "$src"		# no newline: incompatible
check "$dev/migration_version" "$mig"$'\n'		# compatible
# a string only this kernel line writes: one matrix row per host
check "$types/i915-GVTg_V5_4/version" "fleet-$suite"$'\n'
echo 11 > /sys/module/mdevsim/parameters/gen		# target gen 11: unsupported
cat "$types/i915-GVTg_V5_4/version" > /dev/null 2>&1 || true
check "$types/i915-GVTg_V5_4/version" "$src"$'\n'
echo 9 > /sys/module/mdevsim/parameters/gen
kill -INT "$tracer"
rc=0
wait "$tracer" || rc=$?
if [ "$rc" != 0 ]; then
	echo "FAIL fleet-log: the tracer exited $rc: $(head -c 500 "$err")"
	exit 1
fi
n=$(grep -c '"event":"check"' "$log" || true)
if [ "$n" -lt 6 ]; then
	echo "FAIL fleet-log: $log holds $n check records, expected at least 6"
	exit 1
fi
echo "PASS fleet-log: $(wc -l < "$log") records ($n checks) in $log"
