#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The fleet: audit logs shipped by rsyslog into PostgreSQL, and
`report --db` over that table (docs/fleet.md).  One machine, loopback only.

Input: the audit logs of three real tracer runs, one per kernel line of
the VM suite (tests/vm/fleet-log.sh leaves build/vm/<kernel>/
fleet-audit.jsonl).  Missing logs (a run narrowed without the vm suite)
FAIL every test, naming the files: never a pass, never a silent skip.

Servers, all started and stopped here, every wait bounded by a deadline:
a PostgreSQL 15 cluster in a temporary directory (unix socket only; as
`nobody` when run as root: postgres refuses root), the table from
dist/postgresql/mdevver-trace.sql; a collector rsyslog and three host
rsyslogs, each config made from the dist/rsyslog/ snippets with only
paths, ports and the host name substituted.

The outage: each host first ships part of its log; then the table is
locked so the collector's INSERT blocks mid-way (received, not stored, not
acknowledged), the rest of the logs is written, and the collector is
killed with SIGKILL while it waits; restarted, it must end with every
record stored once.  Then one host forgets its position and sends its
whole log again: the table must not grow (the identity is UNIQUE).
"""
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, REPO, TestFailure, expect, expect_eq, finish, run, run_test  # noqa: E402

KERNELS = ("bookworm", "trixie", "sid")
HOSTS = ("hostA", "hostB", "hostC")
# MDEVVER_FLEET_VM_DIR: where the vm suite's --out directories are (default
# build/vm, as tests/run_all.sh runs it)
VM_DIR = os.environ.get("MDEVVER_FLEET_VM_DIR") or os.path.join(REPO, "build", "vm")
LOGS = [os.path.join(VM_DIR, k, "fleet-audit.jsonl") for k in KERNELS]
DIST = os.path.join(REPO, "dist")
PGBIN = "/usr/lib/postgresql/15/bin"
RSYSLOGD = "/usr/sbin/rsyslogd"
DB = "fleet"
DBUSER = "mdevver"
TABLE = "mdevver_trace_records"


def wait_until(what, cond, timeout):
    """cond() until true; TestFailure naming what after timeout s."""
    deadline = time.monotonic() + timeout
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > deadline:
            raise TestFailure(f"{what}: not within {timeout} s")
        time.sleep(0.1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sub(text, old, new):
    """text with old replaced, once: a snippet that changed shape must
    fail here, not ship a config the test did not mean."""
    expect(text.count(old) == 1, f"dist snippet holds {old!r} exactly once")
    return text.replace(old, new)


class Postgres:
    """A throwaway cluster: initdb, pg_ctl, unix socket in its directory."""

    def __init__(self, top):
        self.dir = os.path.join(top, "pg")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.kw = {}
        os.mkdir(self.dir)
        if os.geteuid() == 0:
            # postgres refuses to run as root
            pw = pwd.getpwnam("nobody")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.kw = {"user": pw.pw_uid, "group": pw.pw_gid}
        self.conninfo = f"host={self.dir} port={self.port} dbname={DB} user={DBUSER}"
        # the same as a URI: rsyslog allows no blanks in a parameter
        self.uri = f"postgresql:///{DB}?host={self.dir}&port={self.port}&user={DBUSER}"
        self.started = False

    def _run(self, cmd, timeout=120):
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           cwd=self.dir, **self.kw)
        if r.returncode:
            raise TestFailure(f"{' '.join(cmd[:2])}: exit {r.returncode}: {r.stderr.strip()[:400]}")
        return r.stdout

    def start(self):
        self._run([f"{PGBIN}/initdb", "-D", self.data, "-A", "trust", "-U", DBUSER,
                   "-E", "UTF8", "--locale=C", "--no-sync"])
        self._run([f"{PGBIN}/pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"),
                   "-w", "-t", "60", "-o",
                   f"-k {self.dir} -p {self.port} -c listen_addresses='' -c fsync=off",
                   "start"])
        self.started = True
        self.psql("CREATE DATABASE " + DB, db="postgres")

    def stop(self):
        if self.started:
            subprocess.run([f"{PGBIN}/pg_ctl", "-D", self.data, "-m", "immediate", "-w",
                            "-t", "60", "stop"], capture_output=True, timeout=90,
                           cwd=self.dir, **self.kw)
            self.started = False

    def psql(self, sql, db=DB, file=None):
        cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", self.dir,
               "-p", str(self.port), "-U", DBUSER, "-d", db]
        cmd += ["-f", file] if file else ["-c", sql]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if r.returncode:
            raise TestFailure(f"psql {sql or file!r}: {r.stderr.strip()[:400]}")
        return r.stdout.strip()

    def last_error(self):
        """The server log's last ERROR line, for a failure message."""
        try:
            with open(os.path.join(self.dir, "log"), errors="replace") as f:
                errs = [ln.strip() for ln in f if " ERROR: " in ln]
        except OSError:
            return ""
        return f" (server log: {errs[-1][:300]})" if errs else ""

    def count(self):
        return int(self.psql(f"SELECT count(*) FROM {TABLE}"))


class Rsyslog:
    """rsyslogd -n with a config made from a dist/ snippet."""

    def __init__(self, top, name, conf_text):
        self.name = name
        self.dir = os.path.join(top, name)
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "rsyslog.conf")
        self.pidfile = os.path.join(self.dir, "rsyslogd.pid")
        self.stats = os.path.join(self.dir, "stats.json")
        with open(self.conf, "w") as f:
            # the instance's own work directory (queues, imfile's position),
            # host name and diagnostics; then the snippet, unchanged but for
            # paths and ports
            f.write(f'global(workDirectory="{self.dir}" localHostName="{name}")\n'
                    f'module(load="impstats" interval="1" format="json" '
                    f'log.syslog="off" log.file="{self.stats}")\n'
                    f'*.* action(type="omfile" file="{self.dir}/internal.log")\n')
            f.write(conf_text)
        self.proc = None
        r = run([RSYSLOGD, "-N1", "-f", self.conf], timeout=60)
        expect(r.returncode == 0, f"rsyslogd -N1 accepts {name}'s config: {r.stderr.strip()[:400]}")

    def start(self):
        self.proc = subprocess.Popen([RSYSLOGD, "-n", "-f", self.conf, "-i", self.pidfile],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.dir, "stderr"), "a"))

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None
        # a SIGKILLed rsyslogd leaves its pid file; the restart must not care
        if os.path.exists(self.pidfile):
            os.unlink(self.pidfile)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.proc = None


def host_conf(log, port):
    with open(os.path.join(DIST, "rsyslog", "mdevver-trace-host.conf")) as f:
        t = f.read()
    t = sub(t, 'File="/var/log/mdevver-trace/audit.jsonl"', f'File="{log}"')
    t = sub(t, 'target="collector.example.org"', 'target="127.0.0.1"')
    return sub(t, 'port="2514"', f'port="{port}"')


def collector_conf(port, pg, rejected):
    with open(os.path.join(DIST, "rsyslog", "mdevver-trace-collector.conf")) as f:
        t = f.read()
    t = sub(t, 'input(type="imrelp" port="2514"',
            f'input(type="imrelp" address="127.0.0.1" port="{port}"')
    t = sub(t, 'conninfo="postgresql:///mdevver?host=/run/postgresql&user=rsyslog"',
            f'conninfo="{pg.uri}"')
    return sub(t, 'file="/var/log/mdevver-trace/collector-rejected.jsonl"', f'file="{rejected}"')


def read_lines(path):
    with open(path) as f:
        return [ln for ln in f.read().splitlines() if ln.strip()]


def identity(rec):
    return (rec.get("host_id"), rec.get("boot_id"), rec.get("run_id"), rec.get("seq"))


def missing_logs():
    miss = [p for p in LOGS if not os.path.isfile(p)]
    if miss:
        raise TestFailure("missing audit logs of the VM suite: " + ", ".join(miss) +
                          " (tests/vm/guest-suite.sh writes them: run the vm suite first)")


class Fleet:
    """The whole setup, built once: the tests below read its result."""

    def __init__(self):
        self.top = None
        self.pg = None
        self.servers = []
        self.error = None

    def build(self):
        missing_logs()
        self.lines = [read_lines(p) for p in LOGS]
        for p, ls in zip(LOGS, self.lines):
            expect(len(ls) >= 8, f"{p} holds a real run (>= 8 records), has {len(ls)}")
            for ln in ls:
                rec = json.loads(ln)
                expect(all(identity(rec)), f"{p}: every record has the identity "
                       f"(host_id, boot_id, run_id, seq): {ln[:120]}")
        self.top = tempfile.mkdtemp(prefix="mdevver-fleet-")
        os.chmod(self.top, 0o755)
        self.pg = Postgres(self.top)
        self.pg.start()
        sql = os.path.join(DIST, "postgresql", "mdevver-trace.sql")
        self.pg.psql(None, file=sql)
        self.pg.psql(None, file=sql)    # idempotent: a second run changes nothing
        # test instrumentation, not the product's schema: every INSERT the
        # collector attempts, stored or not (BEFORE INSERT row triggers fire
        # for rows ON CONFLICT DO NOTHING then skips), so a resend is seen
        # arriving although it adds no row
        self.pg.psql("CREATE TABLE attempts (id bigint); "
                     "CREATE FUNCTION count_attempt() RETURNS trigger LANGUAGE plpgsql AS "
                     "$$BEGIN INSERT INTO attempts VALUES (NEW.id); RETURN NEW; END$$; "
                     f"CREATE TRIGGER count_attempt BEFORE INSERT ON {TABLE} "
                     "FOR EACH ROW EXECUTE FUNCTION count_attempt()")
        port = free_port()
        self.rejected = os.path.join(self.top, "rejected.jsonl")
        self.collector = Rsyslog(self.top, "collector", collector_conf(port, self.pg, self.rejected))
        self.servers.append(self.collector)
        self.logs, self.hosts = [], []
        for name in HOSTS:
            log = os.path.join(self.top, f"{name}.jsonl")
            open(log, "w").close()
            self.logs.append(log)
            h = Rsyslog(self.top, name, host_conf(log, port))
            self.hosts.append(h)
            self.servers.append(h)
        total = sum(len(ls) for ls in self.lines)
        first = [len(ls) // 2 for ls in self.lines]

        # 1. part of every log shipped and stored
        self.collector.start()
        for h in self.hosts:
            h.start()
        self.append(lambda i: self.lines[i][:first[i]])
        wait_until(f"the first {sum(first)} records stored",
                   lambda: self.pg.count() == sum(first), 120)

        # 2. the collector killed while an INSERT waits on a lock: received,
        # not stored, not acknowledged
        lock = subprocess.Popen(["psql", "-X", "-q", "-h", self.pg.dir, "-p", str(self.pg.port),
                                 "-U", DBUSER, "-d", DB], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            lock.stdin.write(f"BEGIN; LOCK TABLE {TABLE} IN EXCLUSIVE MODE; "
                             f"SELECT 'locked';\n")
            lock.stdin.flush()
            wait_until("the test's table lock held", lambda: self.pg.psql(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                f"WHERE c.relname = '{TABLE}' AND l.mode = 'ExclusiveLock' AND l.granted") == "1",
                30)
            self.append(lambda i: self.lines[i][first[i]:])
            wait_until("the collector's INSERT waiting on the lock", lambda: self.pg.psql(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE 'INSERT INTO mdevver_trace_records%'") != "0", 60)
            self.collector.kill9()
        finally:
            lock.stdin.write("ROLLBACK;\n")
            lock.stdin.close()
            lock.wait(timeout=30)
        self.after_kill = self.pg.count()
        expect(sum(first) <= self.after_kill < total,
               f"the kill came after some records and before all: {self.after_kill} of {total} "
               f"stored")

        # 3. restarted: every record arrives
        self.collector.start()
        try:
            wait_until(f"all {total} records stored (had {self.after_kill} after the kill)",
                       lambda: self.pg.count() == total, 180)
        except TestFailure as e:
            raise TestFailure(str(e) + self.pg.last_error())

        # 4. hostA forgets what it sent (its imfile position and queue) and
        # sends its whole log again: acknowledged, stored once
        a = self.hosts[0]
        a.stop()
        before = self.attempts()
        for f in os.listdir(a.dir):
            if f.startswith("imfile-state") or f.startswith("mdevver_trace_fwd") or f == "stats.json":
                os.unlink(os.path.join(a.dir, f))
        a.start()
        try:
            wait_until(f"{HOSTS[0]} sent its {len(self.lines[0])} records again to the table",
                       lambda: self.attempts() >= before + len(self.lines[0]), 120)
        except TestFailure as e:
            raise TestFailure(str(e) + self.pg.last_error())
        self.resent = self.attempts() - before
        self.total = total
        for s in self.servers:
            s.stop()

    def attempts(self):
        return int(self.pg.psql("SELECT count(*) FROM attempts"))

    def append(self, part):
        """Write each log's part as a tracer does: whole lines, appended."""
        for i, log in enumerate(self.logs):
            with open(log, "a") as f:
                for ln in part(i):
                    f.write(ln + "\n")

    def teardown(self):
        for s in self.servers:
            try:
                s.stop()
            except Exception:
                pass
        if self.pg:
            self.pg.stop()
        if self.top and not os.environ.get("MDEVVER_KEEP"):
            shutil.rmtree(self.top, ignore_errors=True)


FLEET = Fleet()


def need_fleet():
    """The setup, run by the first test that needs it (whichever
    MDEVVER_TESTS keeps); its failure fails every test after it."""
    if not FLEET.top and not FLEET.error:
        try:
            FLEET.build()
        except Exception as e:
            FLEET.error = str(e) if isinstance(e, TestFailure) else f"{type(e).__name__}: {e}"
            raise
    if FLEET.error:
        raise TestFailure(f"setup failed (see fleet_ship_kill_restart): {FLEET.error[:200]}")


def test_setup():
    need_fleet()


def test_every_record_once():
    need_fleet()
    pg = FLEET.pg
    n, distinct = (int(x) for x in pg.psql(
        f"SELECT count(*), count(DISTINCT (host_id, boot_id, run_id, seq)) FROM {TABLE}").split("|"))
    expect_eq((n, distinct), (FLEET.total, FLEET.total),
              "rows and distinct identities == lines of the three logs")
    # row by row: the stored record is the logged one
    rows = {}
    for ln in pg.psql(f"SELECT rec::text FROM {TABLE}").splitlines():
        rec = json.loads(ln)
        rows[identity(rec)] = rec
    for p, ls in zip(LOGS, FLEET.lines):
        for ln in ls:
            rec = json.loads(ln)
            expect(rows.get(identity(rec)) == rec, f"{p}: record stored as logged: {ln[:120]}")
    rejected = read_lines(FLEET.rejected) if os.path.exists(FLEET.rejected) else []
    expect_eq(rejected, [], "records the collector refused")


def test_identity_columns():
    need_fleet()
    bad = FLEET.pg.psql(
        f"SELECT count(*) FROM {TABLE} WHERE host_id <> rec->>'host_id' OR boot_id <> "
        "rec->>'boot_id' OR run_id <> rec->>'run_id' OR seq <> (rec->>'seq')::bigint")
    expect_eq(bad, "0", "identity columns that differ from their record")
    relays = FLEET.pg.psql(f"SELECT string_agg(DISTINCT relay, ',' ORDER BY relay) FROM {TABLE}")
    expect_eq(relays, ",".join(HOSTS), "the relays (each host rsyslog's own host name)")
    # the UNIQUE identity itself: a resent row is refused, not stored
    dup = FLEET.pg.psql(
        f"INSERT INTO {TABLE} (host_id, boot_id, run_id, seq, rec) SELECT host_id, boot_id, "
        f"run_id, seq, rec FROM {TABLE} LIMIT 1 ON CONFLICT DO NOTHING RETURNING id")
    expect_eq(dup, "", "a duplicate identity inserted")


def report(args):
    r = run([BIN, "report", *args], timeout=120)
    return r.returncode, r.stdout, r.stderr


def without_input_line(text):
    """The summary's input line names the source (logs or database): the
    one line that differs by design."""
    return re.sub(r"(?m)^(  input  +|<tr><th>input</th><td>).*$", r"\1", text)


def compare(db_args, file_args):
    rc1, out1, err1 = report(["--db", FLEET.pg.conninfo, *db_args])
    rc2, out2, err2 = report([*file_args, *LOGS])
    expect_eq(rc1, 0, f"report --db {db_args} exit ({err1.strip()[:300]})")
    expect_eq(rc2, 0, f"report {file_args} exit ({err2.strip()[:300]})")
    expect(len(out1) > 500, f"report --db {db_args} wrote a report")
    expect_eq(without_input_line(out1), without_input_line(out2),
              f"report --db {db_args} vs the same over the three logs")
    return out1, out2


def test_report_db_same():
    need_fleet()
    out1, out2 = compare([], [])
    expect(re.search(r"(?m)^  input +database, %d rows, 0 malformed rows skipped$" % FLEET.total,
                     out1), "--db's input line counts the rows")
    expect(re.search(r"(?m)^  input +3 logs, %d lines, 0 malformed lines skipped$" % FLEET.total,
                     out2), "the logs' input line")
    for h in ("vm-bookworm", "vm-trixie", "vm-sid"):
        expect(f"\n  {h} " in out1, f"host {h} in the report")
    expect("Compatibility matrix" in out1 and "Migrations" in out1, "every section")


def test_report_db_html_same():
    need_fleet()
    pages = []
    for args in (["--db", FLEET.pg.conninfo], LOGS):
        page = os.path.join(FLEET.top, f"page{len(pages)}.html")
        rc, _, err = report(["--html", page, *args])
        expect_eq(rc, 0, f"report --html {args[0]}: {err.strip()[:300]}")
        with open(page) as f:
            pages.append(f.read())
    expect_eq(without_input_line(pages[0]), without_input_line(pages[1]),
              "the HTML page of --db vs of the logs")


def test_report_db_filters():
    need_fleet()
    compare(["--host", "vm-trixie"], ["--host", "vm-trixie"])
    compare(["--host", "vm-sid", "--host", "vm-bookworm"], ["--host", "vm-sid", "--host", "vm-bookworm"])
    # a range cutting through one run: from the time of the middle record
    # of the second log on
    mid = json.loads(FLEET.lines[1][len(FLEET.lines[1]) // 2])["time"]
    last = max(json.loads(ln)["time"] for ls in FLEET.lines for ln in ls)
    out, _ = compare(["--since", mid], ["--since", mid])
    expect("time range   " + mid[:19] in out, f"--since {mid}: the range starts there")
    compare(["--since", mid, "--until", last], ["--since", mid, "--until", last])
    # one source device's answer (--source) reads the same model
    out, _ = compare(["--source", "vm-bookworm/i915-GVTg_V5_4"],
                     ["--source", "vm-bookworm/i915-GVTg_V5_4"])
    expect("vm-bookworm/i915-GVTg_V5_4" in out, "--source: the device's answer")
    rc, _, err = report(["--db", FLEET.pg.conninfo, "--host", "no-such-host"])
    expect_eq((rc, err.strip()), (1, "mdevver-trace: report: no record matches "
                                      f"--since/--until/--host ({FLEET.total} records outside)"),
              "a filter that keeps nothing")


def test_report_db_errors():
    need_fleet()
    rc, out, err = report(["--db", f"host={FLEET.top}/nowhere port=1 dbname=x"])
    expect_eq(rc, 1, "exit when the server cannot be reached")
    expect_eq(out, "", "nothing on stdout")
    lines = err.splitlines()
    expect(len(lines) == 1 and lines[0].startswith("mdevver-trace: report --db: cannot connect: "),
           f"one error line: {err!r}")
    # a database without the table
    rc, out, err = report(["--db", FLEET.pg.conninfo.replace(f"dbname={DB}", "dbname=postgres")])
    lines = err.splitlines()
    expect_eq((rc, out), (1, ""), "exit and stdout without the table")
    expect(len(lines) == 1 and lines[0].startswith("mdevver-trace: report --db: query: ") and
           TABLE in lines[0], f"one error line naming the table: {err!r}")
    for args, msg in ((["--db", ""], "invalid --db: empty"),
                      (["--db", "x", LOGS[0]], "--db and LOG"),
                      (["--since", "yesterday", LOGS[0]], "invalid --since 'yesterday'"),
                      (["--since", "2026-11-24", "--until", "2026-11-23", LOGS[0]],
                       "--since is not before --until")):
        rc, _, err = report(args)
        expect_eq(rc, 2, f"{args}: usage error exit")
        expect(msg in err.splitlines()[0], f"{args}: names the problem: {err[:200]!r}")


def test_report_db_escapes():
    """Strings from the table are untrusted like strings from a file: a
    record with control characters and a terminal escape, stored in the
    table and in a file, reports the same escaped bytes either way."""
    need_fleet()
    recs = []
    for ln in (ln for ls in FLEET.lines for ln in ls):
        r = json.loads(ln)
        if r.get("event") == "check":
            r = dict(r)
            r["host"] = "evil\u001b[2J\r\nhost"
            r["comm"] = "c\u0007mm\u009b"
            r["bytes"] = "\u001b]0;owned\u0007\n"
            r["run_id"] = "f" * 32
            recs.append(r)
    expect(recs, "a check record to forge from")
    path = os.path.join(FLEET.top, "evil.jsonl")
    with open(path, "w") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")
    # a throwaway database with the same table
    FLEET.pg.psql("CREATE DATABASE evil", db="postgres")
    FLEET.pg.psql(None, db="evil", file=os.path.join(DIST, "postgresql", "mdevver-trace.sql"))
    values = ",".join("('%s','%s','%s',%d,'%s'::jsonb)" % (
        r["host_id"], r["boot_id"], r["run_id"], r["seq"], json.dumps(r).replace("'", "''"))
        for r in recs)
    FLEET.pg.psql(f"INSERT INTO {TABLE} (host_id, boot_id, run_id, seq, rec) VALUES {values}",
                  db="evil")
    rc1, out1, err1 = report(["--db", FLEET.pg.conninfo.replace(f"dbname={DB}", "dbname=evil")])
    rc2, out2, err2 = report([path])
    expect_eq((rc1, rc2), (0, 0), f"exits ({err1[:200]!r}, {err2[:200]!r})")
    expect_eq(without_input_line(out1), without_input_line(out2), "--db vs file, forged strings")
    for bad in ("\x1b", "\x07", "\r", "\x9b", "\u009b"):
        expect(bad not in out1, f"raw {bad!r} reached the output")
    expect("evil\\033[2J\\r\\nhost" in out1 or "evil\\x1b[2J\\r\\nhost" in out1,
           "the host name shown escaped")


def main():
    try:
        run_test("fleet_ship_kill_restart", test_setup)
        run_test("fleet_every_record_once", test_every_record_once)
        run_test("fleet_identity_columns", test_identity_columns)
        run_test("fleet_report_db_same", test_report_db_same)
        run_test("fleet_report_db_html_same", test_report_db_html_same)
        run_test("fleet_report_db_filters", test_report_db_filters)
        run_test("fleet_report_db_errors", test_report_db_errors)
        run_test("fleet_report_db_escapes", test_report_db_escapes)
    finally:
        FLEET.teardown()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
