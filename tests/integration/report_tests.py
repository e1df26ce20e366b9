#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""`mdevver-trace report`: merging audit logs into a summary and a
compatibility matrix.  Host only, no BPF: the input is the hand-written
multi-host logs in tests/data/report/ (hostA reads its V5_4 device's string;
hostB and hostC receive checks of it), and the output is compared exactly.
Duplicates and gaps (report_identity_duplicates_gaps) are tested over logs
the real tracer writes on this host (root, syscall mode, as the host suite
runs it), with one log given twice and one with a line deleted.
The HTML page is rendered with headless Chromium (Debian package
`chromium`): a screenshot to build/test-logs/report.png and the DOM, whose
cells are checked one by one.
"""
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BIN, REPO, Tracer, expect, expect_eq, expect_usage_errors,  # noqa: E402
                     finish, read_attr, run_test, skip)
import forged  # noqa: E402

DATA = os.path.join(REPO, "tests", "data", "report")
LOGS = os.path.join(REPO, "build", "test-logs")
A, B, C, D = (os.path.join(DATA, f) for f in
              ("hostA.jsonl", "hostB.jsonl", "hostC.jsonl", "enforce.jsonl"))

# The legend above every matrix.
LEGEND = """\
  rows S: version strings written by checks (the source device's
    string), with the host/mdev_type that read it, if a log has that read
  columns T: target host/mdev_type the string was written to
  cells: C compatible, I incompatible, U unsupported, P partial,
    D denied, W would-deny, ? other outcome; . no check
    (e.g. "C2 I1": 2 compatible and 1 incompatible checks; "C2 I1*":
    the latest of them was incompatible)
"""

# The last section of logs without migration records.
NO_MIGRATIONS = """
Migrations
  none: no migration record in the logs (tracers of this version write
  them where the kernel has VFIO migration; see docs/migration.md)
"""

# hostA, hostB, hostC: every section, every number, every byte.  Where a VM
# on hostA/V5_4 can go, by hand: it read S3 (its type's version) and S4
# (its instance's migration_version); S3 was compatible twice on hostB/V5_4,
# incompatible on hostB/V5_8 (21:17:08), unsupported on hostC/V5_4
# (21:17:13); S4 unsupported on hostC/- (21:17:14); of the 5 devices in the
# logs only hostA/V5_4 itself got no check of them.
EXPECTED_ABC = """\
Summary
  hosts        3
  time range   2026-11-23T21:17:05Z .. 2026-11-23T21:17:50Z
  checks       7
  reads        3 (ok 2, unsupported 1)
  lifecycle    0
  migrations   0 sessions
  lost events  3 (lost records 2, dropped records 1)
  input        3 logs, 20 lines, 1 malformed line skipped
  identity     none (logs from before identity): duplicates and gaps unknown

Hosts
  HOST   RECORDS  CHECKS  READS  LOST
  hostA        4       0      2     0
  hostB        8       5      0     2
  hostC        7       2      1     1

Checks by outcome
  OUTCOME         CHECKS
  C compatible         2
  I incompatible       3
  U unsupported        2
  P partial            0
    total              7

Checks by mdev type
  MDEV_TYPE       CHECKS  OUTCOMES
  -                    1  U1
  i915-GVTg_V5_4       5  C2 I2 U1
  i915-GVTg_V5_8       1  I1

Checks by process
  COMM      CHECKS  OUTCOMES
  fuzz           1  I1
  libvirtd       5  C2 I1 U2
  sh             1  I1

Denied by rule
  none (no check was denied or would be; enforcement mode adds these)

Where can a VM go
  a source is a host/mdev_type that read a version string; a VM on it
  can go to a target (one of the 5 host/mdev_types in the logs) when the
  latest check of its strings there was compatible
  grid: per source, C targets compatible, I targets with another latest
    outcome, the rest never checked; . none checked; - not a source (no
    string read); blank: no such device in the logs

  SOURCE HOST  -  i915-GVTg_V5_4  i915-GVTg_V5_8
  hostA           C1 I3
  hostB           -               -
  hostC        -  -

  per source, the latest check on each target, newest first (at most
  3 a list; all of one source: report --source HOST/TYPE):

  a VM on hostA/i915-GVTg_V5_4 (strings S3, S4)
    compatible on 1 of 5 targets:
      2026-11-23T21:17:10Z  hostB/i915-GVTg_V5_4  C2  S3
    incompatible on 3 of 5 targets:
      2026-11-23T21:17:14Z  hostC/-               U1  S4
      2026-11-23T21:17:13Z  hostC/i915-GVTg_V5_4  U1  S3
      2026-11-23T21:17:08Z  hostB/i915-GVTg_V5_8  I1  S3
    never checked on 1: hostA/i915-GVTg_V5_4

Compatibility matrix
""" + LEGEND + """
  S1  "00028086-193b-i915\\x00-GVTg_V5_4\\n"   unknown source
  S2  "00028086-193b-i915-GVTg_V5_4"         unknown source
  S3  "00028086-193b-i915-GVTg_V5_4\\n"       source: hostA/i915-GVTg_V5_4
  S4  "8086-193b-i915-GVTg_V5_4-00000001\\n"  source: hostA/i915-GVTg_V5_4

  T1  hostB/i915-GVTg_V5_4
  T2  hostB/i915-GVTg_V5_8
  T3  hostC/-
  T4  hostC/i915-GVTg_V5_4

  ROW  SOURCE                T1  T2  T3  T4
  S1   unknown source        I1  .   .   .
  S2   unknown source        I1  .   .   .
  S3   hostA/i915-GVTg_V5_4  C2  I1  .   U1
  S4   hostA/i915-GVTg_V5_4  .   .   U1  .
""" + NO_MIGRATIONS

# Enforcement mode's records (outcome denied / would-deny, with "rule"); the
# mixed cell's latest check (08:00:05) was the denied one: "C1 D1*".
EXPECTED_ENFORCE = """\
Summary
  hosts        1
  time range   2026-11-24T08:00:00Z .. 2026-11-24T08:01:00Z
  checks       5
  reads        0
  lifecycle    0
  migrations   0 sessions
  lost events  0 (lost records 0, dropped records 0)
  input        1 log, 7 lines, 0 malformed lines skipped
  identity     none (logs from before identity): duplicates and gaps unknown

Hosts
  HOST   RECORDS  CHECKS  READS  LOST
  hostD        7       5      0     0

Checks by outcome
  OUTCOME         CHECKS
  C compatible         1
  I incompatible       0
  U unsupported        0
  P partial            0
  D denied             3
  W would-deny         1
    total              5

Checks by mdev type
  MDEV_TYPE       CHECKS  OUTCOMES
  i915-GVTg_V5_4       5  C1 D3 W1

Checks by process
  COMM      CHECKS  OUTCOMES
  libvirtd       2  C1 D1
  qemu-kvm       1  D1
  sh             2  D1 W1

Denied by rule
  RULE              CHECKS  OUTCOMES
  (no rule)              1  D1
  no-downgrade           2  D2
  only-gvt-strings       1  W1

Where can a VM go
  no source: no log has a read that returned a version string

Compatibility matrix
""" + LEGEND + """
  S1  "00028086-193b-i915-GVTg_V5_4\\n"  unknown source
  S2  "00028086-193b-i915-GVTg_V5_8\\n"  unknown source
  S3  "junk<&>\\n"                       unknown source

  T1  hostD/i915-GVTg_V5_4

  ROW  SOURCE          T1
  S1   unknown source  C1 D1*
  S2   unknown source  D2
  S3   unknown source  W1
""" + NO_MIGRATIONS

MALFORMED_B = "mdevver-trace: report: {}:5: not a JSON record\n"
ONE_SKIPPED = "mdevver-trace: report: 1 malformed line skipped\n"


def report(*args, stdin=None):
    return subprocess.run([BIN, "report", *args], input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_text_exact():
    r = report(A, B, C)
    expect_eq(r.returncode, 0, f"exit code (stderr {r.stderr!r})")
    expect_eq(r.stdout, EXPECTED_ABC, "text report of hostA, hostB, hostC")
    expect_eq(r.stderr, MALFORMED_B.format(B) + ONE_SKIPPED, "stderr: the malformed line")


def test_order_independent():
    """Sorted output: the order of the logs on the command line is irrelevant."""
    r = report(C, A, B)
    expect_eq(r.returncode, 0, "exit code")
    expect_eq(r.stdout, EXPECTED_ABC, "same report for logs in another order")


def test_enforcement_records():
    r = report(D)
    expect_eq(r.returncode, 0, f"exit code (stderr {r.stderr!r})")
    expect_eq(r.stdout, EXPECTED_ENFORCE, "text report of enforcement records")
    expect_eq(r.stderr, "", "no stderr")


def test_stdin():
    with open(B) as f:
        r = report(A, "-", C, stdin=f.read())
    expect_eq(r.returncode, 0, "exit code")
    expect_eq(r.stdout, EXPECTED_ABC, "hostB's log on stdin: the same report")
    expect_eq(r.stderr, MALFORMED_B.format("<stdin>") + ONE_SKIPPED, "stderr names <stdin>")


def test_missing_file():
    r = report(A, "/nonexistent/hostX.jsonl")
    expect_eq(r.returncode, 1, "exit code for a missing log")
    expect_eq(r.stderr, "mdevver-trace: report: cannot open /nonexistent/hostX.jsonl: "
              "No such file or directory\n", "one error line")
    expect_eq(r.stdout, "", "no partial report")
    r = report(DATA)
    expect_eq(r.returncode, 1, "exit code for a directory")
    expect_eq(r.stderr, f"mdevver-trace: report: cannot read {DATA}: Is a directory\n",
              "one error line for a directory")


def test_usage_errors():
    r = report()
    expect_eq(r.returncode, 2, "no LOG: usage error")
    expect_eq(r.stderr.splitlines()[0],
              "mdevver-trace report: missing LOG: give one or more audit logs ('-' for stdin)",
              "first stderr line")
    r = report("--bogus", A)
    expect_eq(r.returncode, 2, "unknown option: usage error")
    expect(r.stderr.startswith("mdevver-trace report: unrecognized option '--bogus'"),
           f"unknown option message: {r.stderr!r}")
    r = report("--html", "/nonexistent/dir/report.html", A)
    expect_eq(r.returncode, 1, "unwritable --html")
    expect_eq(r.stdout, "", "no report when the page cannot be created")
    expect_eq(r.stderr, "mdevver-trace: report: cannot create /nonexistent/dir/report.html: "
              "No such file or directory\n", "one error line for --html")


def test_malformed_lines():
    """Bad lines are counted, the first 5 named, and the rest still counted."""
    good = open(A).read()
    bad = [
        "not json at all",
        '{"schema":1,"event":"check"',                               # cut mid-record
        "[1,2,3]",                                                   # JSON, not an object
        '{"schema":1,"event":"read","time":"2026-11-23T21:17:05Z"}',  # no host
        '{"schema":2,"event":"start","time":"2026-11-23T21:17:05Z","host":"h"}',
        '{"schema":1,"event":"lost","time":"2026-11-23T21:17:05Z","host":"h","lost":"2"}',
        '{"schema":1,"event":"start","time":"2026-11-23T21:17:05Z","host":"h"} {}',
    ]
    blank = "\n   \n"
    r = report("-", stdin=good + "\n".join(bad) + "\n" + blank)
    expect_eq(r.returncode, 0, "malformed lines do not fail the report")
    expect_eq(r.stderr.splitlines(), [
        "mdevver-trace: report: <stdin>:5: not a JSON record",
        "mdevver-trace: report: <stdin>:6: not a JSON record",
        "mdevver-trace: report: <stdin>:7: not a JSON record",
        'mdevver-trace: report: <stdin>:8: read record: missing or invalid "host"',
        "mdevver-trace: report: <stdin>:9: start record: schema 2 not supported "
        "(this version reads schema 1)",
        "mdevver-trace: report: 7 malformed lines skipped (the first 5 shown)",
    ], "stderr: five named, then the count")
    expect("  input        1 log, 13 lines, 7 malformed lines skipped\n" in r.stdout,
           "summary counts them (blank lines are not records, nor errors)")
    expect("  reads        2 (ok 2)\n" in r.stdout, "the good records still count")


def test_byte_strings():
    """\\u00XX is one byte; a code point above U+00FF is not a byte string."""
    rec = ('{"schema":1,"event":"check","time":"2026-11-23T21:17:05Z","host":"h",'
           '"comm":"c","mdev_type":"t","bytes":"%s","outcome":"compatible"}\n')
    r = report("-", stdin=rec % "a\\u00ff\\u0000\\t" + rec % "\\u0100")
    expect_eq(r.returncode, 0, "exit code")
    expect('  S1  "a\\xff\\x00\\t"  unknown source\n' in r.stdout and
           "  S1   unknown source  C1\n" in r.stdout,
           f"U+00FF and U+0000 are bytes 0xff and 0x00: {r.stdout[-300:]!r}")
    expect_eq(r.stderr.splitlines()[0],
              'mdevver-trace: report: <stdin>:2: check record: missing or invalid "bytes"',
              "U+0100 rejected")


def test_coalesced_counts():
    """A record with "count": n stands for n calls (docs/delivery.md); one
    without it for one call; a count below 1 is not a record."""
    rec = ('{"schema":1,"event":"%s","time":"2026-11-23T21:17:0%dZ","host":"h",'
           '"comm":"c","mdev_type":"t","bytes":"v","outcome":"%s"%s}\n')
    log = (rec % ("check", 1, "compatible", "") +
           rec % ("check", 2, "compatible", ',"count":499') +
           rec % ("check", 3, "incompatible", ',"count":7') +
           rec % ("read", 4, "ok", ',"count":1000') +
           rec % ("check", 5, "compatible", ',"count":0'))
    r = report("-", stdin=log)
    expect_eq(r.returncode, 0, f"exit code (stderr {r.stderr!r})")
    expect("  checks       507\n" in r.stdout, f"checks summed over count: {r.stdout[:400]!r}")
    expect("  reads        1000 (ok 1000)\n" in r.stdout, "reads summed over count")
    expect("  t             507  C500 I7\n" in r.stdout,
           f"by type, by outcome: {r.stdout[:1200]!r}")
    expect_eq(r.stderr.splitlines()[0],
              'mdevver-trace: report: <stdin>:5: check record: missing or invalid "count"',
              "count 0 rejected")


def test_100k_lines():
    """A generated log of 100k full records (10 hosts); the time is printed."""
    hosts = [f"host{i:02d}" for i in range(10)]
    types = ["i915-GVTg_V5_1", "i915-GVTg_V5_2", "i915-GVTg_V5_4", "i915-GVTg_V5_8"]
    outcomes = [("compatible", 29, None), ("incompatible", -22, "EINVAL"),
                ("unsupported", -19, "ENODEV")]
    n = 100_000
    fd, path = tempfile.mkstemp(prefix="report-100k-", suffix=".jsonl")
    try:
        with os.fdopen(fd, "w") as f:
            for i in range(n):
                h, t = hosts[i % 10], types[i // 10 % 4]
                kind = "read" if i % 7 == 0 else "check"
                # a read returns the device's own string; checks write any
                src = t if kind == "read" else types[i // 40 % 4]
                s = f"00028086-193b-{src}\\n"
                oc, ret, errname = ("ok", 29, None) if kind == "read" else outcomes[i % 3]
                errname = "null" if errname is None else f'"{errname}"'
                f.write(
                    f'{{"schema":1,"event":"{kind}","time":"2026-11-23T21:{i // 60000 % 60:02d}:'
                    f'{i // 1000 % 60:02d}.{i % 1000:03d}000000Z","ts_ns":{i},"host":"{h}",'
                    f'"mode":"fentry","pid":{100 + i % 50},"tid":{100 + i % 50},"ppid":1,"uid":0,'
                    f'"gid":0,"comm":"libvirtd","cgroup_id":1,"path":"/sys/devices/pci0000:00/'
                    f'0000:00:02.0/mdev_supported_types/{t}/version","path_truncated":false,'
                    f'"attr":"version","parent":"0000:00:02.0","mdev_type":"{t}","device":null,'
                    f'"bytes":"{s}","len":29,"captured":29,"truncated":false,"unreadable":false,'
                    f'"ret":{ret},"errno":{max(-ret, 0)},"errno_name":{errname},'
                    f'"outcome":"{oc}","latency_ns":1000,"decoded":{{"format":"gvt-seed",'
                    f'"vendor":32902,"device_api":"pci","device":6459,"type":"{src}",'
                    f'"newline":true}}}}\n')
        size = os.path.getsize(path)
        t0 = time.monotonic()
        r = report(path)
        dt = time.monotonic() - t0
        print(f"# report of {n} lines ({size / 1e6:.1f} MB): {dt:.2f} s "
              f"({dt / n * 1e6:.1f} us/line)", flush=True)
        expect_eq(r.returncode, 0, f"exit code ({r.stderr.strip()})")
        expect_eq(r.stderr, "", "no malformed lines")
        expect("  hosts        10\n" in r.stdout, "10 hosts")
        expect("  checks       85714\n" in r.stdout, "85714 checks")
        expect("  reads        14286 (ok 14286)\n" in r.stdout, "14286 reads")
        expect("  input        1 log, 100000 lines, 0 malformed lines skipped\n" in r.stdout,
               "input line")
        expect("    total          85714\n" in r.stdout, "outcome total")
        # 4 source strings x 40 targets: 3 columns fit in 100, the rest are named
        expect("  T3  host00/i915-GVTg_V5_4\n\n" in r.stdout and "  T4  " not in r.stdout,
               "the columns shown: T1..T3")
        expect("  (not shown, to fit in 100 columns: T4..T40 of 40 targets,\n"
               "   host00/i915-GVTg_V5_8 .. host09/i915-GVTg_V5_8; " in r.stdout,
               f"the columns left out: {r.stdout[-400:]!r}")
        expect("\n  S4   " in r.stdout and "\n  S5 " not in r.stdout, "4 rows")
        expect('  S4  "00028086-193b-i915-GVTg_V5_8\\n"  source: host00/i915-GVTg_V5_8 '
               '(+9 more)\n' in r.stdout, "the last string's sources: 1 of the 10, then a count")
        # every device read its type's string: 4 groups of 10 sources
        expect_eq(r.stdout.count("\n  a VM on "), 4, "4 groups of sources")
        expect(max(len(x) for x in r.stdout.split("\n")) <= 100, "100 columns")
    finally:
        os.unlink(path)


# --- HTML ----------------------------------------------------------------------

# --- identity: duplicates and gaps, over logs the real tracer writes ---------

def traced_log(path, n):
    """A real audit log: the tracer (on the host: syscall mode, --any-sysfs;
    the host has no mdev device, so reads of module versions) records this
    process's reads of n /sys/module/*/version files.  Returns its records."""
    import glob
    files = sorted(glob.glob("/sys/module/*/version"))[:n]
    expect_eq(len(files), n, "the host has enough module version attributes")
    t = Tracer("-o", path, "--any-sysfs", "-p", str(os.getpid()))
    for f in files:
        expect_eq(read_attr(f)[1], 0, f"read {f}")
    t.stop()
    with open(path) as f:
        recs = [json.loads(line) for line in f]
    expect(recs == [t.start] + t.lines,
           f"the log holds what stdout got ({len(recs)} and {1 + len(t.lines)} records)")
    return recs


def check_identity(recs, reads):
    """One run's records: start, the reads, end; seq 1..N with no hole, one
    identity, the end record carrying the last seq."""
    expect_eq([r["event"] for r in recs], ["start"] + ["read"] * reads + ["end"], "kinds")
    expect_eq([r["seq"] for r in recs], list(range(1, len(recs) + 1)), "seq 1..N, no holes")
    for k in ("host_id", "boot_id", "run_id"):
        expect_eq({r[k] for r in recs}, {recs[0][k]}, f"one {k} for the run")
        expect(re.fullmatch(r"[0-9a-f]{32}", recs[0][k]), f"{k} is 32 lowercase hex digits")
    expect_eq(list(recs[0])[:9], ["schema", "event", "time", "ts_ns", "host", "host_id",
                                  "boot_id", "run_id", "seq"], "identity right after host")
    with open("/proc/sys/kernel/random/boot_id") as f:
        expect_eq(recs[0]["boot_id"], f.read().strip().replace("-", ""), "the kernel's boot id")
    expect_eq(recs[0]["host_id_from"], "machine-id", "host id from the machine-id")


def identity_section(host, host_id, runs, records, dups, missing):
    """The text report's "Records by identity" table of one host."""
    head = ["HOST", "HOST_ID", "RUNS", "RECORDS", "DUPLICATES", "MISSING"]
    row = [host, host_id[:8], str(runs), str(records), str(dups), str(missing)]
    w = [max(len(a), len(b)) for a, b in zip(head, row)]

    def line(cells):
        out = "  " + cells[0].ljust(w[0]) + "  " + cells[1].ljust(w[1])
        return out + "".join("  " + c.rjust(n) for c, n in zip(cells[2:], w[2:])) + "\n"
    return "\nRecords by identity\n" + line(head) + line(row)


def test_identity_duplicates_gaps():
    """Two real tracer runs; one log given twice (a shipper's retry), one
    with a record's line deleted (lost on the way): every duplicate counted
    once and said, the deleted seq named as a gap of its host and run, in
    text and HTML."""
    with tempfile.TemporaryDirectory() as d:
        log1, log2 = os.path.join(d, "run1.jsonl"), os.path.join(d, "run2.jsonl")
        r1 = traced_log(log1, 5)
        r2 = traced_log(log2, 3)
        check_identity(r1, 5)
        check_identity(r2, 3)
        expect(r1[0]["run_id"] != r2[0]["run_id"], "a new run id per run")
        expect_eq(r1[0]["host_id"], r2[0]["host_id"], "one host id")
        host, hid = r1[0]["host"], r1[0]["host_id"]
        dup = os.path.join(d, "run1-again.jsonl")
        shutil.copy(log1, dup)
        gap = os.path.join(d, "run1-gap.jsonl")
        with open(log1) as f:
            lines = f.readlines()
        expect_eq(json.loads(lines[3])["seq"], 4, "line 4 is seq 4")
        with open(gap, "w") as f:
            f.writelines(lines[:3] + lines[4:])

        # the same log twice: 7 records once, 7 duplicates, the reads once
        r = report(log1, dup)
        expect_eq(r.returncode, 0, f"report exit code ({r.stderr.strip()})")
        expect("  reads        5 (ok 5)\n" in r.stdout, f"5 reads, not 10: {r.stdout}")
        expect("  identity     7 records in 1 run, 7 duplicates dropped, 0 missing\n"
               in r.stdout, f"summary: duplicates said: {r.stdout}")
        expect(identity_section(host, hid, 1, 7, 7, 0) +
               "  no gaps: every run's seq is complete from 1 to its last\n" in r.stdout,
               f"per host: {r.stdout}")

        # a deleted line and another run: one gap, named with its run
        r = report(gap, log2)
        expect_eq(r.returncode, 0, f"report exit code ({r.stderr.strip()})")
        expect("  reads        7 (ok 7)\n" in r.stdout, f"4 + 3 reads: {r.stdout}")
        expect("  identity     11 records in 2 runs, 0 duplicates dropped, 1 missing\n"
               in r.stdout, f"summary: one missing: {r.stdout}")
        expect(identity_section(host, hid, 2, 11, 0, 1) +
               "  gaps (seq missing within a run; a run whose end record is missing can\n"
               "  lose its last records unseen):\n"
               f"    {host}  run {r1[0]['run_id'][:8]}  boot {r1[0]['boot_id'][:8]}  "
               "1 of 7: seq 4\n" in r.stdout, f"the gap of run 1: {r.stdout}")

        # everything, the second run twice: the copy fills the gap
        r = report(gap, log2, dup, log2)
        expect("  identity     12 records in 2 runs, 11 duplicates dropped, 0 missing\n"
               in r.stdout, f"6 + 5 duplicates, no gap: {r.stdout}")
        expect("  reads        8 (ok 8)\n" in r.stdout, f"5 + 3 reads: {r.stdout}")

        # with a log from before identity: its records are unidentified
        with open(A) as f:
            old = [json.loads(x) for x in f if x.startswith("{")]
        r = report(A, log1)
        n = sum(1 for x in old if x.get("event") not in (None, "dropped"))
        expect(f"  identity     7 records in 1 run, 0 duplicates dropped, 0 missing, "
               f"{n} unidentified\n" in r.stdout,
               f"unidentified records said: {r.stdout}")
        if not chromium():
            return
        got = html_sections(gap, log2, dup, log2)
        expect_eq(got["Summary"]["rows"][-1],
                  ["identity", "12 records in 2 runs, 11 duplicates dropped, 0 missing"],
                  "HTML summary")
        expect_eq(got["Records by identity"]["rows"],
                  [["host", "host_id", "runs", "records", "duplicates", "missing"],
                   [host, hid[:8], "2", "12", "11", "0"]], "HTML per host")
        expect_eq(got["Gaps"], {"para": "None: every run's seq is complete from 1 to its last."},
                  "HTML: no gap")
        got = html_sections(gap, log2)
        expect_eq(got["Gaps"]["rows"],
                  [["host", "run", "boot", "missing", "of", "seq"],
                   [host, r1[0]["run_id"][:8], r1[0]["boot_id"][:8], "1", "7", "4"]],
                  "HTML: the gap of run 1")


def chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_run(*args):
    profile = tempfile.mkdtemp(prefix="report-chromium-")
    try:
        return subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
             *args], capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def make_page():
    os.makedirs(LOGS, exist_ok=True)
    page = os.path.join(LOGS, "report.html")
    r = report("--html", page, A, B, C, D)
    expect_eq(r.returncode, 0, f"report --html exit code ({r.stderr.strip()})")
    return page


class MatrixDom(html.parser.HTMLParser):
    """The matrix table from a DOM dump: column heads, rows, cells."""

    def __init__(self):
        super().__init__()
        self.cols = {}      # "T1" -> text chunks
        self.rows = {}      # "S1" -> {"head": chunks, "cells": [(class, text, attrs)]}
        self.in_matrix = False
        self.row = None
        self.cell = None    # (kind, attrs, chunks) of the open th/td
        self.tags = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "table" and "matrix" in a.get("class", "").split():
            self.in_matrix = True
        if not self.in_matrix:
            return
        if tag == "tr" and "data-row" in a:
            self.row = a["data-row"]
            self.rows[self.row] = {"head": None, "cells": []}
        elif tag in ("th", "td"):
            self.cell = (tag, a, [])

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_matrix = False
        if not self.in_matrix or tag not in ("th", "td") or not self.cell:
            return
        kind, a, chunks = self.cell
        self.cell = None
        chunks = [c for c in (c.strip() for c in chunks) if c]
        if kind == "th" and "col" in a.get("class", "").split():
            self.cols[a["data-col"]] = chunks
        elif kind == "th" and self.row:
            self.rows[self.row]["head"] = chunks
        elif kind == "td" and self.row:
            self.rows[self.row]["cells"].append((a.get("class"), " ".join(chunks), a))

    def handle_data(self, data):
        if self.cell:
            self.cell[2].append(data)


# (row head chunks, [(class, text) per column T1..T5]) for hostA-C + hostD
E = ("cell empty", ".")
EXPECTED_MATRIX = {
    "S1": (["S1", '"00028086-193b-i915\\x00-GVTg_V5_4\\n"', "unknown source"],
           [("cell incompatible", "I1"), E, E, E, E]),
    "S2": (["S2", '"00028086-193b-i915-GVTg_V5_4"', "unknown source"],
           [("cell incompatible", "I1"), E, E, E, E]),
    "S3": (["S3", '"00028086-193b-i915-GVTg_V5_4\\n"', "source: hostA/i915-GVTg_V5_4"],
           [("cell compatible", "C2"), ("cell incompatible", "I1"), E,
            ("cell unsupported", "U1"), ("cell mixed", "C1 D1*")]),
    "S4": (["S4", '"00028086-193b-i915-GVTg_V5_8\\n"', "unknown source"],
           [E, E, E, E, ("cell denied", "D2")]),
    "S5": (["S5", '"8086-193b-i915-GVTg_V5_4-00000001\\n"', "source: hostA/i915-GVTg_V5_4"],
           [E, E, ("cell unsupported", "U1"), E, E]),
    "S6": (["S6", '"junk<&>\\n"', "unknown source"],
           [E, E, E, E, ("cell would-deny", "W1")]),
}
EXPECTED_COLS = {
    "T1": ["T1", "hostB", "i915-GVTg_V5_4"],
    "T2": ["T2", "hostB", "i915-GVTg_V5_8"],
    "T3": ["T3", "hostC", "-"],
    "T4": ["T4", "hostC", "i915-GVTg_V5_4"],
    "T5": ["T5", "hostD", "i915-GVTg_V5_4"],
}


def test_html_self_contained():
    page = make_page()
    src = open(page, encoding="ascii").read()      # pure ASCII: all escaped
    expect(src.startswith("<!DOCTYPE html>"), "a complete page")
    expect("<style>" in src, "inline CSS")
    for bad in ("<script", "http://", "https://", "<link", "src=", "@import", "url("):
        expect(bad not in src.lower(), f"self-contained: no {bad!r}")
    expect('&quot;junk&lt;&amp;&gt;\\n&quot;' in src, "log text is HTML-escaped")
    expect("\\x00" in src and "\0" not in src, "the NUL byte shows as \\x00")


def test_html_dom():
    page = make_page()
    r = chromium_run("--dump-dom", "file://" + page)
    expect_eq(r.returncode, 0, f"chromium --dump-dom ({r.stderr[-300:]})")
    dom = MatrixDom()
    dom.feed(r.stdout)
    expect_eq(dom.cols, EXPECTED_COLS, "column heads")
    expect_eq(sorted(dom.rows), sorted(EXPECTED_MATRIX), "rows")
    for row, (head, cells) in EXPECTED_MATRIX.items():
        got = dom.rows[row]
        expect_eq(got["head"], head, f"{row} head")
        expect_eq([(c, t) for c, t, _ in got["cells"]], cells, f"{row} cells")
        for col, (cls, text, attrs) in enumerate(got["cells"], 1):
            if cls != "cell empty":
                expect_eq((attrs.get("data-row"), attrs.get("data-col")), (row, f"T{col}"),
                          f"{row} T{col} data attributes")
    expect_eq(dom.rows["S3"]["cells"][4][2].get("title"),
              "hostD/i915-GVTg_V5_4: 1 compatible, 1 denied; latest: denied at "
              "2026-11-24T08:00:05Z", "mixed cell title: which check was the latest")


def png_rgba_rows(path):
    """Decode an 8-bit non-interlaced RGB/RGBA PNG (what Chromium writes)."""
    data = open(path, "rb").read()
    expect(data[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature")
    pos, idat = 8, b""
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if typ == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif typ == b"IDAT":
            idat += body
    expect(depth == 8 and ctype in (2, 6) and not interlace, f"PNG kind {depth}/{ctype}")
    bpp = 4 if ctype == 6 else 3
    raw, stride, prev, rows, i = zlib.decompress(idat), w * bpp, bytearray(w * bpp), [], 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        if f == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f in (3, 4):
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b, c = prev[x], prev[x - bpp] if x >= bpp else 0
                if f == 3:
                    line[x] = (line[x] + ((a + b) >> 1)) & 255
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[x] = (line[x] + (a if pa <= pb and pa <= pc else
                                          b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 4 else
                    b"".join(bytes(line[x:x + 3]) + b"\xff" for x in range(0, stride, 3)))
        prev = line
    return w, h, rows


def test_html_screenshot():
    page = make_page()
    # tall enough for the sources section and the whole matrix below it
    png = os.path.join(LOGS, "report.png")
    if os.path.exists(png):
        os.unlink(png)
    r = chromium_run(f"--screenshot={png}", "--window-size=1200,1800", "file://" + page)
    expect_eq(r.returncode, 0, f"chromium --screenshot ({r.stderr[-300:]})")
    expect(os.path.exists(png), f"{png} written")
    expect(os.path.getsize(png) > 20000, f"non-trivial PNG ({os.path.getsize(png)} bytes)")
    w, h, rows = png_rgba_rows(png)
    expect_eq((w, h), (1200, 1800), "screenshot size")
    # the cell colours of the CSS, each a solid block of at least 40x20 px
    colours = {"compatible": (0x2e, 0x7d, 0x32), "incompatible": (0xc6, 0x28, 0x28),
               "unsupported": (0x9e, 0x9e, 0x9e), "mixed": (0xef, 0x6c, 0x00),
               "denied": (0x6a, 0x1b, 0x9a), "would-deny": (0xce, 0x93, 0xd8)}
    for name, rgb in colours.items():
        px = bytes(rgb) + b"\xff"
        count = sum(_count_px(row, px) for row in rows)
        expect(count >= 800, f"{name} cells visible: {count} pixels of #{rgb[0]:02x}"
               f"{rgb[1]:02x}{rgb[2]:02x}")
    print(f"# screenshot: {png} ({os.path.getsize(png)} bytes)", flush=True)


def _count_px(row, px):
    """Pixels equal to px in one RGBA row (aligned matches only)."""
    n, start = 0, 0
    while True:
        i = row.find(px, start)
        if i < 0:
            return n
        if i % 4 == 0:
            n += 1
            start = i + 4
        else:
            start = i + 1


def test_hostile_strings():
    """A forged log with control bytes in every string: the text report
    and the page hold no raw control byte (C-escaped, then HTML-escaped on
    the page); lost counters of 2^64-1 saturate instead of wrapping."""
    with tempfile.TemporaryDirectory() as d:
        log = forged.write(os.path.join(d, "forged.jsonl"))
        page = os.path.join(d, "r.html")
        r = subprocess.run([BIN, "report", "--html", page, log], capture_output=True,
                           timeout=60)
        expect_eq(r.returncode, 0, f"exit code ({r.stderr!r})")
        expect_eq(forged.raw_controls(r.stdout + r.stderr), [], "text: no raw control bytes")
        expect(b"\x9b" not in r.stdout and b"\xff" not in r.stdout, "text: no raw 0x9b/0xff")
        out = r.stdout.decode()
        expect(forged.HOSTILE_SHOWN in out, "text: the escaped form")
        expect(f"lost records {forged.U64_MAX}," in out, f"saturated, not wrapped: {out}")
        html = open(page, "rb").read()
        expect_eq(forged.raw_controls(html), [], "html: no raw control bytes")
        expect(b"\x9b" not in html and b"\xff" not in html, "html: no raw 0x9b/0xff")
        expect(b"X\\x1b[2J\\n\\x07\\x9b\\xff&lt;b&gt;" in html,
               "html: C-escaped, then entity-escaped")


def test_html_over_input():
    """--html never writes over an input log or a file that looks like a
    log: one line, exit 2, the file byte for byte as it was."""
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "a.jsonl")
        shutil.copy(os.path.join(DATA, "hostA.jsonl"), log)
        other = os.path.join(d, "b.jsonl")
        shutil.copy(os.path.join(DATA, "hostB.jsonl"), other)
        before = open(log, "rb").read(), open(other, "rb").read()
        link = os.path.join(d, "same.html")
        os.link(log, link)
        for args, msg in (([log, log], f"--html {log}: it is the input log {log}"),
                          ([link, log], f"--html {link}: it is the input log {log}"),
                          ([other, log], f"--html {other}: it looks like an audit log")):
            r = report("--html", *args)
            expect_eq(r.returncode, 2, f"{args}: exit code ({r.stderr.strip()})")
            lines = r.stderr.splitlines()
            expect(len(lines) == 1 and lines[0].startswith(f"mdevver-trace: report: {msg}"),
                   f"{args}: one line: {r.stderr!r}")
            expect_eq(r.stdout, "", f"{args}: no report")
        expect_eq((open(log, "rb").read(), open(other, "rb").read()), before,
                  "inputs left byte for byte")
        page = os.path.join(d, "r.html")
        with open(page, "w") as f:
            f.write("<html>old page</html>\n")
        r = report("--html", page, log)
        expect_eq(r.returncode, 0, f"an old page is replaced ({r.stderr.strip()})")


# --- HTML: every table but the matrix ---------------------------------------------

class TablesDom(html.parser.HTMLParser):
    """Every section of the page after the matrix, from a DOM dump: the
    <h2> title -> its table as rows of cell texts (th and td alike), or
    the text of its <p> when the section has no table."""

    def __init__(self):
        super().__init__()
        self.sections = {}
        self.title = None       # the open <h2>'s text chunks, or the current title
        self.in_h2 = False
        self.in_table = False
        self.skip_table = False  # the matrix: tested by test_html_dom
        self.row = None
        self.cell = None
        self.para = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h2":
            self.in_h2, self.title = True, []
        elif tag == "table":
            self.in_table = True
            # the matrix and the heatmap: tested by test_html_dom, test_fleet_html
            self.skip_table = bool({"matrix", "heat"} & set(a.get("class", "").split()))
            if not self.skip_table and isinstance(self.title, str):
                self.sections[self.title] = {"class": a.get("class"), "rows": []}
        elif tag == "tr" and self.in_table and not self.skip_table:
            self.row = []
        elif tag in ("th", "td") and self.row is not None:
            self.cell = []
        elif tag == "p" and isinstance(self.title, str) and not self.in_table:
            self.para = []

    def handle_endtag(self, tag):
        if tag == "h2":
            self.in_h2 = False
            self.title = "".join(self.title).strip()
        elif tag == "table":
            self.in_table = self.skip_table = False
        elif tag in ("th", "td") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.sections[self.title]["rows"].append(self.row)
            self.row = None
        elif tag == "p" and self.para is not None:
            self.sections[self.title] = {"para": "".join(self.para).strip()}
            self.para = None

    def handle_data(self, data):
        if self.in_h2:
            self.title.append(data)
        elif self.cell is not None:
            self.cell.append(data)
        elif self.para is not None:
            self.para.append(data)


def html_sections(*logs, stdin=None):
    """The page of report --html for these logs, rendered by Chromium; its
    sections (TablesDom)."""
    with tempfile.TemporaryDirectory() as d:
        page = os.path.join(d, "tables.html")
        r = report("--html", page, *logs, stdin=stdin)
        expect_eq(r.returncode, 0, f"report --html exit code ({r.stderr.strip()})")
        c = chromium_run("--dump-dom", "file://" + page)
        expect_eq(c.returncode, 0, f"chromium --dump-dom ({c.stderr[-300:]})")
    dom = TablesDom()
    dom.feed(c.stdout)
    return dom.sections


OC_HEAD = ["compatible", "incompatible", "unsupported", "partial", "denied", "would-deny"]

# hostA..C (EXPECTED_ABC) plus hostD (EXPECTED_ENFORCE), added up by hand:
# every number below is the sum of the two text reports' numbers.
EXPECTED_TABLES_ABCD = {
    "Summary": {"class": "summary", "rows": [
        ["hosts", "4"],                                     # 3 + 1
        ["time range", "2026-11-23T21:17:05Z .. 2026-11-24T08:01:00Z"],
        ["checks", "12"],                                   # 7 + 5
        ["reads", "3 (ok 2, unsupported 1)"],               # 3 + 0
        ["lifecycle", "0"],
        ["migrations", "0 sessions"],
        ["lost events", "3 (lost records 2, dropped records 1)"],
        ["input", "4 logs, 27 lines, 1 malformed line skipped"],   # 20 + 7 lines
        ["identity", "none (logs from before identity): duplicates and gaps unknown"],
    ]},
    "Hosts": {"class": "hosts", "rows": [
        ["host", "records", "checks", "reads", "lost"],
        ["hostA", "4", "0", "2", "0"],
        ["hostB", "8", "5", "0", "2"],
        ["hostC", "7", "2", "1", "1"],
        ["hostD", "7", "5", "0", "0"],
    ]},
    "Checks by outcome": {"class": "outcomes", "rows": [
        ["outcome", "checks"],
        ["Ccompatible", "3"],        # 2 + 1 (the chip letter and the name)
        ["Iincompatible", "3"],      # 3 + 0
        ["Uunsupported", "2"],       # 2 + 0
        ["Ppartial", "0"],
        ["Ddenied", "3"],            # 0 + 3
        ["Wwould-deny", "1"],        # 0 + 1
        ["total", "12"],
    ]},
    "Checks by mdev type": {"class": None, "rows": [
        ["mdev type", "checks", *OC_HEAD],
        ["-", "1", "0", "0", "1", "0", "0", "0"],
        ["i915-GVTg_V5_4", "10", "3", "2", "1", "0", "3", "1"],    # C2 I2 U1 + C1 D3 W1
        ["i915-GVTg_V5_8", "1", "0", "1", "0", "0", "0", "0"],
    ]},
    "Checks by process": {"class": None, "rows": [
        ["comm", "checks", *OC_HEAD],
        ["fuzz", "1", "0", "1", "0", "0", "0", "0"],
        ["libvirtd", "7", "3", "1", "2", "0", "1", "0"],          # C2 I1 U2 + C1 D1
        ["qemu-kvm", "1", "0", "0", "0", "0", "1", "0"],
        ["sh", "3", "0", "1", "0", "0", "1", "1"],                # I1 + D1 W1
    ]},
    "Denied by rule": {"class": None, "rows": [
        ["rule", "checks", "denied", "would-deny"],
        ["(no rule)", "1", "1", "0"],
        ["no-downgrade", "2", "2", "0"],
        ["only-gvt-strings", "1", "0", "1"],
    ]},
}


def test_html_tables():
    """Every table of the page but the matrix, cell by cell, for the four
    sample logs: the same numbers as the two exact text reports, added."""
    got = html_sections(A, B, C, D)
    expect("Where can a VM go" in got, "the section of the sources")
    got.pop("Where can a VM go", None)
    expect_eq(got.pop("Migrations", None), {"para": "None: no migration record in the logs."},
              "no migrations: said in a sentence")
    expect_eq(sorted(got), sorted(EXPECTED_TABLES_ABCD), "sections with a table")
    for title, want in EXPECTED_TABLES_ABCD.items():
        expect_eq(got[title].get("class"), want["class"], f"{title}: table class")
        expect_eq(got[title].get("rows"), want["rows"], f"{title}: rows")


def test_html_tables_counts():
    """A log of coalesced records: each table counts the calls a record
    stands for ("count"), not the records; no enforcement record, so the
    rule section says so in a sentence instead of a table."""
    rec = ('{"schema":1,"event":"%s","time":"2026-11-23T21:17:0%dZ","host":"h",'
           '"comm":"%s","mdev_type":"t","bytes":"v","outcome":"%s"%s}\n')
    log = (rec % ("check", 1, "libvirtd", "compatible", "") +
           rec % ("check", 2, "libvirtd", "compatible", ',"count":499') +
           rec % ("check", 3, "sh", "incompatible", ',"count":7') +
           rec % ("read", 4, "cat", "ok", ',"count":1000') +
           rec % ("check", 5, "sh", "unsupported", ',"count":3'))
    got = html_sections("-", stdin=log)
    expect_eq(got.get("Summary", {}).get("rows", [])[2:4],
              [["checks", "510"], ["reads", "1000 (ok 1000)"]],
              "summary: calls, not records (1 + 499 + 7 + 3 checks)")
    expect_eq(got.get("Hosts", {}).get("rows"),
              [["host", "records", "checks", "reads", "lost"], ["h", "5", "510", "1000", "0"]],
              "hosts: 5 records standing for 510 checks and 1000 reads")
    expect_eq(got.get("Checks by outcome", {}).get("rows"),
              [["outcome", "checks"], ["Ccompatible", "500"], ["Iincompatible", "7"],
               ["Uunsupported", "3"], ["Ppartial", "0"], ["total", "510"]],
              "by outcome (no denied/would-deny rows without enforcement)")
    head = ["checks", "compatible", "incompatible", "unsupported", "partial"]
    expect_eq(got.get("Checks by mdev type", {}).get("rows"),
              [["mdev type", *head], ["t", "510", "500", "7", "3", "0"]], "by mdev type")
    expect_eq(got.get("Checks by process", {}).get("rows"),
              [["comm", *head], ["libvirtd", "500", "500", "0", "0", "0"],
               ["sh", "10", "0", "7", "3", "0"]], "by process (cat only read)")
    expect_eq(got.get("Denied by rule"),
              {"para": "None: no check was denied or would be (enforcement mode adds these)."},
              "no rule table without enforcement records")



# --- a fleet: 100 hosts x 4 types -------------------------------------------------
#
# Generated logs, one per host.  Hosts host000..host069 have a gen-9 GPU, the
# rest gen 11: the version string of a device is its generation's string of
# its type, so the 400 devices read 8 strings.  Each host receives checks of
# 6 other hosts' strings, one per type (compatible when the generations
# match), and one cross-type check (a V5_4 string on its V5_8: incompatible).
# Hosts 3, 13, ... also get a later incompatible check on V5_4 (a driver
# reload: latest incompatible), hosts 4, 14, ... an earlier one (latest
# compatible again).  Hosts 7, 30, 53, 76, 99 read their V5_8 as unsupported
# (a device, not a source); host098 has no V5_8 at all.  host005's V5_2 is
# a pre-production card with a string of its own, checked on 3 hosts and
# refused everywhere (a source that can go nowhere), host010's V5_8 one
# whose string was never checked.  Every check has its own second, so
# "latest" never ties.  The expectations are computed from
# this data in Python, not read back from the report.

FLEET_TYPES = ["i915-GVTg_V5_1", "i915-GVTg_V5_2", "i915-GVTg_V5_4", "i915-GVTg_V5_8"]
FLEET_HOSTS = [f"host{i:03d}" for i in range(100)]
OC_ORDER = ["compatible", "incompatible", "unsupported", "partial", "denied", "would-deny"]
OC_LETTER = dict(zip(OC_ORDER, "CIUPDW"))


def fleet_gen(h):
    return 9 if h < 70 else 11


def fleet_string(gen, t):
    return ("00028086-193b-" if gen == 9 else "00028086-9a49-") + t + "\n"


# the two devices with a string of their own
FLEET_ODD = {(5, "i915-GVTg_V5_2"): "00028086-4905-i915-GVTg_V5_2\n",
             (10, "i915-GVTg_V5_8"): "00028086-4905-i915-GVTg_V5_8\n"}


def fleet_has(h, t):
    return not (h == 98 and t == "i915-GVTg_V5_8")


def fleet_time(n):
    """The n-th second after 2026-11-23T08:00:00, plus 0.25 s (cut by default)."""
    s = 8 * 3600 + n
    return f"2026-11-23T{s // 3600 % 24:02d}:{s // 60 % 60:02d}:{s % 60:02d}.250000Z"


def fleet_data():
    """(reads, checks): reads [(host, type, bytes, outcome)], checks
    [(second, host, type, bytes, outcome)] of the fleet described above."""
    reads, checks, n = [], [], 0
    for hi, h in enumerate(FLEET_HOSTS):
        for t in FLEET_TYPES:
            if not fleet_has(hi, t):
                continue
            if hi % 23 == 7 and t == "i915-GVTg_V5_8":
                reads.append((h, t, "", "unsupported"))
            else:
                reads.append((h, t, FLEET_ODD.get((hi, t), fleet_string(fleet_gen(hi), t)),
                              "ok"))
    for hi, h in enumerate(FLEET_HOSTS):
        def check(t, string, outcome):
            nonlocal n
            n += 1
            checks.append((n, h, t, string, outcome))
        mine = fleet_string(fleet_gen(hi), "i915-GVTg_V5_4")
        if hi % 10 == 4:
            check("i915-GVTg_V5_4", mine, "incompatible")
        for k in range(6):
            src = (hi * 7 + k * 13 + 1) % 100
            same = fleet_gen(src) == fleet_gen(hi)
            for t in FLEET_TYPES:
                if fleet_has(hi, t):
                    check(t, fleet_string(fleet_gen(src), t),
                          "compatible" if same else "incompatible")
        if fleet_has(hi, "i915-GVTg_V5_8"):
            check("i915-GVTg_V5_8", mine, "incompatible")
        if hi % 10 == 3:
            check("i915-GVTg_V5_4", mine, "incompatible")
        if hi in (20, 40, 60):
            check("i915-GVTg_V5_2", FLEET_ODD[(5, "i915-GVTg_V5_2")], "incompatible")
    return reads, checks


def fleet_write(d):
    """One log per host under d; their paths."""
    reads, checks = fleet_data()
    lines = {h: [] for h in FLEET_HOSTS}
    for i, h in enumerate(FLEET_HOSTS):
        lines[h].append(f'{{"schema":1,"event":"start","time":"{fleet_time(i)}","host":"{h}",'
                        f'"mode":"fentry"}}')
    for i, (h, t, b, oc) in enumerate(reads):
        lines[h].append(
            f'{{"schema":1,"event":"read","time":"{fleet_time(i // 4)}","host":"{h}",'
            f'"comm":"libvirtd","mdev_type":"{t}","bytes":{json_str(b)},"outcome":"{oc}"}}')
    for n, h, t, b, oc in checks:
        lines[h].append(
            f'{{"schema":1,"event":"check","time":"{fleet_time(1000 + n)}","host":"{h}",'
            f'"comm":"libvirtd","mdev_type":"{t}","bytes":{json_str(b)},"outcome":"{oc}"}}')
    paths = []
    for h in FLEET_HOSTS:
        path = os.path.join(d, f"{h}.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines[h]) + "\n")
        paths.append(path)
    return paths


def json_str(b):
    return '"' + b.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def fleet_answers():
    """Computed from fleet_data: devices (sorted (host, type)), sources
    {device: set of strings}, and answer(device) -> {target: None or
    (second, outcome, cell text)} for every device of the logs."""
    reads, checks = fleet_data()
    devices = sorted({(h, t) for h, t, _, _ in reads} | {(h, t) for _, h, t, _, _ in checks})
    sources = {}
    for h, t, b, oc in reads:
        if oc == "ok":
            sources.setdefault((h, t), set()).add(b)
    hist = {}
    for n, h, t, b, oc in checks:
        hist.setdefault((b, (h, t)), []).append((n, oc))

    def answer(dev):
        out = {}
        for tgt in devices:
            hs = [x for b in sources[dev] for x in hist.get((b, tgt), [])]
            if not hs:
                out[tgt] = None
                continue
            latest = max(hs)
            counts = {oc: sum(1 for _, o in hs if o == oc) for oc in OC_ORDER}
            kinds = [oc for oc in OC_ORDER if counts[oc]]
            cell = " ".join(f"{OC_LETTER[oc]}{counts[oc]}"
                            f"{'*' if len(kinds) > 1 and oc == latest[1] else ''}"
                            for oc in kinds)
            out[tgt] = (latest[0], latest[1], cell)
        return out
    return devices, sources, answer


def grid_text(dev, devices, sources, answer):
    """The type x host cell of one device, as the report must show it."""
    if dev not in devices:
        return ""
    if dev not in sources:
        return "-"
    a = answer(dev)
    c = sum(1 for v in a.values() if v and v[1] == "compatible")
    i = sum(1 for v in a.values() if v and v[1] != "compatible")
    return " ".join(x for x in (f"C{c}" if c else "", f"I{i}" if i else "") if x) or "."


def fleet_report(*args):
    d = tempfile.mkdtemp(prefix="report-fleet-")
    try:
        paths = fleet_write(d)
        return report(*args, *paths)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_fleet_text():
    """100 hosts x 4 types as text: every line fits 100 columns, the type x
    host grid has the right answer in each of its 400 cells, the matrix
    says which columns it leaves out, times are to the second."""
    devices, sources, answer = fleet_answers()
    r = fleet_report()
    expect_eq(r.returncode, 0, f"exit code ({r.stderr.strip()})")
    expect_eq(r.stderr, "", "no stderr")
    lines = r.stdout.split("\n")
    wide = [(i + 1, len(x)) for i, x in enumerate(lines) if len(x) > 100]
    expect_eq(wide, [], "every line at most 100 columns (line, width)")
    last = fleet_time(1000 + len(fleet_data()[1]))[:19] + "Z"     # the last check
    expect(f"  time range   2026-11-23T08:00:00Z .. {last}\n" in r.stdout,
           f"times to the second: {r.stdout[:300]!r}")
    # the grid: header, then a row per host, SOURCE first
    at = lines.index("  SOURCE HOST  " + "  ".join(FLEET_TYPES[:-1]) + "  " + FLEET_TYPES[-1])
    head = lines[at]
    starts = [head.index(t) for t in FLEET_TYPES]
    rows = lines[at + 1:at + 101]
    expect_eq([x[2:9] for x in rows], FLEET_HOSTS, "a row per source host, in order")
    bad = []
    for hi, row in enumerate(rows):
        for k, t in enumerate(FLEET_TYPES):
            end = starts[k + 1] if k + 1 < len(starts) else None
            got = row[starts[k]:end].strip()
            want = grid_text((FLEET_HOSTS[hi], t), devices, sources, answer)
            if got != want:
                bad.append((FLEET_HOSTS[hi], t, got, want))
    expect_eq(bad[:5], [], f"grid cells (host, type, got, want): {len(bad)} of 400 wrong")
    expect_eq(lines[at + 101], "", "the grid ends after 100 hosts")
    # spot values: a gen-9 V5_4 source is compatible on the gen-9 V5_4
    # targets checked with its string, a gen-11 one on gen-11 targets
    expect_eq(rows[0][starts[2]:starts[3]].strip(),
              grid_text(("host000", "i915-GVTg_V5_4"), devices, sources, answer), "host000 V5_4")
    # the matrix: 8 strings; the columns that do not fit are named
    m = r.stdout[r.stdout.index("\nCompatibility matrix\n"):]
    expect("\n  S9  " in m and "\n  S10  " not in m,
           "9 version strings checked (8 of the fleet, host005's)")
    expect("  (not shown, to fit in 100 columns: T" in m and " of 399 targets,\n" in m and
           "   every target of one source: report --source HOST/TYPE)\n" in m,
           f"elided columns said: {m[-400:]!r}")
    # the per-source section: 8 groups, each naming how many more devices
    expect_eq(r.stdout.count("\n  a VM on "), 10, "10 groups of sources (10 strings read)")
    expect("  a VM on host000/i915-GVTg_V5_1 (string S1)\n"
           "    same string, same answer, on 69 more: host001/i915-GVTg_V5_1, "
           "host002/i915-GVTg_V5_1,\n" in r.stdout,
           "a group: first device, its string, the others")


def parse_source(text):
    """--source output: {"compatible": [(time, target, cell, S)], "incompatible":
    [...], "never": [target, ...]}."""
    out, cur = {"compatible": [], "incompatible": [], "never": []}, None
    never = ""
    for line in text.split("\n"):
        if line.startswith("    compatible on "):
            cur = "compatible"
        elif line.startswith("    incompatible on "):
            cur = "incompatible"
        elif line.startswith("    never checked on "):
            cur = "never"
            never = line.split(": ", 1)[1] if ": " in line else ""
        elif line.startswith("      ") and cur in ("compatible", "incompatible"):
            f = line.split()
            out[cur].append((f[0], f[1], " ".join(f[2:-1]), f[-1]))
        elif line.startswith("      ") and cur == "never":
            never += " " + line.strip()
        elif line.startswith("    "):
            cur = None
    out["never"] = [x.strip() for x in never.split(",") if x.strip()]
    return out


def test_fleet_source():
    """report --source HOST/TYPE lists every target of that source, the
    latest check first with its time and its cell; the lists are computed
    here from the generated data."""
    devices, sources, answer = fleet_answers()
    d = tempfile.mkdtemp(prefix="report-fleet-")
    try:
        paths = fleet_write(d)
        for dev in (("host000", "i915-GVTg_V5_1"), ("host003", "i915-GVTg_V5_4"),
                    ("host004", "i915-GVTg_V5_4"), ("host075", "i915-GVTg_V5_8"),
                    ("host099", "i915-GVTg_V5_2"), ("host005", "i915-GVTg_V5_2"),
                    ("host010", "i915-GVTg_V5_8")):
            r = report("--source", "/".join(dev), *paths)
            expect_eq(r.returncode, 0, f"{dev}: exit code ({r.stderr.strip()})")
            got = parse_source(r.stdout)
            a = answer(dev)
            name = "/".join

            def when(n):
                return fleet_time(1000 + n)[:19] + "Z"
            for cls, test in (("compatible", lambda o: o == "compatible"),
                              ("incompatible", lambda o: o != "compatible")):
                want = sorted(((v[0], tgt, v[2]) for tgt, v in a.items() if v and test(v[1])),
                              reverse=True)
                expect_eq([(t, tgt, cell) for t, tgt, cell, _ in got[cls]],
                          [(when(n), name(tgt), cell) for n, tgt, cell in want],
                          f"{dev}: {cls} on, newest first")
            never = sorted((t for t, v in a.items() if v is None),
                           key=lambda t: (t[1] != dev[1], t))    # its own type first
            expect_eq(got["never"], [name(t) for t in never], f"{dev}: never checked on")
            expect(max(len(x) for x in r.stdout.split("\n")) <= 100, f"{dev}: 100 columns")
        # the flapping targets: host003/V5_4's last check was incompatible
        r = report("--source", "host000/i915-GVTg_V5_4", *paths)
        # host003: a later incompatible check; host004: an earlier one
        for tgt, latest in (("host003", "I"), ("host004", "C")):
            line = [x for x in r.stdout.split("\n") if f" {tgt}/i915-GVTg_V5_4 " in x]
            want = answer(("host000", "i915-GVTg_V5_4"))[(tgt, "i915-GVTg_V5_4")][2]
            marked = [x[0] for x in want.split() if x.endswith("*")]
            expect(len(line) == 1 and line[0].split()[2:-1] == want.split() and
                   marked == [latest],
                   f"{tgt}: mixed cell, the latest marked ({want}): {line}")
        r = report("--precise", "--source", "host000/i915-GVTg_V5_4", *paths)
        expect(".250000000Z  host" in r.stdout, "--precise: nanoseconds")
        r = report("--source", "host007/i915-GVTg_V5_8", *paths)
        expect_eq((r.returncode, r.stdout), (1, ""), "not a source: exit 1, no output")
        expect_eq(r.stderr, "mdevver-trace: report: --source host007/i915-GVTg_V5_8: no log has "
                  "a read of its version string, so where its VMs can go is unknown (trace "
                  "that host too)\n", "not a source: one line")
        r = report("--source", "host098/i915-GVTg_V5_8", *paths)
        expect_eq((r.returncode, r.stderr), (1, "mdevver-trace: report: --source "
                  "host098/i915-GVTg_V5_8: no such host/mdev_type in the logs (no check or "
                  "read names it)\n"), "no such device: exit 1, one line")
        r = report("--source", "host098", *paths)
        expect_eq(r.returncode, 2, "--source without /: usage error")
    finally:
        shutil.rmtree(d, ignore_errors=True)


class HeatDom(html.parser.HTMLParser):
    """The type x host heatmap: column heads, rows of (host, [(class, text, src)])."""

    def __init__(self):
        super().__init__()
        self.heads, self.rows, self.in_heat, self.cell, self.row = [], [], False, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "heat" in a.get("class", "").split():
            self.in_heat = True
        if not self.in_heat:
            return
        if tag == "tr":
            self.row = None
        if tag in ("th", "td"):
            self.cell = (tag, a, [])

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_heat = False
        if not self.in_heat or tag not in ("th", "td") or not self.cell:
            return
        kind, a, chunks = self.cell
        self.cell = None
        text = "".join(chunks).strip()
        if kind == "th" and "data-type" in a:
            self.heads.append(text)
        elif kind == "th" and "host" in a.get("class", "").split():
            self.row = (text, [])
            self.rows.append(self.row)
        elif kind == "td" and self.row:
            self.row[1].append((a.get("class"), text, a.get("data-dev")))

    def handle_data(self, data):
        if self.cell:
            self.cell[2].append(data)


def fleet_page(d):
    os.makedirs(LOGS, exist_ok=True)
    page = os.path.join(LOGS, "report-fleet.html")
    r = report("--html", page, *fleet_write(d))
    expect_eq(r.returncode, 0, f"report --html exit code ({r.stderr.strip()})")
    return page


def test_fleet_html():
    """The page at 100 hosts: the heatmap is one cell per host x type with
    the answer computed here, head row and first column sticky; grids scroll
    in their own box; strings are never broken."""
    devices, sources, answer = fleet_answers()
    with tempfile.TemporaryDirectory() as d:
        page = fleet_page(d)
    src = open(page, encoding="ascii").read()
    css = src[src.index("<style>"):src.index("</style>")]
    for rule in (".scroll thead th{position:sticky;top:0;",
                 ".scroll th.sticky{position:sticky;left:0;",
                 "code{font:12px/1.3 ui-monospace,'DejaVu Sans Mono',monospace;white-space:pre}",
                 ".matrix th.row{font-weight:normal;white-space:nowrap;min-width:max-content}"):
        expect(rule in css, f"CSS has {rule!r}")
    expect("word-break" not in css, "no rule breaks a string mid-token")
    r = chromium_run("--dump-dom", "file://" + page)
    expect_eq(r.returncode, 0, f"chromium --dump-dom ({r.stderr[-300:]})")
    dom = HeatDom()
    dom.feed(r.stdout)
    expect_eq(dom.heads, FLEET_TYPES, "a column per mdev type")
    expect_eq([h for h, _ in dom.rows], FLEET_HOSTS, "a row per host")
    expect_eq([len(c) for _, c in dom.rows], [4] * 100, "one cell per host x type")
    bad = []
    for h, cells in dom.rows:
        for t, (cls, text, dsrc) in zip(FLEET_TYPES, cells):
            want = grid_text((h, t), devices, sources, answer)
            if text != want or (want and dsrc != f"{h}/{t}"):
                bad.append((h, t, text, want, dsrc))
    expect_eq(bad[:5], [], f"heatmap cells (host, type, got, want, data-dev): {len(bad)} wrong")
    classes = {c for _, cells in dom.rows for c, _, _ in cells}
    expect({"nodev", "nosrc", "q4", "q2", "none", "unchecked"} <= classes,
           f"cell kinds: {sorted(classes)}")
    last = fleet_time(1000 + len(fleet_data()[1]))[:19] + "Z"     # the last check
    expect(f"2026-11-23T08:00:00Z .. {last}" in src, "page times to the second")
    expect(".250000000Z" not in src, "no nanoseconds without --precise")


def test_fleet_screenshot():
    """The 100-host page in headless Chromium at 1400x900: written, the
    size asked, and the heatmap's colours on screen (a page whose grid
    failed to render would be white)."""
    with tempfile.TemporaryDirectory() as d:
        page = fleet_page(d)
    png = os.path.join(LOGS, "report-fleet.png")
    if os.path.exists(png):
        os.unlink(png)
    r = chromium_run(f"--screenshot={png}", "--window-size=1400,900", "file://" + page)
    expect_eq(r.returncode, 0, f"chromium --screenshot ({r.stderr[-300:]})")
    expect(os.path.exists(png), f"{png} written")
    size = os.path.getsize(png)
    expect(size > 30000, f"non-trivial PNG ({size} bytes)")
    w, h, rows = png_rgba_rows(png)
    expect_eq((w, h), (1400, 900), "screenshot size")
    for name, rgb, least in (("deepest green (q4)", (0x1b, 0x5e, 0x20), 3000),
                             ("red (none compatible)", (0xef, 0x9a, 0x9a), 800)):
        px = bytes(rgb) + b"\xff"
        count = sum(_count_px(row, px) for row in rows)
        expect(count >= least, f"{name}: {count} pixels of #{rgb[0]:02x}{rgb[1]:02x}{rgb[2]:02x}")
    print(f"# screenshot: {png} ({size} bytes)", flush=True)


def test_no_record():
    """Input with no record at all is not a report: one line saying how
    many lines were read, exit 1, nothing on stdout."""
    with tempfile.TemporaryDirectory() as d:
        notlog = os.path.join(d, "passwd")
        with open(notlog, "w") as f:
            f.write("root:x:0:0:root:/root:/bin/bash\n" * 25)
        empty = os.path.join(d, "empty.jsonl")
        open(empty, "w").close()
        blank = os.path.join(d, "blank.jsonl")
        with open(blank, "w") as f:
            f.write("\n  \n\n")
        for args, msg in (
                ([notlog], f"no audit record in {notlog}: none of its 25 lines is a JSON "
                 "record of mdevver-trace -o"),
                ([empty], f"no audit record in {empty}: it is empty"),
                ([blank], f"no audit record in {blank}: none of its 3 lines is a JSON record "
                 "of mdevver-trace -o"),
                ([notlog, empty], "no audit record in 2 logs: none of their 25 lines is a "
                 "JSON record of mdevver-trace -o"),
                (["--html", os.path.join(d, "p.html"), notlog],
                 f"no audit record in {notlog}: none of its 25 lines is a JSON record of "
                 "mdevver-trace -o")):
            r = report(*args)
            expect_eq((r.returncode, r.stdout, r.stderr), (1, "", f"mdevver-trace: report: {msg}\n"),
                      f"{args}: exit 1, one line")
        expect(not os.path.exists(os.path.join(d, "p.html")), "no page for no record")
        r = report("-", stdin="")
        expect_eq((r.returncode, r.stderr), (1, "mdevver-trace: report: no audit record in "
                  "<stdin>: it is empty\n"), "empty stdin")
        # one record among bad lines is a report (bad lines then named)
        with open(notlog, "a") as f:
            f.write('{"schema":1,"event":"start","time":"2026-11-23T21:17:05Z","host":"h"}\n')
        r = report(notlog)
        expect_eq(r.returncode, 0, "one record: a report")
        expect(r.stderr.endswith("mdevver-trace: report: 25 malformed lines skipped "
                                 "(the first 5 shown)\n"), f"bad lines counted: {r.stderr!r}")


def test_precise_times():
    """Times to the second unless --precise, in text and HTML."""
    with tempfile.TemporaryDirectory() as d:
        page = os.path.join(d, "p.html")
        r = report("--html", page, A, B, C)
        expect("  time range   2026-11-23T21:17:05Z .. 2026-11-23T21:17:50Z\n" in r.stdout,
               "text: seconds")
        expect("2026-11-23T21:17:05Z .. 2026-11-23T21:17:50Z" in open(page).read(),
               "html: seconds")
        r = report("--precise", "--html", page, A, B, C)
        expect("  time range   2026-11-23T21:17:05.100000000Z .. "
               "2026-11-23T21:17:50.250000000Z\n" in r.stdout, "text: --precise")
        expect("      2026-11-23T21:17:10.000000000Z  hostB/i915-GVTg_V5_4  C2  S3\n"
               in r.stdout, "text: --precise in the per-source lists")
        expect("2026-11-23T21:17:05.100000000Z .. 2026-11-23T21:17:50.250000000Z"
               in open(page).read(), "html: --precise")

# --- migrations ------------------------------------------------------------

MIG_FIXTURE = os.path.join(REPO, "tests", "data", "migration", "mtty-6.12.jsonl")
MIG_OCS = ("completed", "in-progress", "abandoned", "failed", "other")  # worse last
MIG_WINDOW_NS = 60 * 10**9


def _ns(t):
    """RFC 3339 UTC with 9 fraction digits -> ns since the epoch."""
    import calendar
    secs = calendar.timegm(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S"))
    frac = t[20:-1] if len(t) > 20 else ""
    return secs * 10**9 + int((frac + "000000000")[:9])


def _cesc(s):
    """A log string as the report shows it (c_escape, escape.h), for the
    strings of these tests: printable ASCII kept, a backslash doubled, any
    other byte \\xNN."""
    return "".join(c if " " <= c <= "~" and c != "\\" else
                   "\\\\" if c == "\\" else f"\\x{ord(c):02x}" for c in s)


def _ms(ns):
    return f"{ns // 1000000}.{ns // 100000 % 10}"


def mig_model(paths):
    """The Migrations section computed here, from the logs, by the rules of
    docs/report.md: (groups, latest, failed, sessions) as rows of text."""
    migs = []
    for p in paths:
        with open(p) as f:
            for line in f:
                r = json.loads(line)
                if r.get("event") == "migration":
                    r["start"], r["end"] = _ns(r["started"]), _ns(r["time"])
                    r["peer"] = None
                    migs.append(r)
    for i, t in enumerate(migs):            # on one host: the tracer's peer
        if t["role"] != "target" or not t["peer_session"]:
            continue
        c = [j for j, s in enumerate(migs) if s["role"] == "source" and s["peer"] is None and
             s["session"] == t["peer_session"] and s["host"] == t["host"] and
             (not t["peer_device"] or s["device"] == t["peer_device"])]
        if c:
            j = min(c, key=lambda j: (abs(migs[j]["end"] - t["end"]), j))
            t["peer"], migs[j]["peer"], t["across"] = j, i, False
    across = 0
    for i in sorted((i for i, t in enumerate(migs) if t["role"] == "target" and
                     t["peer"] is None and t["bytes"] is not None),
                    key=lambda i: (migs[i]["start"], i)):
        t, best = migs[i], None
        for j, s in enumerate(migs):
            if (s["role"] != "source" or s["peer"] is not None or s["bytes"] != t["bytes"]
                    or s["host"] == t["host"] or s["type"] != t["type"]):
                continue
            gap = max(0, max(s["start"], t["start"]) - min(s["end"], t["end"]))
            key = (gap, abs(s["start"] - t["start"]), j)
            if gap <= MIG_WINDOW_NS and (best is None or key < best):
                best = key
        if best:
            t["peer"], migs[best[2]]["peer"] = best[2], i
            across += 1
    pairs = []
    for i, m in enumerate(migs):
        if m["role"] == "source":
            pairs.append((i, m["peer"]))
        elif m["role"] == "target" and m["peer"] is None:
            pairs.append((None, i))
    rows = []
    for src, dst in pairs:
        ends = [migs[k] for k in (src, dst) if k is not None]
        a = migs[src] if src is not None else None
        b = migs[dst] if dst is not None else None
        oc = max((MIG_OCS.index(e["outcome"]) if e["outcome"] in MIG_OCS else 4) for e in ends)
        byts = next((e["bytes"] for e in ends if e["bytes"] is not None), None)
        vm = _cesc((a["vm"] if a and a["vm"] else (b["vm"] if b else a["vm"])) or "")
        rows.append({"time": max(e["time"] for e in ends), "idx": src if src is not None else dst,
                     "type": ends[0]["type"], "src": a["host"] if a else None,
                     "dst": b["host"] if b else None, "oc": MIG_OCS[oc],
                     "down": max(e["stopped_ns"] for e in ends), "bytes": byts, "vm": vm})
    pair = lambda r: f"{r['src'] if r['src'] is not None else '?'} -> " \
                     f"{r['dst'] if r['dst'] is not None else '?'}"
    groups = {}
    for r in rows:
        groups.setdefault((r["type"], r["src"] is None, r["src"] or "", r["dst"] is None,
                           r["dst"] or ""), []).append(r)
    grows = []
    for k in sorted(groups):
        g = groups[k]
        d = sorted(r["down"] for r in g)
        med = d[len(d) // 2] if len(d) % 2 else (d[len(d) // 2 - 1] + d[len(d) // 2]) // 2
        ocs = ", ".join(f"{o} {n}" for o in MIG_OCS
                        for n in [sum(1 for r in g if r["oc"] == o)] if n)
        grows.append([g[0]["type"], pair(g[0]), str(len(g)), _ms(med), _ms(d[-1]),
                      str(sum(r["bytes"] or 0 for r in g)), ocs])
    latest = [[r["time"][:19] + "Z", r["type"], pair(r), r["oc"], _ms(r["down"]),
               "-" if r["bytes"] is None else str(r["bytes"]), r["vm"] or "-"]
              for r in sorted(rows, key=lambda r: (r["time"], r["idx"]), reverse=True)]
    failed = [[m["time"][:19] + "Z", m["role"], m["errno_name"] or "-", m["type"],
               f"{m['host']}/{m['device']}", m["path"]]
              for i, m in sorted(enumerate(migs), key=lambda x: (x[1]["time"], x[0]),
                                 reverse=True) if m["outcome"] == "failed"]
    roles = [m["role"] for m in migs]
    local = sum(1 for s, d in pairs if s is not None and d is not None) - across
    sessions = (f"  sessions: {roles.count('source')} source"
                f"{'' if roles.count('source') == 1 else 's'}, {roles.count('target')} target"
                f"{'' if roles.count('target') == 1 else 's'}, "
                f"{len(roles) - roles.count('source') - roles.count('target')} without a data "
                f"phase; migrations {len(rows)}:\n  {local} paired on one host, {across} "
                f"across hosts\n")
    return grows, latest, failed, sessions


def mig_section(out):
    """The report's Migrations section: (groups, latest, failed, text)."""
    expect("\nMigrations\n" in out, "a Migrations section")
    text = out.split("\nMigrations\n", 1)[1]
    lines = text.splitlines()
    cells = lambda x: re.split(r"\s{2,}", x.strip())
    g0 = next(i for i, x in enumerate(lines) if x.startswith("  MDEV_TYPE  SOURCE -> TARGET"))
    expect_eq(cells(lines[g0]), ["MDEV_TYPE", "SOURCE -> TARGET", "MIGRATIONS", "MEDIAN_MS",
                                 "MAX_MS", "BYTES", "OUTCOMES"], "group header")
    groups = [cells(x) for x in lines[g0 + 1:lines.index("", g0)]]
    l0 = next(i for i, x in enumerate(lines) if x.startswith("  TIME  "))
    latest = [cells(x) for x in lines[l0 + 1:lines.index("", l0)]]
    f0 = next(i for i, x in enumerate(lines) if x.startswith("  failed sessions"))
    failed = []
    for a, b in zip(lines[f0 + 1::2], lines[f0 + 2::2]):
        expect(b.startswith("    path "), f"path line: {b!r}")
        failed.append(cells(a) + [b[len("    path "):]])
    return groups, latest, failed, text


def check_migrations(out, paths):
    groups, latest, failed, sessions = mig_model(paths)
    got_g, got_l, got_f, text = mig_section(out)
    expect(sessions in text, f"session counts {sessions!r} in:\n{text}")
    expect_eq(got_g, groups, "per mdev type and host pair")
    expect_eq(got_l, latest, "latest first")
    expect_eq(got_f, failed, "failed sessions")
    wide = [x for x in out.splitlines() if len(x) > 100]
    expect(not wide, f"lines over 100 columns: {wide}")
    return got_g, got_l, got_f


def test_migrations_fixture():
    """The real mtty log (a 6.12 VM run: a migration with a VM, one
    without, an invalid transition, a corrupt resume): the summary counts
    lifecycle and migration records; the section's rows and numbers equal
    those computed here from the records."""
    r = report(MIG_FIXTURE)
    expect_eq(r.returncode, 0, f"exit code ({r.stderr})")
    with open(MIG_FIXTURE) as f:
        kinds = [json.loads(x)["event"] for x in f]
    expect(f"  lifecycle    {kinds.count('lifecycle')}\n" in r.stdout, "lifecycle count")
    expect(f"  migrations   {kinds.count('migration')} sessions\n" in r.stdout,
           "migration count")
    g, latest, failed = check_migrations(r.stdout, [MIG_FIXTURE])
    # by hand, from the records: sessions 1 and 2 paired by the tracer
    # (60 bytes, stopped 41.86 and 30.60 ms, VM guest-one)
    expect_eq(g[0], ["mtty-1", "(none) -> (none)", "1", "41.8", "41.8", "60", "completed 1"],
              "the paired migration")
    expect_eq(latest[-1][-1], "guest-one", "its VM")
    expect_eq([f[2] for f in failed], ["EINVAL", "EINVAL"], "the failures' errno")


def _mig(host, session, role, outcome, start, secs, nbytes, type_="mtty-1", vm=None,
         peer=None, errno=None, path="RUNNING>STOP_COPY>STOP", stopped=1500000):
    t0 = 1795000000 + start
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(t))) + \
        f".{int(round((t % 1) * 1e9)):09d}Z"
    return {"schema": 1, "event": "migration", "time": iso(t0 + secs), "ts_ns": 1,
            "host": host, "device": f"uuid-{host}-{session}", "parent": "mtty", "type": type_,
            "session": session, "role": role, "path": path, "outcome": outcome,
            "ret": -5 if errno else 0, "errno_name": errno, "changes": 3,
            "stopped_ns": stopped, "bytes": nbytes, "started": iso(t0),
            "started_ns": 1, "pid": 9, "tid": 9, "uid": 0, "comm": "qemu", "cgroup_id": 1,
            "vm": vm, "unit": None, "peer_session": peer[0] if peer else None,
            "peer_device": peer[1] if peer else None,
            "checks_before": {"compatible": 1, "incompatible": 0, "other": 0,
                              "last": "compatible"}}


def two_host_logs(d):
    """hostA sends vm-one to hostB (same type, 4096 bytes, overlapping);
    decoys: a second hostB target of 4096 bytes later (its source is taken),
    hostC's target of another type, 8192 bytes 98 s apart (beyond 60 s), a
    pair hostA paired itself, a failed resume with a hostile VM name."""
    evil = "evil\u001b[31m<b>"
    logs = {
        "hostA": [_mig("hostA", 1, "source", "completed", 0, 2.0, 4096, vm="vm-one",
                       stopped=41234567),
                  _mig("hostA", 2, "source", "completed", 100, 2.0, 8192, stopped=3000000),
                  _mig("hostA", 4, "source", "completed", 300, 1.0, 64, type_="mtty-2",
                       peer=(5, "uuid-hostA-5"), stopped=2000000),
                  _mig("hostA", 5, "target", "completed", 300.5, 1.0, 64, type_="mtty-2",
                       peer=(4, "uuid-hostA-4"), stopped=7000000,
                       path="RUNNING>STOP>RESUMING>STOP>RUNNING"),
                  {"schema": 1, "event": "lifecycle", "time": "2026-11-18T11:06:40Z",
                   "host": "hostA", "what": "create"}],
        "hostB": [_mig("hostB", 7, "target", "completed", 1, 2.0, 4096, vm="vm-one",
                       stopped=20000000, path="RUNNING>STOP>RESUMING>STOP>RUNNING"),
                  _mig("hostB", 8, "target", "completed", 30, 2.0, 4096, stopped=9000000),
                  _mig("hostB", 9, "target", "completed", 200, 1.0, 8192, stopped=5000000),
                  _mig("hostB", 10, "target", "failed", 400, 1.0, 10, vm=evil, errno="EIO",
                       path="RUNNING>STOP>RESUMING>STOP(EIO)", stopped=8000000)],
        "hostC": [_mig("hostC", 3, "target", "completed", 1, 2.0, 4096, type_="mtty-2",
                       stopped=6000000)],
    }
    paths = []
    for h, recs in logs.items():
        paths.append(os.path.join(d, f"{h}.jsonl"))
        with open(paths[-1], "w") as f:
            for r in recs:
                f.write(json.dumps(r, separators=(",", ":")) + "\n")
    return paths


def test_migrations_two_hosts():
    """A source on hostA pairs with the target on hostB (same type and
    bytes, overlapping times) and with nothing else; the rows equal those
    computed here; text and HTML escape the VM name."""
    with tempfile.TemporaryDirectory() as d:
        paths = two_host_logs(d)
        page = os.path.join(d, "page.html")
        r = report("--html", page, *paths)
        expect_eq(r.returncode, 0, f"exit code ({r.stderr})")
        g, latest, failed = check_migrations(r.stdout, paths)
        # by hand: 41.2 ms on hostA, 20.0 on hostB: the longer one
        expect(["mtty-1", "hostA -> hostB", "1", "41.2", "41.2", "4096", "completed 1"] in g,
               f"hostA -> hostB paired: {g}")
        expect(["mtty-2", "hostA -> hostA", "1", "7.0", "7.0", "64", "completed 1"] in g,
               f"the pair hostA's tracer made: {g}")
        expect(sum(1 for x in g if x[1] == "hostA -> ?") == 1 and
               any(x[1] == "? -> hostC" for x in g), f"unpaired ends: {g}")
        expect("  1 paired on one host, 1 across hosts\n" in r.stdout, "pair counts")
        expect_eq(latest[0][-1], "evil\\x1b[31m<b>", "the VM name C-escaped in text")
        expect("\x1b" not in r.stdout, "no raw escape byte in the text")
        expect_eq(failed, [["2026-11-18T11:13:21Z", "target", "EIO", "mtty-1",
                            "hostB/uuid-hostB-10", "RUNNING>STOP>RESUMING>STOP(EIO)"]],
                  "the failed resume")
        with open(page) as f:
            html_page = f.read()
        expect("evil\\x1b[31m&lt;b&gt;" in html_page and "<b>evil" not in html_page and
               "\x1b" not in html_page, "the VM name escaped in HTML")
        expect("<td>hostA</td><td>hostB</td>" in html_page, "the host pair in HTML")


def test_migrations_malformed():
    """A migration record without its role is a malformed line (named,
    skipped); lifecycle records are counted whatever fields they have."""
    good = json.dumps(_mig("h", 1, "source", "completed", 0, 1.0, 5))
    bad = json.loads(good)
    del bad["role"]
    log = "\n".join([good, json.dumps(bad),
                     '{"schema":1,"event":"lifecycle","time":"2026-11-23T21:17:05Z",'
                     '"host":"h","what":42}']) + "\n"
    r = report("-", stdin=log)
    expect_eq(r.returncode, 0, f"exit code ({r.stderr})")
    expect_eq(r.stderr, "mdevver-trace: report: <stdin>:2: migration record: missing or invalid "
              "\"role\"\nmdevver-trace: report: 1 malformed line skipped\n", "stderr")
    expect("  lifecycle    1\n  migrations   1 session\n" in r.stdout, r.stdout)
    # only a refused transition (role none): no migration, one failure,
    # its device name (NUL inside) escaped
    none = _mig("h", 3, "none", "failed", 0, 1.0, None, errno="EINVAL",
                path="STOP>ERROR(EINVAL)", stopped=0)
    none["device"] = "d\u0000x"
    r = report("-", stdin=json.dumps(none) + "\n")
    expect_eq(r.returncode, 0, f"exit code ({r.stderr})")
    tail = r.stdout.split("\nMigrations\n", 1)[-1]
    expect("  no migration: no session was a source or a target\n" in tail and
           "MDEV_TYPE" not in tail, f"no tables without a migration: {tail}")
    expect(tail.endswith("  2026-11-18T11:06:41Z  none  EINVAL  mtty-1  h/d\\x00x\n"
                         "    path STOP>ERROR(EINVAL)\n"), f"the failure: {tail}")


def summary_of(out):
    """The Summary section's "key value" pairs."""
    sec = out.split("\n\n", 1)[0].splitlines()[1:]
    return dict(re.match(r"  (\S+(?: \S+)?) {2,}(.*)$", ln).groups() for ln in sec)


def test_filters():
    """--host and --since/--until over logs: only those records count
    (hostB's records at 21:17:07 .. 21:17:11, by hand from the data)."""
    r = report("--host", "hostB", A, B, C)
    expect_eq(r.returncode, 0, f"--host exit ({r.stderr!r})")
    s = summary_of(r.stdout)
    expect_eq((s["hosts"], s["checks"], s["reads"]), ("1", "5", "0"), "--host hostB")
    r = report("--host", "hostB", "--host", "hostA", A, B, C)
    expect_eq(summary_of(r.stdout)["hosts"], "2", "--host twice: either host")
    # [21:17:08, 21:17:10): hostB's checks at :08, :08.7 (its malformed
    # line is not one), :09
    r = report("--host", "hostB", "--since", "2026-11-23T21:17:08Z",
               "--until", "2026-11-23T21:17:10Z", A, B, C)
    s = summary_of(r.stdout)
    expect_eq((s["checks"], s["time range"]),
              ("2", "2026-11-23T21:17:08Z .. 2026-11-23T21:17:09Z"), "--since/--until")
    r = report("--since", "2026-11-24", A, B, C)
    expect_eq((r.returncode, r.stdout), (1, ""), "a range after every record")
    expect("no record matches --since/--until/--host (" in r.stderr, f"says so: {r.stderr!r}")
    r = report("--until", "2026-11-23T21:17:07.5Z", B)
    s = summary_of(r.stdout)
    expect_eq((s["checks"], s["time range"]),
              ("1", "2026-11-23T21:17:06Z .. 2026-11-23T21:17:07Z"), "--until alone, fraction")
    expect_usage_errors([
        (["report", "--since", "yesterday", A], "invalid --since 'yesterday'"),
        (["report", "--until", "2026-11-23T21:17Z", A], "invalid --until"),
        (["report", "--since", "2026-11-24", "--until", "2026-11-23", A],
         "--since is not before --until"),
        (["report", "--host", "", A], "invalid --host: empty"),
        (["report", "--db", "", A], "invalid --db: empty"),
        (["report", "--db", "dbname=x", A], "--db and LOG: one source a run"),
    ])


def main():
    if not os.path.exists(BIN):
        print(f"FAIL report: {BIN} not built (make)")
        return 1
    run_test("report_text_exact", test_text_exact)
    run_test("report_order_independent", test_order_independent)
    run_test("report_enforcement_records", test_enforcement_records)
    run_test("report_stdin", test_stdin)
    run_test("report_missing_file", test_missing_file)
    run_test("report_usage_errors", test_usage_errors)
    run_test("report_malformed_lines", test_malformed_lines)
    run_test("report_byte_strings", test_byte_strings)
    run_test("report_coalesced_counts", test_coalesced_counts)
    run_test("report_hostile_strings", test_hostile_strings)
    run_test("report_html_over_input", test_html_over_input)
    run_test("report_migrations_fixture", test_migrations_fixture)
    run_test("report_migrations_two_hosts", test_migrations_two_hosts)
    run_test("report_migrations_malformed", test_migrations_malformed)
    run_test("report_100k_lines", test_100k_lines)
    run_test("report_html_self_contained", test_html_self_contained)
    run_test("report_no_record", test_no_record)
    run_test("report_precise_times", test_precise_times)
    run_test("report_fleet_text", test_fleet_text)
    run_test("report_fleet_source", test_fleet_source)
    run_test("report_filters", test_filters)
    run_test("report_identity_duplicates_gaps", test_identity_duplicates_gaps)
    if chromium():
        run_test("report_html_dom", test_html_dom)
        run_test("report_html_screenshot", test_html_screenshot)
        run_test("report_html_tables", test_html_tables)
        run_test("report_html_tables_counts", test_html_tables_counts)
        run_test("report_fleet_html", test_fleet_html)
        run_test("report_fleet_screenshot", test_fleet_screenshot)
    else:
        skip("report_html_dom", "chromium not installed (apt-get install chromium)")
        skip("report_html_screenshot", "chromium not installed (apt-get install chromium)")
        skip("report_html_tables", "chromium not installed (apt-get install chromium)")
        skip("report_html_tables_counts", "chromium not installed (apt-get install chromium)")
        skip("report_fleet_html", "chromium not installed (apt-get install chromium)")
        skip("report_fleet_screenshot", "chromium not installed (apt-get install chromium)")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
