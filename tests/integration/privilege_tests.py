#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Least privilege (docs/privileges.md): the tracer and enforce run as a
non-root uid with only CAP_BPF + CAP_PERFMON (+ CAP_MAC_ADMIN to enforce),
drop every capability the running session does not need once attached, say
which remain (-v, probes), and name exactly the capabilities that are
missing.

In the VM (MDEVVER_VM=1, simulated vGPU loaded) every test runs in the auto
mode (fentry); on the build host only what it can do: syscall mode as root,
or as another uid with CAP_DAC_READ_SEARCH for the tracefs ids, and the
error messages.
"""
import json
import os
import platform
import select
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BIN, SkipTest, TestFailure, Tracer, expect, expect_eq,  # noqa: E402
                     finish, run, run_test, write_attr)

IN_VM = os.environ.get("MDEVVER_VM") == "1"
PARENT = "0000:00:02.0"
TYPES = f"/sys/devices/mdevsim/{PARENT}/mdev_supported_types"
V54 = f"{TYPES}/i915-GVTg_V5_4/version"
V58 = f"{TYPES}/i915-GVTg_V5_8/version"
SELF54 = b"00028086-193b-i915-GVTg_V5_4\n"
POLICY_DIR = "/run/mdevver-priv-policies"
NOBODY = 65534

CAP = {"CAP_DAC_READ_SEARCH": 2, "CAP_SYS_ADMIN": 21, "CAP_MAC_ADMIN": 33,
       "CAP_PERFMON": 38, "CAP_BPF": 39}


def as_nobody(*caps):
    """setpriv prefix: uid/gid 65534, no groups, exactly these capabilities
    (inheritable + ambient, so they survive the execve)."""
    s = ",".join(["-all"] + [f"+{c.lower()[4:]}" for c in caps])
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
            f"--inh-caps={s}", f"--ambient-caps={s}"]


def mode_args():
    """The VM runs the auto mode; the host can only do syscall mode."""
    return [] if IN_VM else ["-m", "syscall"]


def host_caps():
    """The extra capability another uid needs on the host: the tracefs ids."""
    return [] if IN_VM else ["CAP_DAC_READ_SEARCH"]


def bpf_syscall_gated():
    """Does this kernel check bpf_capable() on every bpf(2) command?  Before
    5.19, when kernel.unprivileged_bpf_disabled is set (since then only
    BPF_MAP_CREATE and BPF_PROG_LOAD)."""
    major, minor = (int(x) for x in platform.release().split(".")[:2])
    with open("/proc/sys/kernel/unprivileged_bpf_disabled") as f:
        disabled = int(f.read().strip())
    return (major, minor) < (5, 19) and disabled != 0


def expected_kept():
    return {"CAP_BPF"} if bpf_syscall_gated() else set()


def mask(names):
    m = 0
    for n in names:
        m |= 1 << CAP[n]
    return m


def thread_caps(pid):
    """{tid: {"CapEff": int, ...}} for every thread of pid."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        caps = {}
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    k, _, v = line.partition(":")
                    if k.startswith("Cap"):
                        caps[k] = int(v.strip(), 16)
        except FileNotFoundError:
            continue
        out[int(tid)] = caps
    return out


def privileges_line(stderr):
    """The -v line's set: 'privileges after start: X (...'."""
    for line in stderr.splitlines():
        p = "mdevver-trace: privileges after start: "
        if line.startswith(p):
            names = line[len(p):].split(" (", 1)[0]
            return line, set() if names == "none" else set(names.split(", "))
    raise TestFailure(f"no 'privileges after start' line with -v: {stderr.strip()[:400]}")


def policy_file(text, name="priv.policy"):
    """Root-owned, 0644 (readable by the non-root tracer for SIGHUP), in a
    root-owned directory."""
    os.makedirs(POLICY_DIR, mode=0o755, exist_ok=True)
    os.chmod(POLICY_DIR, 0o755)
    path = os.path.join(POLICY_DIR, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.chown(tmp, 0, 0)
    os.chmod(tmp, 0o644)
    os.rename(tmp, path)
    return path


class Enforce:
    """`enforce --json` under a prefix, records read as they come."""

    def __init__(self, policy, prefix=(), extra=()):
        self.args = [*prefix, BIN, "enforce", "--policy", policy, "--json", "-v", *extra]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.records, self.buf, self.stderr = [], b"", ""
        rec = self.wait_for(lambda r: r.get("event") == "enforce", timeout=180,
                            what="the policy in force")
        expect(rec.get("error") is None, f"policy loaded: {rec}")

    def wait_for(self, pred, start=0, timeout=20, what="a record"):
        deadline = time.monotonic() + timeout
        i = start
        fd = self.proc.stdout.fileno()
        while True:
            while i < len(self.records):
                if pred(self.records[i]):
                    return self.records[i]
                i += 1
            left = deadline - time.monotonic()
            r = select.select([fd], [], [], max(left, 0))[0] if left > 0 else []
            chunk = os.read(fd, 65536) if r else b""
            if not chunk:
                if r:   # end of output: the process is exiting
                    try:
                        self.proc.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        pass
                if self.proc.poll() is not None:
                    err = self.proc.stderr.read().decode(errors="replace")
                    raise TestFailure(f"enforce exited ({self.proc.returncode}) waiting for "
                                      f"{what}: {err.strip()}")
                raise TestFailure(f"no {what} within {timeout}s")
            self.buf += chunk
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                self.records.append(json.loads(line))

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=120)
        self.stderr = err.decode(errors="replace")
        for line in (self.buf + out).splitlines():
            self.records.append(json.loads(line))
        expect_eq(self.proc.returncode, 0, f"enforce exit code (stderr: {self.stderr.strip()})")


def need_vm():
    if not IN_VM:
        raise SkipTest("needs the VM (fentry/BPF LSM and the simulated vGPU)")


# --- (a) a non-root tracer with CAP_BPF + CAP_PERFMON ----------------------

def test_nonroot_trace():
    need_vm()
    logdir = "/run/mdevver-priv-log"
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir, mode=0o700)
    os.chown(logdir, NOBODY, NOBODY)
    log = f"{logdir}/audit.jsonl"
    t = Tracer("-v", "-o", log, "--metrics-addr", "127.0.0.1:19465",
               prefix=as_nobody("CAP_BPF", "CAP_PERFMON"))
    try:
        # another process (this one, root) makes the check
        ret = write_attr(V54, SELF54)
        expect_eq(ret, (len(SELF54), 0), "the check itself")
        # logrotate's move and SIGUSR1: the dropped tracer makes a new file
        # in its own directory
        time.sleep(1)
        os.rename(log, log + ".1")
        t.proc.send_signal(signal.SIGUSR1)
        time.sleep(1)
        expect_eq(write_attr(V58, SELF54)[1], 22, "a second check: incompatible")
    finally:
        recs = t.stop()
    checks = [r for r in recs if r.get("event") == "check" and r.get("pid") == os.getpid()]
    expect_eq([(r["path"], r["outcome"]) for r in checks],
              [(V54, "compatible"), (V58, "incompatible")], "both checks traced")
    expect(any(r.get("event") == "end" for r in recs), "end record")
    expect(os.path.exists(log), f"SIGUSR1 reopened {log} after the drop: {t.stderr.strip()}")
    st = os.stat(log)
    expect_eq(st.st_uid, NOBODY, "new log owned by the tracer's uid")
    with open(log) as f:
        new = [json.loads(x) for x in f]
    expect(any(r.get("event") == "check" and r.get("path") == V58 for r in new),
           "the second check in the reopened log")
    line, kept = privileges_line(t.stderr)
    expect_eq(kept, expected_kept(), f"-v kept set ({line})")


# --- (b) enforce as non-root with CAP_BPF + CAP_PERFMON + CAP_MAC_ADMIN -----

def test_nonroot_enforce():
    need_vm()
    pol = policy_file('deny remote="00028086-193b-i915-GVTg_V5_4" type=i915-GVTg_V5_4 '
                      'name=priv-deny\n')
    en = Enforce(pol, prefix=as_nobody("CAP_BPF", "CAP_PERFMON", "CAP_MAC_ADMIN"))
    try:
        ret = write_attr(V54, SELF54)
        expect_eq(ret, (-1, 1), "denied by the policy (EPERM)")
        ev = en.wait_for(lambda r: r.get("event") == "check" and r.get("path") == V54,
                         what="the denied check's event")
        expect_eq((ev["outcome"], ev.get("rule")), ("denied", "priv-deny"), "event")
        # SIGHUP after the drop: the root-owned policy re-read, maps updated
        start = len(en.records)
        policy_file("deny op=check type=i915-GVTg_V5_8 name=priv-v58\n")
        en.proc.send_signal(signal.SIGHUP)
        rec = en.wait_for(lambda r: r.get("event") == "enforce", start=start, timeout=60,
                          what="the reload's enforce record")
        expect(rec.get("error") is None, f"reload accepted after the drop: {rec}")
        expect_eq(write_attr(V54, SELF54), (len(SELF54), 0), "old rule gone after reload")
        expect_eq(write_attr(V58, SELF54), (-1, 1), "new rule denies after reload")
    finally:
        en.stop()
    line, kept = privileges_line(en.stderr)
    expect_eq(kept, expected_kept(), f"-v kept set ({line})")


# --- (c) after start: exactly the kept set, in every thread ----------------

def check_threads(pid, root, what):
    want = mask(expected_kept())
    threads = thread_caps(pid)
    expect(len(threads) >= 2, f"{what}: the metrics thread exists ({len(threads)} threads)")
    for tid, c in threads.items():
        expect_eq((c["CapEff"], c["CapPrm"], c["CapInh"], c["CapAmb"]), (want, want, 0, 0),
                  f"{what}: thread {tid} CapEff/CapPrm/CapInh/CapAmb")
        if root:
            # root has CAP_SETPCAP: the bounding set goes too
            expect_eq(c["CapBnd"], want, f"{what}: thread {tid} CapBnd")


def caps_after_start(prefix, root, what):
    t = Tracer("-v", *mode_args(), "--metrics-addr", "127.0.0.1:19466", prefix=prefix)
    try:
        time.sleep(0.5)
        check_threads(t.proc.pid, root, what)
    finally:
        t.stop()
    line, kept = privileges_line(t.stderr)
    expect_eq(kept, expected_kept(), f"{what}: -v names what /proc shows ({line})")
    expect(("uid 0" in line) == root, f"{what}: -v says whether files open as root: {line}")


def test_caps_after_start_root():
    caps_after_start((), True, "root")


def test_caps_after_start_nonroot():
    if not IN_VM:
        with open("/proc/sys/kernel/perf_event_paranoid") as f:
            if int(f.read()) > 2:
                raise SkipTest("perf_event_paranoid > 2: syscall mode needs CAP_SYS_ADMIN here")
    caps_after_start(as_nobody("CAP_BPF", "CAP_PERFMON", *host_caps()), False, "uid 65534")


def test_caps_after_start_enforce_root():
    need_vm()
    en = Enforce(policy_file("audit op=check name=every\n"),
                 extra=("--metrics-addr", "127.0.0.1:19467"))
    try:
        check_threads(en.proc.pid, True, "enforce as root")
    finally:
        en.stop()
    line, kept = privileges_line(en.stderr)
    expect_eq(kept, expected_kept(), f"enforce: -v ({line})")


def test_probes_says():
    r = run([BIN, "probes", "--json"], timeout=600)
    expect_eq(r.returncode, 0, f"probes exit code: {r.stderr.strip()[:300]}")
    p = json.loads(r.stdout)["privileges"]
    expect_eq(set(p["trace_needs"]), {"CAP_BPF", "CAP_PERFMON"}, "trace needs")
    expect_eq(set(p["enforce_needs"]), {"CAP_BPF", "CAP_PERFMON", "CAP_MAC_ADMIN"},
              "enforce needs")
    expect_eq(set(p["kept_after_start"]), expected_kept(), "kept after start")
    expect_eq((p["trace_missing"], p["enforce_missing"]), ([], []), "root misses nothing")


# --- (d) a missing capability: one line naming it --------------------------

NEEDS = "(loading BPF programs needs CAP_BPF and CAP_PERFMON, or root); run it with sudo"
ENF_NEEDS = ("(enforce loads a BPF LSM program: it needs CAP_BPF, CAP_PERFMON and "
             "CAP_MAC_ADMIN, or root); run it with sudo")


def test_missing_caps():
    cases = [
        ([], ["-d", "1"], f"missing CAP_BPF and CAP_PERFMON {NEEDS}"),
        (["CAP_BPF"], ["-d", "1"], f"missing CAP_PERFMON {NEEDS}"),
        (["CAP_PERFMON"], ["-d", "1"], f"missing CAP_BPF {NEEDS}"),
        (["CAP_BPF", "CAP_PERFMON"], ["enforce", "--policy", "POLICY", "-d", "1"],
         f"missing CAP_MAC_ADMIN {ENF_NEEDS}"),
        (["CAP_BPF"], ["enforce", "--policy", "POLICY", "-d", "1"],
         f"missing CAP_PERFMON and CAP_MAC_ADMIN {ENF_NEEDS}"),
    ]
    pol = policy_file("audit op=check name=x\n", "missing.policy")
    for caps, args, msg in cases:
        args = [pol if a == "POLICY" else a for a in args]
        r = run([*as_nobody(*caps), BIN, *args], timeout=60)
        expect(r.returncode != 0, f"{caps} {args}: exits non-zero")
        first = r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""
        expect_eq(first, f"mdevver-trace: insufficient privileges: {msg}",
                  f"{caps} {args[0]}: the one line")


def main():
    if os.geteuid() != 0:
        print("SKIP privilege_tests: needs root (it starts tracers as other uids)")
        return 0
    run_test("priv_missing_caps", test_missing_caps)
    run_test("priv_probes_says", test_probes_says)
    run_test("priv_caps_after_start_root", test_caps_after_start_root)
    run_test("priv_caps_after_start_nonroot", test_caps_after_start_nonroot)
    run_test("priv_caps_after_start_enforce_root", test_caps_after_start_enforce_root)
    run_test("priv_nonroot_trace", test_nonroot_trace)
    run_test("priv_nonroot_enforce", test_nonroot_enforce)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
