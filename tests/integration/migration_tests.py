#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The migration lifecycle traced (issue 12): in the VM with the kernel's
real mdev driver (mtty, tests/vm/run.sh --mtty), build/vfio_migrate does
what QEMU does and the tracer's records are compared with what the program
itself asked and got: every create, open, state change (from, to, result),
the bytes that went through the migration data file, the joined migration
record, the VM named from a libvirt-style cgroup scope, close and remove.

Every device a test uses gets fresh UUIDs, and the tests count only records
of those devices, so other activity on the machine cannot change a result.
On kernels whose mtty has no migration (before 6.7) the tracer must report
the migration feature query refused with ENOTTY and no state change.

    migration_tests.py              every test
    migration_tests.py NAME...      only the tests whose name starts so
"""
import errno
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (TestFailure, Tracer, expect, expect_eq, finish,  # noqa: E402
                     run_test)
from flood_tests import lo_up  # noqa: E402
from mtty_tests import (LOAD_MTTY, VFIO_MIGRATE, Devices, kernel_has_mtty_migration,  # noqa: E402
                        of, one, sets, vfio_migrate)

CGROUP_ROOT = "/sys/fs/cgroup"
VM_NAME = "guest-7 (db)"        # what libvirt would escape into the scope name


def lifecycle(tracer, *devices):
    """The lifecycle records of the test's own devices, in order."""
    return [r for r in tracer.lines
            if r.get("event") == "lifecycle" and r.get("device") in devices]


def migrations(tracer, *devices):
    return [r for r in tracer.lines if r.get("event") == "migration" and r.get("device") in devices]


def states(recs, dev):
    """[(from, to, errno_name or None)] of the state records of dev."""
    return [(r["from"], r["to"], r["errno_name"]) for r in recs
            if r["what"] == "state" and r["device"] == dev]


def want_sets(steps, dev):
    """What vfio_migrate asked and got, in the tracer's terms: the program
    prints undefined states as numbers, the tracer names them INVALID."""
    out = []
    for frm, to, rc, err, _ in sets(steps, dev):
        out.append((frm, to if not to.isdigit() else "INVALID", None if rc == "0" else err))
    return out


def bytes_read(steps, dev):
    return sum(int(s["bytes"]) for s in of(steps, "read", uuid=dev, rc="0"))


def check_created_opened_removed(recs, dev, pid_of):
    """create, open and remove records of dev: type, parent, process."""
    cr = [r for r in recs if r["what"] == "create" and r["device"] == dev]
    expect_eq(len(cr), 1, f"one create record of {dev}")
    expect_eq((cr[0]["type"], cr[0]["parent"], cr[0]["ret"], cr[0]["comm"]),
              ("mtty-1", "mtty", 0, "vfio_migrate"), "create record")
    if pid_of:
        expect_eq(cr[0]["pid"], pid_of, "create names the creating process")
    op = [r for r in recs if r["what"] == "open" and r["device"] == dev]
    expect(op, f"an open record of {dev}")
    expect(all(r["type"] == "mtty-1" and r["parent"] == "mtty" and r["ret"] >= 0 and r["session"] > 0
               for r in op), f"open records name the type, parent and a session: {op}")
    rm = [r for r in recs if r["what"] == "remove" and r["device"] == dev]
    expect_eq(len(rm), 1, f"one remove record of {dev}")
    expect_eq((rm[0]["type"], rm[0]["parent"], rm[0]["ret"]), ("mtty-1", "mtty", 0), "remove record")


def create(t, dev):
    p = subprocess.Popen([VFIO_MIGRATE, "create", t, dev], stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate(timeout=60)
    expect_eq(p.returncode, 0, f"create {dev}: {out}")
    return p.pid


def traced_migration(mode):
    """A full migration with pre-copy, traced in one attach mode."""
    tr = Tracer("-m", mode)
    expect(tr.start.get("lifecycle") == "mdev+vfio",
           f"the lifecycle hooks attached in {mode} mode: {tr.start}")
    import uuid
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    try:
        pid_a = create("mtty-1", a)
        create("mtty-1", b)
        p = subprocess.Popen([VFIO_MIGRATE, "migrate", a, b], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        out, err = p.communicate(timeout=120)
        expect_eq(p.returncode, 0, f"migrate ({err.strip()})")
        steps = [dict(w.split("=", 1) for w in line.split() if "=" in w) for line in out.splitlines()]
    finally:
        for u in (a, b):
            vfio_migrate("remove", u)
        recs = tr.stop()
    life = lifecycle(tr, a, b)
    check_created_opened_removed(life, a, pid_a)
    check_created_opened_removed(life, b, None)
    expect_eq(states(life, a), want_sets(steps, a), "source state changes as asked and answered")
    expect_eq(states(life, b), want_sets(steps, b), "target state changes as asked and answered")
    expect(all(r["pid"] == p.pid and r["mode"] == mode for r in life if r["what"] in ("state", "query")),
           "every state change and query names the migrating process and the mode")
    expect(all(r["from_driver"] for r in life if r["what"] == "state"),
           "mtty tells its own state (vfio_mig_get_next_state)")
    # bytes: what the source read by the end of each phase, what the target wrote
    pre = sum(int(s["bytes"]) for s in of(steps, "read", uuid=a, phase="pre_copy", rc="0"))
    total = bytes_read(steps, a)
    written = int(one(steps, "write", uuid=b)["written"])
    by_arc = {(r["device"], r["from"], r["to"]): r for r in life if r["what"] == "state"}
    expect_eq(by_arc[(a, "PRE_COPY", "STOP_COPY")]["bytes"], pre, "bytes at the end of pre-copy")
    expect_eq(by_arc[(a, "STOP_COPY", "STOP")]["bytes"], total, "bytes at the end of stop-copy")
    expect_eq(by_arc[(b, "RESUMING", "STOP")]["bytes"], written, "bytes the target resumed from")
    expect(by_arc[(a, "RUNNING", "PRE_COPY")]["data_fd"] is not None, "PRE_COPY returned a data fd")
    expect(by_arc[(b, "STOP", "RESUMING")]["data_fd"] is not None, "RESUMING returned a data fd")
    queries = [r for r in life if r["what"] == "query" and r["feature"] == "migration"]
    expect(queries and all(r["value_text"] == "stop-copy,p2p,pre-copy" for r in queries),
           f"the migration feature query and mtty's flags: {queries}")
    mig = {r["device"]: r for r in migrations(tr, a, b)}
    expect_eq(sorted(mig), sorted([a, b]), "one migration record per device")
    src, dst = mig[a], mig[b]
    expect_eq((src["role"], src["outcome"], src["path"], src["bytes"], src["errno_name"]),
              ("source", "completed", "RUNNING>PRE_COPY>STOP_COPY>STOP", total, None), "source record")
    expect_eq((dst["role"], dst["outcome"], dst["path"], dst["bytes"]),
              ("target", "completed", "RUNNING>STOP>RESUMING>STOP>RUNNING", written), "target record")
    expect_eq((src["peer_device"], dst["peer_device"]), (b, a), "source and target paired by their data")
    expect(src["stopped_ns"] > 0 and dst["stopped_ns"] > 0, "time stopped measured")
    # the target was stopped from its RUNNING -> STOP to its STOP -> RUNNING
    t0 = by_arc[(b, "RUNNING", "STOP")]["ts_ns"]
    t1 = by_arc[(b, "STOP", "RUNNING")]["ts_ns"]
    expect_eq(dst["stopped_ns"], t1 - t0, "target downtime = time between its stop and run")
    end = [r for r in recs if r.get("event") == "end"]
    expect(end and end[0]["lost_lifecycle"] == 0, f"no lifecycle record lost: {end}")


def test_traced_migration_fentry():
    traced_migration("fentry")


def test_traced_migration_kprobe():
    traced_migration("kprobe")


def test_traced_migration_syscall():
    """Syscall mode (no function hooks): the ioctl system call decoded. The
    state path, results, errnos and bytes of a real migration, a truncated
    resume and refused transitions; no create/remove/close (not seen)."""
    import uuid
    a, b, c, d = (str(uuid.uuid4()) for _ in range(4))
    tr = Tracer("-m", "syscall")
    expect_eq((tr.start.get("mode"), tr.start.get("lifecycle")), ("syscall", "vfio-syscall"),
              "syscall mode, its lifecycle from the ioctl tracepoints")
    try:
        for u in (a, b, c, d):
            create("mtty-1", u)
        rc, steps, err = vfio_migrate("migrate", a, b)
        expect_eq(rc, 0, f"migrate ({err.strip()})")
        rc, bad, err = vfio_migrate("migrate", c, d, "--corrupt=truncate")
        expect_eq(rc, 0, f"the truncated migration ran ({err.strip()})")
        rc, inval, err = vfio_migrate("invalid", a)
        expect_eq(rc, 0, f"the invalid transitions ran ({err.strip()})")
    finally:
        for u in (a, b, c, d):
            vfio_migrate("remove", u)
        recs = tr.stop()
    life = lifecycle(tr, a, b, c, d)
    for dev, st in ((a, steps + inval), (b, steps), (c, bad), (d, bad)):
        expect_eq(states(life, dev), want_sets(st, dev), f"state changes of {dev[:8]} as asked and answered")
    expect(all(r["mode"] == "syscall" and r["comm"] == "vfio_migrate" for r in life),
           "every record from the ioctl system call, naming the process")
    expect_eq(sorted({r["what"] for r in life}), ["open", "query", "state"],
              "open, query and state records; create/remove/close are not seen in syscall mode")
    expect(all(not r["from_driver"] for r in life if r["what"] == "state"),
           "no driver-reported from in syscall mode")
    failed = [(r["from"], r["to"], r["ret"]) for r in life
              if r["what"] == "state" and r["device"] == d and r["errno_name"]]
    expect_eq(failed, [("RESUMING", "STOP", -errno.EINVAL)], "the failed resume and its errno")
    expect_eq([(r["to"], r["errno_name"]) for r in life if r["what"] == "state" and r["device"] == a][-2:],
              [("ERROR", "EINVAL"), ("INVALID", "EINVAL")], "the refused transitions and their errno")
    pre = sum(int(s["bytes"]) for s in of(steps, "read", uuid=a, phase="pre_copy", rc="0"))
    by_arc = {(r["device"], r["from"], r["to"]): r for r in life if r["what"] == "state"}
    expect_eq(by_arc[(a, "PRE_COPY", "STOP_COPY")]["bytes"], pre, "bytes at the end of pre-copy")
    expect_eq(by_arc[(a, "STOP_COPY", "STOP")]["bytes"], bytes_read(steps, a), "bytes at the end of stop-copy")
    expect_eq(by_arc[(b, "RESUMING", "STOP")]["bytes"], int(one(steps, "write", uuid=b)["written"]),
              "bytes the target resumed from")
    expect(all(r["latency_ns"] > 0 for r in life if r["what"] == "state"), "latency of every change")
    end = [r for r in recs if r.get("event") == "end"]
    expect(end and end[0]["lost_lifecycle"] == 0, f"no lifecycle record lost: {end}")


def test_failed_resume_and_invalid():
    import uuid
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    tr = Tracer()
    try:
        create("mtty-1", a)
        create("mtty-1", b)
        rc, bad, err = vfio_migrate("migrate", a, b, "--corrupt=truncate")
        expect_eq(rc, 0, f"the truncated migration ran ({err.strip()})")
        rc, inval, err = vfio_migrate("invalid", a)
        expect_eq(rc, 0, f"the invalid transitions ran ({err.strip()})")
    finally:
        for u in (a, b):
            vfio_migrate("remove", u)
        tr.stop()
    life = lifecycle(tr, a, b)
    written = int(one(bad, "write", uuid=b)["written"])
    tgt = states(life, b)
    expect_eq(tgt[:len(want_sets(bad, b))], want_sets(bad, b), "target changes as asked and answered")
    failed = [r for r in life if r["what"] == "state" and r["device"] == b and r["errno_name"]]
    expect_eq([(r["from"], r["to"], r["ret"], r["bytes"]) for r in failed],
              [("RESUMING", "STOP", -errno.EINVAL, written)], "the failed resume, its errno and bytes")
    expect_eq(states(life, a)[-2:], want_sets(inval, a), "the refused transitions with their errno")
    mig = [r for r in migrations(tr, b) if r["role"] == "target"]
    expect_eq(len(mig), 1, "one target migration record")
    expect_eq((mig[0]["outcome"], mig[0]["errno_name"], mig[0]["bytes"]), ("failed", "EINVAL", written),
              "the failed migration record")
    expect(mig[0]["path"].endswith("RESUMING>STOP(EINVAL)"), f"the failed arc in the path: {mig[0]['path']}")
    refused = [r for r in migrations(tr, a) if r["role"] == "none"]
    expect_eq([(r["outcome"], r["errno_name"]) for r in refused], [("failed", "EINVAL")],
              "the session with only refused changes")


def test_vm_named_from_cgroup():
    """A process in a libvirt-named scope: every record names the VM."""
    import uuid
    scope = "machine-qemu\\x2d7\\x2d" + VM_NAME.replace("-", "\\x2d").replace(" ", "\\x20") + ".scope"
    cg = os.path.join(CGROUP_ROOT, "machine.slice", scope)
    os.makedirs(cg, exist_ok=True)
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    tr = Tracer()
    try:
        create("mtty-1", a)
        create("mtty-1", b)
        p = subprocess.run(["sh", "-c", f"echo $$ > '{cg}/cgroup.procs' && exec {VFIO_MIGRATE} migrate {a} {b}"],
                           capture_output=True, text=True, timeout=120)
        expect_eq(p.returncode, 0, f"migrate in the scope ({p.stderr.strip()})")
    finally:
        for u in (a, b):
            vfio_migrate("remove", u)
        tr.stop()
    life = lifecycle(tr, a, b)
    in_vm = [r for r in life if r["what"] in ("open", "state", "query", "close")]
    expect(in_vm, "records of the migrating process")
    expect(all(r["vm"] == VM_NAME and r["unit"] == scope for r in in_vm),
           f"VM name and scope in every record: {[(r['vm'], r['unit']) for r in in_vm][:3]}")
    expect(all(r["vm"] is None for r in life if r["what"] in ("create", "remove")),
           "create/remove came from a process outside the scope")
    mig = migrations(tr, a, b)
    expect(len(mig) == 2 and all(r["vm"] == VM_NAME for r in mig), "migration records name the VM")
    os.rmdir(cg)


def test_metrics_of_migrations():
    import socket
    import uuid
    lo_up()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    lo_up()
    tr = Tracer("--metrics-addr", f"127.0.0.1:{port}")
    try:
        create("mtty-1", a)
        create("mtty-1", b)
        rc, steps, err = vfio_migrate("migrate", a, b)
        expect_eq(rc, 0, f"migrate ({err.strip()})")
        deadline = time.monotonic() + 30
        text = ""
        while time.monotonic() < deadline:
            text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
            if 'mdevver_migrations_total{outcome="completed",mdev_type="mtty-1"} 2' in text:
                break
            time.sleep(0.5)
    finally:
        for u in (a, b):
            vfio_migrate("remove", u)
        tr.stop()
    expect('mdevver_migrations_total{outcome="completed",mdev_type="mtty-1"} 2\n' in text,
           "two completed migrations of mtty-1 (source and target)")
    expect("mdevver_migration_downtime_seconds_count 2\n" in text, "downtime histogram counts both")
    total = bytes_read(steps, a)
    expect(f"mdevver_migration_bytes_sum {2 * total}\n" in text, f"bytes histogram sums {2 * total}")
    expect("guest" not in text and a not in text, "no device or VM names in metrics")


POLICY_MIGRATE = ("deny op=migrate state=RESUMING comm!=vfio_migrate name=resume-vmm-only\n"
                  "audit op=migrate state=RESUMING type=mtty-1 name=resume-audit\n")


def policy_migrate(dry_run):
    """A migrate rule refusing RESUMING to every process but vfio_migrate
    (the VM manager here): the other one, named "intruder", gets EPERM from
    the real ioctl (dry run: would-deny, and it goes through); the state
    records carry the verdict and the rule."""
    import uuid
    from enforce_tests import Enforcer
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    en = None
    try:
        create("mtty-1", a)
        create("mtty-1", b)
        en = Enforcer(POLICY_MIGRATE, dry_run=dry_run)
        start = [r for r in en.records if r.get("event") == "start"]
        expect(start and start[0].get("lifecycle") == "mdev+vfio",
               f"enforce attached the lifecycle hooks: {start}")
        rc_i, st_i, err_i = vfio_migrate("--comm", "intruder", "set", b, "STOP", "RESUMING")
        rc_v, st_v, err_v = vfio_migrate("set", a, "STOP", "RESUMING")
        en.wait_for(lambda r: r.get("event") == "lifecycle" and r.get("what") == "state"
                    and r.get("device") == a and r.get("to") == "RESUMING", what="vfio_migrate's RESUMING")
        en.wait_for(lambda r: r.get("event") == "lifecycle" and r.get("what") == "state"
                    and r.get("device") == b and r.get("to") == "RESUMING", what="the intruder's RESUMING")
    finally:
        if en:
            en.stop()
        for u in (a, b):
            vfio_migrate("remove", u)
    # what the programs got from the kernel
    res = one(st_i, "set", uuid=b, to="RESUMING")
    if dry_run:
        expect_eq((rc_i, res["rc"], res["state"]), (0, "0", "RESUMING"),
                  f"dry run: the intruder's RESUMING went through ({err_i.strip()})")
    else:
        expect_eq((rc_i, res["rc"], res.get("errno"), res["state"]), (1, "-1", "EPERM", "STOP"),
                  "the intruder's RESUMING refused with EPERM, the device left in STOP")
    expect_eq(rc_v, 0, f"vfio_migrate's own RESUMING went through ({err_v.strip()} {st_v})")
    expect_eq([s["rc"] for s in of(st_v, "set", uuid=a)], ["0"] * 2, "every change of vfio_migrate ok")
    # what the tracer recorded
    life = [r for r in en.records if r.get("event") == "lifecycle" and r.get("what") == "state"]
    intr = [r for r in life if r["device"] == b]
    expect_eq([(r["from"], r["to"], r["comm"]) for r in intr],
              [("RUNNING", "STOP", "intruder"), ("STOP", "RESUMING", "intruder")],
              "the intruder's two changes, each recorded once")
    stop, resume = intr
    expect_eq((stop["judged"], stop.get("verdict"), stop["judged_to"], stop["target_changed"]),
              (True, None, "STOP", False), "RUNNING -> STOP judged, no rule")
    if dry_run:
        expect_eq((resume["mode"], resume["ret"], resume["verdict"], resume["rule"], resume["action"]),
                  ("fentry", 0, "would-deny", "resume-vmm-only", "deny"),
                  "dry run: the intruder's RESUMING would be denied, and went through")
    else:
        expect_eq((resume["mode"], resume["ret"], resume["errno_name"], resume["verdict"], resume["rule"],
                   resume["action"], resume["judged_to"]),
                  ("lsm", -errno.EPERM, "EPERM", "denied", "resume-vmm-only", "deny", "RESUMING"),
                  "the intruder's RESUMING: refused by the permission hook, with its rule")
    expect_eq(resume["type"], "mtty-1", "the refused change names the device's type")
    own = [r for r in life if r["device"] == a]
    expect_eq([(r["from"], r["to"], r["ret"], r["comm"]) for r in own],
              [("RUNNING", "STOP", 0, "vfio_migrate"), ("STOP", "RESUMING", 0, "vfio_migrate")],
              "vfio_migrate's changes, all allowed")
    expect(all(r["judged"] and not r["target_changed"] and not r.get("unjudged") for r in own),
           f"each judged, with the target the kernel used: {own}")
    expect_eq([(r["to"], r.get("verdict"), r.get("rule")) for r in own],
              [("STOP", None, None), ("RESUMING", "audit", "resume-audit")],
              "vfio_migrate's RESUMING marked by the audit rule only")


def test_policy_migrate_enforced():
    policy_migrate(False)


def test_policy_migrate_dry_run():
    policy_migrate(True)


def test_no_migration_before_6_7():
    """mtty without migration: the tracer reports the refused query."""
    import uuid
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    tr = Tracer()
    try:
        create("mtty-1", a)
        create("mtty-1", b)
        rc, steps, _ = vfio_migrate("migrate", a, b)
        expect_eq(rc, 1, "migrate fails without migration support")
    finally:
        for u in (a, b):
            vfio_migrate("remove", u)
        tr.stop()
    expect_eq(tr.start.get("lifecycle"), "mdev+vfio", "the lifecycle hooks attach on this kernel too")
    life = lifecycle(tr, a, b)
    q = [r for r in life if r["what"] == "query" and r["feature"] == "migration"]
    expect(q, "the migration feature query is traced")
    expect(all(r["ret"] == -errno.ENOTTY and r["errno_name"] == "ENOTTY" for r in q),
           f"refused with ENOTTY: {q}")
    expect_eq([r for r in life if r["what"] == "state"], [], "no state change")
    expect_eq(migrations(tr, a, b), [], "no migration record")
    check_created_opened_removed(life, a, None)


def main():
    if not os.access(VFIO_MIGRATE, os.X_OK):
        print(f"FAIL migration_setup: {VFIO_MIGRATE} missing", flush=True)
        return 1
    p = subprocess.run([LOAD_MTTY], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"FAIL migration_setup: {LOAD_MTTY}: {p.stderr.strip()}", flush=True)
        return 1
    if kernel_has_mtty_migration():
        tests = [("migration_traced_fentry", test_traced_migration_fentry),
                 ("migration_traced_kprobe", test_traced_migration_kprobe),
                 ("migration_traced_syscall", test_traced_migration_syscall),
                 ("migration_failed_resume_and_invalid", test_failed_resume_and_invalid),
                 ("migration_vm_named_from_cgroup", test_vm_named_from_cgroup),
                 ("migration_metrics", test_metrics_of_migrations),
                 ("migration_policy_enforced", test_policy_migrate_enforced),
                 ("migration_policy_dry_run", test_policy_migrate_dry_run)]
    else:
        tests = [("migration_not_available", test_no_migration_before_6_7)]
    only = sys.argv[1:]
    for name, fn in tests:
        if not only or any(name.startswith(o) for o in only):
            run_test(name, fn)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
