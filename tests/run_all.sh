#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs every test suite and ends with the one summary line CI reads:
#   N passed, N failed, N skipped
# Suites print one line per test: "PASS name", "FAIL name: why", "SKIP name: why".
# A SKIP fails the run unless tests/skips-allowed lists it (with the reason).
# A suite that dies without reporting its tests counts as one failure, so a
# crash can never look like success.  SUITES and KERNELS narrow the run,
# e.g. SUITES=vm KERNELS=sid make check; a narrowed run says so at its start
# and again above the summary line (.ci/run clears both, so CI always runs
# everything).
set -uo pipefail
cd "$(dirname "$0")/.."

log_dir=build/test-logs
mkdir -p "$log_dir"
pass=0 fail=0 skipped=0

# run_suite NAME CMD...: run, echo its output, count its verdict lines
run_suite() {
	local name=$1 rc t0=$SECONDS
	shift
	echo "== $name: $*"
	"$@" 2>&1 | tee "$log_dir/$name.log"
	rc=${PIPESTATUS[0]}
	count_suite "$name" "$rc" $((SECONDS - t0))
}

# run_quiet NAME CMD...: run with the output only in the suite's log, and
# keep its exit status and duration there too; show_suite reports it later.
# For suites run side by side (the VM lanes), whose output must not mix.
run_quiet() {
	local name=$1 t0=$SECONDS
	shift
	echo "$*" > "$log_dir/$name.cmd"
	"$@" > "$log_dir/$name.log" 2>&1
	echo "$? $((SECONDS - t0))" > "$log_dir/$name.status"
}

# show_suite NAME: echo the output of a run_quiet suite and count it; a
# suite whose status is missing (its lane died) counts as a failure
show_suite() {
	local name=$1 rc secs
	echo "== $name: $(cat "$log_dir/$name.cmd" 2>/dev/null)"
	cat "$log_dir/$name.log" 2>/dev/null
	read -r rc secs < "$log_dir/$name.status" 2>/dev/null || { rc=125 secs=0; }
	count_suite "$name" "$rc" "$secs"
}

# count_suite NAME RC SECONDS: count the verdict lines of NAME's log
count_suite() {
	local name=$1 log="$log_dir/$1.log" rc=$2 secs=$3 p f s
	touch "$log"
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	s=$(grep -c '^SKIP ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: exited $rc without reporting a failed test (see $log)"
		f=1
	fi
	# a skip not in tests/skips-allowed fails the run (issue 15: CI skips
	# nothing it could run); allowed ones are listed again at the end
	local line test why
	while IFS= read -r line; do
		test=${line#SKIP }
		test=${test%%:*}
		test=${test%% *}
		why=$(skip_allowed "$name" "$test")
		if [ -n "$why" ]; then
			allowed_skips+=("$name/$test: $why")
		else
			echo "FAIL unexpected-skip $name/$test: skipped and not in tests/skips-allowed (${line#*: })"
			f=$((f + 1))
		fi
	done < <(grep '^SKIP ' "$log")
	pass=$((pass + p)) fail=$((fail + f)) skipped=$((skipped + s))
	echo "== $name: $p passed, $f failed, $s skipped in ${secs}s"
}

# skip_allowed SUITE TEST: the reason tests/skips-allowed gives, or nothing
allowed_skips=()
skip_allowed() {
	local sg tg why
	while IFS=$'\t' read -r sg tg why; do
		case $sg in ''|'#'*) continue ;; esac
		# shellcheck disable=SC2053 # globs on purpose
		if [[ $1 == $sg && $2 == $tg ]]; then
			echo "$why"
			return
		fi
	done < tests/skips-allowed
}

all_suites="unit fuzz host cli audit report top metrics alerts asan valgrind vm fleet"
all_kernels="bookworm trixie sid"
suites=${SUITES:-$all_suites}
kernels=${KERNELS:-$all_kernels}
narrowed=
if [ "$(echo $suites)" != "$all_suites" ]; then
	narrowed="SUITES=\"$(echo $suites)\" (all: $all_suites)"
fi
if [ "$(echo $kernels)" != "$all_kernels" ]; then
	narrowed="${narrowed:+$narrowed, }KERNELS=\"$(echo $kernels)\" (all: $all_kernels)"
fi
if [ -n "${MDEVVER_TESTS:-}" ]; then
	narrowed="${narrowed:+$narrowed, }MDEVVER_TESTS=\"$MDEVVER_TESTS\" (tests by name)"
fi
[ -z "$narrowed" ] || echo "NOTE: narrowed to $narrowed: this is not the whole suite"
for suite in $suites; do
	case $suite in
	unit)
		# one binary per tests/unit/test_*.c (make builds each of them);
		# a binary left over from a removed source is not run
		for src in tests/unit/test_*.c; do
			t=build/unit/$(basename "$src" .c)
			if [ ! -x "$t" ]; then
				echo "FAIL unit-$(basename "$t"): $t was not built from $src (run make unit)"
				fail=$((fail + 1))
				continue
			fi
			run_suite "unit-$(basename "$t")" "$t"
		done
		for t in build/unit/test_*; do
			[ -e "$t" ] && [ ! -e "tests/unit/$(basename "$t").c" ] &&
				echo "NOTE: not running $t: no tests/unit/$(basename "$t").c (stale binary)"
		done
		;;
	fuzz)
		# each libFuzzer target a few seconds from its seeds, and every
		# crash found so far replayed (tests/fuzz/, docs/fuzzing.md)
		run_suite fuzz tests/fuzz/run.sh --brief
		;;
	host)
		run_suite host python3 tests/integration/host_tests.py
		;;
	cli)
		# the command line, helps, man page, completion, attach messages
		run_suite cli python3 tests/integration/cli_tests.py
		;;
	audit)
		run_suite audit python3 tests/integration/audit_tests.py
		;;
	top)
		run_suite top python3 tests/integration/top_tests.py
		;;
	metrics)
		run_suite metrics python3 tests/integration/metrics_tests.py
		;;
	alerts)
		# the shipped Prometheus alert rules: promtool check + test rules
		# (a missing promtool fails); their real evaluation against the
		# tracer is in the VM (prometheus_alert_tests.py)
		run_suite alerts tests/prometheus/run.sh
		;;
	report)
		run_suite report python3 tests/integration/report_tests.py
		;;
	asan)
		# user space built with ASan+UBSan (no recover): the unit tests and
		# the host suites again, any sanitizer report a failure
		run_suite asan tests/sanitize/run.sh
		;;
	valgrind)
		run_suite valgrind tests/sanitize/valgrind.sh
		;;
	vm)
		# one binary, built here, on every kernel line (KERNELS narrows).
		# A TCG guest keeps about one host core busy (measured: 95% of
		# one core over the trixie line), so the VM runs go in
		# MDEVVER_VM_LANES lanes side by side (default: 2 on a machine
		# with 2+ cores, else 1): the first line, with the claims and
		# privilege tests, and its extra boots in one lane, the other
		# lines in the next.  The test bed locks its cache,
		# and every run has its own --out directory.  The timeout is a
		# safety net for a hung guest, not a measure: the first line took
		# 14 min alone and over 25 min on a machine loaded beside it.
		set -- $kernels
		first=$1
		lanes=${MDEVVER_VM_LANES:-$([ "$(nproc)" -ge 2 ] && echo 2 || echo 1)}
		# vm_jobs: the first line's boots first (vm_first of them), then
		# the other lines
		vm_jobs=("vm-$first|tests/vm/run.sh --suite $first --timeout 2400 --mtty --env MDEVVER_FULL_LINE=1 --out build/vm/$first -- tests/vm/guest-suite.sh")
		# the kernel log check itself, on the first line: a WARN injected in
		# the simulated vGPU must fail the test that caused it and the run
		# (one ~30 s boot; this PASSes only if the detector FAILs that run)
		vm_jobs+=("vm-$first-kernel-log-selftest|tests/vm/kernel-log-selftest.sh $first")
		# enforcement where BPF LSM is built in but not enabled (lsm=
		# without bpf): the refusal and the dry run, on the first line;
		# the same boot has no mtty, so no vfio or mdev: the tracer is
		# tested there without them too (tests/vm/guest-no-vfio.sh)
		vm_jobs+=("vm-$first-without-bpf-lsm|tests/vm/run.sh --suite $first --timeout 900 --lsm lockdown,capability,landlock --out build/vm/$first-nolsm -- tests/vm/guest-no-vfio.sh")
		vm_first=${#vm_jobs[@]}
		for k in $kernels; do
			[ "$k" = "$first" ] ||
				vm_jobs+=("vm-$k|tests/vm/run.sh --suite $k --timeout 2400 --mtty --env MDEVVER_FULL_LINE=0 --out build/vm/$k -- tests/vm/guest-suite.sh")
		done
		if [ "$lanes" -le 1 ]; then
			for job in "${vm_jobs[@]}"; do
				# shellcheck disable=SC2086 # the command is word-split on purpose
				run_suite "${job%%|*}" ${job#*|}
			done
		else
			echo "== vm: ${#vm_jobs[@]} runs in $lanes lanes (MDEVVER_VM_LANES); each run's output follows when all are done"
			# no status left from an earlier run may stand for one not run
			for job in "${vm_jobs[@]}"; do
				rm -f "$log_dir/${job%%|*}.status" "$log_dir/${job%%|*}.log"
			done
			for ((lane = 0; lane < lanes; lane++)); do
				(
					# lane 0: the first line's boots (~17 min in
					# ci15 on a 2-core machine); the others share the
					# other lines (trixie ~13, sid ~11 min there): the
					# selftest and no-LSM boots used to queue behind
					# those and made that lane the longest
					for ((i = 0; i < ${#vm_jobs[@]}; i++)); do
						if { [ "$i" -lt "$vm_first" ] && [ "$lane" -eq 0 ]; } ||
						   { [ "$i" -ge "$vm_first" ] && [ "$lane" -gt 0 ] && [ $(((i - vm_first) % (lanes - 1))) -eq $((lane - 1)) ]; }; then
							job=${vm_jobs[$i]}
							# shellcheck disable=SC2086
							run_quiet "${job%%|*}" ${job#*|}
						fi
					done
				) &
			done
			wait
			for job in "${vm_jobs[@]}"; do
				show_suite "${job%%|*}"
			done
		fi
		;;
	fleet)
		# rsyslog hosts -> RELP -> collector -> PostgreSQL, a collector
		# killed mid-way, report --db against report over the files; the
		# input is the vm suite's three audit logs (build/vm/<kernel>/
		# fleet-audit.jsonl): without them every fleet test FAILs
		run_suite fleet python3 tests/integration/fleet_tests.py
		;;
	*)
		echo "FAIL suite $suite: unknown (expected: $all_suites)"
		fail=$((fail + 1))
		;;
	esac
done

[ -z "$narrowed" ] || echo "NOTE: narrowed to $narrowed: this is not the whole suite"
if [ ${#allowed_skips[@]} -gt 0 ]; then
	echo "Skips allowed by tests/skips-allowed:"
	printf '  %s\n' "${allowed_skips[@]}"
fi
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
