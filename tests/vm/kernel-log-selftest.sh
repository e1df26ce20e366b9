#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/vm/kernel-log-selftest.sh [SUITE] - proves the VM harness fails a run
# whose guest kernel WARNs (issue 15): one boot with the simulated vGPU's
# warn_on_store=1 running tests/integration/kernel_log_selftest.py.  This
# PASSes only when the detector FAILed the injected run: the harness blamed
# the test that made the WARN by name, run.sh reported the WARN made outside
# any test as "FAIL vm-kernel-log", the run's exit status was non-zero, and
# the clean test before it still passed.  The inner run's own PASS/FAIL
# lines are shown indented ("  | "), so tests/run_all.sh counts only the
# verdict of this script.
set -uo pipefail
cd "$(dirname "$0")/../.."
suite=${1:-bookworm}
name=vm_kernel_log_detects_injected_warn
out=build/vm/$suite-klog-selftest
mkdir -p "$out"
log=$out/selftest-output.log

tests/vm/run.sh --suite "$suite" --timeout 300 --kmod-args warn_on_store=1 --out "$out" \
	-- python3 tests/integration/kernel_log_selftest.py >"$log" 2>&1
rc=$?
sed 's/^/  | /' "$log"

why=()
((rc != 0 && rc != 125)) || why+=("the injected run exited $rc (want a test failure: 1)")
grep -q '^PASS klog_selftest_clean' "$log" ||
	why+=("the test without a splat did not pass (false positive?)")
grep -Eq '^FAIL klog_selftest_injected_warn: kernel log: WARNING: .*new flags [A-Z]*W' "$log" ||
	why+=("the harness did not blame klog_selftest_injected_warn for its WARN and taint W")
grep -q '^FAIL vm-kernel-log: WARNING: ' "$log" ||
	why+=("run.sh did not report the WARN made outside any test as 'FAIL vm-kernel-log'")
if ((${#why[@]})); then
	printf 'FAIL %s: the detector missed the injected WARN: %s (output: %s)\n' \
		"$name" "$(IFS=';'; echo "${why[*]}")" "$log"
	exit 1
fi
echo "PASS $name: the injected WARN failed its test by name and the run (exit $rc), as it must"
