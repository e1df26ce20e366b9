#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Enforcement tests, run inside the VM on a real kernel with BPF LSM and the
simulated vGPU (tests/kmod/mdevsim.c).

Every test starts the real `mdevver-trace enforce`, makes real reads and
writes through every path the kernel offers, and asserts on the errno the
writer got and the event the tool reported for it.

    enforce_tests.py            the full suite (BPF LSM active)
    enforce_tests.py --no-lsm   the VM was booted without bpf in lsm=
"""
import errno
import json
import mmap
import os
import select
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BIN, REPO, TestFailure, byte_string, expect, expect_eq,  # noqa: E402
                     finish, read_attr, run, run_test, write_attr)

# the simulated vGPU's layout, as the tracer tests know it
from vm_tests import DECOY, DECOY_TEXT, MDEV_DIR, PARENT, TYPES  # noqa: E402
V54 = f"{TYPES}/i915-GVTg_V5_4/version"
V58 = f"{TYPES}/i915-GVTg_V5_8/version"
V52 = f"{TYPES}/i915-GVTg_V5_2/version"
MIG54 = f"{TYPES}/i915-GVTg_V5_4/migration_version"
MIG_DEV = f"{MDEV_DIR}/migration_version"
VIA_LINK = f"{MDEV_DIR}/mdev_type/version"   # the same node as V54

SELF54 = b"00028086-193b-i915-GVTg_V5_4\n"       # compatible with V54
SELF58 = b"00028086-193b-i915-GVTg_V5_8\n"       # compatible with V58
SELF52 = b"00028086-193b-i915-GVTg_V5_2\n"       # same length, other type
MIG_SELF = b"8086-193b-i915-GVTg_V5_4-00000001\n"
WRITERS = os.path.join(REPO, "build", "writers")
PIN_DIR = "/sys/fs/bpf/mdevver"
POLICY_DIR = "/run/mdevver-policies"


def q(b):
    """A policy value: the bytes, quoted, without the trailing newline."""
    return '"' + b.rstrip(b"\n").decode() + '"'


def policy_file(text, name="test.policy", mode=0o644, uid=0):
    os.makedirs(POLICY_DIR, exist_ok=True)
    path = os.path.join(POLICY_DIR, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.chown(tmp, uid, 0)
    os.chmod(tmp, mode)
    os.rename(tmp, path)   # a reload never sees half a file
    return path


class Enforcer:
    """`mdevver-trace enforce --json` in the background, read as it runs."""

    def __init__(self, text, *args, dry_run=False, pin=False, name="test.policy"):
        self.path = policy_file(text, name)
        self.args = [BIN, "enforce", "--policy", self.path, "--json", *args]
        if dry_run:
            self.args.append("--dry-run")
        if pin:
            self.args.append("--pin")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.records = []
        self.buf = b""
        self.stderr = ""
        rec = self.wait_for(lambda r: r.get("event") == "enforce", timeout=120,
                            what="the policy in force")
        expect(rec.get("error") is None, f"policy loaded: {rec}")
        self.gen = rec["generation"]

    def _pump(self, deadline):
        fd = self.proc.stdout.fileno()
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            return False
        chunk = os.read(fd, 65536)
        if not chunk:
            return False
        self.buf += chunk
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            try:
                self.records.append(json.loads(line))
            except ValueError as e:
                raise TestFailure(f"output line is not JSON ({e}): {line[:200]!r}")
        return True

    def wait_for(self, pred, start=0, timeout=15, what="a record"):
        deadline = time.monotonic() + timeout
        i = start
        while True:
            while i < len(self.records):
                if pred(self.records[i]):
                    return self.records[i]
                i += 1
            if not self._pump(deadline):
                if self.proc.poll() is not None:
                    err = self.proc.stderr.read().decode(errors="replace")
                    raise TestFailure(f"enforce exited ({self.proc.returncode}) waiting for "
                                      f"{what}: {err.strip()}")
                raise TestFailure(f"no {what} within {timeout}s "
                                  f"(last records: {[r.get('event') for r in self.records[-5:]]})")

    def mark(self):
        return len(self.records)

    def event_after(self, start, path, op="check", pid=None, what=None):
        pid = os.getpid() if pid is None else pid
        return self.wait_for(lambda r: r.get("event") == op and r.get("path") == path
                             and r.get("pid") == pid, start=start,
                             what=what or f"{op} event on {path} by {pid}")

    def reload(self, text, expect_error=False):
        start = self.mark()
        policy_file(text)
        self.proc.send_signal(signal.SIGHUP)
        # a liveness deadline, not a measure: under four writers on a
        # loaded CI machine (two VMs side by side) the reload passed 60 s
        rec = self.wait_for(lambda r: r.get("event") == "enforce", start=start,
                            timeout=180, what="the reload's enforce record")
        if expect_error:
            expect(rec.get("error"), f"reload rejected: {rec}")
        else:
            expect(rec.get("error") is None, f"reload accepted: {rec}")
            self.gen = rec["generation"]
        return rec

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=120)
        self.stderr = err.decode(errors="replace")
        for line in (self.buf + out).splitlines():
            self.records.append(json.loads(line))
        expect_eq(self.proc.returncode, 0, f"enforce exit code (stderr: {self.stderr.strip()})")
        return self.records

    def kill9(self):
        self.proc.kill()
        self.proc.communicate(timeout=60)


def pwrite_attr(path, data):
    fd = os.open(path, os.O_WRONLY)
    try:
        return os.pwrite(fd, data, 0), 0
    except OSError as e:
        return -1, e.errno
    finally:
        os.close(fd)


def writev_attr(path, pieces, pos=None):
    fd = os.open(path, os.O_WRONLY)
    try:
        if pos is None:
            return os.writev(fd, pieces), 0
        return os.pwritev(fd, pieces, pos), 0
    except OSError as e:
        return -1, e.errno
    finally:
        os.close(fd)


def in_child(fn):
    """Run fn() in a forked child; returns what it wrote to the pipe (json)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            res = fn()
        except BaseException as e:  # report, never fall back into the test
            res = {"exception": repr(e)}
        os.write(w, json.dumps(res).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        c = os.read(r, 65536)
        if not c:
            break
        data += c
    os.close(r)
    os.waitpid(pid, 0)
    return json.loads(data), pid


def expect_denied(ev, rule, what, data=None):
    expect_eq(ev["outcome"], "denied", f"{what}: outcome")
    expect_eq(ev["verdict"], "denied", f"{what}: verdict")
    expect_eq(ev["rule"], rule, f"{what}: rule")
    expect_eq(ev["action"], "deny", f"{what}: action")
    expect_eq(ev["errno_name"], "EPERM", f"{what}: errno_name")
    expect_eq(ev["mode"], "lsm", f"{what}: reported by the permission hook")
    if data is not None:
        expect_eq(byte_string(ev["bytes"]), data, f"{what}: the bytes judged")


def expect_allowed(ev, outcome, what):
    expect_eq(ev["outcome"], outcome, f"{what}: outcome")
    expect(ev.get("verdict") in (None, "audit"), f"{what}: no deny verdict: {ev.get('verdict')}")


# ---- tests -------------------------------------------------------------------

def check_case(en, text, do, path, want_err, rule=None, op="check", verdict=None,
               pid=None, data=None):
    """Reload text, run do(), assert the errno and the event."""
    en.reload(text)
    start = en.mark()
    res = do()
    err = res[1] if isinstance(res, tuple) else res
    what = f"{text.strip()!r}: {op} {path}"
    expect_eq(err, want_err, f"{what}: errno seen by the caller")
    ev = en.event_after(start, path, op=op, pid=pid)
    if want_err == errno.EPERM:
        expect_denied(ev, rule, what, data)
    elif verdict == "audit":
        expect_eq(ev["verdict"], "audit", f"{what}: verdict")
        expect_eq(ev["rule"], rule, f"{what}: rule")
        expect_eq(ev["action"], "audit", f"{what}: action")
    else:
        expect(ev.get("verdict") is None, f"{what}: no verdict, got {ev.get('verdict')}")
    return ev


def test_keys_and_actions():
    en = Enforcer("audit op=check name=baseline\n")
    try:
        me = os.getpid()
        w = lambda p, d: (lambda: write_attr(p, d))  # noqa: E731
        # remote: exact, prefix (trailing newline ignored), audit
        check_case(en, f"deny remote={q(SELF54)} name=r-exact\n", w(V54, SELF54), V54,
                   errno.EPERM, "r-exact", data=SELF54)
        check_case(en, f"deny remote={q(SELF54)} name=r-exact\n", w(V54, SELF58), V54,
                   errno.EINVAL)
        check_case(en, f"deny remote={q(SELF54)} name=r-exact\n",
                   w(V54, SELF54.rstrip(b"\n")), V54, errno.EPERM, "r-exact")
        check_case(en, "deny remote=00028086-193b-i915-GVTg_V5_4* name=r-prefix\n",
                   w(V54, SELF54), V54, errno.EPERM, "r-prefix")
        check_case(en, "deny remote=00028086-193b-i915-GVTg_V5_4* name=r-prefix\n",
                   w(V58, SELF58), V58, 0)
        ev = check_case(en, "audit remote=00028086* name=a-prefix\n", w(V54, SELF54), V54, 0,
                        "a-prefix", verdict="audit")
        expect_eq(ev["outcome"], "compatible", "audit: the driver's outcome stays")
        expect_eq(ev["ret"], len(SELF54), "audit: the write went through")
        # deny beats audit; the first rule of an action names the verdict
        check_case(en, "audit remote=00028086* name=first\ndeny type=i915-GVTg_V5_4 name=second\n"
                   "deny remote=00028086* name=third\n", w(V54, SELF54), V54, errno.EPERM, "second")
        # local: the device's own string (exact, prefix)
        check_case(en, f"deny local={q(SELF54)} name=l-exact\n", w(V54, SELF58), V54,
                   errno.EPERM, "l-exact")
        check_case(en, f"deny local={q(SELF54)} name=l-exact\n", w(V58, SELF58), V58, 0)
        check_case(en, "deny local=00028086-193b-i915-GVTg_V5_8* name=l-prefix\n",
                   w(V58, SELF58), V58, errno.EPERM, "l-prefix")
        check_case(en, "deny local=00028086-193b-i915-GVTg_V5_8* name=l-prefix\n",
                   w(V54, SELF54), V54, 0)
        # type, parent, attr
        check_case(en, "deny type=i915-GVTg_V5_8 name=t\n", w(V58, SELF58), V58, errno.EPERM, "t")
        check_case(en, "deny type=i915-GVTg_V5_8 name=t\n", w(V54, SELF54), V54, 0)
        check_case(en, f"deny parent={PARENT} attr=migration_version name=pa\n",
                   w(MIG54, MIG_SELF), MIG54, errno.EPERM, "pa")
        check_case(en, f"deny parent={PARENT} attr=migration_version name=pa\n",
                   w(V54, SELF54), V54, 0)
        check_case(en, "deny parent=0000:00:03.0 name=other-parent\n", w(V54, SELF54), V54, 0)
        # the mdev device's own attribute: type through its mdev_type link
        check_case(en, "deny type=i915-GVTg_V5_4 attr=migration_version name=dev-type\n",
                   w(MIG_DEV, MIG_SELF), MIG_DEV, errno.EPERM, "dev-type")
        # op=read: reads become enforceable; rules without op judge checks only
        check_case(en, "deny op=read attr=version name=rd\n", lambda: read_attr(V54), V54,
                   errno.EPERM, "rd", op="read")
        check_case(en, "deny op=read attr=version name=rd\n", lambda: read_attr(MIG54), MIG54,
                   0, op="read")
        check_case(en, "deny attr=version name=checks-only\n", lambda: read_attr(V54), V54,
                   0, op="read")
        # comm, and its negation (only one daemon may check)
        check_case(en, "deny comm=python3 name=c\n", w(V54, SELF54), V54, errno.EPERM, "c")
        check_case(en, "deny op=check comm!=libvirtd name=only-libvirtd\n", w(V54, SELF54),
                   V54, errno.EPERM, "only-libvirtd")

        def as_libvirtd():
            with open("/proc/self/comm", "w") as f:
                f.write("libvirtd")
            return write_attr(V54, SELF54)
        en.reload("deny op=check comm!=libvirtd name=only-libvirtd\n")
        start = en.mark()
        res, child = in_child(as_libvirtd)
        expect_eq(res, [len(SELF54), 0], "comm!=libvirtd: libvirtd's check goes through")
        ev = en.event_after(start, V54, pid=child)
        expect_eq(ev["comm"], "libvirtd", "the child's comm")
        expect_allowed(ev, "compatible", "libvirtd's check")
        # uid, and its negation: the fd is opened as root, the write made as 1000
        check_case(en, "deny uid=0 name=u\n", w(V54, SELF54), V54, errno.EPERM, "u")
        check_case(en, "deny uid!=0 name=not-root\n", w(V54, SELF54), V54, 0)

        def as_uid_1000():
            fd = os.open(V54, os.O_WRONLY)
            os.setuid(1000)
            try:
                return [os.write(fd, SELF54), 0]
            except OSError as e:
                return [-1, e.errno]
        en.reload("deny uid!=0 name=not-root\n")
        start = en.mark()
        res, child = in_child(as_uid_1000)
        expect_eq(res, [-1, errno.EPERM], "uid!=0: uid 1000 is refused")
        ev = en.event_after(start, V54, pid=child)
        expect_denied(ev, "not-root", "uid 1000's check")
        expect_eq(ev["uid"], 1000, "uid in the event")
        # cgroup (v2 directory), and its negation
        cg_root = "/sys/fs/cgroup"
        if not os.path.exists(f"{cg_root}/cgroup.procs"):
            os.makedirs(cg_root, exist_ok=True)
            subprocess.run(["mount", "-t", "cgroup2", "none", cg_root], check=True)
        cg = f"{cg_root}/mdevtest"
        os.makedirs(cg, exist_ok=True)
        cg_id = os.stat(cg).st_ino

        def in_cgroup():
            with open(f"{cg}/cgroup.procs", "w") as f:
                f.write(str(os.getpid()))
            return write_attr(V54, SELF54)
        for text, want in ((f"deny cgroup={cg} name=cg\n", errno.EPERM),
                           (f"deny cgroup!={cg_id} name=not-cg\n", 0)):
            en.reload(text)
            start = en.mark()
            res, child = in_child(in_cgroup)
            expect_eq(res[1], want, f"{text.strip()}: errno in the cgroup")
            ev = en.event_after(start, V54, pid=child)
            expect_eq(ev["cgroup_id"], cg_id, "cgroup id in the event")
        check_case(en, f"deny cgroup={cg} name=cg\n", w(V54, SELF54), V54, 0)
        check_case(en, f"deny cgroup!={cg_id} name=not-cg\n", w(V54, SELF54), V54,
                   errno.EPERM, "not-cg")
        expect_eq(me, os.getpid(), "still the test process")
    finally:
        en.stop()


def test_dry_run():
    en = Enforcer(f"deny remote={q(SELF54)} name=r\naudit type=i915-GVTg_V5_8 name=a\n"
                  "deny op=read attr=migration_version name=rd\n", dry_run=True)
    try:
        start = en.mark()
        expect_eq(write_attr(V54, SELF54), (len(SELF54), 0), "dry run: nothing is refused")
        ev = en.event_after(start, V54)
        expect_eq(ev["outcome"], "would-deny", "dry run: outcome")
        expect_eq(ev["verdict"], "would-deny", "dry run: verdict")
        expect_eq(ev["rule"], "r", "dry run: rule")
        expect_eq(ev["driver_outcome"], "compatible", "dry run: what the driver said")
        expect(ev["mode"] in ("fentry", "kprobe"), f"dry run: judged at the store ({ev['mode']})")
        start = en.mark()
        expect_eq(write_attr(V58, SELF58), (len(SELF58), 0), "dry run: audit")
        ev = en.event_after(start, V58)
        expect_eq((ev["verdict"], ev["rule"], ev["outcome"]), ("audit", "a", "compatible"),
                  "dry run: audit verdict")
        start = en.mark()
        data, err = read_attr(MIG54)
        expect_eq(err, 0, "dry run: read allowed")
        ev = en.event_after(start, MIG54, op="read")
        expect_eq((ev["verdict"], ev["rule"]), ("would-deny", "rd"), "dry run: read rule")
    finally:
        en.stop()


def test_scope_decoy():
    """One scope: rules that match every check and read of this process
    judge the mdev attributes and nothing else -- the decoy (a `version`
    on the parent device, in no mdev layout) is neither refused nor
    reported, enforcing or in a dry run."""
    rules = "deny comm=python3 name=all-checks\ndeny op=read comm=python3 name=all-reads\n"
    for dry in (False, True):
        what = "dry run" if dry else "enforcing"
        en = Enforcer(rules, dry_run=dry)
        try:
            expect_eq(read_attr(DECOY), (DECOY_TEXT, 0), f"{what}: decoy read not judged")
            expect_eq(write_attr(DECOY, SELF54), (len(SELF54), 0),
                      f"{what}: decoy write not judged")
            start = en.mark()
            want = (len(SELF54), 0) if dry else (-1, errno.EPERM)
            expect_eq(write_attr(V54, SELF54), want, f"{what}: the mdev attribute is judged")
            ev = en.event_after(start, V54)
            expect_eq((ev["verdict"], ev["rule"], ev.get("scope")),
                      ("would-deny" if dry else "denied", "all-checks", "mdev-type"),
                      f"{what}: the mdev check's verdict")
            start = en.mark()
            data, err = read_attr(MIG_DEV)
            expect_eq(err, 0 if dry else errno.EPERM, f"{what}: the mdev device's read judged")
            ev = en.event_after(start, MIG_DEV, op="read")
            expect_eq((ev["verdict"], ev["rule"], ev.get("scope")),
                      ("would-deny" if dry else "denied", "all-reads", "mdev-device"),
                      f"{what}: the mdev read's verdict")
        finally:
            recs = en.stop()
        decoy = [r for r in recs if r.get("path") == DECOY]
        expect_eq(decoy, [], f"{what}: no record of the decoy")
        unjudged = [r for r in recs if r.get("event") in ("check", "read")
                    and r.get("pid") == os.getpid() and "verdict" not in r]
        expect_eq(unjudged, [], f"{what}: every reported call of this process was judged")


def test_write_paths():
    """Every way of writing reaches the same decision (the kernfs node)."""
    en = Enforcer(f"deny remote={q(SELF54)} type=i915-GVTg_V5_4 name=self\n")
    try:
        def one(label, fn, path, want_err, fail_closed=None, data=None):
            start = en.mark()
            ret, err = fn()
            expect_eq(err, want_err, f"{label}: errno")
            ev = en.event_after(start, path)
            if want_err == errno.EPERM:
                expect_denied(ev, "self", label, data)
                if fail_closed is not None:
                    expect_eq(ev["fail_closed"], fail_closed, f"{label}: why it failed closed")
            return ev
        one("write", lambda: write_attr(V54, SELF54), V54, errno.EPERM, [], SELF54)
        one("pwrite", lambda: pwrite_attr(V54, SELF54), V54, errno.EPERM, [], SELF54)
        one("writev", lambda: writev_attr(V54, [SELF54[:5], SELF54[5:17], SELF54[17:]]),
            V54, errno.EPERM, [], SELF54)
        one("pwritev", lambda: writev_attr(V54, [SELF54[:10], SELF54[10:]], pos=0),
            V54, errno.EPERM, [], SELF54)
        one("writev, allowed", lambda: writev_attr(V54, [SELF52[:10], SELF52[10:]]),
            V54, errno.EINVAL)
        # the same node through the mdev device's mdev_type link
        one("symlink", lambda: write_attr(VIA_LINK, SELF54), V54, errno.EPERM, [], SELF54)

        # a page never touched: the hook cannot read it, the deny fails closed
        def untouched():
            m = mmap.mmap(-1, 4096)
            fd = os.open(V54, os.O_WRONLY)
            try:
                return os.write(fd, memoryview(m)[:29]), 0
            except OSError as e:
                return -1, e.errno
            finally:
                os.close(fd)
        one("page not present", untouched, V54, errno.EPERM, ["remote-page-not-present"])

        # no user buffer at all: io_uring, sendfile, splice fail closed
        r = run([WRITERS, "io_uring", V54, SELF52.decode()], timeout=60)
        expect_eq(r.stdout.strip(), f"ret={-errno.EPERM}",
                  f"io_uring: refused even for an allowed string (stderr {r.stderr.strip()})")
        # io_uring writes to a sysfs file from one of its worker threads
        ev = en.wait_for(lambda e: e.get("event") == "check" and
                         (e.get("comm") == "writers" or e.get("comm", "").startswith("iou-")),
                         what="the io_uring check event")
        expect_denied(ev, "self", "io_uring")
        expect_eq(ev["fail_closed"], ["remote-no-user-buffer"], "io_uring: why")

        def sendfile():
            with tempfile.TemporaryFile() as src:
                src.write(SELF54)
                src.flush()
                fd = os.open(V54, os.O_WRONLY)
                try:
                    return os.sendfile(fd, src.fileno(), 0, len(SELF54)), 0
                except OSError as e:
                    return -1, e.errno
                finally:
                    os.close(fd)
        one("sendfile", sendfile, V54, errno.EPERM, ["remote-no-user-buffer"])

        def splice():
            rp, wp = os.pipe()
            os.write(wp, SELF54)
            fd = os.open(V54, os.O_WRONLY)
            try:
                return os.splice(rp, fd, len(SELF54)), 0
            except OSError as e:
                return -1, e.errno
            finally:
                for x in (fd, rp, wp):
                    os.close(x)
        one("splice", splice, V54, errno.EPERM, ["remote-no-user-buffer"])

        # a second sysfs mount in another mount namespace: same node
        start = en.mark()
        sh = ("mount -t sysfs sysfs /mnt && "
              f"printf '{SELF54.decode().strip()}\\n' > /mnt/devices/mdevsim/{PARENT}"
              "/mdev_supported_types/i915-GVTg_V5_4/version; echo rc=$?")
        r = run(["unshare", "-m", "sh", "-c", sh], timeout=60)
        expect("rc=1" in r.stdout, f"second sysfs mount: refused ({r.stdout.strip()} "
               f"{r.stderr.strip()})")
        ev = en.wait_for(lambda e: e.get("event") == "check" and e.get("comm") == "sh",
                         start=start, what="the check through the second mount")
        expect_denied(ev, "self", "second sysfs mount", SELF54)
    finally:
        en.stop()


def test_racing_writer():
    """A writer flipping its buffer between the permission check and the
    kernel's copy never gets 'compatible' for the denied string: it is
    killed at the store."""
    # every write is an event: a big ring, so the one that matters is not lost
    en = Enforcer(f"deny remote={q(SELF54)} name=self\n", "--ringbuf", "256M")
    try:
        killed = 0
        for attempt in range(6):
            start = en.mark()
            r = subprocess.run([WRITERS, "race", V54, SELF54.decode(), SELF52.decode(), "8"],
                               capture_output=True, text=True, timeout=120)
            expect(r.returncode != 3, f"race: a denied string was answered compatible: {r.stdout}")
            if r.returncode == -signal.SIGKILL:
                killed += 1
                ev = en.wait_for(lambda e: e.get("verdict") == "killed", start=start,
                                 timeout=120, what="the killed check's event")
                expect_eq(ev["outcome"], "denied", "killed: outcome")
                expect_eq(ev["rule"], "self", "killed: rule")
                expect_eq(byte_string(ev["bytes"]), SELF54, "killed: the kernel's copy")
                break
            expect_eq(r.returncode, 0, f"race ended normally: {r.stdout} {r.stderr}")
        expect(killed, "the race was won at least once in 6 tries of 8 s "
               "(the store-time re-check killed the writer)")
    finally:
        en.stop()
    # every check event: the driver never said compatible to the denied string
    for ev in en.records:
        if ev.get("event") == "check" and byte_string(ev["bytes"]) == SELF54:
            expect(ev["outcome"] == "denied",
                   f"a check of the denied string was reported {ev['outcome']}")


RELOADS = 6     # each reload takes seconds under TCG with 4 writers (~20 s seen)


def test_reload_under_writers():
    """Four writers while the policy is swapped RELOADS times: each reload
    is confirmed by its "enforce" record, and every writer is seen writing
    between consecutive confirmations (so every swap happened under writes);
    the string denied by every version is never answered, the one allowed by
    all never refused.  Nothing depends on how many reloads fit in a time
    window: the test waits (with a deadline) for what it asserts."""
    filler1 = "".join(f"deny remote=\"filler-a-{i}\" name=fa{i}\n" for i in range(2000))
    filler2 = "".join(f"audit remote=\"filler-b-{i}*\" name=fb{i}\n" for i in range(50))
    p1 = f"deny remote={q(SELF54)} name=always-1\n{filler1}"
    p2 = f"{filler2}deny remote={q(SELF54)} name=always-2\n"
    # A writer writes until its stdin closes and publishes how many writes
    # it completed in a shared counter file (8 bytes, native order).
    script = (
        "import mmap, os, select, struct, sys, time\n"
        "path, data, want, ctr = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), sys.argv[4]\n"
        "f = open(ctr, 'r+b'); m = mmap.mmap(f.fileno(), 8)\n"
        "bad = n = 0\n"
        "seen = {}\n"
        "fd = os.open(path, os.O_WRONLY)\n"
        "while not select.select([0], [], [], 0)[0]:\n"
        "    time.sleep(0.002)\n"
        "    try:\n"
        "        os.write(fd, data); e = 0\n"
        "    except OSError as x:\n"
        "        e = x.errno\n"
        "    n += 1\n"
        "    m[0:8] = struct.pack('Q', n)\n"
        "    bad += e != want\n"
        "    if e != want:\n"
        "        seen[e] = seen.get(e, 0) + 1\n"
        "print(n, bad, repr(seen).replace(' ', ''))\n")
    en = Enforcer(p1)
    procs, counters = [], []
    tmp = tempfile.mkdtemp(prefix="mdevver-reload-")

    def counts():
        return [struct.unpack("Q", c[0:8])[0] for c in counters]

    def wait_all_wrote_since(base, what, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            now = counts()
            if all(a > b for a, b in zip(now, base)):
                return now
            for i, p in enumerate(procs):
                expect(p.poll() is None, f"writer {i} still running ({what})")
            if time.monotonic() > deadline:
                raise TestFailure(f"not every writer wrote {what} within {timeout}s "
                                  f"(counters {base} -> {now})")
            en._pump(time.monotonic() + 0.02)   # keep the enforcer's output flowing

    try:
        for i, (path, data, want) in enumerate(((V54, SELF54, errno.EPERM),
                                                (V54, SELF54, errno.EPERM),
                                                (V58, SELF58, 0), (V58, SELF58, 0))):
            cpath = os.path.join(tmp, f"writer{i}")
            with open(cpath, "wb") as f:
                f.write(bytes(8))
            cf = open(cpath, "r+b")
            counters.append(mmap.mmap(cf.fileno(), 8))
            cf.close()
            procs.append(subprocess.Popen([sys.executable, "-c", script, path, data.decode(),
                                           str(want), cpath], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, text=True))
        last = wait_all_wrote_since([0] * len(procs), "before the first reload")
        during = []     # writes made while each reload was in flight (information)
        for k in range(RELOADS):
            # every writer wrote since the previous confirmation ...
            last = wait_all_wrote_since(last, f"before reload {k + 1}")
            sent = counts()
            en.reload(p2 if k % 2 == 0 else p1)     # ... then SIGHUP, confirmed
            confirmed = counts()
            during.append(sum(confirmed) - sum(sent))
            last = confirmed
        # ... and after the last one: every swap lies between writes
        wait_all_wrote_since(last, f"after reload {RELOADS}")
        for p in procs:
            p.stdin.close()             # the writers' signal to stop
        results = []
        for p in procs:
            results.append(p.stdout.read().split())
            p.wait(timeout=120)
        print(f"# {RELOADS} reloads confirmed, each between writes of all 4 writers; "
              f"writes while a reload was in flight: {during}", flush=True)
        for i, (n, bad, seen) in enumerate(results):
            expect(int(n) > RELOADS, f"writer {i} wrote across the reloads ({n} writes)")
            expect_eq(int(bad), 0, f"writer {i}: answers other than expected, of {n} "
                      f"(errno: count {seen})")
        # a bad file keeps the previous policy
        rec = en.reload("deny colour=red\n", expect_error=True)
        expect(rec["error"].endswith("test.policy:1:6: unknown key 'colour' (keys: remote local "
                                     "type parent attr op comm uid cgroup state name)"),
               f"reload error names the line: {rec['error']}")
        expect_eq(write_attr(V54, SELF54), (-1, errno.EPERM), "after a bad reload: old rules hold")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for c in counters:
            c.close()
        shutil.rmtree(tmp, ignore_errors=True)
        en.stop()
    expect("reload of" in en.stderr and "rejected, the previous policy stays" in en.stderr,
           f"stderr says the reload was rejected: {en.stderr[-300:]}")


def test_pin_kill9_restart():
    run([BIN, "unpin"], timeout=30)
    try:
        pin_kill9_restart()
    finally:
        run([BIN, "unpin"], timeout=30)


def pin_kill9_restart():
    en = Enforcer(f"deny remote={q(SELF54)} name=pinned\n", pin=True)
    st = os.stat(PIN_DIR)
    expect_eq(stat.S_IMODE(st.st_mode), 0o700, "pin dir mode")
    names = sorted(os.listdir(PIN_DIR))
    expect("link_lsm_file_permission" in names and "rules" in names,
           f"links and maps pinned: {names}")
    for n in names:
        expect_eq(stat.S_IMODE(os.stat(f"{PIN_DIR}/{n}").st_mode), 0o600, f"{n} mode")
    en.kill9()
    # nobody runs: the kernel still refuses, and the event waits in the ring
    expect_eq(write_attr(V54, SELF54), (-1, errno.EPERM), "after kill -9: still enforced")
    r = run([BIN, "probes"], timeout=300)
    expect("pinned enforcement: on" in r.stdout, f"probes shows the pinned state: {r.stdout[-300:]}")
    r = run([BIN, "enforce", "--policy", policy_file("deny op=read name=x\n", "other.policy"),
             "-d", "1"], timeout=120)
    expect(r.returncode == 1 and "use --pin to adopt it" in r.stderr,
           f"without --pin: refused ({r.returncode}, {r.stderr.strip()})")
    # adopt, with a changed policy
    en2 = Enforcer(f"deny remote={q(SELF54)} name=pinned\ndeny remote={q(SELF58)} name=new\n",
                   pin=True)
    try:
        ev = en2.wait_for(lambda e: e.get("event") == "check" and e.get("rule") == "pinned",
                          what="the check made while no process ran")
        own = [(e.get("event"), e.get("path")) for e in en2.records
               if e.get("pid") == en2.proc.pid]
        expect(not own, f"the adopting process does not report its own reads: {own[:5]}")
        expect_eq(ev["outcome"], "denied", "queued event: outcome")
        expect_eq(write_attr(V58, SELF58), (-1, errno.EPERM), "the adopted state has the new rule")
        expect_eq(write_attr(V54, SELF54), (-1, errno.EPERM), "and the old one")
    finally:
        en2.stop()
    expect("adopted the pinned state" in en2.stderr, f"says it adopted: {en2.stderr.strip()}")
    expect_eq(write_attr(V54, SELF54), (-1, errno.EPERM), "clean exit with --pin: still enforced")
    r = run([BIN, "unpin"], timeout=30)
    expect_eq(r.returncode, 0, f"unpin: {r.stderr}")
    expect(not os.path.exists(PIN_DIR), "unpin removed the directory")
    expect_eq(write_attr(V54, SELF54), (len(SELF54), 0), "after unpin: nothing enforced")


def test_bad_policies():
    cases = [
        ("deny colour=red\n", "bad.policy:1:6: unknown key 'colour'"),
        ("deny op=write\n", "bad.policy:1:9: invalid op 'write': expected check, read or migrate"),
        ("deny type!=x\n", "bad.policy:1:6: '!=' is only for process keys (comm, uid, cgroup)"),
        ("deny op=check name=a\ndeny op=read name=a\n", "bad.policy:2:"),
        ("allow op=check\n", "bad.policy:1:1:"),
        ("deny remote=" + "x" * 300 + "*\n",
         "bad.policy:1: remote prefix of 300 bytes: prefix rules take at most 251 bytes"),
    ]
    for text, msg in cases:
        path = policy_file(text, "bad.policy")
        r = run([BIN, "enforce", "--policy", path, "-d", "1"], timeout=120)
        expect_eq(r.returncode, 1, f"{text.strip()[:40]!r}: exit code")
        lines = r.stderr.splitlines()
        expect(len(lines) == 1 and lines[0].startswith(f"mdevver-trace: {POLICY_DIR}/{msg}"),
               f"{text.strip()[:40]!r}: one line naming FILE:LINE: {r.stderr.strip()!r}")
    expect_eq(write_attr(V54, SELF54), (len(SELF54), 0), "nothing half-loaded")


def test_unsafe_policy_files():
    text = "deny op=read name=x\n"
    for mode, uid, msg in ((0o664, 0, "writable by group (mode 0664): chmod go-w"),
                           (0o646, 0, "writable by others (mode 0646)"),
                           (0o644, 1000, "owned by uid 1000, not root")):
        path = policy_file(text, "unsafe.policy", mode=mode, uid=uid)
        for extra in ([], ["--dry-run"]):
            r = run([BIN, "enforce", "--policy", path, *extra, "-d", "1"], timeout=120)
            expect_eq(r.returncode, 1, f"mode {mode:o} uid {uid} {extra}: exit code")
            expect(f"unsafe policy file {path}: {msg}" in r.stderr,
                   f"mode {mode:o} uid {uid}: says why: {r.stderr.strip()}")
    r = run([BIN, "enforce", "--policy", POLICY_DIR, "-d", "1"], timeout=60)
    expect(r.returncode == 1 and "not a regular file" in r.stderr, f"a directory: {r.stderr}")
    r = run(["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", BIN, "enforce",
             "--policy", policy_file(text), "-d", "1"], timeout=60)
    expect(r.returncode == 1 and "insufficient privileges" in r.stderr,
           f"non-root: refused ({r.returncode}: {r.stderr.strip()})")


def test_usage_errors():
    for args, msg in ((["enforce"], "--policy FILE is required"),
                      (["enforce", "--policy", "x", "-p", "1"], "invalid option -- 'p'"),
                      (["enforce", "--policy", "x", "-x"], "invalid option -- 'x'"),
                      (["unpin", "extra"], "unexpected argument 'extra'"),
                      (["enforce", "--policy", "x", "--bogus"], "unrecognized option")):
        r = run([BIN, *args], timeout=30)
        expect_eq(r.returncode, 2, f"{args}: exit 2")
        expect(msg in r.stderr, f"{args}: names the problem: {r.stderr.strip()}")


def test_no_lsm():
    """Booted without bpf in lsm=: enforce refuses and says how; dry run works."""
    path = policy_file(f"deny remote={q(SELF54)} name=r\n")
    r = run([BIN, "enforce", "--policy", path, "-d", "1"], timeout=120)
    expect_eq(r.returncode, 1, "enforce without BPF LSM: exit code")
    lines = r.stderr.strip().splitlines()
    expect(len(lines) == 1 and "BPF LSM is not active (active LSMs: " in lines[0]
           and "add bpf to the lsm= boot parameter" in lines[0]
           and "--dry-run works without it" in lines[0],
           f"one line that says how: {r.stderr.strip()}")
    en = Enforcer(f"deny remote={q(SELF54)} name=r\n", dry_run=True)
    try:
        start = en.mark()
        expect_eq(write_attr(V54, SELF54), (len(SELF54), 0), "dry run: allowed")
        ev = en.event_after(start, V54)
        expect_eq((ev["outcome"], ev["rule"]), ("would-deny", "r"), "dry run without LSM")
    finally:
        en.stop()
    r = run([BIN, "probes"], timeout=300)
    expect("bpf lsm: not active" in r.stdout, f"probes: {r.stdout[:300]}")


def main():
    if "--no-lsm" in sys.argv:
        run_test("enforce_no_lsm", test_no_lsm)
        return finish()
    run_test("enforce_usage_errors", test_usage_errors)
    run_test("enforce_keys_and_actions", test_keys_and_actions)
    run_test("enforce_dry_run", test_dry_run)
    run_test("enforce_scope_decoy", test_scope_decoy)
    run_test("enforce_write_paths", test_write_paths)
    run_test("enforce_racing_writer", test_racing_writer)
    run_test("enforce_reload_under_writers", test_reload_under_writers)
    run_test("enforce_pin_kill9_restart", test_pin_kill9_restart)
    run_test("enforce_bad_policies", test_bad_policies)
    run_test("enforce_unsafe_policy_files", test_unsafe_policy_files)
    run([BIN, "unpin"], timeout=30)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
