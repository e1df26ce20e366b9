#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs inside the VM under qemu -icount (tests/bench.sh): guest time then
# counts instructions, so runs agree to ~0.1% and ratios between
# configurations in one boot are meaningful.  Prints measurements only;
# nothing here is asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=build/mdevver-trace
loop=build/bench/write_loop
ver=/sys/devices/mdevsim/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/version
notes=/sys/devices/mdevsim/0000:00:02.0/sim_notes
self=$(cat "$ver")$'\n'
n=${BENCH_ITERS:-3000}

measure() { # label: per-write cost of a check and of an unrelated write
	local c u
	c=$("$loop" "$ver" "$self" "$n")
	u=$("$loop" "$notes" "hello" "$n")
	printf '%-28s check %8s ns   unrelated sysfs write %8s ns\n' "$1" "${c%% *}" "${u%% *}"
	echo "${c%% *} ${u%% *}" > "/tmp/bench.$2"
}

echo "mdevver-trace benchmark: $n writes per measurement (guest ns, -icount)"
measure "no tracer" base
start_tracer() { # mode: start it and wait until it is attached
	"$bin" --json -m "$1" > /tmp/bench.json 2>/tmp/bench.err &
	pid=$!
	until grep -q '"event":"start"' /tmp/bench.json 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || { echo "tracer ($1) exited:"; cat /tmp/bench.err; exit 1; }
		sleep 0.2
	done
}
stop_tracer() { # label: stop it, say what was delivered and lost
	kill -INT "$pid"; wait "$pid"
	local recs calls lost
	# identical checks are coalesced: count calls (the end record's sum
	# of count), and say in how many records they came
	recs=$(grep -c '"event":"check"' /tmp/bench.json || true)
	calls=$(sed -n 's/.*"event":"end".*"checks":\([0-9]*\).*/\1/p' /tmp/bench.json)
	lost=$(sed -n 's/.*"event":"end".*"lost_checks":\([0-9]*\).*/\1/p' /tmp/bench.json)
	printf '%-28s %s of %s checks delivered in %s records, %s lost (counted)\n' \
		"$1" "${calls:-?}" "$n" "$recs" "${lost:-?}"
}

for mode in fentry kprobe syscall; do
	start_tracer "$mode"
	measure "$mode" "$mode"
	stop_tracer "  $mode"
	# the same with the reader stopped: what the BPF programs alone cost
	# (one vCPU: a running reader's formatting is charged to the writer)
	start_tracer "$mode"
	kill -STOP "$pid"
	measure "$mode, reader stopped" "$mode.bpf"
	kill -CONT "$pid"
	stop_tracer "  $mode, reader stopped"
done
echo
read -r bc bu < /tmp/bench.base
for mode in fentry fentry.bpf kprobe kprobe.bpf syscall syscall.bpf; do
	read -r c u < "/tmp/bench.$mode"
	awk -v m="$mode" -v c="$c" -v u="$u" -v bc="$bc" -v bu="$bu" 'BEGIN {
		printf "%-12s check %.2fx (+%d ns, %.0f checks/s traced)   unrelated write %.2fx\n",
		       m, c / bc, c - bc, 1e9 / c, u / bu }'
done

# ---- enforcement: the cost per check of the policy matcher -------------------
# The BPF LSM hook judges every check; the store re-checks the kernel's copy
# when rules look at the bytes.  Readers stopped: the programs' cost alone.
echo
echo "enforcement (fentry, reader stopped; allowed checks unless said otherwise):"
pol=/run/bench.policy
start_enforcer() { # policy text file: start it and wait until it is in force
	install -m 0644 "$1" "$pol"
	"$bin" enforce --policy "$pol" --json -m fentry > /tmp/bench.json 2>/tmp/bench.err &
	pid=$!
	until grep -q '"event":"enforce"' /tmp/bench.json 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || { cat /tmp/bench.err; exit 1; }
		sleep 0.2
	done
	kill -STOP "$pid"
}
stop_enforcer() {
	kill -CONT "$pid"; kill -INT "$pid"; wait "$pid" || true
}
measure_check() { # label file-suffix [string]: per-check cost only
	local c
	c=$("$loop" "$ver" "${3:-$self}" "$n")
	printf '%-40s check %8s ns   (%s refused)\n' "$1" "${c%% *}" "${c##* }"
	echo "${c%% *}" > "/tmp/bench.$2"
}
printf 'audit op=check comm=nobody-at-all name=never\n' > /tmp/p0
start_enforcer /tmp/p0
measure_check "  policy without content rules" e0
stop_enforcer
printf 'deny remote="filler-0" name=one\n' > /tmp/p1
start_enforcer /tmp/p1
measure_check "  1 rule (remote, no match)" e1
stop_enforcer
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "deny remote=\"filler-%d\" name=r%d\n", i, i }' > /tmp/p10k
start_enforcer /tmp/p10k
measure_check "  10,000 rules (remote, no match)" e10k
stop_enforcer
awk 'BEGIN { for (i = 0; i < 5000; i++) printf "deny remote=\"filler-%d\" name=r%d\n", i, i;
	     for (i = 0; i < 5000; i++) printf "audit remote=filler-%d* name=p%d\n", i, i }' > /tmp/p10kp
start_enforcer /tmp/p10kp
measure_check "  10,000 rules (5,000 prefixes)" e10kp
stop_enforcer
printf 'deny remote="%s" name=self\n' "${self%$'\n'}" > /tmp/pd
start_enforcer /tmp/pd
measure_check "  1 rule, the check denied" ed
stop_enforcer
fb=$(cut -d' ' -f1 /tmp/bench.fentry.bpf)
echo
for k in e0 e1 e10k e10kp ed; do
	read -r c < "/tmp/bench.$k"
	awk -v k="$k" -v c="$c" -v bc="$bc" -v fb="$fb" 'BEGIN {
		printf "%-6s check %.2fx untraced (+%d ns), +%d ns over tracing alone\n",
		       k, c / bc, c - bc, c - fb }'
done

# ---- flood: what a flood of checks and reads delivers (issue 9) --------------
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
		kill -0 "$pid" 2>/dev/null || { cat /tmp/bench.err; exit 1; }
		sleep 0.2
	done
	res=$(run_flood $extra)
	kill -INT "$pid"; wait "$pid" || true
	read -r fc_ns fr_ns <<< "$(flood_ns "$res")"
	label="  $mode${extra:+, distinct strings}"
	printf '%-28s writer %8s ns/check   reader %8s ns/read   (check %.2fx untraced)\n' \
		"$label" "$fc_ns" "$fr_ns" "$(awk -v a="$fc_ns" -v b="$fbc" 'BEGIN { print a / b }')"
	flood_tally "$label" "$res"
done
