#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Guest half of tests/vm/kernel-log-selftest.sh: the VM booted with
mdevsim warn_on_store=1, so a version check WARNs.  Expected output, which
the host half asserts:

    PASS klog_selftest_clean             (a test without a splat still passes)
    FAIL klog_selftest_injected_warn: kernel log: WARNING: ...; taint ... (new flags W)
and, after this job, from run.sh (a WARN outside any test):
    FAIL vm-kernel-log: WARNING: ...
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import expect_eq, finish, read_attr, run_test, write_attr  # noqa: E402
from vm_tests import PARAMS, VERSION  # noqa: E402

SELF54 = b"00028086-193b-i915-GVTg_V5_4\n"


def clean():
    data, err = read_attr(VERSION)      # a read: no store, no warning
    expect_eq((data, err), (SELF54, 0), "version read")


def injected_warn():
    expect_eq(write_attr(VERSION, SELF54), (len(SELF54), 0), "compatible check")


def main():
    with open(os.path.join(PARAMS, "warn_on_store")) as f:
        expect_eq(f.read().strip(), "1", "booted with mdevsim warn_on_store=1")
    run_test("klog_selftest_clean", clean)
    run_test("klog_selftest_injected_warn", injected_warn)
    # outside any test: every store WARNs now; only run.sh can see this one
    with open(os.path.join(PARAMS, "warn_on_store"), "w") as f:
        f.write("2")
    print(f"# outside any test: store after warn_on_store=2 -> {write_attr(VERSION, SELF54)}",
          flush=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
