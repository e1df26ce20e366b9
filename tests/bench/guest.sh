#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs inside the VM under qemu -smp 1 -icount shift=1 (tests/bench.sh):
# guest time then counts instructions, so runs agree to about 1% and ratios
# between configurations in one boot are meaningful.  Prints measurements
# only; nothing here is asserted.
#
# One table, measured against the limit (issue 11): per operation, in guest
# ns, the median of BENCH_ROUNDS (3) rounds of
#   check            BENCH_ITERS (20,000) compatible checks on the simulated
#                    vGPU's version attribute (one fd, pwrite)
#   unrelated write  BENCH_ITERS writes of its own value to
#                    /sys/class/net/lo/mtu (one fd, pwrite)
#   unrelated read   BENCH_READ_ITERS (10,000) open + pread + close of
#                    the same file
# plus start (guest s from exec to the tool's "attached" line, start or
# enforce record) and peak RSS (just before it is stopped: VmHWM, or the
# page-table walk of smaps_rollup when that is larger -- see hwm_kb), for
#   untraced; the floor (build/bench/floor: empty fentry+fexit programs on
#   sysfs_kf_write and sysfs_kf_seq_show); the vendor floor (the same and
#   empty programs on the two gvt functions, fentry on get_version and
#   fexit on check_version: every hook the default mode has on a check,
#   empty); the recording floor (build/bench/record_floor: the least a
#   recorder of a check does on those four hooks -- the strings, the
#   bytes, the times, the compare with the last call -- and with --task
#   the writer's facts too: what recording costs before any design);
#   bpftrace's counting one-liner;
#   build/mdevver-trace (whatever is built now) in each attach mode, the
#   fentry dry run and enforce with 1 and 10,000 rules: first with its
#   reader running on the one vCPU (what a host pays), then with the reader
#   SIGSTOPped (the BPF programs alone).
# Then the enforcement details and the flood (what a flood delivers).
# BENCH_PROGS=0 skips "where the cost goes" (each program's time, bpf_stats).
# Narrowing: BENCH_ONLY (a regex of configuration labels, e.g.
# 'floor|fentry$'; untraced is always measured), BENCH_DETAILS=0 (no
# enforcement details), BENCH_FLOOD=0 (no flood).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BENCH_BIN:-build/mdevver-trace}	# BENCH_BIN: another build to measure
loop=build/bench/write_loop
floor=build/bench/floor
record_floor=build/bench/record_floor
ver=/sys/devices/mdevsim/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/version
mtu=/sys/class/net/lo/mtu
self=$(cat "$ver")$'\n'
mtu_val=$(cat "$mtu")
n=${BENCH_ITERS:-20000}
nr=${BENCH_READ_ITERS:-10000}
rounds=${BENCH_ROUNDS:-3}
bpftrace=${BPFTRACE:-bpftrace}
t_begin=$EPOCHREALTIME

# a sleep without fork/exec (the start-up poll must not cost what it measures)
mkfifo /tmp/bench.nap
exec {nap_fd}<>/tmp/bench.nap
nap() { read -r -t "$1" -u "$nap_fd" || true; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

rows=/tmp/bench.rows notes=/tmp/bench.notes
: > "$rows"
: > "$notes"

# measure LABEL START-S RSS-KB: the three workloads, median of the rounds,
# one row of the table
measure() {
	local label=$1 r c w rd cf=0 wf=0 rf=0
	local -a cs=() ws=() rds=()
	for ((r = 0; r < rounds; r++)); do
		c=$("$loop" "$ver" "$self" "$n")
		w=$("$loop" "$mtu" "$mtu_val" "$n")
		rd=$("$loop" --read "$mtu" "$nr")
		cs+=("${c%% *}") ws+=("${w%% *}") rds+=("${rd%% *}")
		cf=$((cf + ${c##* })) wf=$((wf + ${w##* })) rf=$((rf + ${rd##* }))
	done
	printf '%s|%s|%s|%s|%s|%s\n' "$label" \
		"$(printf '%s\n' "${cs[@]}" | median)" \
		"$(printf '%s\n' "${ws[@]}" | median)" \
		"$(printf '%s\n' "${rds[@]}" | median)" "$2" "$3" >> "$rows"
	((cf + wf + rf == 0)) ||
		echo "$label: failed operations: $cf checks, $wf unrelated writes, $rf unrelated reads" >> "$notes"
	echo "  measured: $label" >&2
}

# start_tool PATTERN CMD...: start CMD (stdout /tmp/bench.out), wait for a
# line containing PATTERN; sets pid and start_s (guest seconds since exec).
# Fails (returns 1, with the tool's stderr in the notes) if CMD exits first.
start_tool() {
	local pat=$1 t0 l
	local -a lines
	shift
	: > /tmp/bench.out
	t0=$EPOCHREALTIME
	"$@" > /tmp/bench.out 2> /tmp/bench.err &
	pid=$!
	while :; do
		mapfile -t lines < /tmp/bench.out
		for l in "${lines[@]}"; do
			if [[ $l == *"$pat"* ]]; then
				start_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
				# and the CPU seconds the process used to get there
				# (utime + stime: the verifier runs in its syscalls); under
				# -icount this does not move with the host's load, while the
				# wall time includes reading binary and libraries over 9p
				# (fields after the command name, which may hold spaces)
				start_s+=" ($(sed 's/.*) //' "/proc/$pid/stat" |
					awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13) / hz }'))"
				return 0
			fi
		done
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" || true
			return 1
		fi
		nap 0.005
	done
}
# Peak RSS in kB.  Not VmHWM alone: up to 6.1 the kernel keeps each
# thread's RSS changes in a per-task cache and adds them to the mm's
# counters (VmRSS, VmHWM) only every 64 page faults, so the pages of the
# ring buffers, all mapped at once by one mmap each (20 MiB by default),
# could be missing from VmHWM for the whole run -- or not, depending on
# how many faults came after (docs/delivery.md, "Where the cost goes").
# smaps_rollup counts the page tables themselves; the rings stay mapped to
# the end, so the larger of the two is the peak.
hwm_kb() {
	awk '/^VmHWM:/ { h = $2 } /^Rss:/ { r = $2 } END { print (r > h ? r : h) }' \
		"/proc/$pid/status" "/proc/$pid/smaps_rollup"
}
stop_tool() { kill -CONT "$pid" 2>/dev/null || true; kill -INT "$pid"; wait "$pid" || true; }

# tool LABEL PATTERN SPLIT CMD...: one configuration.  SPLIT=1: measured
# with the reader running, then SIGSTOPped (two rows); 0: one row (a tool
# with no per-event user-space work).
tool() {
	local label=$1 pat=$2 split=$3 rss
	shift 3
	# BENCH_ONLY: an extended regex of the configurations to measure
	[[ $label =~ ${BENCH_ONLY:-.} ]] || return 0
	if ! start_tool "$pat" "$@"; then
		echo "$label: did not start: $(tr '\n' ' ' < /tmp/bench.err | cut -c1-300)" >> "$notes"
		printf '%s|-|-|-|-|-\n' "$label" >> "$rows"
		return 0
	fi
	local s=$start_s
	if ((split)); then
		measure "$label" "$s" ""
		kill -STOP "$pid"
		measure "$label, BPF alone" "" ""
		kill -CONT "$pid"
		nap 0.5	# the reader catches up: its peak RSS includes that
	else
		measure "$label" "$s" ""
	fi
	rss=$(hwm_kb)
	stop_tool
	# the row(s) of this configuration get the peak RSS
	awk -F'|' -v OFS='|' -v l="$label" -v rss="$rss" \
		'$1 == l || $1 == l ", BPF alone" { $6 = rss } { print }' "$rows" > "$rows.tmp"
	mv "$rows.tmp" "$rows"
	delivery "$label"
}

# delivery LABEL: what the tool said at the end (mdevver-trace's end record,
# bpftrace's count), into the notes
delivery() {
	local calls lost recs c
	if grep -q '"event":"end"' /tmp/bench.out; then
		recs=$(grep -c '"event":"check"' /tmp/bench.out || true)
		calls=$(sed -n 's/.*"event":"end".*"checks":\([0-9]*\).*/\1/p' /tmp/bench.out)
		lost=$(sed -n 's/.*"event":"end".*"lost_checks":\([0-9]*\).*/\1/p' /tmp/bench.out)
		echo "$1: ${calls:-?} checks in $recs records, ${lost:-?} lost (counted)" >> "$notes"
	elif c=$(sed -n 's/^@c: \([0-9]*\)$/\1/p' /tmp/bench.out) && [[ -n $c ]]; then
		echo "$1: counted $c sysfs writes" >> "$notes"
	elif c=$(sed -n 's/^sent \([0-9]*\) repeats \([0-9]*\)$/\1 records, \2 repeats/p' /tmp/bench.out) &&
		[[ -n $c ]]; then
		echo "$1: $c" >> "$notes"
	fi
}

echo "mdevver-trace benchmark, $(uname -r), $bin ($(date -r "$bin" '+%F %T')): median of $rounds rounds; $n checks," \
	"$n unrelated writes ($mtu), $nr unrelated reads per round (guest ns, -icount)"
mkpolicy() { # FILE RULES: RULES deny rules on remote strings nobody writes
	awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "deny remote=\"filler-%d\" name=r%d\n", i, i }' > "$1"
	chmod 0644 "$1"
}
mkdir -p /run/bench
mkpolicy /run/bench/p1 1
mkpolicy /run/bench/p10k 10000

# warm up (page cache, first-touch faults): not counted
"$loop" "$ver" "$self" 1000 > /dev/null
"$loop" "$mtu" "$mtu_val" 1000 > /dev/null
"$loop" --read "$mtu" 1000 > /dev/null
measure "untraced" "" ""
tool "floor: empty fentry+fexit" attached 0 "$floor"
tool "vendor floor: the floor and empty gvt get (fentry) and check (fexit)" attached 0 "$floor" --vendor
tool "recording floor: the least recorder on the vendor floor's hooks" attached 0 "$record_floor" "$ver"
tool "recording floor with the writer's facts" attached 0 "$record_floor" --task "$ver"
tool "bpftrace kretfunc counting one-liner" attached 0 "$bpftrace" \
	-e 'BEGIN { printf("attached\n"); } kretfunc:sysfs_kf_write { @c = count(); }'
for mode in fentry kprobe syscall; do
	tool "mdevver-trace $mode" '"event":"start"' 1 "$bin" --json -m "$mode"
done
# the two generic hooks only (the floor's): what the vendor probes add
tool "mdevver-trace fentry --no-vendor" '"event":"start"' 0 "$bin" --json -m fentry --no-vendor
tool "mdevver-trace fentry dry run, 1 rule" '"event":"enforce"' 1 \
	"$bin" enforce --dry-run --policy /run/bench/p1 --json -m fentry
tool "mdevver-trace enforce, 1 rule" '"event":"enforce"' 1 \
	"$bin" enforce --policy /run/bench/p1 --json -m fentry
tool "mdevver-trace enforce, 10,000 rules" '"event":"enforce"' 1 \
	"$bin" enforce --policy /run/bench/p10k --json -m fentry

echo
awk -F'|' '
function commas(x,   s, neg) {
	s = sprintf("%d", x); neg = ""
	if (s ~ /^-/) { neg = "-"; s = substr(s, 2) }
	while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
	return neg s
}
function ratio(a, b) { return (a == "-" || b == "-" || b <= 0) ? "-" : sprintf("%.2f×", a / b) }
{ lab[NR] = $1; c[NR] = $2; w[NR] = $3; r[NR] = $4; st[NR] = $5; rss[NR] = $6 }
$1 == "untraced" { bc = $2; bw = $3; br = $4 }
$1 ~ /^floor/ { fc = $2; fw = $3; fr = $4 }
END {
	print "| configuration | check ns (+ over untraced) | added ÷ floor'"'"'s | unrelated write ns (÷ untraced) | ÷ floor | unrelated read ns (÷ untraced) | ÷ floor | start s (CPU s) | peak RSS MiB |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= NR; i++) {
		if (c[i] == "-") {
			printf "| %s | - | - | - | - | - | - | - | - |\n", lab[i]
			continue
		}
		cs = commas(c[i]); if (i > 1 || lab[i] != "untraced") cs = cs " (+" commas(c[i] - bc) ")"
		ws = commas(w[i]) " (" ratio(w[i], bw) ")"
		rs = commas(r[i]) " (" ratio(r[i], br) ")"
		add = (fc != "" && fc - bc > 0 && lab[i] != "untraced") ? sprintf("%.1f×", (c[i] - bc) / (fc - bc)) : "-"
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", lab[i], cs, add, ws,
		       fw != "" ? ratio(w[i], fw) : "-", rs, fr != "" ? ratio(r[i], fr) : "-",
		       st[i] == "" ? "-" : st[i], rss[i] == "" ? "-" : sprintf("%.1f", rss[i] / 1024)
	}
}' "$rows"
echo
echo "check: the simulated vGPU's compatible check (no driver delay); BPF alone: the tool's"
echo "reader SIGSTOPped (one vCPU: a running reader's work is charged to the workload);"
echo "start: guest seconds from exec to attached (bpftrace: its BEGIN probe's line); in"
echo "parentheses the CPU seconds the process had used by then (user + system, the verifier"
echo "included): the wall time also waits for the binary and libraries read over 9p."
awk -F'|' '$1 ~ /enforce, 1 rule$/ { a = $2 } $1 ~ /enforce, 10,000 rules$/ { b = $2 }
	END { if (a > 0 && b > 0) printf "enforced check, 10,000 rules ÷ 1 rule: %.3f× (reader running)\n", b / a }' "$rows"
sed 's/^/note: /' "$notes"
rm -f /run/bench/p10k

# ---- where the cost goes: each program's own time per check ----------------
# kernel.bpf_stats_enabled: the kernel times every run of every program
# (guest ns under -icount; the timing itself adds a little).  fentry mode,
# with and without the vendor probes; what the programs do not account for
# is the trampolines' own entry and exit (compare the floor).
if [[ ${BENCH_PROGS:-1} != 0 ]] && command -v bpftool >/dev/null; then
	echo
	echo "where the cost goes (fentry, bpf_stats: each program's own ns per run over $n checks):"
	for cfg in "" --no-vendor; do
		if ! start_tool '"event":"start"' "$bin" --json -m fentry $cfg; then
			echo "  fentry $cfg did not start: $(tr '\n' ' ' < /tmp/bench.err | cut -c1-300)"
			continue
		fi
		sysctl -qw kernel.bpf_stats_enabled=1
		c=$("$loop" "$ver" "$self" "$n")
		sysctl -qw kernel.bpf_stats_enabled=0
		bpftool prog show -j | python3 -c '
import json, sys
label, check = sys.argv[1], sys.argv[2]
tot = 0
for p in json.load(sys.stdin):
    if p.get("run_cnt") and p.get("run_time_ns"):
        a = p["run_time_ns"] / p["run_cnt"]
        tot += a * p["run_cnt"] / int(sys.argv[3])
        print("  %-22s %-30s %8d runs %7.0f ns/run" % (label, p.get("name"), p["run_cnt"], a))
print("  %-22s programs: %.0f ns per check; the check with bpf_stats on: %s ns" % (label, tot, check))
' "fentry${cfg:+ $cfg}" "${c%% *}" "$n"
		stop_tool
	done
	# enforce with 1 rule: the permission hook and the store's re-check,
	# per workload (a check, an unrelated write, an unrelated read)
	if start_tool '"event":"enforce"' "$bin" enforce --policy /run/bench/p1 --json -m fentry; then
		for w in check write read; do
			case $w in
			check) args=("$ver" "$self" "$n") ;;
			write) args=("$mtu" "$mtu_val" "$n") ;;
			read) args=(--read "$mtu" "$nr") ;;
			esac
			# run_cnt/run_time_ns are totals: the difference per workload
			before=$(bpftool prog show -j)
			sysctl -qw kernel.bpf_stats_enabled=1
			c=$("$loop" "${args[@]}")
			sysctl -qw kernel.bpf_stats_enabled=0
			bpftool prog show -j | python3 -c '
import json, sys
label, op, ops, before = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
b = {p["id"]: p for p in before}
tot = 0
for p in json.load(sys.stdin):
    q = b.get(p["id"], {})
    cnt = p.get("run_cnt", 0) - q.get("run_cnt", 0)
    t = p.get("run_time_ns", 0) - q.get("run_time_ns", 0)
    if cnt > 0 and t > 0:
        tot += t / ops
        print("  %-22s %-30s %8d runs %7.0f ns/run" % (label, p.get("name"), cnt, t / cnt))
print("  %-22s programs: %.0f ns per operation; the operation with bpf_stats on: %s ns" % (label, tot, op))
' "enforce 1 rule, $w" "${c%% *}" "${args[-1]}" "$before"
		done
		stop_tool
	else
		echo "  enforce did not start: $(tr '\n' ' ' < /tmp/bench.err | cut -c1-300)"
	fi
fi
rm -f /run/bench/p1

# ---- enforcement details: the policy matcher's cost per check ---------------
# fentry, reader stopped (the programs alone), check only, median of the
# rounds; compare with the table's "enforce, 1 rule, BPF alone".
if [[ ${BENCH_DETAILS:-1} != 0 ]]; then
echo
echo "enforcement details (fentry, BPF alone, check only; allowed unless said):"
enforce_check() { # LABEL POLICY-FILE [STRING]
	local r c f=0
	local -a cs=()
	if ! start_tool '"event":"enforce"' "$bin" enforce --policy "$2" --json -m fentry; then
		printf '  %-40s did not start: %s\n' "$1" "$(tr '\n' ' ' < /tmp/bench.err | cut -c1-300)"
		return 0
	fi
	kill -STOP "$pid"
	for ((r = 0; r < rounds; r++)); do
		c=$("$loop" "$ver" "${3:-$self}" "$n")
		cs+=("${c%% *}") f=$((f + ${c##* }))
	done
	stop_tool
	printf '  %-40s check %8s ns   (%s of %s refused)\n' "$1" \
		"$(printf '%s\n' "${cs[@]}" | median)" "$f" "$((rounds * n))"
}
printf 'audit op=check comm=nobody-at-all name=never\n' > /run/bench/p0
awk 'BEGIN { for (i = 0; i < 5000; i++) printf "deny remote=\"filler-%d\" name=r%d\n", i, i;
	     for (i = 0; i < 5000; i++) printf "audit remote=filler-%d* name=p%d\n", i, i }' > /run/bench/p10kp
printf 'deny remote="%s" name=self\n' "${self%$'\n'}" > /run/bench/pd
chmod 0644 /run/bench/p0 /run/bench/p10kp /run/bench/pd
enforce_check "policy without content rules" /run/bench/p0
enforce_check "10,000 rules (5,000 prefixes)" /run/bench/p10kp
enforce_check "1 rule, the check denied" /run/bench/pd
rm -f /run/bench/p0 /run/bench/p10kp /run/bench/pd
fi
echo "(table and enforcement details: $(awk -v a="$t_begin" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s guest time)"

# ---- flood: what a flood of checks and reads delivers (issue 9) --------------
[[ ${BENCH_FLOOD:-1} != 0 ]] || exit 0	# BENCH_FLOOD=0: the table only
# W writers x C identical checks while one unprivileged reader (uid 65534)
# reads R times, all started together (build/bench/flood, tests/vm/flood.c).
# delivered = sum of "count" over the records (what the records account
# for), coalesced = those of them that arrived as repeats inside another
# record (sum of count - 1), lost = counted as lost by the tracer.
flood=build/bench/flood
fw=${BENCH_FLOOD_WRITERS:-4} fc=${BENCH_FLOOD_CHECKS:-2000} fr=${BENCH_FLOOD_READS:-5000}
run_flood() { # extra flood options...: the flood's JSON line
	"$flood" both --writers "$fw" --count "$fc" --reads "$fr" --attr "$ver" \
		--string "$self" --uid 65534 --comm benchflood "$@"
}
flood_ns() { # JSON line: "ns-per-check ns-per-read"
	python3 -c 'import json, sys; r = json.loads(sys.argv[1])
print(r["checks"]["ns_per_check"], r["reads"]["ns_per_read"])' "$1"
}
flood_tally() { # label flood-JSON: what the tracer's records say (/tmp/bench.json)
	python3 - "$1" "$2" /tmp/bench.json <<'PY'
import json, sys
label, fl, path = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
d = {"check": [0, 0], "read": [0, 0]}
lost = {"check": 0, "read": 0}
end = {}
for line in open(path, "rb"):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    ev = r.get("event")
    if ev in d:
        n = r.get("count", 1)
        d[ev][0] += n
        d[ev][1] += 1
    elif ev == "lost":
        lost["check"] += r.get("lost_checks", 0)
        lost["read"] += r.get("lost_reads", 0)
    elif ev == "end":
        end = r
made = {"check": fl["checks"]["writes"], "read": fl["reads"]["reads"]}
for ev in ("check", "read"):
    n, recs = d[ev]
    print(f"{label:<28} {ev}s {made[ev]:>7} made: delivered {n:>7} in {recs:>6} records "
          f"(coalesced {n - recs:>7}), lost {lost[ev]:>7}, unaccounted {made[ev] - n - lost[ev]}")
if "checks" not in end:
    print(f"{label:<28} (no per-class totals in the end record: {end.get('event', 'no end record')})")
PY
}
echo
echo "flood: $fw writers x $fc identical checks + $fr reads as uid 65534, at once:"
base=$(run_flood)
read -r fbc fbr <<< "$(flood_ns "$base")"
printf '%-28s writer %8s ns/check   reader %8s ns/read\n' "  no tracer" "$fbc" "$fbr"
# the last one: every check a different string (incompatible), nothing
# can be coalesced
for cfg in fentry syscall "fentry --distinct"; do
	mode=${cfg%% *} extra=
	[[ $cfg == *--distinct ]] && extra=--distinct
	"$bin" --json -m "$mode" -c benchflood > /tmp/bench.json 2>/tmp/bench.err &
	pid=$!
	until grep -q '"event":"start"' /tmp/bench.json 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if ! kill -0 "$pid" 2>/dev/null; then
		printf '%-28s did not start: %s\n' "  $cfg" "$(tr '\n' ' ' < /tmp/bench.err | cut -c1-300)"
		wait "$pid" || true
		continue
	fi
	res=$(run_flood $extra)
	kill -INT "$pid"; wait "$pid" || true
	read -r fc_ns fr_ns <<< "$(flood_ns "$res")"
	label="  $mode${extra:+, distinct strings}"
	printf '%-28s writer %8s ns/check   reader %8s ns/read   (check %.2fx untraced)\n' \
		"$label" "$fc_ns" "$fr_ns" "$(awk -v a="$fc_ns" -v b="$fbc" 'BEGIN { print a / b }')"
	flood_tally "$label" "$res"
done
