#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# valgrind (memcheck) over the commands that need no kernel: `report` (text,
# --html, stdin) over tests/data/report/ and `top --replay` (plain output:
# stdout is not a terminal, so the view is printed once) over tests/data/.
# The normal build (build/mdevver-trace, -O2 -g): valgrind and ASan do not
# mix, the ASan build runs in tests/sanitize/run.sh.
#
# One line per run: "PASS valgrind-<what>: 0 errors, 0 leaks" or
# "FAIL valgrind-<what>: <why> (log: FILE)".  A leak is any definitely,
# indirectly or possibly lost block; still reachable memory (libraries'
# one-time allocations) is not one.  Exits 1 if any run failed.
set -uo pipefail
cd "$(dirname "$0")/../.."

BIN=${MDEVVER_TRACE_BIN:-build/mdevver-trace}
LOGS=build/test-logs/valgrind
REPORT_DATA=tests/data/report
TOP_DATA=tests/data/top

if ! command -v valgrind >/dev/null; then
	echo "FAIL valgrind: valgrind not installed (make deps installs it)"
	exit 1
fi
if [ ! -x "$BIN" ]; then
	echo "FAIL valgrind: $BIN not built (make)"
	exit 1
fi
rm -rf "$LOGS"
mkdir -p "$LOGS"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# vg NAME [--stdin FILE] ARGS...: BIN ARGS under memcheck
vg() {
	local name=$1 in=/dev/null log="$LOGS/$1.log" rc errs lost
	shift
	if [ "$1" = --stdin ]; then
		in=$2
		shift 2
	fi
	valgrind --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible \
		--show-leak-kinds=definite,indirect,possible \
		--track-origins=yes --log-file="$log" \
		"$BIN" "$@" <"$in" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n1)
	# "definitely lost: 0 bytes in 0 blocks", ...; none when nothing leaked
	lost=$(grep -E '(definitely|indirectly|possibly) lost: [1-9]' "$log" | sed 's/^==[0-9]*== *//' | paste -sd, -)
	if [ "$rc" -eq 99 ] || [ "${errs:-x}" != 0 ] || [ -n "$lost" ]; then
		local first
		first=$(grep -m1 -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall param|Mismatched|Source and destination|Argument|[0-9,]+ bytes in)' "$log" | sed 's/^==[0-9]*== //')
		echo "FAIL valgrind-$name: ${errs:-?} errors${lost:+, $lost}${first:+: $first} (log: $log)"
		failed=1
	elif [ "$rc" -ne 0 ]; then
		echo "FAIL valgrind-$name: exited $rc: $(head -n1 "$tmp/$name.err") (log: $log)"
		failed=1
	elif [ ! -s "$tmp/$name.out" ] && [ "$name" != report-html ]; then
		echo "FAIL valgrind-$name: no output (log: $log)"
		failed=1
	else
		echo "PASS valgrind-$name: 0 errors, 0 leaks"
	fi
}

vg report-text report "$REPORT_DATA"/*.jsonl
vg report-html report --html "$tmp/report.html" "$REPORT_DATA"/*.jsonl
if [ ! -s "$tmp/report.html" ]; then
	echo "FAIL valgrind-report-html-page: no page written to $tmp/report.html"
	failed=1
fi
vg report-stdin --stdin "$REPORT_DATA/hostA.jsonl" report - "$REPORT_DATA/hostB.jsonl"
for f in "$TOP_DATA"/*.jsonl "$REPORT_DATA/enforce.jsonl"; do
	vg "top-replay-$(basename "$f" .jsonl)" top --replay "$f"
done
vg top-replay-stdin --stdin "$TOP_DATA/vm-sample.jsonl" top --replay -
exit $failed
