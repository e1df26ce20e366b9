#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make bench: the user-space pipeline on this machine, then in one VM boot
# under qemu -smp 1 -icount shift=1 (instruction-counted guest time; see
# docs/background) what a traced check, an unrelated sysfs write and read,
# start-up and memory cost: untraced, the empty-program floor, bpftrace's
# counting one-liner and build/mdevver-trace in each mode (one table,
# tests/bench/guest.sh), then what a flood of checks and reads delivers.
# BENCH_ITERS, BENCH_READ_ITERS, BENCH_ROUNDS, BENCH_ONLY (regex of rows),
# BENCH_DETAILS (0: no enforcement details), BENCH_FLOOD (0: no flood),
# BENCH_FLOOD_* and BPFTRACE
# are passed to the guest (defaults there); bpftrace is Debian's package.
set -euo pipefail
cd "$(dirname "$0")/.."
# the user-space pipeline alone, on this machine: no kernel, synthetic records
echo "== pipeline: ns per record through each sink and all together (CPU time, one core)"
build/pipeline_bench
# write_loop, flood, the floor's programs and loader (mk/bench.mk)
make --no-print-directory bench-tools
command -v "${BPFTRACE:-bpftrace}" >/dev/null ||
	echo "bench: no bpftrace (apt-get install bpftrace): its row will say so" >&2
envs=()
for v in $(compgen -v BENCH_) BPFTRACE; do
	[[ -z ${!v:-} ]] || envs+=(--env "$v=${!v}")
done
# about 15 minutes on a 2-core host; the flood part is the last few
exec tests/vm/run.sh --icount --out build/vm/bench --timeout 2400 "${envs[@]}" -- tests/bench/guest.sh
