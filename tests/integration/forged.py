# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""A forged audit log for the hardening tests (issue 10): every string field
holds control bytes (ESC [ 2 J, newline, BEL, the C1 CSI byte 0x9b, 0xff)
and markup, and the counters hold 2^64-1."""
import json

HOSTILE = "X\x1b[2J\n\x07\x9b\xff<b>"
# what c_escape makes of it (record/escape.c), the one rule for terminals
HOSTILE_SHOWN = "X\\x1b[2J\\n\\x07\\x9b\\xff<b>"
U64_MAX = 2**64 - 1

_T = "2026-11-23T21:19:3{}.000000000Z"


def records():
    bad = HOSTILE
    ev = {"schema": 1, "host": bad, "mode": bad, "tid": 126, "ppid": 1, "uid": 0, "gid": 0,
          "comm": bad, "cgroup_id": 1, "path": "/sys/x/" + bad, "path_truncated": False,
          "attr": "version", "parent": bad, "mdev_type": bad, "device": bad, "bytes": bad,
          "len": 9, "captured": 9, "truncated": False, "unreadable": False, "ret": -1,
          "errno": 1, "latency_ns": 1, "count": U64_MAX}
    out = [{"schema": 1, "event": "start", "time": _T.format(0), "ts_ns": 1, "host": bad,
            "mode": bad},
           {"schema": 1, "event": "enforce", "time": _T.format(0), "ts_ns": 2, "host": bad,
            "state": bad, "rules": 1}]
    for i, (outcome, errname) in enumerate(((bad, bad), ("denied", "EPERM"),
                                            ("denied", "EPERM"))):
        out.append(dict(ev, event="check", time=_T.format(1 + i), ts_ns=10 + i, pid=100 + i,
                        outcome=outcome, errno_name=errname, rule=bad))
    for i in range(3):
        out.append({"schema": 1, "event": "lost", "time": _T.format(5), "ts_ns": 20 + i,
                    "host": bad, "lost": U64_MAX})
    return out


def write(path):
    with open(path, "w") as f:
        for r in records():
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    return path


def raw_controls(data):
    """The control bytes (other than newline and tab) in data (bytes)."""
    return sorted({b for b in data if (b < 32 and b not in (9, 10)) or b == 127})
