#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make bench: per-check cost of each attach mode, and what a flood of checks
# and reads delivers, measured in the VM with qemu -icount
# (instruction-counted guest time; see docs/background).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/bench
# the user-space pipeline alone, on this machine: no kernel, synthetic records
echo "== pipeline: ns per record through each sink and all together (CPU time, one core)"
build/pipeline_bench
${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror tests/bench/write_loop.c -o build/bench/write_loop
${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror tests/vm/flood.c -o build/bench/flood
# the flood part adds a few minutes of instruction-counted guest time
exec tests/vm/run.sh --icount --out build/vm/bench --timeout 1500 -- tests/bench/guest.sh
