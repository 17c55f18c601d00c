#!/usr/bin/env python3
"""The dashboards against a real Prometheus scraping a real run.

Starts `fleetsim run` on a small scenario with --metrics-port and `fleetsim hub --metrics-port`,
then a real Prometheus (Debian's `prometheus`) scraping both every
second from a generated configuration on free loopback ports. Once a few scrapes happened, while
the run is still going:

  - every PromQL expression of every panel target of every dashboard in dashboards/grafana/ is
    run through /api/v1/query, with the dashboard variables substituted; an expression that errors,
    returns no series or only NaN fails the test (each failure names the dashboard, the panel and
    the expression);
  - every template variable's label_values() query must find its label; panels have unique ids,
    valid positions, known types and use the dashboard's datasource variable;
  - every metric a dashboard names must be in the scraped exposition (no unknown names), and every
    exported family must be listed in README.md (names are a stable interface);
  - `promtool check metrics` lints each scraped exposition, `promtool check config` the generated
    configuration and dashboards/prometheus.yml.

Then the run is interrupted (SIGINT: it drains and writes its report, exit code 1) and keeps
/metrics up with --metrics-linger: Prometheus' histogram_quantile(0.99, ...) over the cumulative
buckets must be within 5 % of the report's p99 for telemetry and reported_patch, the exported
counts must equal the report's exactly, and the embedded hub's counters must agree with them.

Python standard library only. Bounded: about 30 s, every wait has a deadline.
"""
import argparse
import glob
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

SCRAPE_INTERVAL_S = 1
# The run is planned long and ended with SIGINT once the dashboards were checked, so the queries
# always see it live however long Prometheus takes to start.
RUN_DURATION_S = 120
LINGER_S = 6
# Values for the dashboards' variables: every job, shard and operation, as "All" would select.
VARIABLES = {
    "job": "fleetsim",
    "instance": ".+",
    "operation": ".+",
    "hub_job": ".+",
    "__rate_interval": "10s",
    "__interval": "2s",
    "__range": "1m",
}
STATUS_LINE = re.compile(r"^\[\s*[0-9.]+s/\d+s\] connected \d+/\d+  messages \d+ \(\d+/s\)")

SCENARIO = f"""
name     = "prometheus-test"
duration = "{RUN_DURATION_S}s"
seed     = 7

[fleet]
devices      = 50
modules      = ["sensor"]
connect_rate = "50/s"

[[telemetry]]
on       = "device"
interval = "200ms"
jitter   = "50ms"
qos      = 1
size     = 128

[[reported]]
on     = "module:sensor"
path   = "env.temperature"
value  = {{ kind = "random_walk", start = 21.0, step = 0.5, min = -20.0, max = 60.0 }}
sample = "500ms"
pmin   = "1s"
pmax   = "2s"
"""


class Failures:
    def __init__(self):
        self.items = []

    def add(self, message):
        self.items.append(message)
        print("FAIL: " + message, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


def wait_for(what, predicate, timeout_s, interval_s=0.2):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (OSError, urllib.error.URLError, ValueError, KeyError):
            pass
        time.sleep(interval_s)
    raise TimeoutError(f"timed out after {timeout_s} s waiting for {what}")


def query(prom, expr):
    """(result list, error text or None) of an instant query."""
    url = f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        body = json.loads(http_get(url))
    except urllib.error.HTTPError as e:
        try:
            body = json.loads(e.read().decode())
        except ValueError:
            return None, f"HTTP {e.code}"
    if body.get("status") != "success":
        return None, f"{body.get('errorType')}: {body.get('error')}"
    data = body["data"]
    if data["resultType"] == "scalar":
        return [{"metric": {}, "value": data["result"]}], None
    return data["result"], None


def substitute(expr):
    """The expression with Grafana's $var, ${var} and [[var]] replaced; unknown names stay."""
    def value(m):
        name = m.group(1) or m.group(2) or m.group(3)
        return VARIABLES.get(name, m.group(0))
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)", value, expr)


def panels_of(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])  # collapsed rows hold their panels


def exposition_families(text):
    """{family name: type} from the # TYPE lines of a text exposition."""
    families = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            families[name] = kind
    return families


def metric_names(expr):
    """The fleetsim_* and process_* metric names an expression selects."""
    return set(re.findall(r"\b((?:fleetsim|process)_[a-zA-Z0-9_]+)", expr))


def family_of(name, families):
    if name in families:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and families.get(name[: -len(suffix)]) == "histogram":
            return name[: -len(suffix)]
    return None


def readme_metric_names(readme_path):
    with open(readme_path) as f:
        text = f.read()
    return set(re.findall(r"`((?:fleetsim|process|exposer)_[a-z0-9_]+)", text))


PANEL_TYPES = {"row", "stat", "timeseries", "table", "heatmap", "gauge", "bargauge", "text"}


def check_structure(name, dashboard, uids, failures):
    """What Grafana needs to load a provisioned dashboard and find its datasource."""
    uid = dashboard.get("uid")
    if not uid or uid in uids:
        failures.add(f"{name}: missing or duplicate uid {uid!r}")
    uids.add(uid)
    variables = {v.get("name") for v in dashboard.get("templating", {}).get("list", [])}
    if "datasource" not in variables:
        failures.add(f"{name}: no datasource variable")
    ids = set()
    for panel in panels_of(dashboard):
        title = panel.get("title")
        if panel.get("type") not in PANEL_TYPES:
            failures.add(f"{name}: panel '{title}': unknown type {panel.get('type')}")
        if panel.get("id") in ids:
            failures.add(f"{name}: panel '{title}': duplicate id {panel.get('id')}")
        ids.add(panel.get("id"))
        pos = panel.get("gridPos", {})
        if not all(k in pos for k in "hwxy") or pos["x"] + pos["w"] > 24:
            failures.add(f"{name}: panel '{title}': gridPos {pos}")
        if panel.get("type") != "row" and panel.get("datasource", {}).get("uid") != "${datasource}":
            failures.add(f"{name}: panel '{title}' does not use the datasource variable")
        refs = [t.get("refId") for t in panel.get("targets", [])]
        if len(refs) != len(set(refs)):
            failures.add(f"{name}: panel '{title}': duplicate refIds {refs}")
        if panel.get("repeat") and panel["repeat"] not in variables:
            failures.add(f"{name}: panel '{title}' repeats over unknown variable {panel['repeat']}")


def check_dashboards(prom, dashboards_dir, families, failures):
    checked = 0
    files = sorted(glob.glob(os.path.join(dashboards_dir, "*.json")))
    if not files:
        failures.add(f"no dashboards in {dashboards_dir}")
    uids = set()
    for path in files:
        with open(path) as f:
            dashboard = json.load(f)
        name = os.path.basename(path)
        check_structure(name, dashboard, uids, failures)
        for variable in dashboard.get("templating", {}).get("list", []):
            if variable.get("type") != "query":
                continue
            definition = variable.get("definition") or variable["query"]["query"]
            m = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", definition.strip())
            if not m:
                failures.add(f"{name}: variable {variable['name']}: not a label_values() query: {definition}")
                continue
            expr = substitute(m.group(1))
            result, error = query(prom, f"count by ({m.group(2)}) ({expr})")
            if error or not any(m.group(2) in r["metric"] for r in result or []):
                failures.add(f"{name}: variable {variable['name']}: {definition} finds no values ({error})")
        for panel in panels_of(dashboard):
            for target in panel.get("targets", []):
                raw = target.get("expr")
                if not raw:
                    continue
                checked += 1
                expr = substitute(raw)
                where = f"{name}: panel '{panel.get('title')}' target {target.get('refId')}"
                if "$" in expr or "[[" in expr:
                    failures.add(f"{where}: unknown variable in {raw}")
                    continue
                for metric in metric_names(expr):
                    if family_of(metric, families) is None:
                        failures.add(f"{where}: unknown metric {metric} in {raw}")
                result, error = query(prom, expr)
                if error:
                    failures.add(f"{where}: error {error}\n    {expr}")
                elif not result:
                    failures.add(f"{where}: no data\n    {expr}")
                elif all(math.isnan(float(r["value"][1])) for r in result):
                    failures.add(f"{where}: only NaN\n    {expr}")
    return checked, len(files)


def promtool(args, stdin=None):
    proc = subprocess.run(["promtool"] + args, input=stdin, capture_output=True, text=True, timeout=30)
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fleetsim", required=True, help="the fleetsim binary")
    ap.add_argument("--source-dir", required=True, help="the repository (dashboards/, README.md)")
    args = ap.parse_args()
    for tool in ("prometheus", "promtool"):
        if shutil.which(tool) is None:
            print(f"FAIL: {tool} not found (Debian package prometheus; scripts/setup.sh installs it)")
            return 1

    failures = Failures()
    processes = []
    tmp = tempfile.mkdtemp(prefix="fleetsim-prometheus-")
    try:
        # --- fleetsim run (and fleetsim hub) with /metrics on free ports
        scenario = os.path.join(tmp, "scenario.toml")
        with open(scenario, "w") as f:
            f.write(SCENARIO)
        report_path = os.path.join(tmp, "report.json")
        run_port = free_port()
        run_out = open(os.path.join(tmp, "run.out"), "w+")
        run = subprocess.Popen(
            [args.fleetsim, "run", scenario, "--report", report_path, "--status-interval", "1",
             "--metrics-port", str(run_port), "--metrics-address", "127.0.0.1",
             "--metrics-linger", str(LINGER_S)],
            stdout=run_out, stderr=subprocess.STDOUT)
        processes.append(run)
        targets = {"fleetsim": [f"127.0.0.1:{run_port}"]}

        # The standalone hub, idle (the run talks to its embedded hub): its exposition is linted and
        # scraped as the job "fleetsim-hub" of dashboards/prometheus.yml.
        hub_port = free_port()
        hub = subprocess.Popen(
            [args.fleetsim, "hub", "--metrics-port", str(hub_port), "--metrics-address", "127.0.0.1",
             "--mqtt-port", "0", "--mqtts-port", "off", "--https-port", "off",
             "--data", os.path.join(tmp, "hub-data")],
            stdout=open(os.path.join(tmp, "hub.out"), "w"), stderr=subprocess.STDOUT)
        processes.append(hub)
        targets["fleetsim-hub"] = [f"127.0.0.1:{hub_port}"]

        expositions = {}
        for job, (address,) in targets.items():
            expositions[job] = wait_for(f"{job} /metrics", lambda a=address: http_get(f"http://{a}/metrics"), 15)

        # --- Prometheus scraping both every second
        prom_port = free_port()
        config = os.path.join(tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write(f"global:\n  scrape_interval: {SCRAPE_INTERVAL_S}s\n  scrape_timeout: {SCRAPE_INTERVAL_S}s\n"
                    "scrape_configs:\n")
            for job, addresses in targets.items():
                f.write(f"  - job_name: {job}\n    static_configs:\n      - targets: {json.dumps(addresses)}\n")
        for path in (config, os.path.join(args.source_dir, "dashboards", "prometheus.yml")):
            code, output = promtool(["check", "config", "--syntax-only", path])
            if code != 0:
                failures.add(f"promtool check config {path}:\n{output}")
        prom_log = open(os.path.join(tmp, "prometheus.log"), "w+")
        prometheus = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={os.path.join(tmp, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=warn"],
            stdout=prom_log, stderr=subprocess.STDOUT)
        processes.append(prometheus)
        prom = f"http://127.0.0.1:{prom_port}"
        wait_for("Prometheus ready", lambda: http_get(f"{prom}/-/ready"), 20)

        def targets_up():
            active = json.loads(http_get(f"{prom}/api/v1/targets"))["data"]["activeTargets"]
            return len(active) == sum(map(len, targets.values())) and all(t["health"] == "up" for t in active)
        wait_for("every target up", targets_up, 15)
        # Rates over $__rate_interval (10 s) want a full window of scrapes.
        def scrapes():
            result, _ = query(prom, 'count_over_time(up{job="fleetsim"}[1m])')
            return float(result[0]["value"][1]) if result else 0
        wait_for("12 scrapes of the run", lambda: scrapes() >= 12, 25, 0.5)

        # --- the exposition itself: lint, names, documentation
        families = {}
        for job, (address,) in targets.items():
            text = http_get(f"http://{address}/metrics")
            families.update(exposition_families(text))
            code, output = promtool(["check", "metrics"], stdin=text)
            if code != 0 or output:
                failures.add(f"promtool check metrics ({job}) found problems:\n{output}")
        documented = readme_metric_names(os.path.join(args.source_dir, "README.md"))
        for family in sorted(families):
            if family not in documented:
                failures.add(f"exported metric {family} is not documented in README.md")

        # --- every dashboard expression, while the run is going
        started = time.monotonic()
        checked, dashboards = check_dashboards(prom, os.path.join(args.source_dir, "dashboards", "grafana"),
                                               families, failures)
        print(f"checked {checked} dashboard expressions of {dashboards} dashboards in "
              f"{time.monotonic() - started:.1f} s: {len([f for f in failures.items if 'panel' in f])} failed",
              flush=True)
        if run.poll() is not None:
            failures.add("the run ended before the dashboard queries finished: rates were not live")
        run.send_signal(signal.SIGINT)  # drains, writes the report, then lingers

        # --- after the run: Prometheus' quantiles against the report
        wait_for("the report", lambda: os.path.exists(report_path) and os.path.getsize(report_path) > 0, 20)
        time.sleep(3 * SCRAPE_INTERVAL_S)  # the final values are scraped while the run lingers
        with open(report_path) as f:
            report = json.load(f)
        for op in ("telemetry", "reported_patch"):
            entry = report["operations"].get(op)
            if not entry:
                failures.add(f"the report has no {op}")
                continue
            selector = f'{{job="fleetsim", operation="{op}"}}'
            result, error = query(prom, f"sum(fleetsim_operation_duration_seconds_count{selector})")
            count = float(result[0]["value"][1]) if result else math.nan
            if count != entry["ok"]:
                failures.add(f"{op}: Prometheus counts {count} successes, the report {entry['ok']} ({error})")
            result, error = query(prom, f"histogram_quantile(0.99, sum by (le) "
                                        f"(fleetsim_operation_duration_seconds_bucket{selector}))")
            p99_ms = float(result[0]["value"][1]) * 1e3 if result else math.nan
            report_ms = entry["latency_ms"]["p99"]
            ratio = p99_ms / report_ms if report_ms > 0 else math.nan
            print(f"{op}: p99 report {report_ms:.4f} ms, Prometheus histogram_quantile {p99_ms:.4f} ms "
                  f"(ratio {ratio:.4f}, {entry['ok']} samples)", flush=True)
            if not abs(ratio - 1) <= 0.05:
                failures.add(f"{op}: histogram_quantile p99 {p99_ms} ms is not within 5 % of the report's "
                             f"{report_ms} ms")

        # The final values agree with the report and with the embedded hub's side of the wire.
        def final(expr):
            result, error = query(prom, expr)
            return float(result[0]["value"][1]) if result and not error else math.nan
        ops = report["operations"]
        checks = [
            ("messages in flight after the drain", final('sum(fleetsim_messages_in_flight{job="fleetsim"})'), 0),
            ("CONNECTs the hub accepted", final('sum(fleetsim_hub_connects_total{job="fleetsim", result="accepted"})'),
             ops["connect"]["ok"]),
            ("errors", final('sum(fleetsim_errors_total{job="fleetsim"})'), sum(report["errors"].values())),
        ]
        for what, got, expected in checks:
            if got != expected:
                failures.add(f"{what}: Prometheus has {got}, expected {expected}")
        # Every acknowledged message reached the hub; one refused before sending never did.
        received = final('sum(fleetsim_hub_messages_received_total{job="fleetsim", kind="telemetry"})')
        if not ops["telemetry"]["ok"] <= received <= ops["telemetry"]["count"]:
            failures.add(f"the hub received {received} telemetry messages; the report has {ops['telemetry']['ok']} "
                         f"acknowledged of {ops['telemetry']['count']}")

        code = run.wait(timeout=LINGER_S + 15)
        run_out.seek(0)
        output = run_out.read()
        if code != 1 or not report.get("interrupted"):
            failures.add(f"fleetsim run, interrupted, exited {code} (expected 1):\n{output}")
        status_lines = [line for line in output.splitlines() if STATUS_LINE.match(line)]
        if len(status_lines) < 10:
            failures.add(f"expected a status line a second, found {len(status_lines)}:\n{output}")
        elif not any(" telemetry " in line and " p99 " in line for line in status_lines):
            failures.add("no status line shows telemetry's rate and p99:\n" + "\n".join(status_lines))
    except (TimeoutError, OSError, subprocess.TimeoutExpired) as e:
        failures.add(str(e))
        for name in ("run.out", "hub.out", "prometheus.log"):
            path = os.path.join(tmp, name)
            if os.path.exists(path):
                with open(path) as f:
                    print(f"--- {name}\n{f.read()[-4000:]}")
    finally:
        for proc in reversed(processes):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    if failures.items:
        print(f"{len(failures.items)} failure(s)")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
