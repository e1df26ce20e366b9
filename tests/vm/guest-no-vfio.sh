#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The first line booted without mtty and without BPF LSM (tests/run_all.sh):
# - enforcement where BPF LSM is built in but not enabled: the refusal and
#   the dry run (enforce_tests.py --no-lsm);
# - the tracer with no vfio or mdev module loaded (every other VM run
#   loads mtty, hence both): the small CO-RE target of vmlinux's types
#   alone (user/core/core_btf.c), the events of each mode, a start under
#   writes, and no lifecycle programs.
set -uo pipefail
cd "$(dirname "$0")/../.."
rc=0
python3 tests/integration/enforce_tests.py --no-lsm || rc=1
MDEVVER_TESTS='vm_*_events,vm_modes_agree,vm_scope,vm_start_under_writes_*,vm_core_btf_target' \
	python3 tests/integration/vm_tests.py || rc=1
exit $rc
