#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The live view driven by --replay, read back the way a person sees it:
through tmux capture-pane (ncurses) or as plain text (stdout not a tty).
tests/data/top/vm-sample.jsonl is real --json output recorded in the VM.
"""
import os
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


def row(lines, type_name):
    for line in lines:
        f = line.split()
        if len(f) >= 8 and f[1] == type_name:
            return f[:8]
    return None


def test_plain_replay():
    r = run([BIN, "top", "--replay", SAMPLE], timeout=30)
    expect_eq(r.returncode, 0, f"exit code ({r.stderr.strip()})")
    lines = r.stdout.splitlines()
    expect_eq(lines[1], "checks 5: compatible 1  incompatible 3  unsupported 1  denied 0  "
              "other 0 | reads 2 | lost 0 (0 checks, 0 reads) | coalesced 0", "totals line")
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
        lines = wait_for(lambda l: any("checks 5:" in x for x in l), "view drawn")
        expect_eq(row(lines, "i915-GVTg_V5_2"),
                  ["0000:00:02.0", "i915-GVTg_V5_2", "0", "1", "0", "0", "0", "0"], "V5_2 row")
        expect(lines[-1].startswith("q quit  p pause  s sort  f filter  c clear"),
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
            lines = wait_for(lambda l: any(x.startswith("checks ") for x in l), "view drawn")
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


def main():
    run_test("top_plain_replay", test_plain_replay)
    run_test("top_hostile_replay_plain", test_hostile_replay_plain)
    run_test("top_hostile_replay_tmux", test_hostile_replay_tmux)
    run_test("top_tmux_keys_and_resize", test_tmux_keys_and_resize)
    run_test("top_bad_replay", test_bad_replay)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
