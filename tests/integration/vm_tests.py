#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Integration tests run inside the VM (tests/vm/run.sh), on a real Debian
kernel with the simulated vGPU module (tests/kmod/mdevsim.c) loaded.

Every test runs the real mdevver-trace binary and asserts on its JSON output
against what the kernel really returned to the writer.
"""
import errno
import os
import subprocess
import sys
import json
import re

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BIN, PrivateJournal, Tracer, byte_string, calls_of, expect, expect_eq, finish,  # noqa: E402
                     read_attr, run, run_test, skip, write_attr)

PARENT = "0000:00:02.0"
DEV_DIR = f"/sys/devices/mdevsim/{PARENT}"
TYPES = f"{DEV_DIR}/mdev_supported_types"
UUID = "4b7e2d3a-1c9f-4e55-9a2b-6c0d8e1f2a3b"
MDEV_DIR = f"{DEV_DIR}/{UUID}"
PARAMS = "/sys/module/mdevsim/parameters"
TYPE = "i915-GVTg_V5_4"
VERSION = f"{TYPES}/{TYPE}/version"
MIG_TYPE = f"{TYPES}/{TYPE}/migration_version"
MIG_DEV = f"{MDEV_DIR}/migration_version"
NOTES = f"{DEV_DIR}/sim_notes"
# the scope decoy: named "version", on the parent device, in no mdev layout
DECOY = f"{DEV_DIR}/version"
DECOY_TEXT = b"decoy-not-an-mdev-attribute\n"

DEVID = 0x193B
SELF = f"00028086-{DEVID:04x}-{TYPE}\n".encode()
OTHER = f"00028086-{DEVID:04x}-i915-GVTg_V5_8\n".encode()
MIG_SELF = f"8086-{DEVID:04x}-{TYPE}-00000001\n".encode()

MODES = ("fentry", "kprobe", "syscall")


def set_param(name, value):
    with open(f"{PARAMS}/{name}", "w") as f:
        f.write(str(value))


def workload():
    """The standard sequence of reads and checks, with what the kernel said.

    Returns a list of (op, path, bytes, ret, errno) as the writer saw them."""
    seen = []

    def rd(path):
        data, err = read_attr(path)
        seen.append(("read", path, data or b"", len(data) if data is not None else -1, err))

    def wr(path, data):
        ret, err = write_attr(path, data)
        seen.append(("check", path, data, ret, err))

    def wr_v(path, pieces):
        fd = os.open(path, os.O_WRONLY)
        try:
            ret, err = os.writev(fd, pieces), 0
        except OSError as e:
            ret, err = -1, e.errno
        os.close(fd)
        seen.append(("check", path, b"".join(pieces), ret, err))

    def wr_p(path, data):
        fd = os.open(path, os.O_WRONLY)
        try:
            ret, err = os.pwrite(fd, data, 0), 0
        except OSError as e:
            ret, err = -1, e.errno
        os.close(fd)
        seen.append(("check", path, data, ret, err))

    rd(VERSION)
    wr(VERSION, SELF)                      # compatible
    wr_v(VERSION, [SELF[:9], SELF[9:20], SELF[20:]])  # writev, 3 pieces
    wr_p(VERSION, OTHER)                   # pwrite64
    wr(VERSION, OTHER)                     # incompatible: another type
    wr(VERSION, SELF.rstrip(b"\n"))        # the newline quirk: incompatible
    wr(VERSION, b"0002\x00\xff\x01abc\n")  # binary bytes, NUL inside
    wr(VERSION, b"A" * 4095)               # the largest write a sysfs page takes
    rd(MIG_TYPE)
    wr(MIG_TYPE, MIG_SELF)
    rd(MIG_DEV)
    wr(MIG_DEV, MIG_SELF)
    wr(NOTES, b"unrelated attribute\n")    # must give no event
    rd(DECOY)                              # a watched name, no mdev layout:
    wr(DECOY, SELF)                        # no event either (one scope)
    set_param("gen", 11)                   # unrelated attribute too
    try:
        rd(VERSION)                        # unsupported
        wr(VERSION, SELF)                  # unsupported
    finally:
        set_param("gen", 9)
    return seen


def expected_outcome(op, data, ret, err):
    if op == "read":
        return "ok" if err == 0 else "unsupported"
    if err == 0 and ret == len(data):
        return "compatible"
    return "unsupported" if err == errno.ENODEV else "incompatible"


def check_events_match(evs, seen, mode):
    """Each traced call is one event with exactly what the writer saw."""
    traced = [s for s in seen if s[1] not in (NOTES, DECOY)]
    decoy = [s for s in seen if s[1] == DECOY]
    expect_eq([(op, ret, err) for op, _, _, ret, err in decoy],
              [("read", len(DECOY_TEXT), 0), ("check", len(SELF), 0)],
              f"{mode}: the decoy was read and written")
    expect_eq(len(evs), len(traced), f"{mode}: number of events "
              f"({[(e['event'], e['path']) for e in evs]})")
    me = os.getpid()
    for ev, (op, path, data, ret, err) in zip(evs, traced):
        what = f"{mode}: {op} {path} {data[:40]!r}"
        expect_eq(ev["event"], op, f"{what}: event kind")
        expect_eq(ev["mode"], mode, f"{what}: mode")
        expect_eq(ev["path"], path, f"{what}: path")
        expect_eq(ev["pid"], me, f"{what}: pid")
        expect_eq(ev["tid"], me, f"{what}: tid")
        expect_eq(ev["comm"], "python3", f"{what}: comm")
        expect_eq(ev["uid"], 0, f"{what}: uid")
        expect_eq(ev["ppid"], os.getppid(), f"{what}: ppid")
        expect(ev["cgroup_id"] > 0, f"{what}: cgroup_id set")
        expect(ev["latency_ns"] > 0, f"{what}: latency measured")
        expect_eq(ev["outcome"], expected_outcome(op, data, ret, err), f"{what}: outcome")
        if err:
            expect_eq(ev["ret"], -err, f"{what}: ret")
            expect_eq(ev["errno"], err, f"{what}: errno")
            expect_eq(ev["errno_name"], errno.errorcode[err], f"{what}: errno_name")
        else:
            expect_eq(ev["ret"], ret, f"{what}: ret")
            expect_eq(ev["errno_name"], None, f"{what}: errno_name")
        if op == "check":
            expect_eq(byte_string(ev["bytes"]), data, f"{what}: exact bytes")
            expect_eq(ev["len"], len(data), f"{what}: len")
            expect_eq(ev["captured"], len(data), f"{what}: captured")
            expect_eq(ev["truncated"], False, f"{what}: truncated flag")
        elif err == 0:
            expect_eq(byte_string(ev["bytes"]), data, f"{what}: string read")
        expect_eq(ev["attr"], os.path.basename(path), f"{what}: attr")
        expect_eq(ev["parent"], PARENT, f"{what}: parent")
        expect_eq(ev["mdev_type"], TYPE, f"{what}: mdev_type")
        expect_eq(ev["device"], UUID if path == MIG_DEV else None, f"{what}: device")
        expect_eq(ev.get("scope"), "mdev-device" if path == MIG_DEV else "mdev-type",
                  f"{what}: scope")


def check_vendor_layer(evs, mode):
    """fentry/kprobe: the gvt check function's view is folded into the event."""
    checks = [e for e in evs if e["event"] == "check" and e["errno"] != errno.ENODEV]
    expect(checks, f"{mode}: checks present")
    for ev in checks:
        what = f"{mode}: vendor view of {ev['bytes'][:30]!r} on {ev['attr']}"
        v = ev.get("vendor")
        expect(v is not None, f"{what}: vendor object present")
        local = MIG_SELF if "migration" in ev["attr"] else SELF
        expect_eq(byte_string(v["local"]), local, f"{what}: device's own string")
        want_ret = 0 if ev["outcome"] == "compatible" else -errno.EINVAL
        expect_eq(v["check_ret"], want_ret, f"{what}: vendor check_ret")
        remote = byte_string(ev["bytes"])
        expect_eq(v["remote_len"], len(remote.split(b"\0")[0]), f"{what}: vendor remote_len")
    # the seed's get function builds the string a read of `version` returns;
    # migration_version reads use another (non-seed) function: no vendor view
    reads = [e for e in evs if e["event"] == "read" and e["outcome"] == "ok"]
    for ev in reads:
        if ev["attr"] != "version":
            expect(ev.get("vendor") is None, f"{mode}: no vendor view on {ev['path']}")
            continue
        v = ev.get("vendor")
        expect(v is not None, f"{mode}: vendor local on read of {ev['attr']}")
        expect_eq(v["local"], ev["bytes"], f"{mode}: vendor local equals the read string")


normalized = {}


def test_mode(mode):
    t = Tracer("-m", mode)
    expect_eq(t.start["mode"], mode, "start record mode")
    seen = workload()
    t.stop()
    records = t.events()
    # consecutive identical calls may arrive as one record with a count
    # (fentry sees the writev's bytes joined, equal to the write before)
    evs = calls_of(records)
    check_events_match(evs, seen, mode)
    if mode != "syscall":
        expect(t.start["vendor_check"], f"{mode}: vendor check probe attached")
        expect(t.start["vendor_get_version"], f"{mode}: vendor get probe attached")
        check_vendor_layer(evs, mode)
    end = [r for r in t.lines if r["event"] == "end"]
    expect_eq(len(end), 1, "one end record")
    expect_eq(end[0]["events"], len(records), "end record counts the records")
    expect_eq(end[0]["checks"] + end[0]["reads"], len(evs),
              "end record counts the calls they stand for")
    expect_eq(end[0]["total_lost"], 0, "nothing lost")
    keep = ("event", "path", "attr", "parent", "mdev_type", "device", "bytes",
            "len", "captured", "truncated", "ret", "errno", "errno_name",
            "outcome", "pid", "comm", "uid", "gid", "decoded")
    normalized[mode] = [{k: e[k] for k in keep} for e in evs]


def test_modes_agree():
    expect(len(normalized) == len(MODES), f"all modes ran: {sorted(normalized)}")
    for m in MODES[1:]:
        for a, b in zip(normalized[MODES[0]], normalized[m]):
            expect_eq(b, a, f"{m} event equals fentry event")


def test_auto_mode_and_probes():
    r = run([BIN, "probes", "--json"], timeout=300)
    expect_eq(r.returncode, 0, f"probes exit code ({r.stderr.strip()})")
    p = json.loads(r.stdout)
    expect_eq(p["btf"], True, "probes: BTF")
    expect_eq(p["bpf_lsm"], "yes", "probes: BPF LSM active")
    expect_eq(p["auto_mode"], "fentry", "probes: auto mode")
    expect_eq(p["vendor_check"], True, "probes: vendor check attaches")
    pts = {(a["kind"], a["target"]): a for a in p["attach_points"]}
    for kind in ("fentry", "fexit", "kprobe", "kretprobe"):
        a = pts[(kind, "sysfs_kf_write")]
        expect_eq((a["exists"], a["loads"]), ("yes", "yes"), f"probes: {kind} sysfs_kf_write")
    gvt = pts[("fexit", "intel_gvt_check_vfio_device_version")]
    expect_eq(gvt["btf_object"], "mdevsim", "probes: vendor function found in module BTF")
    expect_eq(gvt["loads"], "yes", "probes: vendor fexit loads")
    expect_eq(pts[("tracepoint", "syscalls/sys_enter_write")]["loads"], "yes",
              "probes: syscall tracepoint loads")
    print(r.stdout.strip()[:0], end="")
    t = Tracer()
    t.stop()
    expect_eq(t.start["mode"], "fentry", "auto picks fentry on this kernel")


def test_scope():
    """One scope: by default only mdev type and device attributes; the
    decoy (a `version` on the parent device) only with --any-sysfs, marked
    scope other.  Both tracers run through the same calls."""
    default = Tracer("-p", str(os.getpid()))
    anywhere = Tracer("-p", str(os.getpid()), "--any-sysfs")
    data, err = read_attr(DECOY)
    expect_eq((data, err), (DECOY_TEXT, 0), "decoy read")
    expect_eq(write_attr(DECOY, SELF), (len(SELF), 0), "decoy write")
    read_attr(VERSION)
    write_attr(MIG_DEV, MIG_SELF)
    default.stop()
    anywhere.stop()
    got = [(e["event"], e["path"], e.get("scope")) for e in calls_of(default.events())]
    expect_eq(got, [("read", VERSION, "mdev-type"), ("check", MIG_DEV, "mdev-device")],
              "default: the mdev attributes only")
    got = [(e["event"], e["path"], e.get("scope"), e["outcome"])
           for e in calls_of(anywhere.events())]
    expect_eq(got, [("read", DECOY, "other", "ok"), ("check", DECOY, "other", "compatible"),
                    ("read", VERSION, "mdev-type", "ok"),
                    ("check", MIG_DEV, "mdev-device", "compatible")],
              "--any-sysfs: the decoy too, marked other")
    r = run([BIN, "enforce", "--any-sysfs", "--policy", "/nonexistent"], timeout=30)
    expect_eq(r.returncode, 2, "enforce refuses --any-sysfs (usage)")
    expect("any-sysfs" in r.stderr.splitlines()[0], f"names the option: {r.stderr.strip()}")


def test_filter_pid():
    t = Tracer("-p", str(os.getpid()))
    write_attr(VERSION, SELF)
    subprocess.run(["sh", "-c", f"cat {VERSION} >/dev/null"], check=True)
    t.stop()
    evs = t.events()
    expect_eq([(e["event"], e["pid"]) for e in evs], [("check", os.getpid())],
              "-p keeps only this process")


def test_filter_comm():
    t = Tracer("-c", "cat")
    write_attr(VERSION, SELF)
    subprocess.run(["sh", "-c", f"cat {VERSION} >/dev/null"], check=True)
    t.stop()
    evs = t.events()
    expect_eq([(e["event"], e["comm"]) for e in evs], [("read", "cat")],
              "-c keeps only that command")


def test_filter_failed():
    t = Tracer("-x")
    read_attr(VERSION)
    write_attr(VERSION, SELF)
    write_attr(VERSION, OTHER)
    t.stop()
    evs = t.events()
    expect_eq([(e["event"], e["outcome"]) for e in evs], [("check", "incompatible")],
              "-x keeps only failures")


def test_shell_echo_newline_quirk():
    """echo adds the newline the driver expects; printf %s does not."""
    t = Tracer("-c", "sh")
    v = SELF.decode().rstrip("\n")
    a = subprocess.run(["sh", "-c", f"echo '{v}' > {VERSION}"], capture_output=True)
    b = subprocess.run(["sh", "-c", f"printf %s '{v}' > {VERSION}"], capture_output=True)
    t.stop()
    expect_eq(a.returncode, 0, "echo check succeeds")
    expect(b.returncode != 0, "printf %s check fails")
    evs = t.events()
    expect_eq([(e["outcome"], e["errno_name"]) for e in evs],
              [("compatible", None), ("incompatible", "EINVAL")], "echo vs printf outcomes")


def test_lost_accounting():
    """Tiny ring buffer, stalled reader: every check is delivered or counted.
    Each check carries different bytes, so none can be coalesced into a
    count (identical repeats would all fit in one record)."""
    t = Tracer("--ringbuf", "16K")
    n = 300
    fd = os.open(VERSION, os.O_WRONLY)
    sent = 0
    for i in range(n):
        try:
            os.write(fd, b"%s-%d\n" % (SELF.rstrip(b"\n"), i))
        except OSError as e:
            expect_eq(e.errno, errno.EINVAL, "a different string is incompatible")
        sent += 1
    os.close(fd)
    t.stop()   # only now is stdout read: the pipe stalled the tracer
    evs = calls_of(t.events(("check",)))
    lost = sum(r["lost"] for r in t.lines if r["event"] == "lost")
    lost_checks = sum(r["lost_checks"] for r in t.lines if r["event"] == "lost")
    end = [r for r in t.lines if r["event"] == "end"][0]
    expect(lost > 0, f"events were lost with a 16K ring buffer and a stalled reader "
           f"(got {len(evs)} events)")
    expect_eq(lost_checks, lost, "every loss is a check's")
    expect_eq(len(evs) + lost, sent, "delivered + lost == checks performed")
    expect_eq(end["total_lost"] + end["total_untracked"], lost, "end record total == lost records")
    expect_eq((end["checks"], end["lost_checks"]), (len(evs), lost),
              "end record: checks delivered and lost")
    expect(f"{lost} lost" in t.stderr, f"exit summary states the loss: {t.stderr.strip()}")


def test_oversized_write_truncation_flag():
    """More than one page: kernfs cuts the write to PAGE_SIZE before the
    store runs.  Syscall mode sees what the writer passed (5120 bytes, first
    4096 captured, truncated=true); fentry sees what reached the driver
    (4096 bytes, not truncated).  Both see the driver refuse it."""
    data = bytes(range(256)) * 20            # 5120 bytes, every byte value
    got = {}
    for mode in ("syscall", "fentry"):
        t = Tracer("-m", mode)
        ret, err = write_attr(VERSION, data)
        t.stop()
        expect_eq(err, errno.EINVAL, f"{mode}: the driver refuses the page")
        evs = t.events()
        expect_eq(len(evs), 1, f"{mode}: one event")
        got[mode] = evs[0]
        expect_eq(byte_string(evs[0]["bytes"]), data[:4096], f"{mode}: first 4096 bytes exact")
    ev = got["syscall"]
    expect_eq((ev["errno_name"], ev["len"], ev["captured"], ev["truncated"]),
              ("EINVAL", 5120, 4096, True), "syscall: writer's length, truncated")
    ev = got["fentry"]
    expect_eq((ev["errno_name"], ev["len"], ev["captured"], ev["truncated"]),
              ("EINVAL", 4096, 4096, False), "fentry: the page the store got")


def test_text_output():
    p = subprocess.Popen([BIN, "-m", "fentry"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    # the banner on stderr says the mode once attached
    line = p.stderr.readline()
    expect("tracing in fentry mode" in line, f"banner names the mode: {line!r}")
    write_attr(VERSION, OTHER)
    p.send_signal(2)
    out, err = p.communicate(timeout=60)
    lines = out.splitlines()
    expect(lines[0].split() == ["TIME", "PID", "COMM", "OP", "DEVICE/TYPE", "OUTCOME",
                                "ERRNO", "BYTES"], f"header: {lines[0]!r}")
    expect_eq(len(lines), 2, f"one event line: {lines}")
    f = lines[1].split()
    expect_eq(f[1:7], [str(os.getpid()), "python3", "check", f"{PARENT}/{TYPE}",
                       "incompatible", "EINVAL"], "text columns")
    expect(lines[1].endswith('"00028086-193b-i915-GVTg_V5_8\\n"'), f"escaped bytes: {lines[1]!r}")


def test_top_live():
    """The live view fed by the kernel, read back through tmux."""
    import time
    sock = ["tmux", "-L", "vmtop"]
    subprocess.run(sock + ["kill-server"], capture_output=True)
    subprocess.run(sock + ["new-session", "-d", "-x", "140", "-y", "40",
                           f"{BIN} top -m fentry -i 0.2"], check=True,
                   env={**os.environ, "TERM": "xterm"})

    def screen():
        return subprocess.run(sock + ["capture-pane", "-p"], capture_output=True,
                              text=True).stdout.splitlines()

    def wait_for(pred, what, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = screen()
            if pred(lines):
                return lines
            time.sleep(0.3)
        raise AssertionError(f"{what}; screen:\n" + "\n".join(screen()))
    try:
        wait_for(lambda l: any("mode fentry" in x for x in l), "live view attached")
        read_attr(VERSION)
        write_attr(VERSION, SELF)
        write_attr(VERSION, OTHER)
        write_attr(f"{TYPES}/i915-GVTg_V5_8/version", SELF)
        lines = wait_for(lambda l: any("checks 3:" in x for x in l), "3 checks counted")
        expect(any("compatible 1  incompatible 2" in x for x in lines), f"totals: {lines[1]!r}")
        rows = {x.split()[1]: x.split()[2:8] for x in lines if x.startswith(PARENT)}
        expect_eq(rows.get(TYPE), ["1", "1", "0", "0", "0", "1"], "V5_4 row counts")
        expect_eq(rows.get("i915-GVTg_V5_8"), ["0", "1", "0", "0", "0", "0"], "V5_8 row counts")
        subprocess.run(sock + ["send-keys", "q"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and \
                subprocess.run(sock + ["has-session"], capture_output=True).returncode == 0:
            time.sleep(0.2)
        expect(subprocess.run(sock + ["has-session"], capture_output=True).returncode != 0,
               "q quits the live view")
    finally:
        subprocess.run(sock + ["kill-server"], capture_output=True)


def test_metrics_checks():
    """Checks by outcome and type as Prometheus counters, valid for promtool."""
    from metrics_tests import promtool_ok, samples, scrape_until
    subprocess.run(["ip", "link", "set", "lo", "up"], capture_output=True)
    addr = "127.0.0.1:19465"
    t = Tracer("-m", "fentry", "--metrics-addr", addr, "-p", str(os.getpid()))
    write_attr(VERSION, SELF)
    write_attr(VERSION, SELF)
    write_attr(VERSION, OTHER)
    write_attr(MIG_DEV, MIG_SELF)
    read_attr(VERSION)
    reads = f'mdevver_reads_total{{outcome="ok",mdev_type="{TYPE}"}}'
    status, _, text = scrape_until(lambda s: s.get(reads, 0) >= 1, addr=addr)
    t.stop()
    expect_eq(status, 200, "HTTP status")
    promtool_ok(text)
    s = samples(text)
    want = {
        f'mdevver_checks_total{{outcome="compatible",mdev_type="{TYPE}"}}': 3.0,
        f'mdevver_checks_total{{outcome="incompatible",mdev_type="{TYPE}"}}': 1.0,
        f'mdevver_reads_total{{outcome="ok",mdev_type="{TYPE}"}}': 1.0,
        'mdevver_attach_mode{mode="fentry"}': 1.0,
        "mdevver_lost_events_total": 0.0,
    }
    for k, v in want.items():
        expect_eq(s.get(k), v, k)


def test_journal():
    """--journal into the real systemd-journald (the test's own, started in
    the guest in a mount namespace of its own): `journalctl
    MDEVVER_OUTCOME=incompatible` shows exactly the incompatible checks this
    process made, with the fields of their JSON records, as warnings."""
    me = os.getpid()
    with PrivateJournal() as j:
        t = Tracer("--journal", "-p", str(me), prefix=j.ns)
        made = []
        for data in (SELF, OTHER, SELF.rstrip(b"\n"), SELF, b"0002\x00\xff\x01abc\n"):
            ret, err = write_attr(VERSION, data)
            made.append((data, ret, err))
        read_attr(VERSION)
        recs = [t.start] + t.stop()
        tp = t.proc.pid
        j.wait_for(f"_PID={tp}", "MDEVVER_EVENT=end")
        inc = j.query("MDEVVER_OUTCOME=incompatible", f"MDEVVER_PID={me}", f"_PID={tp}")
        every = j.query(f"_PID={tp}")
    want = [r for r in recs if r["event"] == "check" and r["outcome"] == "incompatible"]
    expect_eq([(d, e) for d, ret, e in made if e], [(OTHER, errno.EINVAL),
              (SELF.rstrip(b"\n"), errno.EINVAL), (b"0002\x00\xff\x01abc\n", errno.EINVAL)],
              "the kernel refused three of the five checks")
    expect_eq([byte_string(r["bytes"]) for r in want], [d for d, _, e in made if e],
              "the JSON records: those three, incompatible")
    expect_eq([(int(e["MDEVVER_SEQ"]), e["MDEVVER_EVENT"], e["MDEVVER_MDEV_TYPE"],
                e["MDEVVER_PATH"], e["MDEVVER_ERRNO_NAME"], e["PRIORITY"], e["MDEVVER_RUN_ID"])
               for e in inc],
              [(r["seq"], "check", TYPE, VERSION, "EINVAL", "4", r["run_id"]) for r in want],
              "journalctl MDEVVER_OUTCOME=incompatible: exactly those checks, warnings")
    expect_eq([e["MDEVVER_BYTES"] for e in inc],
              ['00028086-193b-i915-GVTg_V5_8\\n', '00028086-193b-i915-GVTg_V5_4',
               '0002\\x00\\xff\\x01abc\\n'], "bytes C-escaped")
    for e in inc:
        expect("incompatible" in e["MESSAGE"] and "EINVAL" in e["MESSAGE"],
               f"MESSAGE is the text line: {e['MESSAGE']!r}")
    expect_eq([(e["MDEVVER_EVENT"], int(e["MDEVVER_SEQ"]), e.get("MDEVVER_OUTCOME"))
               for e in every],
              [(r["event"], r["seq"], r.get("outcome")) for r in recs],
              "one entry per record, in order")


# user/core/map_sizes.c: made with one entry where the configuration does
# not use them (policy maps without a policy, the lifecycle's without
# mdev/VFIO)
TRIMMABLE = {"rules", "rule_names", "rule_index", "nodes", "places", "decisions", "judges",
             "vfio_calls", "vfio_sessions", "mig_decisions"}
POLICY_MAPS = {"rules", "rule_names", "rule_index", "nodes", "places", "decisions", "judges"}


WRITER = """
import os, sys, fcntl
fd = os.open(sys.argv[1], os.O_WRONLY)
fcntl.fcntl(0, fcntl.F_SETFL, os.O_NONBLOCK)
data = sys.argv[2].encode()
n = 0
more = None
while more != 0:
    os.write(fd, data)
    n += 1
    if n == 1:
        print("writing", flush=True)
    if more is None:
        try:
            if os.read(0, 16):
                more = 100
        except BlockingIOError:
            pass
    else:
        more -= 1
print(n, flush=True)
"""


def test_start_under_writes(mode):
    """A tracer that starts while a process checks without pause loses no
    check and finishes every call it saw enter: each function's exit
    program is attached before its entry program (user/core/attach.c,
    attach_early.c), so no call is entered that no exit finishes (it would
    count as lost: an exit unseen).  The writer does 100 more checks after
    the start line."""
    # writer and tracer share CPU 0: the writer runs whenever the tracer
    # sleeps in its attachments, and no other CPU executes sysfs_kf_write
    # while its first bytes are patched (a 6.12 guest under qemu's
    # emulation once took an int3 Oops there, with writer and tracer on
    # two CPUs)
    pin = ("taskset", "-c", "0")
    w = subprocess.Popen([*pin, sys.executable, "-c", WRITER, VERSION, SELF.decode()],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    t = None
    try:
        expect_eq(w.stdout.readline(), b"writing\n", "the writer is checking")
        t = Tracer("-m", mode, "-p", str(w.pid), prefix=pin)
        w.stdin.write(b"x")
        w.stdin.flush()
        total = int(w.stdout.readline())
        expect_eq(w.wait(timeout=120), 0, "the writer finished")
    finally:
        if w.poll() is None:
            w.kill()
            w.wait()
        recs = t.stop() if t else []
    calls = [c for c in calls_of(recs) if c["event"] == "check"]
    lost = [r for r in t.lines if r["event"] == "lost"]
    end = [r for r in t.lines if r["event"] == "end"][0]
    expect_eq(lost, [], f"{mode}: no loss while the tracer started under the writes")
    expect_eq((end["lost_checks"], end["total_untracked"]), (0, 0),
              f"{mode}: end record: nothing lost")
    expect(100 <= len(calls) <= total,
           f"{mode}: the checks after the start are recorded: {len(calls)} of {total}")
    expect_eq({(c["pid"], c["outcome"], byte_string(c["bytes"])) for c in calls},
              {(w.pid, "compatible", SELF)}, f"{mode}: each recorded check is the writer's")
    expect_eq([c for c in calls if not c["latency_ns"]], [],
              f"{mode}: every recorded check had its entry seen (latency_ns > 0)")

def test_core_btf_target():
    """CO-RE relocates against the small target user/core/core_btf.c makes
    (a few hundred types, not vmlinux's ~130k; with vfio and mdev loaded,
    their types too, which the lifecycle programs read), and the checks are
    recorded right in every mode.  -v names the target."""
    for mode in MODES:
        t = Tracer("-v", "-m", mode, "-p", str(os.getpid()))
        ret, err = write_attr(VERSION, SELF)
        recs = t.stop()
        line = [ln for ln in t.stderr.splitlines() if "CO-RE target:" in ln]
        expect_eq(len(line), 1, f"{mode}: -v names the CO-RE target: {t.stderr.strip()}")
        m = re.search(r"CO-RE target: (\d+) types", line[0])
        expect(m is not None and 0 < int(m.group(1)) < 3000,
               f"{mode}: the small target: {line[0]}")
        expect_eq((ret, err), (len(SELF), 0), f"{mode}: the check was compatible")
        expect_eq([(c["outcome"], byte_string(c["bytes"]), c["pid"]) for c in calls_of(recs)
                   if c["event"] == "check"], [("compatible", SELF, os.getpid())],
                  f"{mode}: the check is recorded, with its writer")

def bpf_ids_of(pid):
    """The ids of the BPF programs and maps process pid holds fds of."""
    progs, maps = set(), set()
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                info = f.read()
        except OSError:
            continue
        for line in info.splitlines():
            key, _, val = line.partition(":")
            if key == "prog_id":
                progs.add(int(val))
            elif key == "map_id":
                maps.add(int(val))
    return progs, maps


def bpftool_show(kind, ident):
    r = run(["bpftool", "-j", kind, "show", "id", str(ident)], timeout=60)
    expect_eq(r.returncode, 0, f"bpftool {kind} show id {ident}: {r.stderr.strip()}")
    return json.loads(r.stdout)


def bpftool_maps(ids):
    """bpftool's view of the maps with these ids, from one call (each
    bpftool run costs seconds under emulation)."""
    r = run(["bpftool", "-j", "map", "show"], timeout=120)
    expect_eq(r.returncode, 0, f"bpftool map show: {r.stderr.strip()}")
    return {m["id"]: m for m in json.loads(r.stdout) if m["id"] in ids}


def maps_in_code(prog_id):
    """The ids of the maps program prog_id's verified code refers to: the
    kernel's map_ids also lists maps named only by code the verifier
    found dead and removed, so the translated instructions are read."""
    r = run(["bpftool", "prog", "dump", "xlated", "id", str(prog_id)], timeout=60)
    expect_eq(r.returncode, 0, f"bpftool prog dump xlated id {prog_id}: {r.stderr.strip()}")
    return {int(m) for m in re.findall(r"map\[id:(\d+)\]", r.stdout)}


def test_trimmed_maps_unused():
    """A plain tracer makes the maps its configuration never touches with
    one entry (no policy: the policy's maps, except in syscall mode; no
    lifecycle: its maps), and the verified code of the
    programs it loaded refers to none of them; its checks are still
    recorded, in every mode."""
    me = os.getpid()
    for mode in ("fentry", "kprobe", "syscall"):
        t = Tracer("-m", mode, "-p", str(me))
        try:
            progs, maps = bpf_ids_of(t.proc.pid)
            info = bpftool_maps(maps)
            expect_eq(sorted(info), sorted(maps), f"{mode}: bpftool shows the tracer's maps")
            small = {i["name"] for i in info.values()
                     if i["name"] in TRIMMABLE and i["max_entries"] == 1}
            used = set()
            for p in progs:
                used |= {info[m]["name"] if m in info else bpftool_show("map", m)["name"]
                         for m in maps_in_code(p)}
            ret, err = write_attr(VERSION, SELF)
        finally:
            recs = t.stop()
        expect(progs, f"{mode}: the tracer holds its programs")
        if mode != "syscall":
            # syscall mode's exits carry the matcher (bpf/mdevver_trace.bpf.c):
            # its maps keep their size there
            expect(POLICY_MAPS <= small,
                   f"{mode}: the policy's maps have one entry: {sorted(small)}")
        expect_eq(sorted(used & small), [], f"{mode}: no loaded program refers to a trimmed map")
        expect_eq((ret, err), (len(SELF), 0), f"{mode}: the check was compatible")
        expect_eq([(c["outcome"], byte_string(c["bytes"])) for c in calls_of(recs)
                   if c["event"] == "check"], [("compatible", SELF)],
                  f"{mode}: the check is recorded")


def main():
    missing = [p for p in (VERSION, MIG_TYPE, MIG_DEV, NOTES) if not os.path.exists(p)]
    if missing:
        print(f"FAIL setup: simulated vGPU not present: {missing}")
        return 1
    for mode in MODES:
        run_test(f"vm_{mode}_events", test_mode, mode)
    run_test("vm_modes_agree", test_modes_agree)
    run_test("vm_probes_and_auto_mode", test_auto_mode_and_probes)
    run_test("vm_scope", test_scope)
    run_test("vm_filter_pid", test_filter_pid)
    run_test("vm_filter_comm", test_filter_comm)
    run_test("vm_filter_failed", test_filter_failed)
    run_test("vm_shell_newline_quirk", test_shell_echo_newline_quirk)
    run_test("vm_lost_accounting", test_lost_accounting)
    run_test("vm_text_output", test_text_output)
    run_test("vm_oversized_write", test_oversized_write_truncation_flag)
    run_test("vm_top_live", test_top_live)
    run_test("vm_metrics_checks", test_metrics_checks)
    run_test("vm_journal", test_journal)
    run_test("vm_trimmed_maps_unused", test_trimmed_maps_unused)
    for mode in MODES:
        run_test(f"vm_start_under_writes_{mode}", test_start_under_writes, mode)
    run_test("vm_core_btf_target", test_core_btf_target)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
