# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Test harness for mdevver-trace integration tests.

Runs the real binary, parses its real JSON output, and reports one line per
test: "PASS name", "FAIL name: why" or "SKIP name: why".  tests/run_all.sh
counts those lines; a skip is never counted as a pass.
"""
import fnmatch
import json
import os
import select
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_log  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# MDEVVER_TRACE_BIN runs the suites against another build of the same
# source (the sanitizer build of make check, a helper's own build dir)
BIN = os.environ.get("MDEVVER_TRACE_BIN") or os.path.join(REPO, "build", "mdevver-trace")


class TestFailure(Exception):
    pass


class SkipTest(Exception):
    """Raised by a test that cannot check what its name says here: the test
    reports SKIP with the reason, never PASS."""


def expect(cond, what):
    """ASSERT in the selftests manner: name what is checked."""
    if not cond:
        raise TestFailure(what)


def expect_eq(got, want, what):
    if got != want:
        raise TestFailure(f"{what}: expected {want!r}, got {got!r}")


_results = {"pass": 0, "fail": 0, "skip": 0}


# In the VM (tests/vm/run.sh sets MDEVVER_VM=1) every test is watched for
# kernel splats and taint changes (tests/integration/kernel_log.py): the
# kernel is the one under test there, and a WARN in a worker thread would
# otherwise pass unseen.  The build host's kernel log is not the tests' own.
WATCH_KERNEL = os.environ.get("MDEVVER_VM") == "1"


def _kernel_verdict(name, watch):
    """A reason to fail the test from the kernel log, or None."""
    if watch is None:
        return None
    splats, notes, tc, taint_after = watch.finish()
    for n in notes[:3]:
        print(f"# {name}: kernel log note (load artifact, not a failure): {n}", flush=True)
    kernel_log.record_attributed(splats, taint_after, tc)
    if not splats and not tc:
        return None
    why = [f"kernel log: {splats[0]}"] if splats else []
    if len(splats) > 1:
        why.append(f"{len(splats) - 1} more splat lines")
    if tc:
        why.append(tc)
    return "; ".join(why)


# MDEVVER_TESTS="vm_scope,enforce_*" runs only the tests whose names match
# (a developer's shortcut; tests/run_all.sh says so when it is set and
# .ci/run clears it): every run that left tests out says how many.
_ONLY = [p for p in os.environ.get("MDEVVER_TESTS", "").split(",") if p]


def run_test(name, fn, *args):
    if _ONLY and not any(fnmatch.fnmatchcase(name, p) for p in _ONLY):
        _results["left_out"] = _results.get("left_out", 0) + 1
        return True
    t0 = time.monotonic()
    watch = kernel_log.KmsgWatch() if WATCH_KERNEL else None
    failed = skipped = None
    try:
        fn(*args)
    except SkipTest as e:
        skipped = str(e)
    except TestFailure as e:
        failed = str(e)
    except Exception as e:  # a crash in a test is a failure, with its trace
        failed = f"{type(e).__name__}: {e}"
        traceback.print_exc(file=sys.stdout)
    kernel = _kernel_verdict(name, watch)
    if failed is not None or kernel is not None:
        _results["fail"] += 1
        print(f"FAIL {name}: {'; '.join(w for w in (failed, kernel) if w)}", flush=True)
        return False
    if skipped is not None:
        skip(name, skipped)
        return True
    _results["pass"] += 1
    print(f"PASS {name} ({time.monotonic() - t0:.1f}s)", flush=True)
    return True


def skip(name, why):
    _results["skip"] += 1
    print(f"SKIP {name}: {why}", flush=True)


def finish():
    r = _results
    if r.get("left_out"):
        print(f"NOTE: MDEVVER_TESTS={','.join(_ONLY)} left {r['left_out']} tests out", flush=True)
    print(f"# {r['pass']} passed, {r['fail']} failed, {r['skip']} skipped", flush=True)
    return 1 if r["fail"] else 0


class Tracer:
    """mdevver-trace --json running in the background."""

    def __init__(self, *args, prefix=()):
        """prefix: a wrapper command to run the tracer under (e.g. strace)."""
        self.args = [*prefix, BIN, "--json", *args]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.start = None
        self.lines = []
        self.stderr = ""
        self.rc = None
        self._wait_start()

    def _readline(self, deadline):
        buf = b""
        fd = self.proc.stdout.fileno()
        while not buf.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                return None
            c = os.read(fd, 1)
            if not c:
                return None
            buf += c
        return buf

    def _wait_start(self, timeout=120):
        deadline = time.monotonic() + timeout
        line = self._readline(deadline)
        if line is None:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise TestFailure(f"tracer did not start ({' '.join(self.args)}): "
                              f"rc={self.proc.returncode} stderr={err.decode(errors='replace').strip()}")
        rec = json.loads(line)
        if rec.get("event") != "start":
            raise TestFailure(f"first record is not 'start': {rec}")
        self.start = rec

    def stop(self):
        """SIGINT, then every remaining line must parse as JSON."""
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=120)
        self.rc = self.proc.returncode
        self.stderr = err.decode(errors="replace")
        recs = []
        for raw in out.splitlines():
            try:
                recs.append(json.loads(raw))
            except ValueError as e:
                raise TestFailure(f"output line is not JSON ({e}): {raw[:200]!r}")
        self.lines = recs
        expect_eq(self.rc, 0, f"tracer exit code (stderr: {self.stderr.strip()})")
        return recs

    def events(self, kinds=("check", "read")):
        return [r for r in self.lines if r.get("event") in kinds]


def calls_of(records):
    """The calls a list of check/read records stands for: a record with
    "count": n (identical repeats coalesced, docs/delivery.md) is n calls,
    one without it is one call."""
    calls = []
    for r in records:
        n = r.get("count", 1)
        if not isinstance(n, int) or n < 1:
            raise TestFailure(f"record with an invalid count {n!r}: {r}")
        calls.extend([r] * n)
    return calls


def byte_string(s):
    """JSON 'bytes' fields map each byte to the code point of its value."""
    return s.encode("latin-1")


def write_attr(path, data):
    """One write(2); returns (ret, errno)."""
    fd = os.open(path, os.O_WRONLY)
    try:
        return os.write(fd, data), 0
    except OSError as e:
        return -1, e.errno
    finally:
        os.close(fd)


def read_attr(path):
    """One read(2) of up to a page; returns (bytes, errno)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 8192), 0
    except OSError as e:
        return None, e.errno
    finally:
        os.close(fd)


def expect_usage_errors(cases):
    """Each (args, message): exit 2 and a first stderr line naming it."""
    for args, msg in cases:
        r = run([BIN, *args], timeout=30)
        expect_eq(r.returncode, 2, f"{args}: usage error exit code")
        first = r.stderr.splitlines()[0] if r.stderr else ""
        expect(first.startswith("mdevver-trace") and msg in first,
               f"{args}: first stderr line names the problem: {first!r}")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


# A journald.conf for the test's own journald: in memory only, no kernel
# log, no audit, nothing forwarded anywhere.
_JOURNALD_CONF = ("[Journal]\nStorage=volatile\nAudit=no\nReadKMsg=no\nForwardToSyslog=no\n"
                  "ForwardToKMsg=no\nForwardToConsole=no\nForwardToWall=no\n")


class PrivateJournal:
    """The real systemd-journald, the test's own: in a mount namespace of
    its own (tmpfs on /run and /var/log/journal, journald.conf bound over
    with _JOURNALD_CONF), so the machine's journal is never touched.  The
    tracer (Tracer(..., prefix=j.ns)) and journalctl (j.query) enter that
    namespace with nsenter; sysfs and pids are the machine's."""

    def __init__(self, timeout=60):
        setup = ("mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal /run/log/journal "
                 "/run/mdevver-test && printf '%s' \"$1\" >/run/mdevver-test/journald.conf && "
                 "mount --bind /run/mdevver-test/journald.conf /etc/systemd/journald.conf && "
                 "{ [ ! -d /var/log/journal ] || mount -t tmpfs tmpfs /var/log/journal; } && "
                 "echo ready && exec sleep 100000")
        self.holder = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c",
                                        setup, "sh", _JOURNALD_CONF], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
        self.journald = None
        line = self.holder.stdout.readline()
        if line != "ready\n":
            self.holder.kill()
            _, err = self.holder.communicate()
            raise TestFailure(f"private mount namespace for journald: {err.strip()}")
        # -r -w: the target's root and cwd (in the VM the tests run chrooted
        # into the host's file system; setns alone would reset them)
        self.ns = ["nsenter", "-t", str(self.holder.pid), "-m", "-r", "-w", "--"]
        self.journald = subprocess.Popen(self.ns + ["/lib/systemd/systemd-journald"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while subprocess.run(self.ns + ["test", "-S", "/run/systemd/journal/socket"]).returncode:
            if self.journald.poll() is not None or time.monotonic() > deadline:
                err = self.journald.stderr.read().decode(errors="replace") \
                    if self.journald.poll() is not None else "no socket in time"
                self.close()
                raise TestFailure(f"systemd-journald did not start: {err.strip()}")
            time.sleep(0.05)

    def query(self, *matches):
        """journalctl -o json for the matches: the entries, as dicts."""
        r = subprocess.run(self.ns + ["journalctl", "--no-pager", "-o", "json", *matches],
                           capture_output=True, text=True, timeout=60)
        if r.returncode not in (0, 1):      # 1: no entry (some versions)
            raise TestFailure(f"journalctl {matches}: rc={r.returncode} {r.stderr.strip()}")
        return [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]

    def wait_for(self, *matches, timeout=60):
        """Entries for the matches, once there is at least one (journald
        takes datagrams in order, so everything sent before is in)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.query(*matches)
            if got:
                return got
            if time.monotonic() > deadline:
                raise TestFailure(f"no journal entry {matches} within {timeout} s")
            time.sleep(0.1)

    def close(self):
        for p in (self.journald, self.holder):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
