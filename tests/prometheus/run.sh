#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The shipped Prometheus alert rules (dist/prometheus/): `promtool check
# rules` on the file, then `promtool test rules` on every
# tests/prometheus/*.test.yml (each alert firing and not firing).  One
# PASS/FAIL line each, for tests/run_all.sh.  promtool comes from Debian's
# prometheus package (make deps); without it this is a FAIL, never a skip.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
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
# every alert in the rules is tested both firing and not firing: a new
# alert without both fails here (an alert_rule_test names its alert, then
# has `exp_alerts: []` or a list)
cases=$(awk '/alertname:/ { a = $NF }
	/exp_alerts: *\[\] *$/ { print a, "quiet" }
	/exp_alerts: *$/ { print a, "fires" }' tests/prometheus/*.test.yml | sort -u)
while read -r a; do
	missing=
	for c in fires quiet; do
		grep -qx "$a $c" <<<"$cases" || missing="$missing $c"
	done
	if [ -z "$missing" ]; then
		echo "PASS alerts-tested-$a: firing and not firing"
	else
		echo "FAIL alerts-tested-$a: no tests/prometheus/*.test.yml case where it$missing"
		rc=1
	fi
done < <(sed -n 's/^ *- alert: *//p' "$rules")
exit $rc
