#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""`mdevver-trace report`: merging audit logs into a summary and a
compatibility matrix.  Host only, no BPF: the input is the hand-written
multi-host logs in tests/data/report/ (hostA reads its V5_4 device's string;
hostB and hostC receive checks of it), and the output is compared exactly.
The HTML page is rendered with headless Chromium (Debian package
`chromium`): a screenshot to build/test-logs/report.png and the DOM, whose
cells are checked one by one.
"""
import html.parser
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, REPO, expect, expect_eq, finish, run_test, skip  # noqa: E402
import forged  # noqa: E402

DATA = os.path.join(REPO, "tests", "data", "report")
LOGS = os.path.join(REPO, "build", "test-logs")
A, B, C, D = (os.path.join(DATA, f) for f in
              ("hostA.jsonl", "hostB.jsonl", "hostC.jsonl", "enforce.jsonl"))

LEGEND = """\
  rows S: version strings written by checks (the source device's
    string), with the host/mdev_type that read it, if a log has that read
  columns T: target host/mdev_type the string was written to
  cells: C compatible, I incompatible, U unsupported, P partial,
    D denied, W would-deny, ? other outcome; . no check
    (e.g. "C2 I1": 2 compatible and 1 incompatible checks)
"""

# hostA, hostB, hostC: every section, every number, every byte.
EXPECTED_ABC = """\
Summary
  hosts        3
  time range   2026-11-23T21:17:05.100000000Z .. 2026-11-23T21:17:50.250000000Z
  checks       7
  reads        3 (ok 2, unsupported 1)
  lost events  3 (lost records 2, dropped records 1)
  input        3 logs, 20 lines, 1 malformed line skipped

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

Compatibility matrix
""" + LEGEND + """
  T1  hostB/i915-GVTg_V5_4
  T2  hostB/i915-GVTg_V5_8
  T3  hostC/-
  T4  hostC/i915-GVTg_V5_4

  ROW  T1  T2  T3  T4  SOURCE                VERSION STRING
  S1   I1  .   .   .   unknown source        "00028086-193b-i915\\x00-GVTg_V5_4\\n"
  S2   I1  .   .   .   unknown source        "00028086-193b-i915-GVTg_V5_4"
  S3   C2  I1  .   U1  hostA/i915-GVTg_V5_4  "00028086-193b-i915-GVTg_V5_4\\n"
  S4   .   .   U1  .   hostA/i915-GVTg_V5_4  "8086-193b-i915-GVTg_V5_4-00000001\\n"
"""

# Enforcement mode's records (outcome denied / would-deny, with "rule").
EXPECTED_ENFORCE = """\
Summary
  hosts        1
  time range   2026-11-24T08:00:00.000000000Z .. 2026-11-24T08:01:00.000000000Z
  checks       5
  reads        0
  lost events  0 (lost records 0, dropped records 0)
  input        1 log, 7 lines, 0 malformed lines skipped

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

Compatibility matrix
""" + LEGEND + """
  T1  hostD/i915-GVTg_V5_4

  ROW  T1     SOURCE          VERSION STRING
  S1   C1 D1  unknown source  "00028086-193b-i915-GVTg_V5_4\\n"
  S2   D2     unknown source  "00028086-193b-i915-GVTg_V5_8\\n"
  S3   W1     unknown source  "junk<&>\\n"
"""

MALFORMED_B = "mdevver-trace report: {}:5: not a JSON record\n"
ONE_SKIPPED = "mdevver-trace report: 1 malformed line skipped\n"


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
    expect_eq(r.stderr, "mdevver-trace report: cannot open /nonexistent/hostX.jsonl: "
              "No such file or directory\n", "one error line")
    expect_eq(r.stdout, "", "no partial report")
    r = report(DATA)
    expect_eq(r.returncode, 1, "exit code for a directory")
    expect_eq(r.stderr, f"mdevver-trace report: cannot read {DATA}: Is a directory\n",
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
    expect_eq(r.stderr, "mdevver-trace report: cannot create /nonexistent/dir/report.html: "
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
        "mdevver-trace report: <stdin>:5: not a JSON record",
        "mdevver-trace report: <stdin>:6: not a JSON record",
        "mdevver-trace report: <stdin>:7: not a JSON record",
        'mdevver-trace report: <stdin>:8: read record: missing or invalid "host"',
        "mdevver-trace report: <stdin>:9: start record: schema 2 not supported "
        "(this version reads schema 1)",
        "mdevver-trace report: 7 malformed lines skipped (the first 5 shown)",
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
    expect('  S1   C1  unknown source  "a\\xff\\x00\\t"\n' in r.stdout,
           f"U+00FF and U+0000 are bytes 0xff and 0x00: {r.stdout[-200:]!r}")
    expect_eq(r.stderr.splitlines()[0],
              'mdevver-trace report: <stdin>:2: check record: missing or invalid "bytes"',
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
              'mdevver-trace report: <stdin>:5: check record: missing or invalid "count"',
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
        # 4 source strings x 40 targets
        expect("  T40  host09/i915-GVTg_V5_8\n" in r.stdout and " T41 " not in r.stdout,
               "40 target columns")
        expect("\n  S4   " in r.stdout and "\n  S5 " not in r.stdout, "4 rows")
        expect(r.stdout.endswith("  host00/i915-GVTg_V5_8, host01/i915-GVTg_V5_8, "
                                 "host02/i915-GVTg_V5_8 (+7 more)  "
                                 '"00028086-193b-i915-GVTg_V5_8\\n"\n'),
               f"the last row's sources: 3 of the 10 reads, then a count: "
               f"{r.stdout[-200:]!r}")
    finally:
        os.unlink(path)


# --- HTML ----------------------------------------------------------------------

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
            ("cell unsupported", "U1"), ("cell mixed", "C1 D1")]),
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
              "hostD/i915-GVTg_V5_4: 1 compatible, 1 denied", "mixed cell title")


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
    png = os.path.join(LOGS, "report.png")
    if os.path.exists(png):
        os.unlink(png)
    r = chromium_run(f"--screenshot={png}", "--window-size=1200,900", "file://" + page)
    expect_eq(r.returncode, 0, f"chromium --screenshot ({r.stderr[-300:]})")
    expect(os.path.exists(png), f"{png} written")
    expect(os.path.getsize(png) > 20000, f"non-trivial PNG ({os.path.getsize(png)} bytes)")
    w, h, rows = png_rgba_rows(png)
    expect_eq((w, h), (1200, 900), "screenshot size")
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
            expect(len(lines) == 1 and lines[0].startswith(f"mdevver-trace report: {msg}"),
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
            self.skip_table = "matrix" in a.get("class", "").split()
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
        ["time range", "2026-11-23T21:17:05.100000000Z .. 2026-11-24T08:01:00.000000000Z"],
        ["checks", "12"],                                   # 7 + 5
        ["reads", "3 (ok 2, unsupported 1)"],               # 3 + 0
        ["lost events", "3 (lost records 2, dropped records 1)"],
        ["input", "4 logs, 27 lines, 1 malformed line skipped"],   # 20 + 7 lines
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
    run_test("report_100k_lines", test_100k_lines)
    run_test("report_html_self_contained", test_html_self_contained)
    if chromium():
        run_test("report_html_dom", test_html_dom)
        run_test("report_html_screenshot", test_html_screenshot)
        run_test("report_html_tables", test_html_tables)
        run_test("report_html_tables_counts", test_html_tables_counts)
    else:
        skip("report_html_dom", "chromium not installed (apt-get install chromium)")
        skip("report_html_screenshot", "chromium not installed (apt-get install chromium)")
        skip("report_html_tables", "chromium not installed (apt-get install chromium)")
        skip("report_html_tables_counts", "chromium not installed (apt-get install chromium)")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
