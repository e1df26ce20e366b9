#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The whole in-VM suite for one kernel (tests/run_all.sh runs it once per
# kernel line): keep what `probes` says about this kernel in the test log
# directory, check the simulated vGPU's sysfs ABI, then the tool's tests.
# Needs tests/vm/run.sh --mtty (tests/run_all.sh passes it).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${MDEVVER_VM_OUT:-build}
rc=0
echo "# kernel $(uname -r)"
build/mdevver-trace probes > "$out/probes.txt" 2>&1 || rc=1
echo "# probes output kept in $out/probes.txt"
tests/kmod/selftest.sh || rc=1
# the in-kernel policy matcher on its own (BPF_PROG_TEST_RUN, tests/bpf/)
build/bpftest/matcher_test || rc=1
# the thread table on its own (colliding windows, exits never seen)
build/bpftest/slots_test || rc=1
python3 tests/integration/vm_tests.py || rc=1
python3 tests/integration/enforce_tests.py || rc=1
# the documented claims and the privilege drop on the first kernel line
# only (MDEVVER_FULL_LINE=1 from tests/run_all.sh): they assert what the
# tool does, not how kernels differ, and keep make check under its budget
if [ "${MDEVVER_FULL_LINE:-0}" = 1 ]; then
	python3 tests/integration/claims_tests.py || rc=1
	python3 tests/integration/privilege_tests.py || rc=1
	# the shipped alert rules evaluated by a real Prometheus and
	# Alertmanager on loopback (~45 s under TCG, mostly Go starting up);
	# what it checks does not differ between kernels
	python3 tests/integration/prometheus_alert_tests.py || rc=1
fi
python3 tests/integration/flood_tests.py || rc=1
# the kernel's own mdev driver (mtty, run.sh --mtty): VFIO migration on
# 6.7+, "no migration" asserted on 6.1
python3 tests/integration/mtty_tests.py || rc=1
# the migration lifecycle traced on that driver (docs/migration.md)
python3 tests/integration/migration_tests.py || rc=1
# one audit log of a scripted set of checks, kept in the --out directory
# for the fleet suite (rsyslog -> PostgreSQL, tests/integration/fleet_tests.py)
tests/vm/fleet-log.sh || rc=1
exit $rc
