#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Kernel splats in the VM's kernel log (issue 15: a WARN, BUG or oops fails
the run and names the test that was running).

Two users:
  * harness.py, inside the VM: around each test it reads the new records of
    /dev/kmsg and the taint value; a splat or a taint change during a test
    turns that test into a FAIL, and the splat lines it attributed are
    appended to $MDEVVER_VM_OUT/vm-kernel-attributed.log.
  * tests/vm/run.sh, on the host, after the VM stopped:
        kernel_log.py check DMESG ATTRIBUTED TAINT_BEFORE TAINT_AFTER
    prints "FAIL vm-kernel-log: <first splat line>" for every splat of the
    whole guest log that no test was blamed for (between tests, in a shell
    script, in the tool's own start-up) and for a taint flag that changed
    during the job but was never seen by a test; exit 1 if it printed any.

A splat is a line starting a WARN/BUG/oops report, a KASAN/UBSAN report, or a
"Call Trace:" that no such header announced.  RCU stalls and soft lockups are
what a loaded TCG host does to a guest, not kernel bugs: they are printed as
notes, their call traces are not splats and their taint flag (L) is ignored.
"""
import collections
import os
import re
import sys

SPLAT = re.compile(
    r"^(?:WARNING: |BUG: |kernel BUG at |Oops|general protection fault|"
    r"Kernel panic|Unable to handle kernel|"
    r".*\b(?:KASAN|UBSAN|KFENCE|KCSAN)\b|"
    r"list_(?:add|del) corruption|refcount_t: )")
STALL = re.compile(r"(?:rcu: INFO: .*stall|rcu_.*detected stall|"
                   r"watchdog: BUG: soft lockup|NMI backtrace for cpu)")
CALL_TRACE = re.compile(r"^\s*Call Trace:")
# How far back a header covers the "Call Trace:" that follows it
TRACE_WINDOW = 80

# bit -> letter, as in the kernel's taint_flags[] (print_tainted)
TAINT_LETTERS = "PFSRMBUDAWCIOELKXTNJ"
IGNORED_TAINT = 1 << TAINT_LETTERS.index("L")    # soft lockup (TCG load)

DMESG_PREFIX = re.compile(r"^(?:<\d+>)?\[\s*\d+\.\d+\] ?")


def message_lines(text):
    """Messages of `dmesg` (or console) output, without the time stamps."""
    out = []
    for ln in text.splitlines():
        ln = ln.replace("\r", "")
        out.append(DMESG_PREFIX.sub("", ln, count=1))
    return out


def scan(lines):
    """(splats, notes): the splat lines and the load-artifact lines of a
    sequence of kernel messages, in order."""
    splats, notes = [], []
    covered_until = -1      # a header at i covers call traces up to here
    for i, ln in enumerate(lines):
        if STALL.search(ln):
            notes.append(ln)
            covered_until = i + TRACE_WINDOW
            continue
        if SPLAT.search(ln) and "taints kernel" not in ln and "tainting kernel" not in ln:
            splats.append(ln)
            covered_until = i + TRACE_WINDOW
            continue
        if CALL_TRACE.search(ln):
            if i > covered_until:
                splats.append(ln.strip())
            covered_until = i + TRACE_WINDOW
    return splats, notes


def taint_letters(mask):
    return "".join(c for b, c in enumerate(TAINT_LETTERS) if mask >> b & 1) or "-"


def taint_change(before, after):
    """A description of the taint bits set since `before`, or None."""
    new = after & ~before & ~IGNORED_TAINT
    if not new:
        return None
    return f"taint changed {before} -> {after} (new flags {taint_letters(new)})"


def read_taint():
    try:
        with open("/proc/sys/kernel/tainted") as f:
            return int(f.read().strip() or 0)
    except OSError:
        return None


class KmsgWatch:
    """The kernel messages and taint change of one test (inside the VM)."""

    def __init__(self):
        self.fd = None
        self.taint = read_taint()
        try:
            self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
            os.lseek(self.fd, 0, os.SEEK_END)
        except OSError:
            if self.fd is not None:
                os.close(self.fd)
            self.fd = None

    def _read(self):
        lines = []
        while True:
            try:
                rec = os.read(self.fd, 8192)
            except BlockingIOError:
                break
            except BrokenPipeError:     # records overwritten before we read them
                lines.append("(kernel log records lost: the buffer wrapped)")
                continue
            if not rec:
                break
            head, _, msg = rec.decode(errors="replace").partition(";")
            msg = msg.split("\n", 1)[0]  # continuation lines (" KEY=value") follow
            msg = re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), msg)
            lines.extend(msg.split("\n"))
        return lines

    def finish(self):
        """(splats, notes, taint problem or None) since the start."""
        lines = []
        if self.fd is not None:
            lines = self._read()
            os.close(self.fd)
            self.fd = None
        splats, notes = scan(lines)
        after = read_taint()
        tc = None
        if self.taint is not None and after is not None:
            tc = taint_change(self.taint, after)
        return splats, notes, tc, after


def attributed_path():
    out = os.environ.get("MDEVVER_VM_OUT")
    return os.path.join(out, "vm-kernel-attributed.log") if out else None


def record_attributed(splats, taint_after, tc):
    """Tell run.sh which splats and taint value a test was blamed for."""
    p = attributed_path()
    if not p:
        return
    try:
        with open(p, "a") as f:
            for s in splats:
                f.write(f"splat {s}\n")
            if tc:
                f.write(f"taint {taint_after}\n")
    except OSError:
        pass


def check(dmesg_path, attributed, before, after):
    """run.sh's end-of-run check; returns the number of FAIL lines printed."""
    try:
        with open(dmesg_path, errors="replace") as f:
            lines = message_lines(f.read())
    except OSError as e:
        print(f"FAIL vm-kernel-log: cannot read the guest kernel log {dmesg_path}: {e.strerror}")
        return 1
    blamed = collections.Counter()
    blamed_taint = set()
    try:
        with open(attributed, errors="replace") as f:
            for ln in f.read().splitlines():
                kind, _, rest = ln.partition(" ")
                if kind == "splat":
                    blamed[rest] += 1
                elif kind == "taint" and rest.isdigit():
                    blamed_taint.add(int(rest))
    except OSError:
        pass
    splats, notes = scan(lines)
    for n in notes[:3]:
        print(f"# vm-kernel-log: note (load artifact, not a failure): {n}")
    fails = 0
    for s in splats:
        if blamed[s] > 0:
            blamed[s] -= 1
            continue
        if fails == 0:
            print(f"FAIL vm-kernel-log: {s} (outside any test; whole log: {dmesg_path})")
        fails += 1
    if fails > 1:
        print(f"# vm-kernel-log: {fails - 1} more splat lines outside any test")
    if before is not None and after is not None:
        tc = taint_change(before, after)
        if tc and after not in blamed_taint:
            print(f"FAIL vm-kernel-log: {tc} during the job, outside any test")
            fails += 1
    return fails


def _int_or_none(s):
    try:
        return int(s)
    except ValueError:
        return None


def main(argv):
    if len(argv) == 6 and argv[1] == "check":
        return 1 if check(argv[2], argv[3], _int_or_none(argv[4]), _int_or_none(argv[5])) else 0
    print("usage: kernel_log.py check DMESG ATTRIBUTED TAINT_BEFORE TAINT_AFTER", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
