#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The shipped alert rules (dist/prometheus/mdevver-trace.rules.yml)
evaluated for real: the tracer serves its metrics on loopback, a real
Prometheus (Debian's /usr/bin/prometheus, from the host root the guest
sees) scrapes it every second and evaluates the rules file as shipped,
unchanged (the alert tested has no `for:`), and its HTTP API must show
MdevverTypeTurnedIncompatible firing for the type after a scripted
incompatible burst -- and not before it, while the type had compatible
checks only.  Runs in the VM: real checks on the simulated vGPU.

Every wait polls with a deadline; nothing sleeps to synchronise.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Tracer, expect, expect_eq, finish, run_test, write_attr  # noqa: E402
from flood_tests import lo_up  # noqa: E402
from vm_tests import OTHER, SELF, TYPE, VERSION  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RULES = os.path.join(REPO, "dist", "prometheus", "mdevver-trace.rules.yml")
PROMETHEUS = "/usr/bin/prometheus"
TRACER_ADDR = "127.0.0.1:19467"
PROM_ADDR = "127.0.0.1:19090"
ALERT = "MdevverTypeTurnedIncompatible"
# Go under TCG starts slowly: generous deadlines, each a bound, not a wait
DEADLINE = 240


def api(path, **params):
    url = f"http://{PROM_ADDR}/api/v1/{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.loads(r.read())
    expect_eq(body.get("status"), "success", f"{path}: {body}")
    return body["data"]


def wait_until(what, fn, deadline):
    """Poll fn() until it returns something true; that value, or a failure
    naming what was awaited (and fn's last value) at the deadline."""
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
        except OSError as e:        # Prometheus not listening yet
            last = e
        else:
            if last:
                return last
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def query_value(q):
    """The single sample of an instant query, as (value, sample time), or None."""
    res = api("query", query=q)["result"]
    if len(res) != 1:
        return None
    t, v = res[0]["value"]
    return float(v), float(t)


def our_alerts():
    return [a for a in api("alerts")["alerts"]
            if a["labels"].get("alertname") == ALERT and a["labels"].get("mdev_type") == TYPE]


def evaluated_after(t):
    """The rule group's last evaluation began after time t (seconds)."""
    for g in api("rules")["groups"]:
        if g["name"] == "mdevver-trace":
            last = g.get("lastEvaluation", "")
            # RFC 3339 with nanoseconds; compare as epoch seconds
            if not last or last.startswith("0001-"):
                return False
            whole, _, frac = last.rstrip("Z").partition(".")
            secs = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(
                tzinfo=timezone.utc).timestamp()
            return secs + float("0." + (frac or "0")) > t
    return False


def test_incompatible_burst_fires():
    expect(os.access(PROMETHEUS, os.X_OK), f"{PROMETHEUS} (make deps installs prometheus)")
    lo_up()
    t0 = time.monotonic()
    deadline = t0 + DEADLINE
    work = tempfile.mkdtemp(prefix="mdevver-prom-", dir="/tmp")
    cfg = os.path.join(work, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - {RULES}
scrape_configs:
  - job_name: mdevver-trace
    static_configs:
      - targets: ["{TRACER_ADDR}"]
""")
    tracer = Tracer("-m", "fentry", "--metrics-addr", TRACER_ADDR, "-p", str(os.getpid()))
    log = open(os.path.join(work, "prometheus.log"), "w")
    prom = subprocess.Popen([PROMETHEUS, f"--config.file={cfg}",
                             f"--storage.tsdb.path={work}/data",
                             f"--web.listen-address={PROM_ADDR}", "--log.level=warn"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until("Prometheus scraping the tracer (up == 1)",
                   lambda: (query_value('up{job="mdevver-trace"}') or (0,))[0] == 1, deadline)
        t_up = time.monotonic()
        # compatible checks only: the type's series appear (incompatible at 0)
        for _ in range(3):
            ret, err = write_attr(VERSION, SELF)
            expect(ret == len(SELF), f"compatible check accepted ({ret}, errno {err})")
        sel = f'mdevver_checks_total{{job="mdevver-trace",mdev_type="{TYPE}",outcome='
        wait_until("the compatible checks scraped",
                   lambda: (query_value(sel + '"compatible"}') or (0,))[0] == 3, deadline)
        _, t_zero = wait_until("the incompatible series scraped at 0",
                               lambda: query_value(sel + '"incompatible"}'), deadline)
        # two evaluations that saw those samples: a compatible-only type
        # must not alert
        wait_until("rule evaluations after the compatible samples",
                   lambda: evaluated_after(t_zero + 1), deadline)
        expect_eq(our_alerts(), [], "no alert while the type had compatible checks only")
        # the burst
        t_burst = time.monotonic()
        for _ in range(5):
            ret, err = write_attr(VERSION, OTHER)
            expect(ret < 0, f"incompatible check refused by the driver ({ret}, errno {err})")
        firing = wait_until(f"{ALERT} firing for {TYPE}",
                            lambda: [a for a in our_alerts() if a["state"] == "firing"],
                            deadline)
        t_fire = time.monotonic()
        a = firing[0]
        expect_eq(a["labels"].get("severity"), "warning", "severity label")
        expect_eq(a["labels"].get("instance"), TRACER_ADDR, "instance label")
        # increase() extrapolates to the window's end (under a scrape
        # interval): 5, or a little more, never less
        expect(5.0 <= float(a["value"]) < 7.5, f"the alert's value: the 5 checks ({a['value']})")
        expect(TYPE in a["annotations"].get("summary", ""), f"summary names the type: {a}")
        expect("action" in a["annotations"], "an action annotation")
        # the tracer counted what the driver said
        expect_eq((query_value(sel + '"incompatible"}') or (None,))[0], 5.0,
                  "incompatible checks in Prometheus")
        print(f"# prometheus: up after {t_up - t0:.1f} s, alert firing "
              f"{t_fire - t_burst:.1f} s after the burst, {t_fire - t0:.1f} s in all")
    finally:
        prom.terminate()
        try:
            prom.wait(timeout=60)
        except subprocess.TimeoutExpired:
            prom.kill()
            prom.wait()
        log.close()
        tracer.stop()
        if prom.returncode not in (0, -15):
            print(open(os.path.join(work, "prometheus.log")).read()[-2000:])
        shutil.rmtree(work, ignore_errors=True)
    expect_eq(prom.returncode, 0, "Prometheus exited cleanly on SIGTERM")


def main():
    run_test("vm_prometheus_alert_fires", test_incompatible_burst_fires)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
