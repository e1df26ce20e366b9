#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make demo: boot Debian's kernel in qemu with the simulated vGPU module and
# watch mdevver-trace trace a scripted migration workload live.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "demo: booting the VM (Debian kernel, software emulation: ~15 s)..." >&2
exec tests/vm/run.sh --out build/vm/demo --timeout 600 -- tests/demo/guest.sh
