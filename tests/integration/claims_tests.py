#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Claims of the README, docs/ and the man page that had no test of their
own (issue 15, item 5), each checked through the real binary inside the VM
(tests/vm/run.sh) on a real kernel with the simulated vGPU
(tests/kmod/mdevsim.c).  Only the simulated device's mdev attributes are
read and written; a test that counts traces only its own process (-p) or
checks that every record it counts is its own.

    claims_tests.py             every test
    claims_tests.py NAME...     only the tests whose name starts with NAME
"""
import ctypes
import errno
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BIN, TestFailure, Tracer, byte_string, expect,  # noqa: E402
                     expect_eq, finish, read_attr, run, run_test, write_attr)
from vm_tests import MDEV_DIR, PARENT, TYPES, set_param  # noqa: E402
from enforce_tests import (Enforcer, expect_denied, policy_file,  # noqa: E402
                           q, writev_attr)
from metrics_tests import promtool_ok, samples, scrape  # noqa: E402
from flood_tests import Bg, lo_up  # noqa: E402
from audit_tests import fill, small_tmpfs  # noqa: E402

V54 = f"{TYPES}/i915-GVTg_V5_4/version"
V58 = f"{TYPES}/i915-GVTg_V5_8/version"
NAME54 = f"{TYPES}/i915-GVTg_V5_4/name"          # an mdev attribute not watched by default
NAME58 = f"{TYPES}/i915-GVTg_V5_8/name"
API54 = f"{TYPES}/i915-GVTg_V5_4/device_api"
SELF54 = b"00028086-193b-i915-GVTg_V5_4\n"       # compatible with V54
SELF58 = b"00028086-193b-i915-GVTg_V5_8\n"
SELF52 = b"00028086-193b-i915-GVTg_V5_2\n"       # same length, incompatible with V54
# helpers built with the binary under test (make BUILD=... writers flood)
WRITERS = os.path.join(os.path.dirname(BIN), "writers")
WORK = "/tmp/claims-tests"
ME = str(os.getpid())


def my_events(records, op=None, path=None):
    return [r for r in records if r.get("event") in ("check", "read")
            and r.get("pid") == os.getpid()
            and (op is None or r["event"] == op) and (path is None or r.get("path") == path)]


def text_lines(out, pid=os.getpid()):
    """Event lines of text output by process pid, each with the verbose
    lines that follow it: [(fields, line, [verbose lines])]."""
    res = []
    for line in out.splitlines():
        if line.startswith("    ") and res:
            res[-1][2].append(line)
            continue
        f = line.split()
        if len(f) >= 7 and f[1] == str(pid) and f[3] in ("check", "read"):
            res.append((f, line, []))
        elif not line.startswith("    "):
            res.append((None, line, []))      # another line: ends the verbose block
    return [r for r in res if r[0] is not None]


class TextRun:
    """The real binary with text output, stdout and stderr in files (a pipe
    nobody reads could stall it); started once stderr says `ready`."""

    def __init__(self, args, name, ready):
        os.makedirs(WORK, exist_ok=True)
        self.out_path = os.path.join(WORK, f"{name}.stdout")
        self.err_path = os.path.join(WORK, f"{name}.stderr")
        with open(self.out_path, "wb") as o, open(self.err_path, "wb") as e:
            self.proc = subprocess.Popen([BIN, *args], stdout=o, stderr=e,
                                         stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 180
        while ready not in self.stderr():
            if self.proc.poll() is not None:
                raise TestFailure(f"{args} exited ({self.proc.returncode}): "
                                  f"{self.stderr().strip()[-600:]}")
            if time.monotonic() > deadline:
                self.proc.kill()
                raise TestFailure(f"{args}: no {ready!r} on stderr within 180s: "
                                  f"{self.stderr().strip()[-600:]}")
            time.sleep(0.1)

    def stderr(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def stdout(self):
        with open(self.out_path, errors="replace") as f:
            return f.read()

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise TestFailure("did not stop within 120s of SIGINT")
        expect_eq(rc, 0, f"exit code (stderr: {self.stderr().strip()[-400:]})")
        return self.stdout()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# ---- 1. enforcement in kprobe mode; the dry run in every mode --------------------

def test_enforce_kprobe_store_recheck():
    """enforce -m kprobe: the permission hook refuses a denied string, and
    the store's re-check (kretprobe on sysfs_kf_write) kills a writer that
    flips its buffer to the denied string after the permission check."""
    en = Enforcer(f"deny remote={q(SELF54)} name=self\n", "-m", "kprobe", "--ringbuf", "256M")
    try:
        start_rec = [r for r in en.records if r.get("event") == "start"]
        expect_eq([r.get("mode") for r in start_rec], ["kprobe"], "start record: kprobe mode")
        start = en.mark()
        expect_eq(write_attr(V54, SELF54), (-1, errno.EPERM), "kprobe mode: denied string refused")
        expect_denied(en.event_after(start, V54), "self", "kprobe mode: refused check", SELF54)
        start = en.mark()
        expect_eq(write_attr(V54, SELF52), (-1, errno.EINVAL), "kprobe mode: other string allowed")
        ev = en.event_after(start, V54)
        expect_eq((ev["mode"], ev["outcome"], ev.get("verdict")), ("kprobe", "incompatible", None),
                  "kprobe mode: the allowed check, seen at the store")
        killed = None
        for attempt in range(6):
            start = en.mark()
            r = subprocess.run([WRITERS, "race", V54, SELF54.decode(), SELF52.decode(), "8"],
                               capture_output=True, text=True, timeout=120)
            expect(r.returncode != 3, f"race: a denied string was answered compatible: {r.stdout}")
            if r.returncode == -signal.SIGKILL:
                killed = en.wait_for(lambda e: e.get("verdict") == "killed", start=start,
                                     timeout=120, what="the killed check's event")
                break
            expect_eq(r.returncode, 0, f"race ended normally: {r.stdout} {r.stderr}")
        expect(killed is not None, "the race was won at least once in 6 tries of 8 s "
               "(the store-time re-check in kprobe mode killed the writer)")
        expect_eq((killed["mode"], killed["outcome"], killed["rule"]), ("kprobe", "denied", "self"),
                  "killed: judged at the store by the kprobe, outcome, rule")
        expect_eq(byte_string(killed["bytes"]), SELF54, "killed: the kernel's copy")
    finally:
        en.stop()
    for ev in en.records:
        if ev.get("event") == "check" and byte_string(ev["bytes"]) == SELF54:
            expect_eq(ev["outcome"], "denied", "no check of the denied string got another outcome")


def test_dry_run_mode(mode):
    """enforce --dry-run -m MODE: nothing refused; a deny match is reported
    as would-deny by MODE's own probe, with the driver's outcome; an audit
    match as audit; a read rule judges reads."""
    en = Enforcer(f"deny remote={q(SELF54)} name=r\naudit type=i915-GVTg_V5_8 name=a\n"
                  "deny op=read attr=version name=rd\n", "-m", mode, dry_run=True)
    try:
        expect_eq([r.get("mode") for r in en.records if r.get("event") == "start"], [mode],
                  "start record mode")
        st = [r for r in en.records if r.get("event") == "enforce"]
        expect_eq((st[0]["state"], st[0]["rules"]), ("dry-run", 3), "enforce record")
        start = en.mark()
        expect_eq(write_attr(V54, SELF54), (len(SELF54), 0), f"{mode} dry run: nothing refused")
        ev = en.event_after(start, V54)
        expect_eq((ev["mode"], ev["outcome"], ev["verdict"], ev["rule"], ev["action"],
                   ev["driver_outcome"], ev["ret"]),
                  (mode, "would-deny", "would-deny", "r", "deny", "compatible", len(SELF54)),
                  f"{mode} dry run: would-deny event")
        start = en.mark()
        expect_eq(write_attr(V58, SELF54), (-1, errno.EINVAL), f"{mode} dry run: audit, allowed")
        ev = en.event_after(start, V58)
        expect_eq((ev["mode"], ev["outcome"], ev["verdict"], ev["rule"]),
                  (mode, "would-deny", "would-deny", "r"), f"{mode}: deny beats audit")
        expect_eq(ev["driver_outcome"], "incompatible", f"{mode}: the driver's answer kept")
        start = en.mark()
        expect_eq(write_attr(V58, SELF58), (len(SELF58), 0), f"{mode} dry run: audit only")
        ev = en.event_after(start, V58)
        expect_eq((ev["mode"], ev["outcome"], ev["verdict"], ev["rule"]),
                  (mode, "compatible", "audit", "a"), f"{mode}: audit verdict")
        start = en.mark()
        data, err = read_attr(V54)
        expect_eq((data, err), (SELF54, 0), f"{mode} dry run: read allowed")
        ev = en.event_after(start, V54, op="read")
        expect_eq((ev["mode"], ev["verdict"], ev["rule"], ev["driver_outcome"]),
                  (mode, "would-deny", "rd", "ok"), f"{mode}: read rule")
    finally:
        en.stop()


# ---- 2. fail-closed reasons ---------------------------------------------------------

def test_fail_closed_longer_than_a_page():
    """The hook reads at most one page and 8 vector pieces: beyond that a
    deny rule on the bytes fails closed (even for an allowed string)."""
    en = Enforcer(f"deny remote={q(SELF54)} name=self\n")
    try:
        def one(label, fn, want_err, fail_closed):
            start = en.mark()
            ret, err = fn()
            expect_eq(err, want_err, f"{label}: errno")
            ev = en.event_after(start, V54)
            if want_err == errno.EPERM:
                expect_denied(ev, "self", label)
                expect_eq(ev["fail_closed"], fail_closed, f"{label}: fail_closed")
                expect_eq((ev["unreadable"], ev["bytes"]), (True, ""),
                          f"{label}: the bytes were not judged")
            else:
                expect(ev.get("verdict") is None, f"{label}: no verdict ({ev.get('verdict')})")
            return ev
        big = SELF52 + b"x" * (4097 - len(SELF52))
        one("write of 4097 bytes", lambda: write_attr(V54, big), errno.EPERM,
            ["remote-longer-than-a-page"])
        one("write of 4096 bytes (judged: allowed)", lambda: write_attr(V54, big[:4096]),
            errno.EINVAL, None)
        ten = [SELF52[i:i + 3] for i in range(0, 27, 3)] + [SELF52[27:]]
        expect_eq((len(ten), b"".join(ten)), (10, SELF52), "pieces")
        one("writev of 10 pieces", lambda: writev_attr(V54, ten), errno.EPERM,
            ["remote-longer-than-a-page"])
        eight = [SELF52[i:i + 4] for i in range(0, 28, 4)] + [SELF52[28:]]  # 8 pieces
        expect_eq((len(eight), b"".join(eight)), (8, SELF52), "pieces")
        one("writev of 8 pieces (judged: allowed)", lambda: writev_attr(V54, eight),
            errno.EINVAL, None)
    finally:
        en.stop()


def test_fail_closed_local_not_learned():
    """A deny rule on the device's own string fails closed while that
    string is unknown (here: the start scan's read got ENODEV), and enforce
    learns it after such a refusal, so later checks are judged on facts."""
    set_param("gen", 11)        # reads of version answer ENODEV: nothing to learn
    try:
        en = Enforcer(f"deny local={q(SELF58)} name=local-58\n")
    finally:
        set_param("gen", 9)
    try:
        start = en.mark()
        expect_eq(write_attr(V54, SELF54), (-1, errno.EPERM), "local unknown: refused")
        ev = en.event_after(start, V54)
        expect_denied(ev, "local-58", "local unknown")
        expect_eq(ev["fail_closed"], ["local-not-learned"], "fail_closed")
        # enforce re-scans (at most once a second) after such a refusal:
        # the same check, repeated, is judged on V54's own string then
        deadline = time.monotonic() + 60
        tries = 1
        while True:
            start = en.mark()
            ret, err = write_attr(V54, SELF54)
            tries += 1
            ev = en.event_after(start, V54)
            if err != errno.EPERM:
                break
            expect_eq(ev["fail_closed"], ["local-not-learned"], "refused only for want of it")
            expect(time.monotonic() < deadline, f"V54's string learned within 60 s "
                   f"({tries} checks refused)")
            time.sleep(0.2)
        expect_eq((ret, err), (len(SELF54), 0), "once learned: V54's own string is not "
                  "V58's, the check reaches the driver")
        expect(ev.get("verdict") is None, f"judged on facts: no verdict ({ev.get('verdict')})")
        print(f"# local learned after {tries - 1} refused checks", flush=True)
        start = en.mark()
        expect_eq(write_attr(V58, SELF54), (-1, errno.EPERM), "V58's own string: denied")
        ev = en.event_after(start, V58)
        expect_denied(ev, "local-58", "V58 by its own string")
        expect_eq(ev["fail_closed"], [], "V58 judged on its learned string")
    finally:
        en.stop()


# the bpf(2) commands and the attribute layouts the injection below needs
BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_GET_FD_BY_ID = 1, 2, 14
SYS_BPF = 321       # x86-64


class MapElemAttr(ctypes.Structure):
    _fields_ = [("map_fd", ctypes.c_uint32), ("pad", ctypes.c_uint32),
                ("key", ctypes.c_uint64), ("value", ctypes.c_uint64),
                ("flags", ctypes.c_uint64)]


class GetFdAttr(ctypes.Structure):
    _fields_ = [("map_id", ctypes.c_uint32), ("next_id", ctypes.c_uint32),
                ("open_flags", ctypes.c_uint32)]


def _bpf(cmd, attr):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    r = libc.syscall(ctypes.c_long(SYS_BPF), ctypes.c_int(cmd), ctypes.byref(attr),
                     ctypes.c_uint(ctypes.sizeof(attr)))
    if r < 0:
        raise OSError(ctypes.get_errno(), f"bpf cmd {cmd}")
    return r


def set_judges_busy(map_id, value_size, busy):
    """Mark every scratch slot of the judgements held (busy=1) or free,
    through the map: struct judge begins with its __u32 busy."""
    fd = _bpf(BPF_MAP_GET_FD_BY_ID, GetFdAttr(map_id=map_id))
    try:
        for k in range(64):
            key = ctypes.c_uint32(k)
            val = ctypes.create_string_buffer(value_size)
            a = MapElemAttr(map_fd=fd, key=ctypes.addressof(key), value=ctypes.addressof(val))
            _bpf(BPF_MAP_LOOKUP_ELEM, a)
            val[0:4] = (1 if busy else 0).to_bytes(4, "little")
            _bpf(BPF_MAP_UPDATE_ELEM, a)
    finally:
        os.close(fd)


def test_fail_closed_no_judgement_slot():
    """No free judgement slot: the check is refused without a rule, the
    event says no-judgement-slot, the exit summary counts it.  Eight
    judgements preempted at once on one CPU cannot be arranged from user
    space, so the slots are held through the map (bpf(2)) instead."""
    en = Enforcer(f"deny remote={q(SELF54)} name=self\n")
    try:
        r = run(["bpftool", "-j", "map", "show"], timeout=60)
        expect_eq(r.returncode, 0, f"bpftool map show: {r.stderr.strip()}")
        judges = [m for m in json.loads(r.stdout) if m.get("name") == "judges"
                  and en.proc.pid in [p.get("pid") for p in m.get("pids", [])]]
        if not judges:
            judges = [m for m in json.loads(r.stdout) if m.get("name") == "judges"]
        expect_eq(len(judges), 1, f"one judges map (the enforcer's): {judges}")
        mid, vsize = judges[0]["id"], judges[0]["bytes_value"]
        set_judges_busy(mid, vsize, True)
        try:
            start = en.mark()
            r1 = write_attr(V54, SELF52)
            r2 = write_attr(V58, SELF58)
        finally:
            set_judges_busy(mid, vsize, False)
        expect_eq((r1, r2), ((-1, errno.EPERM), (-1, errno.EPERM)),
                  "no slot: refused, even allowed strings")
        for path in (V54, V58):
            ev = en.event_after(start, path)
            expect_eq((ev["outcome"], ev["verdict"], ev["mode"], ev["errno_name"]),
                      ("denied", "denied", "lsm", "EPERM"), f"{path}: refused by the hook")
            expect_eq(ev["rule"], "(none: failed closed)", f"{path}: no rule")
            expect_eq(ev["fail_closed"], ["no-judgement-slot"], f"{path}: fail_closed")
        expect_eq(write_attr(V54, SELF52), (-1, errno.EINVAL), "slots free again: judged")
        expect_eq(write_attr(V54, SELF54), (-1, errno.EPERM), "and the rule holds")
    finally:
        en.stop()
    expect("2 checks refused without a judgement" in en.stderr,
           f"exit summary counts them: {en.stderr.strip()[-400:]}")


# ---- 3. the verdict at the end of a text line ---------------------------------------

def test_text_verdict_suffix():
    """Text output of enforce: a line a rule matched ends with the verdict,
    the rule and each fact a deny rule lacked."""
    pol = policy_file(f"deny remote={q(SELF54)} name=gvt-bug-1234\n"
                      "audit type=i915-GVTg_V5_8 name=v5_8-checks\n", "text.policy")
    t = TextRun(["enforce", "--policy", pol, "-m", "fentry"], "text-enforce", "enforcing ")
    try:
        res = [write_attr(V54, SELF54), write_attr(V58, SELF58), write_attr(V54, SELF52),
               write_attr(V54, b"y" * 5000)]
        expect_eq(res, [(-1, errno.EPERM), (len(SELF58), 0), (-1, errno.EINVAL),
                        (-1, errno.EPERM)], "what the writer got")
        deadline = time.monotonic() + 30
        while len(text_lines(t.stdout())) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        out = t.stop()
    finally:
        t.kill()
    lines = [ln for _, ln, _ in text_lines(out)]
    expect_eq(len(lines), 4, f"four lines of this process: {out!r}")
    want = [
        ("denied", "EPERM", '"00028086-193b-i915-GVTg_V5_4\\n" [denied rule=gvt-bug-1234]'),
        ("compatible", "-", '"00028086-193b-i915-GVTg_V5_8\\n" [audit rule=v5_8-checks]'),
        ("incompatible", "EINVAL", '"00028086-193b-i915-GVTg_V5_2\\n"'),
        ("denied", "EPERM", '"" (unreadable) [denied rule=gvt-bug-1234 '
                            'fail-closed:remote-longer-than-a-page]'),
    ]
    for line, (outcome, errname, tail) in zip(lines, want):
        f = line.split()
        expect_eq((f[3], f[5], f[6]), ("check", outcome, errname), f"columns of {line!r}")
        expect(line.endswith(tail), f"line ends with {tail!r}: {line!r}")
    expect("[" not in lines[2], f"no verdict where no rule matched: {lines[2]!r}")


def test_text_verdict_dry_run():
    pol = policy_file(f"deny remote={q(SELF54)} name=gvt-bug-1234\n", "text.policy")
    t = TextRun(["enforce", "--policy", pol, "--dry-run", "-m", "syscall"], "text-dry",
                "enforcing ")
    try:
        expect_eq(write_attr(V54, SELF54), (len(SELF54), 0), "dry run: allowed")
        deadline = time.monotonic() + 30
        while not text_lines(t.stdout()) and time.monotonic() < deadline:
            time.sleep(0.1)
        out = t.stop()
    finally:
        t.kill()
    lines = [ln for _, ln, _ in text_lines(out)]
    expect_eq(len(lines), 1, f"one line of this process: {out!r}")
    f = lines[0].split()
    expect_eq((f[3], f[5], f[6]), ("check", "would-deny", "-"), f"columns: {lines[0]!r}")
    expect(lines[0].endswith('"00028086-193b-i915-GVTg_V5_4\\n" [would-deny rule=gvt-bug-1234]'),
           f"would-deny suffix: {lines[0]!r}")


# ---- 4. -a NAME ------------------------------------------------------------------------

def test_attr_limits():
    """-a: 14 names besides the two defaults (16 in all), each 1 to 63
    bytes without '/'; anything else is one line and exit 2."""
    names = [f"extra{i}" for i in range(15)]
    cases = [
        (sum((["-a", n] for n in names), []), "too many attribute names (-a 'extra14'): at most 14 -a names besides version "
         "and migration_version"),
        (["-a", "x" * 64], "invalid attribute name '" + "x" * 64 + "': 1 to 63 characters"),
        (["-a", ""], "invalid attribute name '': 1 to 63 characters"),
        (["-a", "a/b"], "invalid attribute name 'a/b'"),
    ]
    for args, msg in cases:
        for cmd in ([], ["enforce", "--policy", "/nonexistent.policy"]):
            r = run([BIN, *cmd, *args, "-d", "1"], timeout=60)
            what = f"{' '.join(cmd)} {args[:2]}...({len(args) // 2} -a)"
            expect_eq(r.returncode, 2, f"{what}: exit code ({r.stderr.strip()})")
            first = r.stderr.splitlines()[0] if r.stderr else ""
            expect(first.startswith("mdevver-trace") and msg in first,
                   f"{what}: first stderr line names the problem: {first!r}")


def test_attr_traced():
    """-a name: the type's `name` attribute (mdev layout) is traced like
    version, with 13 more names (16 in all, one of 63 bytes); an attribute
    not named stays unseen."""
    fillers = [f"filler{i}" for i in range(12)] + ["z" * 63]
    args = ["-m", "fentry", "-p", ME, "-a", "name"]
    for n in fillers:
        args += ["-a", n]
    t = Tracer(*args)
    got = [read_attr(NAME54), read_attr(API54), read_attr(V54)]
    t.stop()
    expect_eq([e for _, e in got], [0, 0, 0], "reads answered")
    evs = my_events(t.lines)
    expect_eq([(e["event"], e["path"], e["attr"]) for e in evs],
              [("read", NAME54, "name"), ("read", V54, "version")],
              "the -a attribute and version traced, device_api not")
    ev = evs[0]
    expect_eq((byte_string(ev["bytes"]), ev["parent"], ev["mdev_type"], ev["outcome"]),
              (got[0][0], PARENT, "i915-GVTg_V5_4", "ok"), "the -a attribute's event")


def test_attr_learning_scan():
    """enforce -a name: the start scan learns the `name` attributes' own
    strings too, so a deny on local judges reads of them on facts."""
    own54, err = read_attr(NAME54)
    expect_eq(err, 0, "read V5_4/name")
    own58, _ = read_attr(NAME58)
    expect(own54 != own58, f"two different strings: {own54!r} {own58!r}")
    en = Enforcer(f"deny op=read attr=name local={q(own54)} name=by-local\n", "-a", "name")
    try:
        start = en.mark()
        expect_eq(read_attr(NAME54), (None, errno.EPERM), "V5_4/name: denied by its own string")
        ev = en.event_after(start, NAME54, op="read")
        expect_denied(ev, "by-local", "read of V5_4/name")
        expect_eq(ev["fail_closed"], [], "judged on the learned string, not failed closed")
        start = en.mark()
        expect_eq(read_attr(NAME58), (own58, 0), "V5_8/name: its own string is another")
        ev = en.event_after(start, NAME58, op="read")
        expect(ev.get("verdict") is None, f"V5_8/name: no verdict ({ev.get('verdict')})")
    finally:
        en.stop()


# ---- 5. syscall mode: pread64, -v; --no-vendor -------------------------------------------

def test_syscall_pread_verbose():
    """-m syscall -v: pread64 at an offset is a read of what it returned;
    every event line is followed by its detail line (mode syscall, no
    vendor view in this mode)."""
    t = TextRun(["-m", "syscall", "-v", "-p", ME, "-a", "name"], "syscall-v",
                "tracing in syscall mode")
    try:
        fd = os.open(V54, os.O_RDONLY)
        try:
            part = os.pread(fd, 4096, 9)            # pread64
        finally:
            os.close(fd)
        fd = os.open(NAME54, os.O_RDONLY)
        try:
            name = os.pread(fd, 4096, 0)
        finally:
            os.close(fd)
        ret = write_attr(V54, SELF58)
        deadline = time.monotonic() + 30
        while len(text_lines(t.stdout())) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        out = t.stop()
    finally:
        t.kill()
    expect_eq((part, ret), (SELF54[9:], (-1, errno.EINVAL)), "what the caller got")
    evs = text_lines(out)
    expect_eq(len(evs), 3, f"three events of this process: {out!r}")
    want = [("read", V54, "version", "ok", "-", len(part), part),
            ("read", NAME54, "name", "ok", "-", len(name), name),
            ("check", V54, "version", "incompatible", "EINVAL", -errno.EINVAL, SELF58)]
    for (f, line, verbose), (op, path, attr, outcome, errname, r, data) in zip(evs, want):
        expect_eq((f[3], f[5], f[6]), (op, outcome, errname), f"columns: {line!r}")
        shown = '"' + data.decode().replace("\n", "\\n") + '"'
        expect(line.endswith(shown), f"bytes {shown}: {line!r}")
        expect_eq(len(verbose), 1, f"one detail line, no vendor line: {verbose}")
        m = re.fullmatch(r"    path=(\S+) attr=(\S+) mode=(\S+) ret=(-?\d+) len=(\d+) "
                         r"latency=([\d.]+)us tid=(\d+) ppid=(\d+) uid=(\d+) gid=(\d+) "
                         r"cgroup=(\d+)", verbose[0])
        expect(m is not None, f"detail line format: {verbose[0]!r}")
        expect_eq(m.groups()[:5], (path, attr, "syscall", str(r), str(len(data))),
                  f"detail of {line!r}")
        expect_eq(m.group(7), ME, "tid")
        expect_eq(m.group(8), str(os.getppid()), "ppid")
        expect(float(m.group(6)) > 0, f"latency measured: {verbose[0]!r}")


def test_verbose_vendor_view():
    """-vv in fentry mode: the detail line and the vendor view line; libbpf's
    debug messages on stderr."""
    t = TextRun(["-m", "fentry", "-vv", "-p", ME], "fentry-vv", "tracing in fentry mode")
    try:
        ret = write_attr(V54, SELF58)
        deadline = time.monotonic() + 30
        while not text_lines(t.stdout()) and time.monotonic() < deadline:
            time.sleep(0.1)
        out = t.stop()
    finally:
        t.kill()
    expect_eq(ret, (-1, errno.EINVAL), "incompatible")
    evs = text_lines(out)
    expect_eq(len(evs), 1, f"one event: {out!r}")
    f, line, verbose = evs[0]
    expect_eq(len(verbose), 2, f"detail and vendor lines: {verbose}")
    expect(verbose[0].startswith(f"    path={V54} attr=version mode=fentry ret=-22 len=29 "),
           f"detail line: {verbose[0]!r}")
    expect_eq(verbose[1], '    vendor: local="00028086-193b-i915-GVTg_V5_4\\n" '
              'check_ret=-22(EINVAL) remote_len=29', "vendor view line")
    err = t.stderr()
    expect("libbpf: " in err, f"-vv: libbpf debug messages: {err[:300]!r}")


def test_no_vendor():
    """--no-vendor: the vendor probes are not attached (start record, banner)
    and no event carries a vendor view; without -v, no libbpf message."""
    t = TextRun(["-m", "fentry", "--no-vendor", "-j", "-p", ME], "no-vendor",
                "tracing in fentry mode")
    try:
        res = (write_attr(V54, SELF58), read_attr(V54))
        deadline = time.monotonic() + 30
        while t.stdout().count('"pid":' + ME) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        out = t.stop()
    finally:
        t.kill()
    expect_eq(res, ((-1, errno.EINVAL), (SELF54, 0)), "what the caller got")
    recs = [json.loads(ln) for ln in out.splitlines()]
    st = recs[0]
    expect_eq((st["event"], st["mode"], st["vendor_check"], st["vendor_get_version"]),
              ("start", "fentry", False, False), "start record: no vendor probe")
    evs = my_events(recs)
    expect_eq([(e["event"], e["outcome"]) for e in evs], [("check", "incompatible"),
                                                          ("read", "ok")], "events")
    expect_eq([("vendor" in e) for e in evs], [False, False], "no vendor view")
    err = t.stderr()
    expect(re.search(r"\(vendor probes: none[;)]", err), f"banner says so: {err.strip()[:300]!r}")
    expect("libbpf" not in err, f"no libbpf messages without -v: {err[:300]!r}")


# ---- 6. SIGHUP reload refusals ----------------------------------------------------------

def test_reload_refusals():
    """A reload of an unsafe, deleted or over-limit file is rejected: an
    enforce record with the error, a line on stderr, and the old rules
    keep being enforced."""
    en = Enforcer(f"deny remote={q(SELF54)} name=keep\n", name="reload.policy")
    path = en.path
    good = f"deny remote={q(SELF58)} name=new\n"
    nest = "".join(f"deny remote=\"{'a' * i}*\" name=n{i}\n" for i in range(1, 10))
    too_many = "".join(f"audit remote=\"r{i}\" name=m{i}\n" for i in range(16385))
    cases = [
        ("group-writable", lambda: policy_file(good, "reload.policy", mode=0o664),
         f"unsafe policy file {path}: writable by group (mode 0664): chmod go-w {path}"),
        ("owned by 1000", lambda: policy_file(good, "reload.policy", uid=1000),
         f"unsafe policy file {path}: owned by uid 1000, not root"),
        ("deleted", lambda: os.unlink(path),
         f"policy file {path}: No such file or directory"),
        ("prefix of 300 bytes", lambda: policy_file(f"deny remote={'p' * 300}*\n",
                                                    "reload.policy"),
         f"{path}:1: remote prefix of 300 bytes: prefix rules take at most 251 bytes"),
        ("9 nested prefixes", lambda: policy_file(nest, "reload.policy"),
         "more than 8 prefix values nest inside each other"),
        ("16385 rules", lambda: policy_file(too_many, "reload.policy"),
         f"{path}:16385:1: more than 16384 rules: at most 16384 are supported"),
    ]
    try:
        for label, make, msg in cases:
            make()
            start = en.mark()
            en.proc.send_signal(signal.SIGHUP)
            rec = en.wait_for(lambda r: r.get("event") == "enforce", start=start, timeout=60,
                              what=f"{label}: the reload's enforce record")
            expect(msg in rec.get("error", ""), f"{label}: error {msg!r}: {rec}")
            expect("rules" not in rec and "generation" not in rec,
                   f"{label}: no rules/generation in a rejected reload: {rec}")
            start = en.mark()
            expect_eq(write_attr(V54, SELF54), (-1, errno.EPERM), f"{label}: old rule holds")
            expect_denied(en.event_after(start, V54), "keep", f"{label}: old rule")
            expect_eq(write_attr(V58, SELF58), (len(SELF58), 0), f"{label}: new rule not in force")
        policy_file(good, "reload.policy")      # and a good file is still taken
        start = en.mark()
        en.proc.send_signal(signal.SIGHUP)
        rec = en.wait_for(lambda r: r.get("event") == "enforce", start=start, timeout=60,
                          what="the good reload's enforce record")
        expect_eq((rec.get("error"), rec.get("rules")), (None, 1), f"good reload: {rec}")
        expect_eq(write_attr(V58, SELF58), (-1, errno.EPERM), "good reload: new rule")
        expect_eq(write_attr(V54, SELF54), (len(SELF54), 0), "good reload: old rule gone")
    finally:
        en.stop()
    lines = [ln for ln in en.stderr.splitlines()
             if ln.startswith(f"mdevver-trace: reload of {path} rejected, the previous policy "
                              "stays: ")]
    expect_eq(len(lines), len(cases), f"one stderr line per rejected reload: {en.stderr[-800:]}")
    for ln, (label, _, msg) in zip(lines, cases):
        expect(msg in ln, f"{label}: stderr says why: {ln!r}")


# ---- 7. metrics ----------------------------------------------------------------------------

OVERFLOW_RULES = 1100


def drain(en):
    """Read what the enforcer wrote to its stdout pipe so far."""
    while en._pump(time.monotonic() + 0.01):
        pass


def test_metrics_denied_escaping_overflow():
    """mdevver_denied_total{rule}: per rule, the label escaped ("\\\\", "\\\"",
    "\\n"); beyond the 1024 label sets kept, each new one is counted in
    mdevver_metric_series_dropped_total; promtool accepts every scrape."""
    lo_up()
    addr = "127.0.0.1:19491"
    many = "".join(f'deny remote="many-{i}" name=m{i}\n' for i in range(OVERFLOW_RULES))
    en = Enforcer(f"deny remote={q(SELF54)} name=plain\n"
                  f"deny remote={q(SELF58)} name=\"q\\\"b\\\\s\\nn\"\n" + many,
                  "--metrics-addr", addr, "-m", "fentry", "--ringbuf", "64M")
    try:
        for path, data in ((V54, SELF54), (V54, SELF54), (V58, SELF58)):
            expect_eq(write_attr(path, data), (-1, errno.EPERM), f"{data!r} denied")
        want = {'mdevver_denied_total{rule="plain"}': 2.0,
                'mdevver_denied_total{rule="q\\"b\\\\s\\nn"}': 1.0,
                'mdevver_checks_total{outcome="denied",mdev_type="i915-GVTg_V5_4"}': 2.0,
                'mdevver_checks_total{outcome="denied",mdev_type="i915-GVTg_V5_8"}': 1.0}
        deadline = time.monotonic() + 30
        while True:
            drain(en)
            status, _, text = scrape(addr)
            s = samples(text)
            if all(s.get(k) == v for k, v in want.items()) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        expect_eq(status, 200, "HTTP status")
        for k, v in want.items():
            expect_eq(s.get(k), v, k)
        expect('\nmdevver_denied_total{rule="q\\"b\\\\s\\nn"} 1\n' in text,
               f"the escaped label, as exposed: {text[:1500]!r}")
        promtool_ok(text)
        expect_eq(s.get("mdevver_metric_series_dropped_total"), 0.0, "no series dropped yet")
        # 1100 more rules, each denying one check: 8 + 1100 label sets (each
        # type's first check also made its compatible and incompatible
        # series, at 0: docs/metrics.md)
        for i in range(OVERFLOW_RULES):
            ret = write_attr(V54, f"many-{i}".encode())
            if ret != (-1, errno.EPERM):
                raise TestFailure(f"many-{i}: expected EPERM, got {ret}")
            if i % 50 == 49:
                drain(en)       # its stdout is a pipe: read, so it never stalls
        total = 8 + OVERFLOW_RULES
        deadline = time.monotonic() + 60
        while True:
            status, _, text = scrape(addr)
            s = samples(text)
            done = s.get('mdevver_checks_total{outcome="denied",mdev_type="i915-GVTg_V5_4"}')
            if done == 2.0 + OVERFLOW_RULES or time.monotonic() > deadline:
                break
            drain(en)
            time.sleep(0.2)
        expect_eq(done, 2.0 + OVERFLOW_RULES, "every denied check counted by outcome and type")
        expect_eq(s.get("mdevver_metric_series_dropped_total"), float(total - 1024),
                  f"label sets beyond 1024 of {total}")
        kept = {k: v for k, v in s.items() if k.startswith("mdevver_denied_total{")}
        expect_eq(len(kept), 1024 - 6, "rule series kept (with the 6 checks_total series)")
        expect_eq(kept.get('mdevver_denied_total{rule="m1015"}'), 1.0, "the last kept rule")
        expect('mdevver_denied_total{rule="m1016"}' not in kept, "the first dropped rule")
        promtool_ok(text)
    finally:
        en.stop()
    foreign = [r for r in en.records if r.get("event") in ("check", "read")
               and r.get("pid") != os.getpid()]
    expect_eq(foreign, [], "every check and read counted was this test's")


def test_metrics_lost_and_dropped():
    """A 16K ring and a stopped tracer: checks lost, counted by class in
    the metrics; an audit log on a full disk: records dropped, counted."""
    lo_up()
    addr = "127.0.0.1:19492"
    n = 300
    with small_tmpfs() as d:
        log = os.path.join(d, "audit.jsonl")
        fill(d)
        t = Bg([BIN, "-m", "fentry", "-p", ME, "-j", "--ringbuf", "16K", "-o", log,
                "--metrics-addr", addr], "claims-lost")
        try:
            t.wait_record(t.out_path, "start")
            t.proc.send_signal(signal.SIGSTOP)
            try:
                for i in range(n):      # distinct: none coalesced
                    ret = write_attr(V54, b"lost-%d\n" % i)
                    expect_eq(ret, (-1, errno.EINVAL), "incompatible")
            finally:
                t.proc.send_signal(signal.SIGCONT)

            def sums():
                status, _, text = scrape(addr)
                expect_eq(status, 200, "HTTP status")
                s = samples(text)
                return text, s, sum(v for k, v in s.items()
                                    if k.startswith("mdevver_checks_total{"))
            deadline = time.monotonic() + 60
            while True:
                text, s, checks = sums()
                if checks + s.get("mdevver_lost_checks_total", 0) == n or \
                        time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            promtool_ok(text)
            lost = s.get("mdevver_lost_checks_total")
            expect_eq(checks + lost, float(n), f"delivered ({checks}) + lost ({lost}) checks")
            expect(lost > 0, f"checks lost with a 16K ring and a stopped tracer ({lost})")
            expect_eq(s.get("mdevver_lost_reads_total"), 0.0, "no read lost")
            expect_eq(s.get("mdevver_lost_events_total"), lost, "lost events == the classes' sum")
            # every record so far (start, checks, lost) missed the full disk
            t.stop()
        finally:
            t.kill()
    with open(t.out_path) as f:
        recs = [json.loads(ln) for ln in f]
    expect_eq(recs[-1]["event"], "end", "stdout ends with 'end'")
    acc_checks = sum(r.get("count", 1) for r in my_events(recs, op="check"))
    acc_lost = sum(r["lost_checks"] for r in recs if r["event"] == "lost")
    expect_eq((acc_checks, acc_lost), (checks, lost), "stdout agrees with the scrape")
    # the scrape drained and wrote out everything first: every record
    # before 'end' (start, checks, lost) had failed on the full disk by then
    expect_eq(s.get("mdevver_audit_records_dropped_total"), float(len(recs) - 1),
              "audit records dropped at the scrape: all before 'end'")
    summary = re.search(r"(\d+) records could not be written to " + re.escape(log), t.stderr())
    expect(summary is not None, f"exit summary: {t.stderr()[-400:]!r}")
    expect_eq(int(summary.group(1)), len(recs), "every record missed the full disk (summary)")


# ---- main ------------------------------------------------------------------------------------

TESTS = [
    ("claims_enforce_kprobe_store_recheck", test_enforce_kprobe_store_recheck),
    ("claims_dry_run_fentry", lambda: test_dry_run_mode("fentry")),
    ("claims_dry_run_kprobe", lambda: test_dry_run_mode("kprobe")),
    ("claims_dry_run_syscall", lambda: test_dry_run_mode("syscall")),
    ("claims_fail_closed_longer_than_a_page", test_fail_closed_longer_than_a_page),
    ("claims_fail_closed_local_not_learned", test_fail_closed_local_not_learned),
    ("claims_fail_closed_no_judgement_slot", test_fail_closed_no_judgement_slot),
    ("claims_text_verdict_suffix", test_text_verdict_suffix),
    ("claims_text_verdict_dry_run", test_text_verdict_dry_run),
    ("claims_attr_limits", test_attr_limits),
    ("claims_attr_traced", test_attr_traced),
    ("claims_attr_learning_scan", test_attr_learning_scan),
    ("claims_syscall_pread_verbose", test_syscall_pread_verbose),
    ("claims_verbose_vendor_view", test_verbose_vendor_view),
    ("claims_no_vendor", test_no_vendor),
    ("claims_reload_refusals", test_reload_refusals),
    ("claims_metrics_denied_escaping_overflow", test_metrics_denied_escaping_overflow),
    ("claims_metrics_lost_and_dropped", test_metrics_lost_and_dropped),
]


def main():
    missing = [p for p in (V54, V58, NAME54, API54, f"{MDEV_DIR}/mdev_type") if not os.path.exists(p)]
    if missing:
        print(f"FAIL claims_setup: simulated vGPU not present: {missing}")
        return 1
    if not os.access(WRITERS, os.X_OK):
        print(f"FAIL claims_setup: {WRITERS} missing (make {WRITERS})")
        return 1
    only = sys.argv[1:]
    t0 = time.monotonic()
    for name, fn in TESTS:
        if not only or any(name.startswith(o) for o in only):
            run_test(name, fn)
    run([BIN, "unpin"], timeout=30)
    print(f"# claims tests took {time.monotonic() - t0:.0f}s on {os.uname().release}", flush=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
