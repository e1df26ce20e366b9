#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The unit tests and the host-side suites against the ASan+UBSan build
# (make sanitize: build/asan/, no recovery: the first report aborts the
# process).  Every test line is renamed "PASS asan-<name>" (and FAIL, SKIP)
# so it never collides with the normal run's.  The sanitizers write their
# reports to build/test-logs/asan/<suite>/; after each suite any report there
# becomes "FAIL asan-<suite>: <its first line> (log: FILE)", so a leak or
# an invalid access in a process the suite only runs (and whose exit status
# it may not check) still fails the run.
#
#   tests/sanitize/run.sh [SUITE...]    unit host audit report top metrics
#
# Exits 1 if anything failed.
set -uo pipefail
cd "$(dirname "$0")/../.."

SAN_BUILD=build/asan
LOGS=build/test-logs/asan
ALL_SUITES="unit host audit report top metrics"
# a suite that hangs must not hang make check
SUITE_TIMEOUT=${ASAN_SUITE_TIMEOUT:-900}
suites=${*:-$ALL_SUITES}
failed=0

rm -rf "$LOGS"
mkdir -p "$LOGS"

fail() {
	echo "FAIL $1"
	failed=1
}

# the build (incremental: nothing to do when make sanitize is up to date)
t0=$SECONDS
if ! make --no-print-directory -j"$(nproc)" sanitize >"$LOGS/build.log" 2>&1; then
	fail "asan-build: make sanitize failed: $(grep -m1 -E 'error|Error' "$LOGS/build.log") (log: $LOGS/build.log)"
	exit 1
fi
echo "# asan build: $((SECONDS - t0))s"

# sanitizer_reports NAME DIR: one FAIL line per report file in DIR; returns
# 1 if there was one
sanitizer_reports() {
	local name=$1 dir=$2 f first frame found=0
	for f in "$dir"/*; do
		[ -e "$f" ] || continue
		# LeakSanitizer cannot stop the threads of a process run under
		# ptrace (audit_flush_modes runs the tracer under strace): not a
		# finding, and no leak check happened for that process
		if grep -q 'LeakSanitizer has encountered a fatal error' "$f" &&
		   ! grep -q -E 'ERROR: (Address|Leak|Undefined)|runtime error:' "$f"; then
			echo "# asan-$name: no leak check for one process (under ptrace: strace): $f"
			continue
		fi
		first=$(grep -m1 -E 'ERROR: |runtime error:' "$f" |
			sed 's/^==[0-9]*==//; s/ on address 0x.*//')
		[ -n "$first" ] || first=$(grep -m1 -v -E '^=*$' "$f")
		# the first frame in this project's code: "in FUNC user/x/y.c:LINE"
		frame=$(grep -m1 -E '^ *#[0-9]+ .* in [^ ]+ .*(user|tests)/' "$f" |
			sed -E 's/.* in ([^ ]+) .*((user|tests)\/[^ ]*).*/\1 \2/')
		fail "asan-$name: ${first:-empty sanitizer report}${frame:+ at $frame} (log: $f)"
		found=1
	done
	return $found
}

# run_asan NAME CMD...: CMD with the sanitizer options, its lines renamed;
# then its sanitizer reports
run_asan() {
	local name=$1 dir="$LOGS/$1" rc t0=$SECONDS
	shift
	mkdir -p "$dir"
	# (a subshell: bash's "Aborted" notice for a process the sanitizer
	# stopped goes to its stderr, not into the suite's output)
	(
		ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1:log_path=$PWD/$dir/asan" \
		UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1:log_path=$PWD/$dir/ubsan" \
		MDEVVER_TRACE_BIN="$PWD/$SAN_BUILD/mdevver-trace" \
			timeout -k 10 "$SUITE_TIMEOUT" "$@" 2>&1 |
			sed -u 's/^\(PASS\|FAIL\|SKIP\) /\1 asan-/' | tee "$dir.out"
	) 2>/dev/null
	rc=$?
	if ! sanitizer_reports "$name" "$dir"; then
		:	# the report is the failure
	elif [ "$rc" -ne 0 ]; then
		failed=1
		grep -q '^FAIL ' "$dir.out" ||
			fail "asan-$name: exited $rc without reporting a failed test"
	fi
	echo "# asan-$name: $((SECONDS - t0))s"
}

for suite in $suites; do
	case $suite in
	unit)
		for src in tests/unit/test_*.c; do
			t=$SAN_BUILD/unit/$(basename "$src" .c)
			if [ ! -x "$t" ]; then
				fail "asan-unit-$(basename "$t"): $t was not built from $src"
				continue
			fi
			run_asan "unit-$(basename "$t")" "$t"
		done
		;;
	host | audit | report | top | metrics)
		run_asan "$suite" python3 "tests/integration/${suite}_tests.py"
		;;
	*)
		fail "asan-suite-$suite: unknown (expected $ALL_SUITES)"
		;;
	esac
done
exit $failed
