#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Prometheus metrics, scraped over HTTP on loopback and validated with
promtool (Debian's prometheus package).  Runs on the host (syscall mode,
forced so that any Debian 12 kernel gives the same gauges; reads of
/sys/module/*/version only, which --any-sysfs lets in) and, imported by vm_tests.py, in the VM
where real checks happen.
"""
import glob
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BIN, REPO, Tracer, expect, expect_eq, finish, read_attr, run,  # noqa: E402
                     run_test)

ADDR = "127.0.0.1:19464"


def scrape(addr=ADDR, path="/metrics"):
    with urllib.request.urlopen(f"http://{addr}{path}", timeout=10) as r:
        return r.status, r.headers.get("Content-Type"), r.read().decode()


def samples(text):
    """{'name{labels}': value} for every sample line."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


def scrape_until(pred, addr=ADDR, timeout=10):
    """Scrape until pred(samples) holds or the deadline passes; the last
    scrape either way (the caller asserts on it)."""
    deadline = time.monotonic() + timeout
    while True:
        status, ctype, text = scrape(addr)
        if status != 200 or pred(samples(text)) or time.monotonic() > deadline:
            return status, ctype, text
        time.sleep(0.1)


def promtool_ok(text):
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                       text=True)
    expect_eq(r.returncode, 0, f"promtool check metrics: {r.stdout}{r.stderr}")


def test_host_metrics():
    # this process only; the mode forced (a stock kernel would pick fentry)
    t = Tracer("--metrics-addr", ADDR, "-p", str(os.getpid()), "-m", "syscall", "--any-sysfs")
    files = sorted(glob.glob("/sys/module/*/version"))[:3]
    for f in files:
        read_attr(f)
    reads = 'mdevver_reads_total{outcome="ok",mdev_type="unknown"}'
    status, ctype, text = scrape_until(lambda s: s.get(reads, 0) >= len(files))
    t.stop()
    expect_eq(status, 200, "HTTP status")
    expect(ctype.startswith("text/plain; version=0.0.4"), f"content type {ctype}")
    promtool_ok(text)
    s = samples(text)
    expect_eq(s.get('mdevver_reads_total{outcome="ok",mdev_type="unknown"}'), float(len(files)),
              "reads counted")
    expect_eq(s.get('mdevver_attach_mode{mode="syscall"}'), 1.0, "attach mode gauge")
    expect_eq(s.get('mdevver_attach_mode{mode="fentry"}'), 0.0, "inactive mode is 0")
    expect_eq(s.get("mdevver_lost_events_total"), 0.0, "lost events")
    expect_eq(s.get("mdevver_audit_records_dropped_total"), 0.0, "audit drops")
    expect_eq(s.get("mdevver_lost_lifecycle_total"), 0.0, "lost lifecycle records")
    # reads make no check series (a type's check series start with its
    # first check: docs/metrics.md)
    expect_eq([k for k in s if k.startswith("mdevver_checks_total")], [], "no check series")
    # every family the alert rules use is served (dist/prometheus/)
    rules = open(os.path.join(REPO, "dist", "prometheus", "mdevver-trace.rules.yml")).read()
    used = set(re.findall(r"\b(mdevver_[a-z_]+)", rules))
    served = set(re.findall(r"^# TYPE (\S+)", text, re.M))
    expect_eq(sorted(used - served), [], "metrics the alert rules use and the tracer serves")


def test_not_found_and_bad_addr():
    t = Tracer("--metrics-addr", ADDR)
    try:
        scrape(path="/")
        raise AssertionError("/ should be 404")
    except urllib.error.HTTPError as e:
        expect_eq(e.code, 404, "unknown path")
    finally:
        t.stop()
    for addr, msg in (("nonsense", "expected HOST:PORT"), ("127.0.0.1:99999", "port must be"),
                      ("no.such.host.invalid:9464", "no.such.host.invalid:9464")):
        r = run([BIN, "--metrics-addr", addr, "-d", "1"], timeout=30)
        expect_eq(r.returncode, 1, f"{addr}: exit code")
        first = r.stderr.splitlines()[0]
        expect(first.startswith("mdevver-trace: metrics: ") and msg in first, f"{addr}: {first!r}")


def main():
    run_test("metrics_host_scrape_promtool", test_host_metrics)
    run_test("metrics_404_and_bad_addresses", test_not_found_and_bad_addr)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
