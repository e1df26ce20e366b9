#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The shipped alert rules (dist/prometheus/mdevver-trace.rules.yml)
evaluated for real: the tracer serves its metrics on loopback, a real
Prometheus (Debian's /usr/bin/prometheus, from the host root the guest
sees) scrapes it every second and evaluates the rules file as shipped,
unchanged (the alert tested has no `for:`), and its HTTP API must show
MdevverTypeTurnedIncompatible firing for the type after a scripted
incompatible burst -- and not before it, while the type had compatible
checks only.  Prometheus sends the alert to a real Alertmanager (Debian's
prometheus-alertmanager), where `amtool alert query` must list it.  Runs
in the VM: real checks on the simulated vGPU.

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
ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
AM_ADDR = "127.0.0.1:19093"
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


def amtool_alerts():
    """What `amtool alert query` lists for the alert and type (JSON)."""
    r = subprocess.run(["amtool", "alert", "query", "-o", "json",
                        f"--alertmanager.url=http://{AM_ADDR}",
                        f"alertname={ALERT}", f"mdev_type={TYPE}"],
                       capture_output=True, text=True, timeout=30)
    if r.returncode:
        return None     # not listening yet; the deadline reports the last
    return json.loads(r.stdout)


def start(cmd, log):
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return proc.returncode


def test_incompatible_burst_fires():
    for path, pkg in ((PROMETHEUS, "prometheus"), (ALERTMANAGER, "prometheus-alertmanager"),
                      ("/usr/bin/amtool", "prometheus-alertmanager")):
        expect(os.access(path, os.X_OK), f"{path} (make deps installs {pkg})")
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
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["{AM_ADDR}"]
scrape_configs:
  - job_name: mdevver-trace
    static_configs:
      - targets: ["{TRACER_ADDR}"]
""")
    am_cfg = os.path.join(work, "alertmanager.yml")
    with open(am_cfg, "w") as f:
        f.write("route:\n  receiver: none\nreceivers:\n  - name: none\n")
    tracer = Tracer("-m", "fentry", "--metrics-addr", TRACER_ADDR, "-p", str(os.getpid()))
    log = open(os.path.join(work, "servers.log"), "w")
    # no cluster: one Alertmanager, nothing listening beyond loopback
    am = start([ALERTMANAGER, f"--config.file={am_cfg}", f"--storage.path={work}/am",
                f"--web.listen-address={AM_ADDR}", "--cluster.listen-address=",
                "--log.level=warn"], log)
    prom = start([PROMETHEUS, f"--config.file={cfg}", f"--storage.tsdb.path={work}/data",
                  f"--web.listen-address={PROM_ADDR}", "--log.level=warn"], log)
    rcs = {}
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
        # Prometheus sent it to Alertmanager: amtool lists it
        listed = wait_until(f"amtool alert query {ALERT} mdev_type={TYPE}", amtool_alerts,
                            deadline)
        t_am = time.monotonic()
        expect_eq(len(listed), 1, f"one alert in Alertmanager: {listed}")
        expect_eq(listed[0]["labels"].get("instance"), TRACER_ADDR, "amtool: instance")
        expect_eq(listed[0]["status"]["state"], "active", "amtool: active")
        print(f"# prometheus: up after {t_up - t0:.1f} s, alert firing "
              f"{t_fire - t_burst:.1f} s after the burst, in Alertmanager "
              f"{t_am - t_fire:.1f} s later, {t_am - t0:.1f} s in all")
    finally:
        rcs = {"Prometheus": stop(prom), "Alertmanager": stop(am)}
        log.close()
        tracer.stop()
        if any(rcs.values()):
            print(open(os.path.join(work, "servers.log")).read()[-2000:])
        shutil.rmtree(work, ignore_errors=True)
    for name, rc in rcs.items():
        expect_eq(rc, 0, f"{name} exited cleanly on SIGTERM")


def main():
    run_test("vm_prometheus_alert_fires", test_incompatible_burst_fires)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
