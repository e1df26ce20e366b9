#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Tests on the build host itself, on whatever Debian 12 kernel it runs
(CI's 6.18 has no fentry and no kprobes, a stock 6.1 has both): each test
asks `probes` what this kernel can do and asserts that the tool does
exactly that.  Host sysfs attributes are only READ (/sys/module/*/version,
traced with --any-sysfs: the host has no mdev device); nothing here writes
host sysfs.  Also the CLI's error handling and the decode command.
"""
import glob
import json
import re
import os
import select
import time
import signal
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BIN, REPO, PrivateJournal, SkipTest, Tracer, expect_usage_errors, byte_string, expect,  # noqa: E402
                     expect_eq, finish, read_attr, run, run_test, skip, write_attr)


def ensure_tracefs():
    """libbpf finds tracepoint ids through tracefs; mount it if nobody did."""
    if not os.path.isdir("/sys/kernel/tracing/events"):
        subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"],
                       capture_output=True)


def module_versions():
    return sorted(glob.glob("/sys/module/*/version"))[:3]


def probes():
    """What `probes` says about this host's kernel: the tests below assert
    what the tool does given that, so they hold on any Debian 12 kernel
    (the build machine's 6.18 cannot load fentry; a stock 6.1 can)."""
    r = run([BIN, "probes", "--json"], timeout=120)
    expect_eq(r.returncode, 0, f"probes exit code ({r.stderr.strip()})")
    return json.loads(r.stdout)


def test_auto_mode_and_scope():
    """auto picks what probes says; module versions (a watched name in no
    mdev layout) are traced only with --any-sysfs, marked scope other: a
    default tracer running through the same reads reports none of them."""
    p = probes()
    files = module_versions()
    expect(files, "host has /sys/module/*/version attributes to read")
    me = str(os.getpid())
    default = Tracer("-p", me)
    t = Tracer("-p", me, "--any-sysfs")
    want = []
    for f in files:
        data, err = read_attr(f)
        expect_eq(err, 0, f"read {f}")
        want.append((f, data))
    with open("/tmp/version", "wb") as f:     # not sysfs: must give no event
        f.write(b"00028086-193b-i915-GVTg_V5_4\n")
    os.unlink("/tmp/version")
    t.stop()
    default.stop()
    expect_eq(t.start["mode"], p["auto_mode"], "auto mode is what probes says")
    if p["auto_mode"] != "fentry":
        expect("fentry" in t.start["attempts"], f"start record says why fentry was not used: "
               f"{t.start['attempts']}")
    evs = t.events()
    expect_eq([(e["event"], e["path"], byte_string(e["bytes"]), e.get("scope")) for e in evs],
              [("read", f, d, "other") for f, d in want],
              "--any-sysfs: one read event per sysfs read, exact bytes, scope other")
    for e in evs:
        expect_eq(e["outcome"], "ok", "read outcome")
        expect_eq(e["pid"], os.getpid(), "pid")
        expect_eq(e["mode"], p["auto_mode"], "mode")
    expect(f"tracing in {p['auto_mode']} mode" in t.stderr, f"stderr names the mode: {t.stderr!r}")
    expect_eq(default.events(), [], "default scope: no module version is an mdev attribute")
    end = [r for r in default.lines if r["event"] == "end"]
    expect_eq(len(end), 1, "the default tracer ran to its end record")


def test_forced_modes():
    """Each mode forced: it runs when probes says its programs load, and
    fails with one clear line when they do not."""
    p = probes()
    pts = {(a["kind"], a["target"]): a["loads"] for a in p["attach_points"]}
    for mode, point in (("fentry", ("fexit", "sysfs_kf_write")),
                        ("kprobe", ("kretprobe", "sysfs_kf_write")),
                        ("syscall", ("tracepoint", "syscalls/sys_exit_write"))):
        r = run([BIN, "-m", mode, "-d", "1"], timeout=120)
        if pts.get(point) == "yes":
            expect_eq(r.returncode, 0, f"forced {mode} runs where it loads ({r.stderr.strip()})")
            expect(f"tracing in {mode} mode" in r.stderr, f"{mode}: stderr names it: {r.stderr!r}")
        else:
            expect(r.returncode != 0, f"forced {mode} fails where it does not load")
            first = r.stderr.splitlines()[0]
            # what auto would pick instead: tests/integration/cli_tests.py
            expect(first.startswith(f"mdevver-trace: cannot trace: -m {mode} does not work "
                                    f"here: {mode}: "),
                   f"{mode}: one clear line: {first!r}")


def test_probes_on_host():
    p = probes()
    pts = {(a["kind"], a["target"]): a for a in p["attach_points"]}
    expect_eq(pts[("tracepoint", "syscalls/sys_exit_write")]["loads"], "yes",
              "syscall tracepoint loads (any Debian 12 kernel has them)")
    # auto is the first mode whose programs load
    first = next(m for m, point in (("fentry", ("fexit", "sysfs_kf_write")),
                                    ("kprobe", ("kretprobe", "sysfs_kf_write")),
                                    ("syscall", ("tracepoint", "syscalls/sys_exit_write")))
                 if pts[point]["loads"] == "yes")
    expect_eq(p["auto_mode"], first, "probes: auto mode is the first that loads")


def test_bad_options():
    expect_usage_errors([
        (["-p", "abc"], "invalid PID 'abc'"),
        (["-m", "warp"], "invalid mode 'warp'"),
        (["--ringbuf", "1000"], "invalid ring buffer size '1000'"),
        (["-a", "a/b"], "invalid attribute name 'a/b'"),
        (["-c", "x" * 20], "invalid COMM"),
        (["-d", "-1"], "invalid duration '-1'"),
        (["frobnicate"], "unknown command 'frobnicate'"),
        (["decode"], "missing STRING"),
    ])


def test_not_root():
    r = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
             "--inh-caps=-all", BIN, "-d", "1"], timeout=30)
    expect(r.returncode != 0, "non-root exits non-zero")
    expect_eq(r.stderr.strip().splitlines()[0],
              "mdevver-trace: insufficient privileges: missing CAP_BPF and CAP_PERFMON "
              "(loading BPF programs needs CAP_BPF and CAP_PERFMON, or root); run it with sudo",
              "privilege message names what is missing")


def test_decode():
    r = run([BIN, "decode", "00028086-193b-i915-GVTg_V5_2\n",
             "8086-193b-i915-GVTg_V5_4-00000001", "nvidia-63 opaque"], timeout=30)
    expect_eq(r.returncode, 0, "decode exit code")
    expect_eq(r.stdout.splitlines(), [
        '"00028086-193b-i915-GVTg_V5_2\\n": format=gvt-seed vendor=0x8086 device_api=pci '
        'device=0x193b type=i915-GVTg_V5_2 newline=yes',
        '"8086-193b-i915-GVTg_V5_4-00000001": format=gvt-migration vendor=0x8086 '
        'device=0x193b type=i915-GVTg_V5_4 sw_version=0x00000001 newline=no',
        '"nvidia-63 opaque": format=opaque newline=no'], "decode text")
    r = run([BIN, "decode", "--json", "00028086-193b-i915-GVTg_V5_2"], timeout=30)
    d = json.loads(r.stdout)
    expect_eq((d["decoded"]["format"], d["decoded"]["device"], d["decoded"]["type"]),
              ("gvt-seed", 0x193b, "i915-GVTg_V5_2"), "decode json")


def test_make_install():
    import stat
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        r = run(["make", "-s", "install", f"DESTDIR={d}", "PREFIX=/usr"], cwd=REPO, timeout=120)
        expect_eq(r.returncode, 0, f"make install: {r.stderr.strip()}")
        # the whole tree, exactly: a package (PREFIX=/usr) ships its units
        # in /usr/lib/systemd/system, the docs the man page names and the
        # bash completion
        doc = "usr/share/doc/mdevver-trace/"
        want = {"usr/sbin/mdevver-trace": 0o755, "usr/share/man/man8/mdevver-trace.8": 0o644,
                "usr/lib/systemd/system/mdevver-trace.service": 0o644,
                "etc/logrotate.d/mdevver-trace": 0o644,
                "usr/lib/systemd/system/mdevver-trace-enforce.service": 0o644,
                "etc/mdevver-trace/site.policy": 0o644,
                "usr/share/bash-completion/completions/mdevver-trace": 0o644,
                doc + "README.md": 0o644,
                **{doc + "docs/" + n: 0o644 for n in ("policy.md", "event-schema.md",
                                                      "privileges.md", "delivery.md",
                                                      "report.md", "metrics.md", "fleet.md")},
                "usr/share/mdevver-trace/prometheus/mdevver-trace.rules.yml": 0o644,
                doc + "examples/known-bad-firmware.policy": 0o644,
                doc + "examples/only-libvirtd-checks.policy": 0o644,
                doc + "examples/site.policy": 0o644,
                doc + "examples/rsyslog/mdevver-trace-host.conf": 0o644,
                doc + "examples/rsyslog/mdevver-trace-collector.conf": 0o644,
                doc + "examples/postgresql/mdevver-trace.sql": 0o644}
        have = sorted(os.path.relpath(os.path.join(r, f), d)
                      for r, _, fs in os.walk(d) for f in fs)
        expect_eq(have, sorted(want), "make install DESTDIR PREFIX=/usr: the installed files")
        for path, mode in want.items():
            full = os.path.join(d, path)
            expect_eq(stat.S_IMODE(os.stat(full).st_mode), mode, f"mode of {path}")
        # the installed alert rules are the shipped ones, valid for promtool
        rules = os.path.join(d, "usr/share/mdevver-trace/prometheus/mdevver-trace.rules.yml")
        r = run(["promtool", "check", "rules", rules], timeout=60)
        expect_eq(r.returncode, 0, f"promtool check rules on the installed file: {r.stdout}{r.stderr}")
        man = open(os.path.join(d, "usr/share/man/man8/mdevver-trace.8")).read()
        for n in ("policy.md", "event-schema.md", "metrics.md"):
            expect(f"/usr/share/doc/mdevver-trace/docs/{n}" in man.replace("\\-", "-"),
                   f"the man page points to the installed {n}")
        unit = open(os.path.join(d, "usr/lib/systemd/system/mdevver-trace.service")).read()
        expect("ExecStart=/usr/sbin/mdevver-trace -o /var/log/mdevver-trace/audit.jsonl" in unit,
               "unit runs the installed binary")
        enf = open(os.path.join(d, "usr/lib/systemd/system/mdevver-trace-enforce.service")).read()
        expect("ExecStart=/usr/sbin/mdevver-trace enforce --policy /etc/mdevver-trace/site.policy"
               in enf, "enforce unit: the installed binary and policy")
        for name, text in (("trace unit", unit), ("enforce unit", enf)):
            left = re.findall(r"@[A-Z_]+@", text)   # (SystemCallFilter's @sets are fine)
            expect_eq(left, [], f"{name}: nothing left unsubstituted")
        expect("ExecReload=/bin/kill -HUP $MAINPID" in enf, "enforce unit: reload is SIGHUP")
        rot = open(os.path.join(d, "etc/logrotate.d/mdevver-trace")).read()
        expect("/var/log/mdevver-trace/enforce.jsonl {" in rot and
               "systemctl kill -s USR1 mdevver-trace-enforce.service" in rot,
               "logrotate: the enforce log too, reopened with SIGUSR1")
        # the installed policy is one `enforce` accepts: parse it for real
        # (dry run needs BPF; the parser's verdict comes first and is enough)
        pol = os.path.join(d, "etc/mdevver-trace/site.policy")
        os.chown(pol, 0, 0)
        r = run([os.path.join(d, "usr/sbin/mdevver-trace"), "enforce", "--policy", pol,
                 "--dry-run", "-d", "0.5"], timeout=120)
        expect_eq(r.returncode, 0, f"the installed site.policy runs as a dry run: "
                  f"{r.stderr.strip()}")
        # a second install keeps the admin's policy
        with open(pol, "a") as f:
            f.write("deny uid=4242 name=mine\n")
        r = run(["make", "-s", "install", f"DESTDIR={d}", "PREFIX=/usr"], cwd=REPO, timeout=120)
        expect_eq(r.returncode, 0, f"a second make install: {r.stderr.strip()}")
        expect("name=mine" in open(pol).read(), "make install never overwrites the policy")
        r = run([os.path.join(d, "usr/sbin/mdevver-trace"), "decode", "x"], timeout=10)
        expect_eq(r.returncode, 0, "installed binary runs")
        page = open(os.path.join(d, "usr/share/man/man8/mdevver-trace.8")).read()
        expect(".TH MDEVVER-TRACE 8" in page, "man page header")
    # a local install: systemd does not read /usr/local, the units go to /etc
    with tempfile.TemporaryDirectory() as d:
        r = run(["make", "-s", "install", f"DESTDIR={d}"], cwd=REPO, timeout=120)
        expect_eq(r.returncode, 0, f"make install (PREFIX /usr/local): {r.stderr.strip()}")
        have = sorted(os.path.relpath(os.path.join(r, f), d)
                      for r, _, fs in os.walk(d) for f in fs if not r.endswith("examples"))
        doc = "usr/local/share/doc/mdevver-trace/"
        expect_eq(have, sorted(["etc/logrotate.d/mdevver-trace", "etc/mdevver-trace/site.policy",
                                "etc/systemd/system/mdevver-trace-enforce.service",
                                "etc/systemd/system/mdevver-trace.service",
                                "usr/local/sbin/mdevver-trace",
                                "usr/local/share/bash-completion/completions/mdevver-trace",
                                doc + "README.md", doc + "docs/delivery.md",
                                doc + "docs/event-schema.md", doc + "docs/policy.md",
                                doc + "docs/privileges.md", doc + "docs/report.md",
                                doc + "docs/metrics.md", doc + "docs/fleet.md",
                                doc + "examples/rsyslog/mdevver-trace-host.conf",
                                doc + "examples/rsyslog/mdevver-trace-collector.conf",
                                doc + "examples/postgresql/mdevver-trace.sql",
                                "usr/local/share/mdevver-trace/prometheus/mdevver-trace.rules.yml",
                                "usr/local/share/man/man8/mdevver-trace.8"]),
                  "make install (PREFIX /usr/local): units in /etc/systemd/system")
        unit = open(os.path.join(d, "etc/systemd/system/mdevver-trace.service")).read()
        expect("ExecStart=/usr/local/sbin/mdevver-trace " in unit, "unit: the /usr/local binary")
        r = run(["make", "-s", "uninstall", f"DESTDIR={d}"], cwd=REPO, timeout=120)
        left = sorted(os.path.relpath(os.path.join(r_, f), d)
                      for r_, _, fs in os.walk(d) for f in fs)
        expect_eq(left, ["etc/mdevver-trace/site.policy"], "uninstall keeps only the policy")


def test_enforce_on_host():
    """Where BPF LSM is not active (CI's host; a stock Debian 12 kernel
    without bpf in lsm=), enforce says so in one line; the dry run still
    runs, and judges only mdev attributes: a module's version file (a
    watched name in no mdev layout) is neither judged nor reported -- a
    --any-sysfs tracer running through the same reads sees them all."""
    import tempfile
    p = probes()
    if p.get("bpf_lsm") == "yes":
        raise SkipTest("BPF LSM is active on this host: enforcement is tested in the VM suites")
    with tempfile.TemporaryDirectory() as d:
        pol = os.path.join(d, "p.policy")
        with open(pol, "w") as f:
            f.write("deny op=read name=every-read\n")
        os.chmod(pol, 0o644)
        r = run([BIN, "enforce", "--policy", pol, "-d", "1"], timeout=120)
        expect_eq(r.returncode, 1, f"enforce without a working BPF LSM: exit code ({r.stderr})")
        lines = r.stderr.strip().splitlines()
        expect(len(lines) <= 2 and ("BPF LSM is not active" in lines[0] or
                                    "cannot tell whether BPF LSM is active" in lines[0] or
                                    "cannot load enforcement" in lines[0]),
               f"says why: {r.stderr.strip()}")
        # (enforce has no -p: the asserts count this process's records only)
        dry = subprocess.Popen([BIN, "enforce", "--policy", pol, "--dry-run", "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # a dry run that never reports stops anyway: the asserts then say what is missing
        guard = threading.Timer(120, dry.send_signal, (signal.SIGINT,))
        guard.start()
        out = ""
        while '"event":"enforce"' not in out:
            line = dry.stdout.readline()
            if not line:
                break
            out += line
        witness = Tracer("-p", str(os.getpid()), "--any-sysfs")
        files = module_versions()
        for f in files:
            read_attr(f)
        witness.stop()
        guard.cancel()
        dry.send_signal(signal.SIGINT)
        rest, err = dry.communicate(timeout=60)
        recs = [json.loads(x) for x in (out + rest).splitlines()]
        expect_eq(dry.returncode, 0, f"dry run exit code ({err.strip()})")
        expect_eq(recs[0]["mode"], p["auto_mode"], "dry run on this host: the auto mode")
        enf = [x for x in recs if x["event"] == "enforce"]
        expect(enf and enf[0]["state"] == "dry-run" and enf[0]["rules"] == 1,
               f"enforce record: {enf}")
        expect_eq(len(witness.events()), len(files), "the witness saw every module version read")
        mine = [x for x in recs if x["event"] in ("read", "check") and x["pid"] == os.getpid()]
        expect_eq(mine, [], "a module's version file is no mdev attribute: not judged, "
                  "not reported")
        expect_eq(recs[-1]["event"], "end", "the dry run ran to its end record")


def test_enforce_policy_files():
    """The policy's file checks come before the BPF LSM check, so they are
    seen on this host: a FIFO is refused at once (it used to hang), a
    directory above the policy that others may write is refused (sshd's
    StrictModes), a user's symbolic link too; a 100k-rule file is refused
    at rule 16,385 and fast (no quadratic name check)."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)
        fifo = os.path.join(d, "p.fifo")
        os.mkfifo(fifo)
        for extra in ([], ["--dry-run"]):
            t0 = time.monotonic()
            r = run([BIN, "enforce", "--policy", fifo, *extra, "-d", "1"], timeout=20)
            print(f"# FIFO as --policy {extra} refused in {time.monotonic() - t0:.2f} s")
            expect_eq(r.returncode, 1, f"FIFO {extra}: exit code ({r.stderr.strip()})")
            expect_eq(r.stderr.splitlines(),
                      [f"mdevver-trace: policy file {fifo}: not a regular file (a FIFO)"],
                      f"FIFO {extra}: one line")
        loose = os.path.join(d, "loose")
        os.mkdir(loose)
        os.chmod(loose, 0o777)
        pol = os.path.join(loose, "p.policy")
        with open(pol, "w") as f:
            f.write("deny op=read name=x\n")
        os.chmod(pol, 0o644)
        r = run([BIN, "enforce", "--policy", pol, "-d", "1"], timeout=20)
        expect_eq(r.returncode, 1, "0777 directory: exit code")
        expect_eq(r.stderr.splitlines(),
                  [f"mdevver-trace: unsafe policy file {pol}: directory {loose} writable by "
                   f"others (mode 0777): chmod go-w {loose}"], "0777 directory: one line")
        os.chmod(loose, 0o755)
        link = os.path.join(d, "link.policy")
        os.symlink(pol, link)
        os.lchown(link, 1000, 1000)
        r = run([BIN, "enforce", "--policy", link, "--dry-run", "-d", "1"], timeout=20)
        expect_eq(r.returncode, 1, "user's symlink: exit code")
        expect_eq(r.stderr.splitlines(),
                  [f"mdevver-trace: unsafe policy file {link}: symbolic link {link} owned by "
                   "uid 1000, not root"], "user's symlink: one line")
        big = os.path.join(d, "big.policy")
        with open(big, "w") as f:
            f.writelines(f"deny op=check name=rule-{i}\n" for i in range(100000))
        os.chmod(big, 0o644)
        t0 = time.monotonic()
        r = run([BIN, "enforce", "--policy", big, "--dry-run", "-d", "1"], timeout=120)
        print(f"# 100,000-rule policy refused in {time.monotonic() - t0:.2f} s")
        expect_eq(r.returncode, 1, f"100k rules: exit code ({r.stderr.strip()})")
        expect_eq(r.stderr.splitlines(),
                  [f"mdevver-trace: {big}:16385:1: more than 16384 rules: at most 16384 "
                   "are supported"], "100k rules: one line")


class NotifySocket:
    """The service manager's end of sd_notify(3): a unix datagram socket
    this test binds and names in NOTIFY_SOCKET."""

    def __init__(self, d):
        import socket
        self.path = os.path.join(d, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.msgs = []

    def recv(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        self.sock.settimeout(left)
        try:
            m = self.sock.recv(4096).decode()
        except OSError:
            return None
        self.msgs.append(m)
        return m

    def until(self, cond, what, timeout=120):
        """Messages until cond(message); fails at the (generous) deadline."""
        deadline = time.monotonic() + timeout
        while True:
            m = self.recv(deadline)
            expect(m is not None, f"{what}: not within {timeout} s; got {self.msgs}")
            if cond(m):
                return m

    def close(self):
        self.sock.close()


def notify_run(d, watchdog_usec, reads):
    """The tracer under a test-owned NOTIFY_SOCKET: READY=1 only once the
    start record is written, STATUS= lines, then `reads` reads of module
    versions; returns (messages until STOPPING=1, the records)."""
    ns = NotifySocket(d)
    log = os.path.join(d, "audit.jsonl")
    env = dict(os.environ, NOTIFY_SOCKET=ns.path)
    env.pop("WATCHDOG_USEC", None)
    env.pop("WATCHDOG_PID", None)
    if watchdog_usec:
        env["WATCHDOG_USEC"] = str(watchdog_usec)
    proc = subprocess.Popen([BIN, "--json", "-o", log, "--any-sysfs", "-p", str(os.getpid())],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        ready = ns.until(lambda m: True, "a first notification")
        expect(ready.startswith("READY=1\n"), f"the first notification is READY=1: {ready!r}")
        # ready means the start record is out: in the log and on stdout
        with open(log) as f:
            first = f.readline()
        expect(first and json.loads(first)["event"] == "start",
               f"the start record is in the log when READY=1 arrives: {first!r}")
        r, _, _ = select.select([proc.stdout], [], [], 0)
        expect(r, "the start record is on stdout when READY=1 arrives")
        start = json.loads(proc.stdout.readline())
        expect_eq(start["event"], "start", "stdout's first record")
        mode = start["mode"]
        expect_eq(ready, f"READY=1\nSTATUS=tracing in {mode} mode: 0 checks, 0 reads, 0 lost",
                  "READY=1 with a status line")
        for f in module_versions()[:reads]:
            expect_eq(read_attr(f)[1], 0, f"read {f}")
        # the main loop's status follows what it traced (once a second at most)
        ns.until(lambda m: m == f"STATUS=tracing in {mode} mode: 0 checks, {reads} reads, 0 lost",
                 f"a status line with {reads} reads")
        if watchdog_usec:
            ns.until(lambda m: m == "WATCHDOG=1" and ns.msgs.count("WATCHDOG=1") >= 3,
                     "three WATCHDOG=1 pings")
        proc.send_signal(signal.SIGINT)
        ns.until(lambda m: m.startswith("STOPPING=1\n"), "STOPPING=1 at SIGINT")
        out, err = proc.communicate(timeout=120)
        expect_eq(proc.returncode, 0, f"exit code ({err.decode(errors='replace').strip()})")
        recs = [start] + [json.loads(x) for x in out.splitlines()]
        return ns.msgs, recs
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        ns.close()


def test_sd_notify():
    """Type=notify for real (sd_notify(3) through libsystemd): READY=1 after
    the start record, STATUS= lines, WATCHDOG=1 from the main loop only
    when WATCHDOG_USEC is set, STOPPING=1 at the end.  (No NOTIFY_SOCKET,
    nothing is sent: every other test runs so.)"""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        msgs, recs = notify_run(d, 300000, 3)
    expect_eq([r["event"] for r in recs], ["start", "read", "read", "read", "end"],
              "the run's records")
    expect_eq(msgs[1], "WATCHDOG=1", "the first ping comes with READY=1")
    expect_eq(msgs[-1], "STOPPING=1\nSTATUS=stopping: draining the rings, writing the end "
              "record", "STOPPING=1 with its status, last")
    expect_eq(sum(m.startswith("READY=1") for m in msgs), 1, "READY=1 once")
    with tempfile.TemporaryDirectory() as d:
        msgs, recs = notify_run(d, 0, 2)
    expect_eq([r["event"] for r in recs], ["start", "read", "read", "end"], "the run's records")
    expect_eq([m for m in msgs if "WATCHDOG" in m], [], "no WATCHDOG_USEC: no ping")
    expect_eq(sum(m.startswith("READY=1") for m in msgs), 1, "READY=1 once")


def test_identity_fallback():
    """No usable /etc/machine-id (an empty file bound over it, in a mount
    namespace of its own): the host id is the boot id hashed the same way,
    said on the start line, in probes and in the start record; with one,
    the machine-id's hash.  Records carry it with seq 1..N."""
    r = run([BIN, "probes", "--json"], timeout=120)
    expect_eq(r.returncode, 0, f"probes ({r.stderr.strip()})")
    normal = json.loads(r.stdout)
    expect_eq(normal["host_id_from"], "machine-id", "this host has a machine-id")
    script = ('mount --bind /dev/null /etc/machine-id && '
              f'{BIN} probes --json >"$1" && '
              f'exec {BIN} --json --any-sysfs -p 1 --duration 1')
    with open("/proc/sys/kernel/random/boot_id") as f:
        boot = f.read().strip().replace("-", "")
    import tempfile
    with tempfile.NamedTemporaryFile("r") as pj:
        r = run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                 pj.name], timeout=180)
        expect_eq(r.returncode, 0, f"tracer without machine-id ({r.stderr.strip()})")
        fallback = json.load(pj)
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    expect_eq([x["event"] for x in recs], ["start", "end"], "records")
    expect_eq([x["seq"] for x in recs], [1, 2], "seq")
    start = recs[0]
    expect_eq(start["host_id_from"], "boot-id", "start record: host id from the boot id")
    expect_eq(fallback["host_id_from"], "boot-id", "probes says so too")
    expect_eq(fallback["host_id"], start["host_id"], "probes and records agree")
    expect(start["host_id"] != normal["host_id"] and start["host_id"] != start["boot_id"],
           "a different host id, and not the raw boot id")
    expect_eq(start["boot_id"], boot, "boot id")
    expect("; host_id from the boot id, new every boot (/etc/machine-id: empty or "
           "uninitialized)" in r.stderr, f"the start line says so: {r.stderr!r}")


def test_journal():
    """--journal into the real systemd-journald (the test's own, in a mount
    namespace of its own): one entry per record, in order, MDEVVER_* fields
    equal to the JSON record's, PRIORITY as syslog gets it (notice for the
    kinds syslog does not get), queried by field as an operator would."""
    me = os.getpid()
    files = module_versions()
    with PrivateJournal() as j:
        t = Tracer("--journal", "--any-sysfs", "-p", str(me), prefix=j.ns)
        for f in files:
            expect_eq(read_attr(f)[1], 0, f"read {f}")
        recs = [t.start] + t.stop()
        tp = t.proc.pid
        j.wait_for(f"_PID={tp}", "MDEVVER_EVENT=end")
        got = j.query(f"_PID={tp}")
        ok = j.query("MDEVVER_OUTCOME=ok", f"MDEVVER_PID={me}", f"_PID={tp}")
    expect_eq([(e["MDEVVER_EVENT"], int(e["MDEVVER_SEQ"])) for e in got],
              [(r["event"], r["seq"]) for r in recs], "one entry per record, in order")
    for e, r in zip(got, recs):
        expect_eq(json.loads(e["MDEVVER_JSON"]), r, "MDEVVER_JSON is the record")
        expect_eq((e["MDEVVER_HOST_ID"], e["MDEVVER_BOOT_ID"], e["MDEVVER_RUN_ID"],
                   e["MDEVVER_HOST"], e["SYSLOG_IDENTIFIER"]),
                  (r["host_id"], r["boot_id"], r["run_id"], r["host"], "mdevver-trace"),
                  "identity fields")
        expect_eq(e["PRIORITY"], "6" if r["event"] == "read" else "5", f"priority of {r['event']}")
    expect_eq(got[0]["MESSAGE"], f"tracing started in {recs[0]['mode']} mode", "start MESSAGE")
    expect_eq(got[-1]["MESSAGE"], f"tracing ended: 0 checks, {len(files)} reads, 0 lost",
              "end MESSAGE")
    reads = [r for r in recs if r["event"] == "read"]
    expect_eq([(e["MDEVVER_PATH"], e["MDEVVER_BYTES"], e["MDEVVER_PID"], e["MDEVVER_COMM"])
               for e in ok],
              [(r["path"], r["bytes"].replace("\n", "\\n"), str(me), r["comm"]) for r in reads],
              "MDEVVER_OUTCOME=ok: exactly this process's reads, bytes C-escaped")
    for e in ok:
        expect(" ok " in e["MESSAGE"] and str(me) in e["MESSAGE"] and "\n" not in e["MESSAGE"],
               f"MESSAGE is the text line: {e['MESSAGE']!r}")


def main():
    if os.geteuid() != 0:
        print("FAIL host: must run as root (make check runs as root)")
        return 1
    ensure_tracefs()
    run_test("host_auto_mode_and_scope", test_auto_mode_and_scope)
    run_test("host_forced_modes", test_forced_modes)
    run_test("host_probes", test_probes_on_host)
    run_test("host_sd_notify", test_sd_notify)
    run_test("host_identity_fallback", test_identity_fallback)
    run_test("host_journal", test_journal)
    run_test("host_bad_options", test_bad_options)
    run_test("host_not_root", test_not_root)
    run_test("host_decode", test_decode)
    run_test("host_make_install", test_make_install)
    run_test("host_enforce", test_enforce_on_host)
    run_test("host_enforce_policy_files", test_enforce_policy_files)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
