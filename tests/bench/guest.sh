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
	until grep -q '"event":"start"' /tmp/bench.json 2>/dev/null; do sleep 0.2; done
}
stop_tracer() { # label: stop it, say what was delivered and lost
	kill -INT "$pid"; wait "$pid"
	local ev lost
	ev=$(grep -c '"event":"check"' /tmp/bench.json || true)
	lost=$(sed -n 's/.*"event":"end".*"total_lost":\([0-9]*\).*/\1/p' /tmp/bench.json)
	printf '%-28s %s of %s check events delivered, %s lost (counted)\n' "$1" "$ev" "$n" "${lost:-?}"
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
