#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs the libFuzzer targets (tests/fuzz/fuzz_<target>.c; docs/fuzzing.md).
#
#   tests/fuzz/run.sh [--brief] [--seconds N] [--build DIR] [--no-build] [TARGET...]
#
# Per target: first the regression inputs (tests/fuzz/regressions/<target>/,
# every crash found so far, each run once), then fuzzing for N seconds
# (FUZZ_SECONDS, default 60; --brief: 5) from the seed corpus
# tests/fuzz/corpus/<target>/ (with the dictionary tests/fuzz/<target>.dict
# or json.dict) plus what earlier runs found
# (DIR/fuzz/corpus/<target>/; --brief starts from the seeds alone, so the
# check does the same work each time).  One line per target in the suite
# format:
#   PASS fuzz-<target>: <execs> execs, cov <n>, ft <n>
#   FAIL fuzz-<target>: <why>            (a crash names the kept input)
#   PASS fuzz-<target>-regressions: <n> inputs    (when there are some)
# libFuzzer's own output goes to DIR/fuzz/logs/<target>.log.  Exit status 1
# when anything failed.  Without --no-build it first runs
# "make BUILD=DIR fuzz-bins".
set -uo pipefail
cd "$(dirname "$0")/../.."

brief=0 build=${BUILD:-build} seconds= do_build=1 targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--brief) brief=1 ;;
	--seconds) seconds=$2; shift ;;
	--build) build=$2; shift ;;
	--no-build) do_build=0 ;;
	-h|--help) sed -n '3,20p' "$0"; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) targets+=("$1") ;;
	esac
	shift
done
if [ -z "$seconds" ]; then
	if [ "$brief" = 1 ]; then seconds=${FUZZ_BRIEF_SECONDS:-5}; else seconds=${FUZZ_SECONDS:-60}; fi
fi
if [ ${#targets[@]} -eq 0 ]; then
	for src in tests/fuzz/fuzz_*.c; do
		t=${src#tests/fuzz/fuzz_}
		targets+=("${t%.c}")
	done
fi

fdir=$build/fuzz
mkdir -p "$fdir/logs"
if [ "$do_build" = 1 ]; then
	if ! make --no-print-directory -s -j"$(nproc)" BUILD="$build" \
		"${targets[@]/#/$fdir/fuzz_}" >"$fdir/logs/build.log" 2>&1; then
		for t in "${targets[@]}"; do
			echo "FAIL fuzz-$t: build failed (see $fdir/logs/build.log)"
		done
		exit 1
	fi
fi

# A leak, a sanitizer report or an abort() of an invariant all end the
# run; -close_fd_mask=2 hides the targets' own stderr (report's messages
# about malformed lines), not libFuzzer's or the sanitizers'.
common=(-close_fd_mask=2 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)

# The crash input libFuzzer kept, and the sanitizer's one-line summary.
crash_why() {
	local log=$1 art sum
	art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
	sum=$(grep -m1 -E '^SUMMARY: |invariant failed|ERROR: libFuzzer' "$log" | cut -c1-200)
	echo "${art:-no crash file} (${sum:-see $log})"
}

failed=0
for t in "${targets[@]}"; do
	bin=$fdir/fuzz_$t seeds=tests/fuzz/corpus/$t regr=tests/fuzz/regressions/$t
	log=$fdir/logs/$t.log
	if [ ! -x "$bin" ]; then
		echo "FAIL fuzz-$t: $bin not built (make BUILD=$build fuzz-bins)"
		failed=1
		continue
	fi
	# regressions: each input once (libFuzzer runs files it is given)
	shopt -s nullglob
	inputs=("$regr"/*)
	shopt -u nullglob
	if [ ${#inputs[@]} -gt 0 ]; then
		rlog=$fdir/logs/$t-regressions.log
		if "$bin" "${common[@]}" -runs=1 "${inputs[@]}" >"$rlog" 2>&1; then
			echo "PASS fuzz-$t-regressions: ${#inputs[@]} inputs"
		else
			# the input that crashed is the last one libFuzzer started
			bad=$(sed -n 's/^Running: //p' "$rlog" | tail -n1)
			echo "FAIL fuzz-$t-regressions: ${bad:-?} ($(grep -m1 -E '^SUMMARY: |invariant failed' "$rlog" | cut -c1-200))"
			failed=1
		fi
	fi
	# fuzzing: new inputs go to the first corpus dir (never the seeds)
	if [ "$brief" = 1 ]; then
		work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$t.XXXXXX")
	else
		work=$fdir/corpus/$t
		mkdir -p "$work"
	fi
	mkdir -p "$fdir/crashes/$t"
	# the format's words (tests/fuzz/<target>.dict, or json.dict for the
	# targets that read audit logs)
	dict=()
	case $t in
	json_record|report) dict=(-dict=tests/fuzz/json.dict) ;;
	*) [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict") ;;
	esac
	"$bin" "${common[@]}" "${dict[@]}" -max_total_time="$seconds" \
		-artifact_prefix="$fdir/crashes/$t/" "$work" "$seeds" >"$log" 2>&1
	rc=$?
	[ "$brief" = 1 ] && rm -rf "$work"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	last=$(grep -E '(DONE|pulse|NEW|REDUCE|INITED) +cov: ' "$log" | tail -n1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	if [ "$rc" -ne 0 ]; then
		echo "FAIL fuzz-$t: crash: $(crash_why "$log")"
		failed=1
	elif [ -z "$execs" ] || [ -z "$cov" ]; then
		echo "FAIL fuzz-$t: no statistics from libFuzzer (see $log)"
		failed=1
	else
		echo "PASS fuzz-$t: $execs execs, cov $cov, ft ${ft:-0}"
	fi
done
exit $failed
