#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The live view driven by --replay, read back the way a person sees it:
through tmux capture-pane (ncurses) or as plain text (stdout not a tty).
tests/data/top/vm-sample.jsonl is real --json output recorded in the VM.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, REPO, expect, expect_eq, finish, run, run_test  # noqa: E402
import forged  # noqa: E402

SAMPLE = os.path.join(REPO, "tests", "data", "top", "vm-sample.jsonl")
SESSION = "mdevver-top-test"


def tmux(*args):
    return subprocess.run(["tmux", "-L", SESSION, *args], capture_output=True, text=True)


def screen():
    return tmux("capture-pane", "-p", "-t", SESSION).stdout.splitlines()


def wait_for(pred, what, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = screen()
        if pred(lines):
            return lines
        time.sleep(0.2)
    raise AssertionError(f"{what}; screen was:\n" + "\n".join(screen()))


def drawn(lines):
    """A whole first frame: curses writes it top to bottom, and tmux may be
    asked for the pane between two of its writes, so the counts line alone
    does not say the rows under it are there yet; the key line at the
    bottom does."""
    return (any(x.startswith("checks ") for x in lines) and
            any(x.startswith("q quit") for x in lines))


def row(lines, type_name):
    for line in lines:
        f = line.split()
        if len(f) >= 8 and f[1] == type_name:
            return f[:8]
    return None


# --- generated logs ------------------------------------------------------

with open(SAMPLE) as _f:
    _CHECK = next(json.loads(l) for l in _f if '"event":"check"' in l)
_T0 = 1795000000  # seconds since the epoch of the first generated record
LONG_PARENT = "0000:00:02.0-a-parent-device-name-far-too-long-for-any-column"
UUID = "9b3f1c2e-4d5a-4e6f-8a7b-0c1d2e3f4a5b"
OUTCOMES = ("compatible", "incompatible", "unsupported", "denied", "would-deny",
            "partial", "ok", "?")


def _time(i):
    t = time.gmtime(_T0 + i)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + ".000000000Z"


def gen_records(n_types=300, enforce=None, verdict=None, rule="gvt-bug-1234"):
    """A start record, an enforce record when enforce is a state ("on",
    "dry-run"), then one check per type: type k, odd ones on the long
    parent, every third on a device (a UUID); type names are long and end
    in an ESC, every fifth is ten ESCs first (any cut lands in escapes).
    Outcomes cycle compatible, incompatible, unsupported; with verdict
    ("denied", "would-deny") every fourth check is judged by rule."""
    out = [{"schema": 1, "event": "start", "time": _time(0), "ts_ns": 1, "host": "h",
            "mode": "fentry", "attempts": ""}]
    if enforce:
        out.append({"schema": 1, "event": "enforce", "time": _time(0), "ts_ns": 2,
                    "host": "h", "state": enforce, "policy": "/etc/mdevver-trace/site.policy",
                    "rules": 2, "generation": 1})
    for k in range(n_types):
        ev = dict(_CHECK, time=_time(1 + k), ts_ns=1000 + k, pid=4000000 + k,
                  comm="libvirtd-worker",
                  parent=LONG_PARENT if k % 2 else "0000:00:02.0",
                  mdev_type=f"i915-GVTg_V5_{k:03d}-a-long-type-name\x1b" if k % 5 != 1
                  else "\x1b" * 10 + f"V5_{k:03d}",
                  device=UUID if k % 3 == 0 else None)
        cls = k % 3
        ev["outcome"] = ("compatible", "incompatible", "unsupported")[cls]
        ev["ret"] = (29, -22, -19)[cls]
        ev["errno_name"] = (None, "EINVAL", "EOPNOTSUPP")[cls]
        if verdict and k % 4 == 0:
            ev.update(verdict=verdict, rule=rule, action="deny", fail_closed=[])
            if verdict == "denied":
                ev.update(outcome="denied", ret=-1, errno_name="EPERM", mode="lsm")
            else:
                ev.update(outcome="would-deny", driver_outcome=ev["outcome"])
        out.append(ev)
    return out


def write_log(path, records):
    with open(path, "w") as f:
        for r in records:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    return path


# --- the pane -------------------------------------------------------------

def start_pane(cols, rows, args):
    tmux("kill-server")
    tmux("new-session", "-d", "-s", SESSION, "-x", str(cols), "-y", str(rows),
         " ".join([BIN, "top", *args]))
    return wait_for(drawn, "view drawn")


def respawn_pane(cols, rows, args, pred, what):
    """Another view in the same pane: the server stays up (a kill-server
    right before new-session can race the old server's exit)."""
    tmux("resize-window", "-t", SESSION, "-x", str(cols), "-y", str(rows))
    tmux("respawn-pane", "-k", "-t", SESSION, " ".join([BIN, "top", *args]))
    return wait_for(lambda l: len(l) == rows and pred(l), what)


def keys(*k):
    tmux("send-keys", "-t", SESSION, *k)


def more_rows(lines):
    """N of the "+N more rows" line, or None."""
    for x in lines:
        m = re.match(r"\+(\d+) more rows: (\d+)-(\d+) of (\d+) shown", x)
        if m:
            return tuple(int(g) for g in m.groups())
    return None


def table(lines, head, contains=""):
    """The header line starting with head (and holding contains: the
    migrations panel's header starts with TIME too) and the lines under it
    up to a blank line."""
    for i, x in enumerate(lines):
        if x.startswith(head) and contains in x:
            body = []
            for y in lines[i + 1:]:
                if not y.strip():
                    break
                body.append(y)
            return x, body
    raise AssertionError(f"no table {head!r} in:\n" + "\n".join(lines))


def check_fits(lines, cols, rows):
    expect_eq(len(lines), rows, "pane height")
    wide = [x for x in lines if len(x) > cols]
    expect(not wide, f"lines wider than {cols}: {wide}")
    expect(re.match(r"mdevver-trace top - .* - mode fentry - enforcement (off|on|dry-run)$",
                    lines[0]), f"header whole: {lines[0]!r}")
    expect(lines[-1].startswith("q quit  ? help"), f"key line: {lines[-1]!r}")


HEADS = {"PARENT", "TYPE", "COMPAT", "INCOMP", "UNSUP", "DENIED", "WDENY", "OTHER", "READS",
         "RULE", "LAST", "REMOTE", "TIME", "PID", "COMM", "OP", "DEVICE/TYPE", "OUTCOME",
         "ERRNO", "BYTES"}


def check_head(head):
    """Headers are whole; a left-out column shows as +N at the end."""
    words = head.split()
    if re.fullmatch(r"\+\d", words[-1]):
        words = words[:-1]
    expect(set(words) <= HEADS, f"whole headers: {head!r}")


def check_columns_stay(lines):
    """Long and UUID names do not push the counts right: every device row
    has its COMPAT count right-aligned under the header."""
    head, body = table(lines, "PARENT")
    check_head(head)
    end = head.index("COMPAT") + len("COMPAT")
    rows = [x for x in body if not x.startswith(("+", "rows "))]
    expect(rows, "device rows shown")
    for x in rows:
        expect(x[end - 1].isdigit() and x[end] == " ",
               f"count under COMPAT (col {end}): {x!r} / {head!r}")
    return head, rows


def check_outcomes_whole(lines):
    """Every recent line has a whole outcome, nothing cut like unsuppor."""
    head, body = table(lines, "TIME", " PID ")
    check_head(head)
    at = head.index("OUTCOME")
    events = [x for x in body if x[:2].isdigit()]
    expect(events, "recent checks shown")
    for x in events:
        word = x[at:].split()[0]
        expect(word in OUTCOMES, f"outcome whole at col {at}: {word!r} in {x!r}")
    return head, events


def test_plain_replay():
    r = run([BIN, "top", "--replay", SAMPLE], timeout=30)
    expect_eq(r.returncode, 0, f"exit code ({r.stderr.strip()})")
    lines = r.stdout.splitlines()
    expect_eq(lines[1], "checks 5: compatible 1  incompatible 3  unsupported 1  denied 0  "
              "other 0 | reads 2 | lost 0 (0 checks, 0 reads) | coalesced 0",
              "totals line")
    # no dry run: no WDENY column (it could only hold zeros)
    expect(lines[4].split()[:8] == ["PARENT", "TYPE", "COMPAT", "INCOMP", "UNSUP", "DENIED",
                                    "OTHER", "READS"], f"row header: {lines[4]!r}")
    expect_eq(row(lines, "i915-GVTg_V5_4"),
              ["0000:00:02.0", "i915-GVTg_V5_4", "1", "1", "1", "0", "0", "2"], "V5_4 row")
    expect_eq(row(lines, "i915-GVTg_V5_8"),
              ["0000:00:02.0", "i915-GVTg_V5_8", "0", "1", "0", "0", "0", "0"], "V5_8 row")
    recent = [l for l in lines if l[:1].isdigit() and (" check " in l or " read " in l)]
    expect_eq(len(recent), 7, "recent list has every event")
    expect(" compatible " in recent[-2] and recent[-1].split()[3] == "read",
           f"newest first: {recent[0]!r} ... {recent[-1]!r}")
    expect_eq(lines[-1], "---", "plain view ends with a separator")


def test_tmux_keys_and_resize():
    tmux("kill-server")
    tmux("new-session", "-d", "-s", SESSION, "-x", "130", "-y", "30",
         f"{BIN} top --replay {SAMPLE}")
    try:
        lines = wait_for(lambda l: drawn(l) and any("checks 5:" in x for x in l), "view drawn")
        expect_eq(row(lines, "i915-GVTg_V5_2"),
                  ["0000:00:02.0", "i915-GVTg_V5_2", "0", "1", "0", "0", "0", "0"], "V5_2 row")
        expect(lines[-1].startswith("q quit  ? help  p pause  s sort  f filter  c clear"),
               f"key help on the last line: {lines[-1]!r}")
        tmux("send-keys", "-t", SESSION, "f", "f")      # all -> compatible -> incompatible
        lines = wait_for(lambda l: any("filter: incompatible" in x for x in l), "filter applied")
        shown = [x for x in lines if " check " in x or " read " in x]
        expect_eq(len(shown), 3, "only the 3 incompatible checks listed")
        expect(all(" incompatible " in x for x in shown), f"filtered rows: {shown}")
        tmux("send-keys", "-t", SESSION, "s")
        wait_for(lambda l: any("sort: total" in x for x in l), "sort cycles to total")
        lines = screen()
        rows = [x.split()[1] for x in lines if x.startswith("0000:00:02.0")]
        expect_eq(rows[0], "i915-GVTg_V5_4", "busiest device first when sorted by total")
        tmux("send-keys", "-t", SESSION, "p")
        wait_for(lambda l: any("PAUSED" in x for x in l), "pause shown")
        tmux("resize-window", "-t", SESSION, "-x", "80", "-y", "14")
        lines = wait_for(lambda l: len(l) == 14 and l[-1].startswith("q quit"),
                         "redrawn for 80x14", timeout=5)
        expect(all(len(x) <= 80 for x in lines), "no line wider than the window")
        expect(any(x.startswith("+") and "more rows" in x for x in lines) or
               sum(1 for x in lines if x.startswith("0000:00:02.0")) == 3,
               f"all 3 rows or +N more rows at 80x14: {lines}")
        tmux("send-keys", "-t", SESSION, "c")
        wait_for(lambda l: any("checks 0:" in x for x in l), "c clears the counts")
        tmux("send-keys", "-t", SESSION, "q")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and tmux("has-session", "-t", SESSION).returncode == 0:
            time.sleep(0.1)
        expect(tmux("has-session", "-t", SESSION).returncode != 0, "q quits")
    finally:
        tmux("kill-server")


def test_bad_replay():
    r = run([BIN, "top", "--replay", "/nonexistent/log"], timeout=10)
    expect_eq(r.returncode, 1, "missing log exits 1")
    expect_eq(r.stderr.strip(), "mdevver-trace top: /nonexistent/log: No such file or directory",
              "one-line error")
    r = run([BIN, "top", "--interval", "0"], timeout=10)
    expect_eq(r.returncode, 2, "bad interval exits 2")
    expect(r.stderr.startswith("mdevver-trace top: invalid interval '0'"), r.stderr)


def test_hostile_replay_plain():
    """Control bytes in every field of a forged log reach stdout C-escaped:
    no raw ESC, no row forged by a newline; counters of 2^64-1 saturate."""
    with tempfile.TemporaryDirectory() as d:
        log = forged.write(os.path.join(d, "forged.jsonl"))
        r = subprocess.run([BIN, "top", "--replay", log], capture_output=True, timeout=30)
    expect_eq(r.returncode, 0, f"exit code ({r.stderr!r})")
    expect_eq(forged.raw_controls(r.stdout + r.stderr), [], "no raw control bytes")
    expect(b"\x9b" not in r.stdout and b"\xff" not in r.stdout, "no raw bytes >= 0x80")
    out = r.stdout.decode()
    lines = out.splitlines()
    expect(forged.HOSTILE_SHOWN in out, f"escaped form shown: {out!r}")
    expect(lines[0].startswith("mdevver-trace top - ") and "mode X\\x1b[2J" in lines[0] and
           f"enforcement {forged.HOSTILE_SHOWN}" in lines[0], f"header: {lines[0]!r}")
    expect_eq(lines[1], f"checks {forged.U64_MAX}: compatible 0  incompatible 0  unsupported 0  "
              f"denied {forged.U64_MAX}  other {forged.U64_MAX} | reads 0 | lost {forged.U64_MAX} "
              f"(0 checks, 0 reads) | coalesced {forged.U64_MAX}",
              "totals saturate at 2^64-1 (the forged lost record has no class fields)")
    recent = [l for l in lines if l.startswith("21:19:3")]
    expect_eq(len(recent), 3, f"one line per event, none forged: {lines}")


def test_hostile_replay_tmux():
    """The same forged log in the curses view: the pane shows the escaped
    form, and the screen is not cleared or shifted by the ESC [ 2 J."""
    with tempfile.TemporaryDirectory() as d:
        log = forged.write(os.path.join(d, "forged.jsonl"))
        tmux("kill-server")
        tmux("new-session", "-d", "-s", SESSION, "-x", "200", "-y", "30",
             f"{BIN} top --replay {log}")
        try:
            lines = wait_for(drawn, "view drawn")
            expect(lines[0].startswith("mdevver-trace top - "), f"header on row 0: {lines[0]!r}")
            expect(any(x.startswith(forged.HOSTILE_SHOWN) for x in lines),
                   f"device row escaped: {lines}")
            expect(not any(x.startswith("<b>") or x.startswith("\x07") for x in lines),
                   f"no row forged by a newline: {lines}")
            recent = [x for x in lines if x.startswith("21:19:3")]
            expect_eq(len(recent), 3, "three event rows")
            tmux("send-keys", "-t", SESSION, "q")
        finally:
            tmux("kill-server")


def test_pane_80x24_300_rows():
    """300 type rows with long parents, UUID devices and escaped type
    names at 80x24: everything fits, counts stay in their columns,
    outcomes are whole, +N more rows changes with PgDn/End/Home/Down."""
    with tempfile.TemporaryDirectory() as d:
        log = write_log(os.path.join(d, "many.jsonl"), gen_records())
        try:
            lines = start_pane(80, 24, ["--replay", log])
            check_fits(lines, 80, 24)
            head, rows = check_columns_stay(lines)
            expect(any("\u2026" in x or "~" in x for x in rows),
                   f"long names cut with a marker: {rows}")
            esc = [x for x in rows if re.search(r"\\x1b[\u2026~]", x)]
            expect(esc, f"rows whose name is cut among escapes: {rows}")
            expect(not any(re.search(r"\\x?[0-9a-f]?[\u2026~]", x) for x in rows),
                   f"no escape cut in half: {rows}")
            rhead, events = check_outcomes_whole(lines)
            # DEVICE/TYPE keeps its end (the type or device) and cuts the start
            expect([x for x in events if re.search(r"[\u2026~]\\x1b", x)],
                   f"a DEVICE/TYPE cut at the start among escapes: {events}")
            expect(not any(re.search(r"[\u2026~](x[0-9a-f]{0,2}|[0-9a-f]{1,2})\\x1b", x)
                           for x in events), f"no escape cut in half: {events}")
            expect(("ERRNO" in rhead and "BYTES" in rhead) or re.search(r" \+\d$", rhead),
                   f"errno and bytes shown or marked left out: {rhead!r}")
            more = more_rows(lines)
            expect(more is not None, "+N more rows: " + "\n".join(lines))
            n, first, last, total = more
            expect_eq((first, total, n), (1, 300, 300 - last), "first page")
            keys("NPage")
            lines = wait_for(lambda l: more_rows(l) and more_rows(l)[1] == last + 1,
                             "PgDn moves a page")
            expect_eq(more_rows(lines)[0], n - (last - first + 1), "+N more after PgDn")
            check_fits(lines, 80, 24)
            keys("End")
            lines = wait_for(lambda l: any(re.match(r"rows \d+-300 of 300 shown, \d+ above", x)
                                           for x in l), "End shows the last rows")
            expect(more_rows(lines) is None, "nothing more below at End")
            keys("Home")
            wait_for(lambda l: more_rows(l) and more_rows(l)[1] == 1, "Home: first rows")
            keys("Down")
            wait_for(lambda l: more_rows(l) and more_rows(l)[1] == 2, "Down: one row")
            keys("?")
            lines = wait_for(lambda l: any("PgUp/PgDn" in x and "scroll" in x for x in l),
                             "? shows the help overlay")
            expect(any("| Keys" in x for x in lines) and any("q          quit" in x for x in lines),
                   f"help lists keys: {lines}")
            check_fits(lines, 80, 24)
            keys("x")
            wait_for(lambda l: not any("| Keys" in x for x in l), "any key closes the help")
        finally:
            tmux("kill-server")


def test_pane_200x60_300_rows():
    """The same log at 200x60: every column whole, nothing left out."""
    with tempfile.TemporaryDirectory() as d:
        log = write_log(os.path.join(d, "many.jsonl"), gen_records())
        try:
            lines = start_pane(200, 60, ["--replay", log])
            check_fits(lines, 200, 60)
            expect(" - mode fentry - enforcement off" in lines[0], lines[0])
            expect(any(x.startswith("checks 300: compatible 100  incompatible 100  "
                                    "unsupported 100  denied 0  other 0 | reads 0")
                       for x in lines), f"one totals line at 200: {lines[:3]}")
            head, rows = check_columns_stay(lines)
            expect("LAST REMOTE" in head and not re.search(r" \+\d$", head),
                   f"all row columns at 200: {head!r}")
            rhead, events = check_outcomes_whole(lines)
            expect("ERRNO" in rhead and "BYTES" in rhead and not re.search(r" \+\d$", rhead),
                   f"all recent columns at 200: {rhead!r}")
            expect(any(" EOPNOTSUPP " in x for x in events), f"errno names whole: {events}")
            expect(any(UUID in x for x in events), f"a UUID device whole at 200: {events}")
            more = more_rows(lines)
            expect(more is not None and more[3] == 300, f"+N more rows at 200x60: {more}")
        finally:
            tmux("kill-server")


def test_empty_filter_says_so():
    r = run([BIN, "top", "--replay", SAMPLE, "-p", "999999"], timeout=30)
    expect_eq(r.returncode, 0, f"exit ({r.stderr.strip()})")
    expect("no rows match (filter: all, options: -p 999999)" in r.stdout, r.stdout)
    expect("no checks or reads match" in r.stdout or "no checks or reads yet" in r.stdout,
           r.stdout)
    try:
        start_pane(80, 24, ["--replay", SAMPLE])
        keys("f", "f", "f", "f")        # all -> compatible -> incompatible -> unsupported -> denied
        lines = wait_for(lambda l: any("filter: denied" in x for x in l), "filter denied")
        expect(any(x.startswith("no rows match (filter: denied") for x in lines),
               "no rows match: " + "\n".join(lines))
        expect(any(x.startswith("no checks or reads match the filter") for x in lines),
               "recent list says so too")
    finally:
        tmux("kill-server")


def test_replay_filters():
    """-p, -c, -x select records of a replayed log as they select calls."""
    def totals(args):
        r = run([BIN, "top", "--replay", SAMPLE, *args], timeout=30)
        expect_eq(r.returncode, 0, f"{args}: exit ({r.stderr.strip()})")
        return r.stdout.splitlines()[1].split(" | ")[:2]
    expect_eq(totals(["-x"]), ["checks 4: compatible 0  incompatible 3  unsupported 1  denied 0  "
                               "other 0", "reads 0"], "-x: failed checks only")
    expect_eq(totals(["-c", "cat"])[0].split(":")[0], "checks 0", "-c cat: reads only")
    expect_eq(totals(["-c", "cat"])[1], "reads 2", "-c cat: both reads")
    expect_eq(totals(["-p", "126"])[0].split(":")[0], "checks 5", "-p 126: the checks")


def test_enforce_replay():
    """Replayed enforcement logs: the state above denied rows, would-deny
    counted as such, rule names shown; without an enforce record the
    verdicts say what it was."""
    cases = [("dry-run", "would-deny", "enforcement dry-run"),
             ("on", "denied", "enforcement on"),
             (None, "would-deny", "enforcement dry-run (from verdicts)"),
             (None, "denied", "enforcement on (from verdicts)")]
    with tempfile.TemporaryDirectory() as d:
        for i, (state, verdict, shown) in enumerate(cases):
            log = write_log(os.path.join(d, f"e{i}.jsonl"),
                            gen_records(12, enforce=state, verdict=verdict))
            r = run([BIN, "top", "--replay", log], timeout=30)
            expect_eq(r.returncode, 0, f"exit ({r.stderr.strip()})")
            lines = r.stdout.splitlines()
            expect(lines[0].endswith(" - " + shown), f"{state}/{verdict}: {lines[0]!r}")
            judged = 3          # checks 0, 4 and 8 of 12
            want = {"would-deny": f"denied 0  would-deny {judged}  other 0",
                    # no dry run: no would-deny count (as no WDENY column)
                    "denied": f"denied {judged}  other 0"}[verdict]
            expect(want in lines[1], f"{verdict} counted: {lines[1]!r}")
            head = next(x for x in lines if x.startswith("PARENT"))
            expect("DENIED" in head and "RULE" in head and
                   ("WDENY" in head) == (verdict == "would-deny"), head)
            events = [x for x in lines if x[:2].isdigit() and f" {verdict} " in x]
            expect_eq(len(events), judged, f"{verdict} events listed")
            expect(all(" gvt-bug-1234 " in x for x in events), f"rule names: {events}")
        log = os.path.join(d, "e0.jsonl")
        try:
            lines = start_pane(80, 24, ["--replay", log])
            check_fits(lines, 80, 24)
            expect(lines[0].endswith("enforcement dry-run"), lines[0])
            expect(any(re.search(r"denied 0\s+would-deny 3\s+other 0", x) for x in lines[1:3]),
                   lines[1:3])
            rhead, events = check_outcomes_whole(lines)
            expect("RULE" in rhead, f"RULE column at 80: {rhead!r}")
            wd = [x for x in events if " would-deny " in x]
            expect(wd and all("gvt-bug-1234" in x for x in wd), f"rule at 80: {wd}")
        finally:
            tmux("kill-server")


def long_options(args):
    r = run([BIN, *args, "--help"], timeout=10)
    expect_eq(r.returncode, 0, f"{args} --help")
    return set(re.findall(r"^\s+(?:-\w, )?--([a-z-]+)", r.stdout, re.M))


def test_same_options_as_trace():
    """top takes every option of trace but -j (the screen is its output),
    from the same definition: the helps list the same options."""
    trace = long_options(["trace"])
    top = long_options(["top"])
    expect("failed" in trace and "attr" in trace and "output" in trace, f"trace: {trace}")
    expect_eq(sorted(trace - top), ["json"], "trace options top lacks")
    expect_eq(sorted(top - trace), ["interval", "replay"], "top-only options")
    # the same checks: a bad value is refused the same way
    for opt in (["-d", "0"], ["--ringbuf", "3K"], ["-a", "a/b"], ["--max-size", "4K"],
                ["-p", "x"], ["--flush", "never"]):
        a = run([BIN, "trace", *opt], timeout=10)
        b = run([BIN, "top", *opt], timeout=10)
        expect_eq((b.returncode, b.stderr.split(": ", 1)[1].splitlines()[0]),
                  (a.returncode, a.stderr.split(": ", 1)[1].splitlines()[0]),
                  f"{opt}: top refuses as trace does")
        expect_eq(a.returncode, 2, f"{opt}: exit 2")
    r = run([BIN, "top", "-j"], timeout=10)
    expect_eq(r.returncode, 2, "top -j refused")
    for opt in (["-m", "fentry"], ["-o", "/tmp/x"], ["-d", "5"], ["-a", "v2"],
                ["--metrics-addr", "127.0.0.1:0"]):
        r = run([BIN, "top", "--replay", SAMPLE, *opt], timeout=10)
        expect_eq(r.returncode, 2, f"--replay with {opt}")
        expect("needs the kernel; --replay reads a log" in r.stderr, r.stderr)


# --- migrations ------------------------------------------------------------

MIG_LOG = os.path.join(REPO, "tests", "data", "migration", "mtty-6.12.jsonl")
MIG_OUTCOMES = ("completed", "failed", "abandoned", "in-progress")


def mig_expected(path):
    """The panel's rows computed from the log itself, newest first: time,
    device, type, role, outcome, errno, downtime in ms (0.1, truncated),
    bytes, VM."""
    rows = []
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("event") != "migration":
                continue
            ns = r["stopped_ns"]
            rows.append([r["time"][11:19], r["device"], r["type"], r["role"], r["outcome"],
                         r["errno_name"] or "-", f"{ns // 1000000}.{ns // 100000 % 10}",
                         "-" if r["bytes"] is None else str(r["bytes"]), r["vm"] or "-"])
    return rows[::-1]


def mig_panel(lines):
    """The counts line, the header and the rows of the migrations panel."""
    at = next((i for i, x in enumerate(lines) if x.startswith("migrations ")), None)
    expect(at is not None, "migrations panel shown:\n" + "\n".join(lines))
    body = []
    for y in lines[at + 2:]:
        if not y.strip():
            break
        body.append(y)
    return lines[at], lines[at + 1], body


def check_mig_row(line, head, want):
    """One panel row against its record: every column the header shows,
    the device possibly cut at its start (its end tells devices apart)."""
    names = head.split()
    if re.fullmatch(r"\+\d", names[-1]):
        names = names[:-1]
    cols = dict(zip(("TIME", "DEVICE", "TYPE", "ROLE", "OUTCOME", "ERRNO", "DOWN_MS", "BYTES",
                     "VM"), want))
    got = line.split()
    expect_eq(len(got), len(names), f"cells of {line!r} under {head!r}")
    for name, cell in zip(names, got):
        if name == "DEVICE" and cell != cols[name]:
            expect(cell[0] in "\u2026~" and cols[name].endswith(cell[1:]),
                   f"device cut at its start: {cell!r} of {cols[name]!r}")
        else:
            expect_eq(cell, cols[name], f"{name} of {line!r}")


def test_migrations_panel_80x24():
    """The real mtty log (tests/data/migration/, from a 6.12 VM run) at
    80x24: the counts by outcome and every migration, newest first, with
    role, outcome, downtime, bytes and VM as the records have them; then
    with 300 device rows before them: the panel keeps its lines, and in a
    pane 16 high it shows the newest and says how many are not shown."""
    want = mig_expected(MIG_LOG)
    expect_eq(len(want), 5, "migration records in the fixture")
    counts = {o: sum(1 for w in want if w[4] == o) for o in MIG_OUTCOMES}
    count_line = (f"migrations {len(want)}: completed {counts['completed']}  failed "
                  f"{counts['failed']}  abandoned {counts['abandoned']}  in-progress "
                  f"{counts['in-progress']}")
    try:
        lines = start_pane(80, 24, ["--replay", MIG_LOG])
        check_fits(lines, 80, 24)
        first, head, body = mig_panel(lines)
        expect_eq(first, count_line, "counts by outcome")
        for name in ("TIME", "DEVICE", "ROLE", "OUTCOME", "DOWN_MS"):
            expect(name in head.split(), f"{name} in {head!r}")
        expect_eq(len(body), len(want), f"every migration shown: {body}")
        for line, w in zip(body, want):
            check_mig_row(line, head, w)
        with tempfile.TemporaryDirectory() as d:
            log = write_log(os.path.join(d, "many.jsonl"), gen_records())
            with open(log, "a") as f, open(MIG_LOG) as m:
                f.write(m.read())
            lines = respawn_pane(80, 24, ["--replay", log],
                                 lambda l: any(x.startswith("checks 300") for x in l),
                                 "the view of 300 device rows")
            check_fits(lines, 80, 24)
            check_columns_stay(lines)
            expect(more_rows(lines) is not None, "device rows cut: +N more rows")
            first, head, body = mig_panel(lines)
            expect_eq(first, count_line, "counts with device rows")
            expect_eq(len(body), len(want), f"every migration still shown: {body}")
            for line, w in zip(body, want):
                check_mig_row(line, head, w)
            check_outcomes_whole(lines)
            lines = respawn_pane(80, 16, ["--replay", log],
                                 lambda l: any(x.startswith("+") and "migrations" in x
                                               for x in l), "the view in 16 lines")
            check_fits(lines, 80, 16)
            first, head, body = mig_panel(lines)
            rows = [x for x in body if not x.startswith("+")]
            expect(rows and len(rows) < len(want), f"some migrations shown: {body}")
            expect_eq(body[-1], f"+{len(want) - len(rows)} more migrations (older)",
                      "what is not shown")
            for line, w in zip(rows, want):
                check_mig_row(line, head, w)
    finally:
        tmux("kill-server")


def test_migrations_plain():
    """Plain output (not a terminal) lists every migration; a log without
    migration records has no panel (nothing to show but zeros)."""
    r = run([BIN, "top", "--replay", MIG_LOG])
    expect_eq(r.returncode, 0, f"exit ({r.stderr})")
    lines = r.stdout.splitlines()
    first, head, body = mig_panel(lines)
    want = mig_expected(MIG_LOG)
    expect_eq(len(body), len(want), f"rows: {body}")
    for line, w in zip(body, want):
        check_mig_row(line, head, w)
    r = run([BIN, "top", "--replay", SAMPLE])
    expect(not any(x.startswith("migrations ") for x in r.stdout.splitlines()),
           "no panel without migration records")
    # more than the view keeps (64): the newest 64, then how many more
    with open(MIG_LOG) as f:
        rec = next(json.loads(x) for x in f if '"event":"migration"' in x)
    with tempfile.TemporaryDirectory() as d:
        recs = []
        for i in range(70):
            recs.append(dict(rec, session=i + 1, bytes=i, time=_time(i)))
        log = write_log(os.path.join(d, "70.jsonl"), recs)
        r = run([BIN, "top", "--replay", log])
        first, head, body = mig_panel(r.stdout.splitlines())
        expect_eq(first, "migrations 70: completed 70  failed 0  abandoned 0  in-progress 0",
                  "all 70 counted")
        expect_eq(len(body), 65, "the 64 kept and one line for the rest")
        expect_eq(body[-1], "+6 more migrations (older)", "the rest said")
        expect_eq([x.split()[-2] for x in body[:64]], [str(i) for i in range(69, 5, -1)],
                  "newest first (bytes = its number)")


def main():
    run_test("top_plain_replay", test_plain_replay)
    run_test("top_hostile_replay_plain", test_hostile_replay_plain)
    run_test("top_hostile_replay_tmux", test_hostile_replay_tmux)
    run_test("top_tmux_keys_and_resize", test_tmux_keys_and_resize)
    run_test("top_bad_replay", test_bad_replay)
    run_test("top_pane_80x24_300_rows", test_pane_80x24_300_rows)
    run_test("top_pane_200x60_300_rows", test_pane_200x60_300_rows)
    run_test("top_empty_filter_says_so", test_empty_filter_says_so)
    run_test("top_replay_filters", test_replay_filters)
    run_test("top_enforce_replay", test_enforce_replay)
    run_test("top_same_options_as_trace", test_same_options_as_trace)
    run_test("top_migrations_panel_80x24", test_migrations_panel_80x24)
    run_test("top_migrations_plain", test_migrations_plain)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
