#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Audit-log tests (-o FILE, --max-size, --max-files, --flush, --syslog,
SIGUSR1) on the build host, as root, in syscall mode.  Events come from
READING host sysfs attributes named version (/sys/module/*/version); nothing
here writes host sysfs.  The disk-full cases use a 64k tmpfs mounted on a
fresh directory under /tmp and unmounted afterwards.  Tests that count
records trace only this process (-p), so another process (or another
tracer's test) reading version attributes at the same time changes nothing.
The syslog test runs the tracer in a private mount namespace whose /dev/log
is the test's own socket: the host's syslog is never touched.
"""
import contextlib
import errno
import glob
import itertools
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BIN, SkipTest, TestFailure, Tracer, expect, expect_eq,  # noqa: E402
                     expect_usage_errors, finish, read_attr, run, run_test)

ME = ("-p", str(os.getpid()))   # trace this process only

DROP_MSG = "records are counted until writing works again"
LOG_DAEMON = 3 << 3
LOG_WARNING, LOG_INFO = 4, 6


def ensure_tracefs():
    """libbpf finds tracepoint ids through tracefs; mount it if nobody did."""
    if not os.path.isdir("/sys/kernel/tracing/events"):
        subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"],
                       capture_output=True)


VERSION_FILES = sorted(glob.glob("/sys/module/*/version"))


class AuditTracer(Tracer):
    """Tracer that also keeps the records it read while running (wait_reads),
    and can run under a wrapper command (strace)."""

    def __init__(self, *args, prefix=()):
        # the host has no mdev device: its module versions stand in for
        # the attributes, which only --any-sysfs traces (one scope)
        super().__init__("--any-sysfs", *args, prefix=prefix)
        self.seen = [self.start]

    def wait_reads(self, n, timeout=30):
        """Consume stdout until n read events of this process arrived."""
        deadline = time.monotonic() + timeout
        while sum(1 for r in self.seen if r.get("event") == "read"
                  and r.get("pid") == os.getpid()) < n:
            line = self._readline(deadline)
            if line is None:
                raise TestFailure(f"tracer did not report {n} reads in {timeout}s")
            self.seen.append(json.loads(line))

    def stop(self):
        self.lines = self.seen + super().stop()
        return self.lines

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


@contextlib.contextmanager
def tracing(*args, **kw):
    t = AuditTracer(*args, **kw)
    try:
        yield t
    finally:
        if t.proc.poll() is None:   # a failed assertion must not leave it running
            t.kill()


def do_reads(n):
    expect(VERSION_FILES, "host has /sys/module/*/version attributes to read")
    for f in itertools.islice(itertools.cycle(VERSION_FILES), n):
        _, err = read_attr(f)
        expect_eq(err, 0, f"read {f}")


def parse_file(path):
    """Every line of the file is one complete JSON record."""
    with open(path, "rb") as f:
        data = f.read()
    expect(data == b"" or data.endswith(b"\n"),
           f"{path} ends with a complete line (last bytes {data[-80:]!r})")
    recs = []
    for i, raw in enumerate(data.splitlines(), 1):
        try:
            recs.append(json.loads(raw))
        except ValueError as e:
            raise TestFailure(f"{path}:{i} is not JSON ({e}): {raw[:200]!r}")
    return recs


def key(r):
    """Identity of a record across sinks.  start/end/lost are formatted once
    per sink with their own clock reading, so only their kind is compared."""
    if r["event"] in ("check", "read"):
        return (r["event"], r["ts_ns"], r["tid"])
    return (r["event"],)


def without_clock(r):
    return {k: v for k, v in r.items() if k not in ("time", "ts_ns")}


def same_records(file_recs, out_recs, what):
    expect_eq([key(r) for r in file_recs], [key(r) for r in out_recs],
              f"{what}: the same records in the same order")
    for a, b in zip(file_recs, out_recs):
        if a["event"] in ("check", "read"):
            expect_eq(a, b, f"{what}: {a['event']} record equals stdout's")
        else:
            expect_eq(without_clock(a), without_clock(b),
                      f"{what}: {a['event']} record equals stdout's")


def wait_for(cond, what, timeout=10):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise TestFailure(f"timed out waiting for {what}")
        time.sleep(0.05)


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@contextlib.contextmanager
def workdir():
    d = tempfile.mkdtemp(prefix="mdevver-audit-", dir="/tmp")
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@contextlib.contextmanager
def small_tmpfs(size="64k"):
    d = tempfile.mkdtemp(prefix="mdevver-audit-fs-", dir="/tmp")
    r = run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", d])
    if r.returncode:
        os.rmdir(d)
        raise TestFailure(f"mount tmpfs on {d}: {r.stderr.strip()}")
    try:
        yield d
    finally:
        run(["umount", d])
        os.rmdir(d)


def fill(d, leave=0):
    """Fill the file system; then free exactly `leave` bytes (whole pages)."""
    if leave:
        with open(os.path.join(d, "spare"), "wb") as f:
            f.write(b"s" * leave)
    with open(os.path.join(d, "filler"), "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"f" * 4096)
        except OSError as e:
            expect_eq(e.errno, errno.ENOSPC, "filling the tmpfs ends in ENOSPC")
    if leave:
        os.unlink(os.path.join(d, "spare"))


# --- tests -----------------------------------------------------------------

def test_file_basic():
    with workdir() as d:
        log = os.path.join(d, "audit.log")
        with tracing("-o", log) as t:
            expect_eq(mode_of(log), 0o600, "new audit log mode")
            do_reads(3)
            t.wait_reads(3)
            out = t.stop()
        expect_eq(mode_of(log), 0o600, "audit log mode after the run")
        recs = parse_file(log)
        expect_eq(recs[0]["event"], "start", "first record")
        expect_eq(recs[-1]["event"], "end", "last record")
        mine = [r for r in recs if r.get("pid") == os.getpid()]
        expect_eq([(r["event"], r["path"]) for r in mine],
                  [("read", f) for f in (VERSION_FILES * 3)[:3]], "my reads, in order")
        for r in recs:
            for k in ("schema", "event", "time", "ts_ns", "host"):
                expect(k in r, f"{r['event']} record has '{k}'")
        same_records(recs, out, "audit log vs --json stdout")

        # an existing, looser file is appended to and tightened to 0600
        os.chmod(log, 0o644)
        before = os.path.getsize(log)
        with tracing("-o", log) as t:
            do_reads(1)
            t.wait_reads(1)
            out = t.stop()
        expect_eq(mode_of(log), 0o600, "existing 0644 audit log tightened")
        recs2 = parse_file(log)
        expect_eq(recs2[:len(recs)], recs, "earlier records kept (appended)")
        same_records(recs2[len(recs):], out, "second run")
        expect(os.path.getsize(log) > before, "file grew")


def rotation_files(log, n):
    return [f"{log}.{i}" for i in range(n, 0, -1)] + [log]   # oldest first


def test_rotation_complete():
    """Nothing rotated out: every record exactly once across the files."""
    with workdir() as d:
        log = os.path.join(d, "a.log")
        with tracing("-o", log, "--max-size", "8K", "--max-files", "10") as t:
            do_reads(40)
            t.wait_reads(40)
            out = t.stop()
        expect(not [r for r in out if r["event"] == "lost"], "no events lost")
        files = [f for f in rotation_files(log, 10) if os.path.exists(f)]
        expect(len(files) >= 3, f"rotated at least twice: {files}")
        recs = [r for f in files for r in parse_file(f)]
        same_records(recs, out, "all files, oldest first, vs stdout")


def test_rotation_max_files():
    with workdir() as d:
        log = os.path.join(d, "a.log")
        with tracing("-o", log, "--max-size", "8K", "--max-files", "3") as t:
            do_reads(150)
            t.wait_reads(150, timeout=60)
            out = t.stop()
        expect(not [r for r in out if r["event"] == "lost"], "no events lost")
        files = rotation_files(log, 3)
        for f in files:
            expect(os.path.exists(f), f"{f} exists")
            expect_eq(mode_of(f), 0o600, f"{f} mode")
        expect(not os.path.exists(f"{log}.4"), f"no {log}.4 (--max-files 3)")
        per_file = [parse_file(f) for f in files]
        for f, recs in zip(files, per_file):
            size = os.path.getsize(f)
            expect(size <= 8192 or len(recs) == 1, f"{f}: {size} bytes > 8K with "
                   f"{len(recs)} records")
            expect(recs, f"{f} is not empty")
        for (older, a), (newer, b) in zip(zip(files, per_file), zip(files[1:], per_file[1:])):
            expect(max(r["ts_ns"] for r in a) <= min(r["ts_ns"] for r in b),
                   f"{newer} is newer than {older} (ts_ns)")
        # the files hold a contiguous tail of the stream: no gap, no duplicate
        recs = [r for fr in per_file for r in fr]
        expect(len(recs) < len(out), "the oldest records were rotated out")
        same_records(recs, out[len(out) - len(recs):], "kept files vs stdout's tail")


def test_sigusr1_reopen():
    with workdir() as d:
        log, moved = os.path.join(d, "a.log"), os.path.join(d, "a.log.moved")
        with tracing("-o", log) as t:
            do_reads(3)
            t.wait_reads(3)
            wait_for(lambda: sum(r["event"] == "read" and r.get("pid") == os.getpid()
                                 for r in parse_file(log)) == 3, "3 reads in the log")
            os.rename(log, moved)               # logrotate "nocreate"
            t.proc.send_signal(signal.SIGUSR1)
            wait_for(lambda: os.path.exists(log), "the tracer to create a new log")
            expect_eq(mode_of(log), 0o600, "recreated log mode")
            do_reads(3)
            t.wait_reads(6)
            out = t.stop()
        old, new = parse_file(moved), parse_file(log)
        expect_eq(old[0]["event"], "start", "moved file starts with 'start'")
        expect_eq(new[-1]["event"], "end", "new file ends with 'end'")
        same_records(old + new, out, "moved + new file vs stdout")
        expect_eq(sum(r.get("pid") == os.getpid() for r in new), 3,
                  "the reads after SIGUSR1 are in the new file")


def test_kill9_no_partial_line():
    with workdir() as d:
        log = os.path.join(d, "a.log")
        for delay in (0.3, 0.7, 1.1):
            stop = threading.Event()

            def reader():
                while not stop.is_set():
                    for f in VERSION_FILES:
                        read_attr(f)

            with tracing("-o", log) as t:
                # drain stdout, or a full pipe would stall the tracer
                drain = threading.Thread(target=t.proc.stdout.read)
                drain.start()
                th = threading.Thread(target=reader)
                th.start()
                try:
                    time.sleep(delay)
                    t.proc.kill()               # SIGKILL while records are written
                    t.proc.wait()
                finally:
                    stop.set()
                    th.join()
                    t.kill()
                    drain.join()
            expect_eq(t.proc.returncode, -signal.SIGKILL, "killed by SIGKILL")
            # The kernel may stop a write(2) between two pages when SIGKILL
            # is pending, so the last record can be cut; nothing else can.
            with open(log, "rb") as f:
                data = f.read()
            complete, _, tail = data.rpartition(b"\n")
            for i, raw in enumerate(complete.splitlines(), 1):
                try:
                    json.loads(raw)
                except ValueError as e:
                    raise TestFailure(f"{log}:{i} is not JSON after kill -9 ({e}): {raw[:120]!r}")
            # the next start removes a cut tail, after which every line parses
            r = subprocess.run([BIN, "-o", log, "-d", "0.2"], capture_output=True, text=True)
            expect_eq(r.returncode, 0, f"restart on the same log ({r.stderr.strip()})")
            expect_eq("removed an incomplete last record" in r.stderr, bool(tail),
                      f"restart reports a cut tail exactly when there was one ({tail[:60]!r})")
            recs = parse_file(log)              # every line parses
            expect(any(r["event"] == "read" for r in recs), "reads were logged")


def test_cut_tail_repaired():
    """A log whose last record was cut (kill -9 between two pages) is
    repaired when the tracer opens it again: the fragment goes, the
    complete records stay, and the tool says what it removed."""
    with workdir() as d:
        log = os.path.join(d, "a.log")
        good = b'{"schema":1,"event":"read","time":"x","ts_ns":1,"host":"h"}\n'
        with open(log, "wb") as f:
            f.write(good + b'{"schema":1,"event":"re')
        os.chmod(log, 0o600)
        r = subprocess.run([BIN, "-o", log, "-d", "0.2"], capture_output=True, text=True)
        expect_eq(r.returncode, 0, f"exit code ({r.stderr.strip()})")
        expect_eq(r.stderr.splitlines()[0],
                  f"mdevver-trace: audit log {log}: removed an incomplete last record "
                  "(23 bytes) left by an earlier crash", "repair message")
        data = open(log, "rb").read()
        expect(data.startswith(good), "complete records kept")
        expect_eq([r["event"] for r in parse_file(log)], ["read", "start", "end"],
                  "fragment gone, new records appended")


def test_disk_full():
    with small_tmpfs() as d:
        log = os.path.join(d, "audit.log")
        fill(d, leave=4096)     # one page left: a few records fit, one is cut
        with tracing("-o", log, *ME) as t:
            do_reads(12)
            t.wait_reads(12)
            expect_eq(t.proc.poll(), None, "tracer still running on a full disk")
            full = parse_file(log)      # no partial line while the disk is full
            os.unlink(os.path.join(d, "filler"))
            do_reads(3)
            t.wait_reads(15)
            wait_for(lambda: any(r["event"] == "dropped" for r in parse_file(log)),
                     "the 'dropped' record once space is free")
            out = t.stop()
        stderr = t.stderr.splitlines()
        msgs = [ln for ln in stderr if DROP_MSG in ln]
        expect_eq(len(msgs), 1, f"one stderr line about the failing log: {stderr}")
        expect_eq(msgs[0], f"mdevver-trace: audit log {log}: No space left on device: "
                  f"{DROP_MSG}", "the failure line")
        recs = parse_file(log)
        expect_eq(recs[:len(full)], full, "records written before the disk filled up")
        drops = [i for i, r in enumerate(recs) if r["event"] == "dropped"]
        expect_eq(len(drops), 1, "one 'dropped' record")
        i = drops[0]
        dr = recs[i]
        for k in ("schema", "time", "ts_ns", "host"):
            expect(k in dr, f"'dropped' record has '{k}'")
        expect_eq(dr["total_dropped"], dr["dropped"], "first 'dropped': total == dropped")
        expect(dr["dropped"] > 0, "some records were dropped")
        before, after = recs[:i], recs[i + 1:]
        n = dr["dropped"]
        # exactly the n records between 'before' and 'after' are missing
        same_records(before + after, out[:len(before)] + out[len(before) + n:],
                     "file vs stdout around the gap")
        expect_eq(len(before) + n + len(after), len(out), "every record written or counted")
        expect_eq([r.get("pid") for r in out if r["event"] in ("check", "read")],
                  [os.getpid()] * 15, "only this process's 15 reads were traced (-p)")
        mine_after = [r for r in after if r.get("pid") == os.getpid()]
        expect_eq(len(mine_after), 3, "the reads after freeing space follow 'dropped'")
        summary = [ln for ln in stderr if "could not be written" in ln]
        expect_eq(summary, [f"mdevver-trace: {dr['total_dropped']} records could not "
                            f"be written to {log}"], "exit summary matches total_dropped")


def test_flush_modes():
    with workdir() as d:
        for mode in ("none", "line", "fsync"):
            log = os.path.join(d, f"{mode}.log")
            with tracing("-o", log, "--flush", mode, *ME) as t:
                do_reads(3)
                t.wait_reads(3)
                out = t.stop()
            same_records(parse_file(log), out, f"--flush {mode}")
        if not shutil.which("strace"):
            # the contents above cannot tell the three modes apart
            raise SkipTest("strace not installed (make deps installs it): "
                           "--flush fsync's one fdatasync per record is unchecked")
        # fsync really syncs each record: one fdatasync per record written
        log, trace_out = os.path.join(d, "st.log"), os.path.join(d, "strace.out")
        t = AuditTracer("-o", log, "--flush", "fsync", "-d", "3", *ME,
                        prefix=("strace", "-f", "-qq", "-e", "trace=fdatasync",
                                "-o", trace_out))
        try:
            do_reads(3)
            t.proc.wait(timeout=60)
        finally:
            t.kill()
        n_sync = sum("fdatasync(" in ln and "= 0" in ln for ln in open(trace_out))
        recs = parse_file(log)
        expect_eq(sum(r["event"] == "read" for r in recs), 3, "the 3 reads are in the log")
        expect_eq(n_sync, len(recs), "one successful fdatasync per record")


# The tracer's /dev/log: in a private mount namespace (unshare -m), an
# overlay on /dev whose log entry is a symlink to the test's socket (as
# systemd's /dev/log is a symlink to journald's).  Nothing outside that
# namespace sees it: the host's /dev/log, if any, keeps its own syslog.
PRIVATE_DEVLOG = (
    "set -e; mount -t overlay overlay -o lowerdir=/dev,upperdir=$0/up,workdir=$0/work /dev; "
    "rm -f /dev/log; ln -s $0/log /dev/log; exec \"$@\"")


class DevLog:
    """A datagram listener the tracer sees as /dev/log (PRIVATE_DEVLOG),
    drained by a thread (the kernel queues only net.unix.max_dgram_qlen
    datagrams, then syslog(3) blocks)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="mdevver-devlog-", dir="/tmp")
        os.mkdir(os.path.join(self.dir, "up"))
        os.mkdir(os.path.join(self.dir, "work"))
        self.path = os.path.join(self.dir, "log")
        self.prefix = ("unshare", "-m", "--propagation", "private",
                       "sh", "-c", PRIVATE_DEVLOG, self.dir)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.msgs = []
        self.done = threading.Event()
        self.th = threading.Thread(target=self._drain)
        self.th.start()

    def _drain(self):
        while not self.done.is_set():
            try:
                self.msgs.append(self.sock.recv(1 << 17).decode(errors="replace"))
            except socket.timeout:
                pass

    def close(self):
        self.done.set()
        self.th.join()
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def records(self, pid):
        """(priority, record) of the tracer's messages."""
        out = []
        for m in self.msgs:
            g = re.match(r"<(\d+)>.*?mdevver-trace\[(\d+)\]: (.*)$", m, re.S)
            if g and int(g.group(2)) == pid:
                out.append((int(g.group(1)), json.loads(g.group(3))))
        return out


def test_syslog():
    lst = DevLog()
    try:
        # syslog only (no -o): check/read/lost/dropped go there, start/end not
        with tracing("--syslog", *ME, prefix=lst.prefix) as t:
            do_reads(3)
            t.wait_reads(3)
            out = t.stop()
            pid = t.proc.pid
        wait_for(lambda: len(lst.records(pid)) >= 3, "3 syslog messages")
        got = lst.records(pid)
        want = [r for r in out if r["event"] in ("check", "read", "lost")]
        expect_eq([r for _, r in got], want, "syslog records equal stdout's")
        for prio, r in got:
            expect_eq(prio, LOG_DAEMON | (LOG_WARNING if r["event"] == "lost" else LOG_INFO),
                      f"syslog priority of {r['event']}")

        # with -o on a full disk: the 'dropped' record is a warning
        with small_tmpfs() as d:
            log = os.path.join(d, "a.log")
            fill(d)
            with tracing("--syslog", "-o", log, *ME, prefix=lst.prefix) as t:
                do_reads(2)
                t.wait_reads(2)
                os.unlink(os.path.join(d, "filler"))
                do_reads(1)
                t.wait_reads(3)
                out = t.stop()
                pid = t.proc.pid
            dropped = [r for r in parse_file(log) if r["event"] == "dropped"]
            expect_eq(len(dropped), 1, "one 'dropped' record in the file")
            wait_for(lambda: any(r["event"] == "dropped" for _, r in lst.records(pid)),
                     "the 'dropped' record in syslog")
            sl = [(p, r) for p, r in lst.records(pid) if r["event"] == "dropped"]
            expect_eq(sl, [(LOG_DAEMON | LOG_WARNING, dropped[0])],
                      "syslog 'dropped' record: warning, same as in the file")
    finally:
        lst.close()


def test_bad_options():
    expect_usage_errors([
        (["--flush", "bogus"], "invalid flush mode 'bogus'"),
        (["--max-size", "10", "-o", "/tmp/x"], "invalid size '10'"),
        (["--max-files", "0", "-o", "/tmp/x"], "invalid number of files '0'"),
        (["--max-size", "8K"], "--max-size needs -o FILE"),
    ])


def test_unwritable_path():
    path = "/proc/nonexistent/x"
    r = run([BIN, "-o", path, "-d", "1"], timeout=60)
    expect_eq(r.returncode, 1, f"exit code (stderr: {r.stderr.strip()})")
    expect_eq(r.stderr.splitlines(),
              [f"mdevver-trace: audit log {path}: No such file or directory "
               "(the directory must exist)"], "one line naming path and reason")
    with workdir() as d:
        link = os.path.join(d, "link.log")
        os.symlink(os.path.join(d, "target"), link)
        r = run([BIN, "-o", link, "-d", "1"], timeout=60)
        expect_eq(r.returncode, 1, "a symlink as -o is refused")
        expect(r.stderr.startswith(f"mdevver-trace: audit log {link}: ") and
               "symbolic link" in r.stderr, f"says why: {r.stderr.strip()!r}")
        expect(not os.path.exists(os.path.join(d, "target")), "symlink target not created")


def test_unsafe_targets():
    """-o on a FIFO: refused at once with one line (a FIFO without a reader
    used to block the tracer for good).  -o on an existing file that is not
    an audit log: refused, the file byte for byte and mode as it was."""
    with workdir() as d:
        fifo = os.path.join(d, "fifo")
        os.mkfifo(fifo)
        t0 = time.monotonic()
        r = run([BIN, "-o", fifo, "-d", "1"], timeout=20)
        print(f"# FIFO as -o refused in {time.monotonic() - t0:.2f} s")
        expect_eq(r.returncode, 1, f"FIFO: exit code ({r.stderr.strip()})")
        expect_eq(r.stderr.splitlines(),
                  [f"mdevver-trace: audit log {fifo}: not a regular file (a FIFO)"], "FIFO: one line")
        for text in (b"precious data\nno newline at the end", b'{"a":1}\n{"b":'):
            f = os.path.join(d, "notes.txt")
            with open(f, "wb") as fh:
                fh.write(text)
            os.chmod(f, 0o644)
            r = run([BIN, "-o", f, "-d", "1"], timeout=60)
            expect_eq(r.returncode, 1, f"non-log: exit code ({r.stderr.strip()})")
            expect_eq(r.stderr.splitlines(),
                      [f"mdevver-trace: audit log {f}: exists and is not an mdevver-trace audit "
                       "log (its first line is not a record); refusing to append to it"],
                      "non-log: one line")
            expect_eq(open(f, "rb").read(), text, "non-log left byte for byte")
            expect_eq(mode_of(f), 0o644, "non-log mode kept")
        # an empty file is fine (touch FILE before the first run)
        empty = os.path.join(d, "empty.log")
        open(empty, "w").close()
        r = run([BIN, "-o", empty, "-d", "0.2"], timeout=60)
        expect_eq(r.returncode, 0, f"empty file accepted ({r.stderr.strip()})")
        expect_eq(parse_file(empty)[0]["event"], "start", "records appended")


def test_number_ranges():
    """Every number option range-checked before any arithmetic: one line
    naming the option and the range, exit 2."""
    expect_usage_errors([
        (["-d", "nan"], "invalid duration 'nan' (-d): seconds, more than 0 and at most 31622400"),
        (["-d", "inf"], "invalid duration 'inf' (-d)"),
        (["-d", "-1"], "invalid duration '-1' (-d)"),
        (["--max-size", "18446744073709551615K", "-o", "/tmp/x"],
         "invalid size '18446744073709551615K' (--max-size): 4K to 1024G"),
        (["--max-size", "17592186044416K", "-o", "/tmp/x"], "invalid size '17592186044416K'"),
        (["--max-size", "-4096", "-o", "/tmp/x"], "invalid size '-4096'"),
        (["--ringbuf", "2048M"], "invalid ring buffer size '2048M' (--ringbuf): a power of two "
         "from 16K to 1024M"),
        (["--ringbuf", "18014398509481984K"], "invalid ring buffer size '18014398509481984K'"),
    ])
    for arg in ("nan", "inf", "-1", "1e400"):
        r = run([BIN, "top", "-i", arg, "--replay", "/dev/null"], timeout=10)
        expect_eq(r.returncode, 2, f"top -i {arg}: exit code")
        expect(r.stderr.startswith(f"mdevver-trace top: invalid interval '{arg}' (-i): 0.1 to "
                                   "3600 seconds"), f"top -i {arg}: {r.stderr!r}")


def main():
    if os.geteuid() != 0:
        print("FAIL audit: must run as root (make check runs as root)")
        return 1
    ensure_tracefs()
    run_test("audit_file_basic", test_file_basic)
    run_test("audit_rotation_complete", test_rotation_complete)
    run_test("audit_rotation_max_files", test_rotation_max_files)
    run_test("audit_sigusr1_reopen", test_sigusr1_reopen)
    run_test("audit_kill9_no_partial_line", test_kill9_no_partial_line)
    run_test("audit_cut_tail_repaired", test_cut_tail_repaired)
    run_test("audit_disk_full", test_disk_full)
    run_test("audit_flush_modes", test_flush_modes)
    run_test("audit_syslog", test_syslog)
    run_test("audit_bad_options", test_bad_options)
    run_test("audit_unwritable_path", test_unwritable_path)
    run_test("audit_unsafe_targets", test_unsafe_targets)
    run_test("audit_number_ranges", test_number_ranges)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
