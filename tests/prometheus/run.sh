#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The shipped Prometheus alert rules (dist/prometheus/): `promtool check
# rules` on the file, then `promtool test rules` on every
# tests/prometheus/*.test.yml (each alert firing and not firing).  One
# PASS/FAIL line each, for tests/run_all.sh.  promtool comes from Debian's
# prometheus package (make deps); without it this is a FAIL, never a skip.
set -uo pipefail
cd "$(dirname "$0")/../.."
rules=dist/prometheus/mdevver-trace.rules.yml
rc=0
if ! command -v promtool >/dev/null; then
	echo "FAIL alerts-promtool: promtool not found (make deps installs Debian's prometheus)"
	exit 1
fi
if out=$(promtool check rules "$rules" 2>&1); then
	echo "PASS alerts-check-rules: $(echo "$out" | grep -o '[0-9]* rules found')"
else
	echo "FAIL alerts-check-rules: $out"
	rc=1
fi
n=0
for t in tests/prometheus/*.test.yml; do
	n=$((n + 1))
	# promtool resolves rule_files relative to the test file
	if out=$(promtool test rules "$t" 2>&1); then
		echo "PASS alerts-$(basename "$t" .test.yml)"
	else
		echo "FAIL alerts-$(basename "$t" .test.yml): $out"
		rc=1
	fi
done
if [ "$n" -eq 0 ]; then
	echo "FAIL alerts-tests: no tests/prometheus/*.test.yml"
	rc=1
fi
# every alert in the rules is named by some test: a new alert without a
# test fails here
for a in $(sed -n 's/^ *- alert: *//p' "$rules"); do
	if grep -q "alertname: $a\$" tests/prometheus/*.test.yml; then
		echo "PASS alerts-tested-$a"
	else
		echo "FAIL alerts-tested-$a: no tests/prometheus/*.test.yml evaluates it"
		rc=1
	fi
done
exit $rc
