#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The test bed with the kernel's real mdev driver (issue 12, item 1): in the
VM (tests/vm/run.sh --mtty), load vfio, vfio_iommu_type1, mdev and the mtty
sample built from Debian's kernel source (tests/vm/build-mtty.sh), then drive
mdev devices through the VFIO migration uAPI v2 with build/vfio_migrate
(tests/vm/vfio_migrate.c, what QEMU does) and assert on what the kernel
answered to every step.

On kernels before 6.7 mtty has no migration: there the migration feature
query must fail with ENOTTY (asserted, not skipped) and the lifecycle still
works.  No tracer assertions here: these tests prove the bed itself.

    mtty_tests.py              the whole file
    mtty_tests.py NAME...      only the tests whose names start so
"""
import os
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import REPO, TestFailure, expect, expect_eq, finish, run_test  # noqa: E402
from vm_tests import TYPES as MDEVSIM_TYPES  # noqa: E402

VFIO_MIGRATE = os.path.join(REPO, "build", "vfio_migrate")
LOAD_MTTY = os.path.join(REPO, "tests", "vm", "load-mtty.sh")
MTTY_TYPES = "/sys/class/mdev_bus/mtty/mdev_supported_types"
MDEV_DEVICES = "/sys/bus/mdev/devices"
# mtty's migration stream: a 24-byte header (magic, versions, port count,
# flags) then one 36-byte struct serial_port per port (samples/vfio-mdev/mtty.c)
HEADER_BYTES = 24
PORT_BYTES = 36


def kernel_has_mtty_migration():
    """mtty gained VFIO migration in 6.7 (commit 'vfio/mtty: add migration support')."""
    major, minor = (int(x) for x in os.uname().release.split(".")[:2])
    return (major, minor) >= (6, 7)


def vfio_migrate(*args):
    """Runs the program; returns (exit status, [step dicts], stderr)."""
    p = subprocess.run([VFIO_MIGRATE, *args], capture_output=True, text=True, timeout=120)
    steps = []
    for line in p.stdout.splitlines():
        kv = dict(w.split("=", 1) for w in line.split() if "=" in w)
        if "step" not in kv:
            raise TestFailure(f"vfio_migrate printed a line without step=: {line!r}")
        steps.append(kv)
    return p.returncode, steps, p.stderr


def of(steps, step, **match):
    return [s for s in steps if s["step"] == step and all(s.get(k) == v for k, v in match.items())]


def one(steps, step, **match):
    got = of(steps, step, **match)
    expect_eq(len(got), 1, f"one step={step} {match} in {steps}")
    return got[0]


def sets(steps, uid):
    """The state changes asked of one device: [(from, to, rc, errno|None, data_fd)]."""
    return [(s["from"], s["to"], s["rc"], s.get("errno"), s["data_fd"])
            for s in of(steps, "set", uuid=uid)]


class Devices:
    """Creates mtty devices through the real create attribute; removes them
    (whatever the test did) on exit."""

    def __init__(self, *types):
        self.types = types
        self.uuids = []

    def __enter__(self):
        for t in self.types:
            u = str(uuid.uuid4())
            rc, steps, err = vfio_migrate("create", t, u)
            s = one(steps, "create")
            expect_eq((rc, s["rc"], s.get("parent")), (0, "0", "mtty"), f"create {t} {u} ({err.strip()})")
            self.uuids.append(u)
        return self.uuids

    def __exit__(self, *exc):
        for u in self.uuids:
            if os.path.exists(f"{MDEV_DEVICES}/{u}"):
                rc, steps, err = vfio_migrate("remove", u)
                if exc[0] is None:
                    expect_eq((rc, one(steps, "remove")["rc"]), (0, "0"), f"remove {u} ({err.strip()})")
        return False


def attr(path):
    with open(path) as f:
        return f.read().strip()


def available(t):
    return int(attr(f"{MTTY_TYPES}/{t}/available_instances"))


# --- every kernel ---------------------------------------------------------------

def test_lifecycle():
    before = available("mtty-1")
    with Devices("mtty-1") as (a,):
        dev = f"{MDEV_DEVICES}/{a}"
        expect(os.path.isdir(dev), f"{dev} exists after create")
        expect_eq(os.path.basename(os.readlink(f"{dev}/mdev_type")), "mtty-1", "the device's mdev_type")
        expect_eq(available("mtty-1"), before - 1, "available_instances after create")
        rc, steps, _ = vfio_migrate("create", "mtty-1", a)
        s = one(steps, "create")
        expect_eq((rc, s["rc"], s.get("errno")), (1, "-1", "EEXIST"), "a second create of the same UUID")
        rc, steps, _ = vfio_migrate("remove", a)
        expect_eq((rc, one(steps, "remove")["rc"]), (0, "0"), "remove")
        expect(not os.path.exists(dev), f"{dev} gone after remove")
        expect_eq(available("mtty-1"), before, "available_instances after remove")
    rc, steps, _ = vfio_migrate("remove", a)
    s = one(steps, "remove")
    expect_eq((rc, s["rc"], s.get("errno")), (1, "-1", "ENOENT"), "remove of a removed device")


def test_open_through_group_and_container():
    with Devices("mtty-1") as (a,):
        rc, steps, err = vfio_migrate("query", a)
        o = one(steps, "open")
        group = os.path.basename(os.readlink(f"{MDEV_DEVICES}/{a}/iommu_group"))
        expect_eq((o["rc"], o["group"]), ("0", f"/dev/vfio/{group}"), f"open ({err.strip()})")
        expect(o["iommu"] in ("type1v2", "type1"), f"a type1 IOMMU backend: {o}")
        expect_eq(rc, 0, "query exit status")


def test_alongside_mdevsim():
    """mtty and the simulated vGPU are loaded together; both answer."""
    expect(os.path.isdir("/sys/module/mdevsim"), "mdevsim is loaded")
    expect(os.path.isdir("/sys/module/mtty"), "mtty is loaded")
    expect_eq(attr(f"{MDEVSIM_TYPES}/i915-GVTg_V5_4/name"), "GVTg_V5_4", "mdevsim's type still answers")
    with Devices("mtty-2") as (a,):
        expect(os.path.isdir(f"{MDEV_DEVICES}/{a}"), "an mtty device next to mdevsim")


def test_usage_errors():
    for args in (["query", "not-a-uuid"], ["set", str(uuid.uuid4()), "BOGUS"],
                 ["migrate", str(uuid.uuid4()), str(uuid.uuid4()), "--bogus"], ["create", "a/b", str(uuid.uuid4())],
                 ["frobnicate", str(uuid.uuid4())]):
        rc, steps, err = vfio_migrate(*args)
        expect_eq(rc, 2, f"exit status of vfio_migrate {' '.join(args)}")
        expect_eq(len(err.strip().splitlines()), 1, f"one-line error for {args}: {err!r}")
        expect(err.startswith("vfio_migrate: "), f"error names the program: {err!r}")
        expect_eq(steps, [], f"no step printed for {args}")


# --- kernels without mtty migration (6.1) -------------------------------------

def test_no_migration_before_6_7():
    with Devices("mtty-1", "mtty-1") as (a, b):
        rc, steps, _ = vfio_migrate("query", a)
        expect_eq(one(steps, "open")["rc"], "0", "the device opens")
        f = one(steps, "feature")
        expect_eq((f["rc"], f.get("errno")), ("-1", "ENOTTY"), "migration feature query without migration support")
        rc, steps, _ = vfio_migrate("migrate", a, b)
        expect_eq(rc, 1, "migrate exit status")
        expect_eq(of(steps, "set"), [], "no state change asked of a device without migration")
        expect_eq(one(steps, "summary")["result"], "failed", "migrate result")


# --- kernels with mtty migration (6.7+) ---------------------------------------

def test_feature_query():
    with Devices("mtty-1", "mtty-2") as (a, b):
        for u, ports in ((a, 1), (b, 2)):
            rc, steps, err = vfio_migrate("query", u)
            expect_eq(rc, 0, f"query exit status ({err.strip()})")
            f = one(steps, "feature")
            expect_eq((f["rc"], f["flags"], f["names"]), ("0", "0x7", "STOP_COPY,P2P,PRE_COPY"),
                      "mtty's migration flags")
            d = one(steps, "data_size")
            expect_eq((d["rc"], int(d["bytes"])), ("0", HEADER_BYTES + ports * PORT_BYTES),
                      f"stop-copy data size of a {ports}-port device")
            expect_eq(one(steps, "state")["state"], "RUNNING", "a new device's state")


def check_full_migration(steps, a, b, precopy):
    src, dst = sets(steps, a), sets(steps, b)
    if precopy:
        expect_eq(src, [("RUNNING", "PRE_COPY", "0", None, "yes"),
                        # the stop-copy data continue on the pre-copy fd
                        ("PRE_COPY", "STOP_COPY", "0", None, "no"),
                        ("STOP_COPY", "STOP", "0", None, "no")], "source state changes")
        pi = one(steps, "precopy_info", uuid=a)
        pre = one(steps, "read", uuid=a, phase="pre_copy")
        expect_eq((pi["rc"], int(pi["initial_bytes"]), int(pi["dirty_bytes"])), ("0", HEADER_BYTES, 0),
                  "VFIO_MIG_GET_PRECOPY_INFO in PRE_COPY")
        expect_eq(int(pre["bytes"]), int(pi["initial_bytes"]), "pre-copy bytes read == initial_bytes")
    else:
        expect_eq(src, [("RUNNING", "STOP_COPY", "0", None, "yes"),
                        ("STOP_COPY", "STOP", "0", None, "no")], "source state changes")
        expect_eq(of(steps, "read", uuid=a, phase="pre_copy"), [], "no pre-copy read")
    expect_eq(dst, [("RUNNING", "STOP", "0", None, "no"), ("STOP", "RESUMING", "0", None, "yes"),
                    ("RESUMING", "STOP", "0", None, "no"), ("STOP", "RUNNING", "0", None, "no")],
              "target state changes")
    size = int(one(steps, "data_size", uuid=a)["bytes"])
    read = sum(int(r["bytes"]) for r in of(steps, "read", uuid=a, rc="0"))
    w = one(steps, "write", uuid=b)
    expect_eq((w["rc"], int(w["bytes"]), int(w["written"])), ("0", read, read), "the target took every byte")
    expect_eq(read, size, "bytes read == the device's stop-copy data size")
    s = one(steps, "summary")
    expect_eq((s["result"], s["src_state"], s["dst_state"], int(s["bytes_read"]), int(s["bytes_written"])),
              ("ok", "STOP", "RUNNING", read, read), "summary")
    expect_eq(of(steps, "reset"), [], "no reset")


def test_migration_with_precopy():
    with Devices("mtty-1", "mtty-1") as (a, b):
        rc, steps, err = vfio_migrate("migrate", a, b)
        expect_eq(rc, 0, f"migrate exit status ({err.strip()})")
        check_full_migration(steps, a, b, precopy=True)


def test_migration_stop_copy_only():
    with Devices("mtty-2", "mtty-2") as (a, b):
        rc, steps, err = vfio_migrate("migrate", a, b, "--no-precopy")
        expect_eq(rc, 0, f"migrate exit status ({err.strip()})")
        check_full_migration(steps, a, b, precopy=False)
        expect_eq(int(one(steps, "summary")["bytes_read"]), HEADER_BYTES + 2 * PORT_BYTES, "2-port data")


def test_save_and_load_in_two_processes():
    """Source and target in different processes, like two QEMUs: the data
    go through a file, byte for byte."""
    path = "/tmp/mtty-tests-save.bin"
    with Devices("mtty-1", "mtty-1") as (a, b):
        rc, steps, err = vfio_migrate("save", a, path)
        expect_eq(rc, 0, f"save exit status ({err.strip()})")
        saved = int(one(steps, "summary")["bytes_read"])
        expect_eq(os.path.getsize(path), saved, "the file holds every byte read")
        rc, steps, err = vfio_migrate("load", b, path)
        expect_eq(rc, 0, f"load exit status ({err.strip()})")
        w = one(steps, "write", uuid=b)
        expect_eq((w["rc"], int(w["written"])), ("0", saved), "the target took every byte")
        expect_eq(one(steps, "summary")["dst_state"], "RUNNING", "target state")
    os.unlink(path)


def test_failed_resume_corrupt_header():
    """A flipped magic byte: mtty's resume write refuses the header with
    EFAULT (it still counts the bytes, so RESUMING -> STOP then succeeds)."""
    with Devices("mtty-1", "mtty-1") as (a, b):
        rc, steps, err = vfio_migrate("migrate", a, b, "--corrupt=magic")
        expect_eq(rc, 0, f"exit status: the resume failed as asked ({err.strip()})")
        w = one(steps, "write", uuid=b)
        expect_eq((w["corrupt"], w["rc"], w.get("errno"), w["written"]), ("magic", "-1", "EFAULT", "-1"),
                  "the corrupt write")
        expect_eq(one(steps, "summary")["result"], "failed", "migration result")


def test_failed_resume_truncated():
    """Half the data: every write succeeds, the device refuses RESUMING ->
    STOP with EINVAL; the program resets it as QEMU does."""
    with Devices("mtty-1", "mtty-1") as (a, b):
        rc, steps, err = vfio_migrate("migrate", a, b, "--corrupt=truncate")
        expect_eq(rc, 0, f"exit status: the resume failed as asked ({err.strip()})")
        size = int(one(steps, "data_size", uuid=a)["bytes"])
        w = one(steps, "write", uuid=b)
        expect_eq((w["rc"], int(w["written"])), ("0", size // 2), "half the data written")
        expect_eq(sets(steps, b)[-1], ("RESUMING", "STOP", "-1", "EINVAL", "no"), "the target's last state change")
        r = one(steps, "reset", uuid=b)
        expect_eq((r["why"], r["rc"], r["state"]), ("resume_failed", "0", "RUNNING"), "recovery by reset")
        expect_eq(one(steps, "summary")["result"], "failed", "migration result")


def test_failed_resume_type_mismatch():
    """1-port data into a 2-port device: the header's port count is refused."""
    with Devices("mtty-1", "mtty-2") as (a, b):
        rc, steps, err = vfio_migrate("migrate", a, b)
        expect_eq(rc, 1, f"exit status of a failed migration ({err.strip()})")
        w = one(steps, "write", uuid=b)
        expect_eq((w["rc"], w.get("errno")), ("-1", "EFAULT"), "write of another type's data")
        expect_eq(sets(steps, b)[-1], ("RESUMING", "STOP", "-1", "EINVAL", "no"), "the target's last state change")
        expect_eq(one(steps, "reset", uuid=b)["state"], "RUNNING", "the target after the reset")


def test_invalid_transitions():
    """ERROR and undefined states are refused by vfio_mig_get_next_state with
    EINVAL, and the state stays."""
    with Devices("mtty-1") as (a,):
        rc, steps, err = vfio_migrate("invalid", a)
        expect_eq(rc, 0, f"exit status: every arc refused, state kept ({err.strip()})")
        expect_eq(sets(steps, a), [("RUNNING", "ERROR", "-1", "EINVAL", "no"),
                                   ("RUNNING", "99", "-1", "EINVAL", "no")], "refused state changes")
        expect_eq([s["state"] for s in of(steps, "set", uuid=a)], ["RUNNING", "RUNNING"], "state after each")


def test_running_to_resuming_is_one_request():
    """RUNNING -> RESUMING is not an invalid arc: the kernel walks
    RUNNING_P2P and STOP itself within one SET and returns the resume fd.
    Closing the device in RESUMING would leave mtty without its resume file
    (a NULL dereference on the next RESUMING -> STOP), so vfio_migrate resets
    it first."""
    with Devices("mtty-1") as (a,):
        rc, steps, err = vfio_migrate("set", a, "RESUMING")
        expect_eq(rc, 0, f"exit status ({err.strip()})")
        expect_eq(sets(steps, a), [("RUNNING", "RESUMING", "0", None, "yes")], "one SET")
        r = one(steps, "reset", uuid=a)
        expect_eq((r["why"], r["rc"], r["state"]), ("resuming_at_close", "0", "RUNNING"), "reset before close")


def main():
    if not os.access(VFIO_MIGRATE, os.X_OK):
        print(f"FAIL mtty_setup: {VFIO_MIGRATE} missing (make build/vfio_migrate)", flush=True)
        return 1
    p = subprocess.run([LOAD_MTTY], capture_output=True, text=True)
    sys.stdout.write("".join(f"# {line}\n" for line in p.stdout.splitlines()))
    if p.returncode != 0:
        print(f"FAIL mtty_setup: {LOAD_MTTY}: {p.stderr.strip()}", flush=True)
        return 1
    tests = [("mtty_lifecycle", test_lifecycle),
             ("mtty_open_through_group_and_container", test_open_through_group_and_container),
             ("mtty_alongside_mdevsim", test_alongside_mdevsim),
             ("mtty_usage_errors", test_usage_errors)]
    if kernel_has_mtty_migration():
        tests += [("mtty_feature_query", test_feature_query),
                  ("mtty_migration_with_precopy", test_migration_with_precopy),
                  ("mtty_migration_stop_copy_only", test_migration_stop_copy_only),
                  ("mtty_save_and_load_in_two_processes", test_save_and_load_in_two_processes),
                  ("mtty_failed_resume_corrupt_header", test_failed_resume_corrupt_header),
                  ("mtty_failed_resume_truncated", test_failed_resume_truncated),
                  ("mtty_failed_resume_type_mismatch", test_failed_resume_type_mismatch),
                  ("mtty_invalid_transitions", test_invalid_transitions),
                  ("mtty_running_to_resuming_is_one_request", test_running_to_resuming_is_one_request)]
    else:
        tests += [("mtty_no_migration_before_6_7", test_no_migration_before_6_7)]
    only = sys.argv[1:]
    t0 = time.monotonic()
    for name, fn in tests:
        if not only or any(name.startswith(o) for o in only):
            run_test(name, fn)
    print(f"# mtty tests took {time.monotonic() - t0:.0f}s on {os.uname().release}", flush=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
