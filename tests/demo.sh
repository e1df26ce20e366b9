#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make demo: boot Debian's kernel in qemu with the simulated vGPU module and
# watch mdevver-trace trace a scripted migration workload live.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "demo: booting the VM (Debian 13 kernel with the upstream mtty driver, software emulation: ~30 s)..." >&2
exec tests/vm/run.sh --suite trixie --mtty --out build/vm/demo --timeout 900 -- tests/demo/guest.sh
