#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The first line booted without mtty and without BPF LSM (tests/run_all.sh):
# - enforcement where BPF LSM is built in but not enabled: the refusal and
#   the dry run (enforce_tests.py --no-lsm);
# - the tracer with no vfio or mdev module loaded, the only place where
#   libbpf relocates against the small CO-RE target (user/core/core_btf.c;
#   every other VM run loads mtty, hence vfio and mdev): the events of each
#   mode, a start under writes and the target itself.
set -uo pipefail
cd "$(dirname "$0")/../.."
rc=0
python3 tests/integration/enforce_tests.py --no-lsm || rc=1
MDEVVER_TESTS='vm_*_events,vm_modes_agree,vm_scope,vm_start_under_writes_*,vm_core_btf_target' \
	python3 tests/integration/vm_tests.py || rc=1
exit $rc
