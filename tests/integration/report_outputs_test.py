#!/usr/bin/env python3
"""The JUnit and HTML reports of a real run, checked by real consumers.

- The JUnit XML goes through Python's XML parser (xml.etree): one testsuite, one testcase per
  gate, the failed gate's <failure> carrying the measured value and the threshold, properties
  naming the scenario, shard and duration, user text escaped.
- The HTML report is rendered by headless Chromium (Debian's `chromium`) with every host name
  unresolvable, and the DOM it dumps after the page's script ran must show that every chart drew:
  the page marks each polyline with the length the browser computed for it and itself with the
  number of charts that drew; the numbers of points must match the JSON report's timeline.
- The same for `fleetsim report merge --junit --html`.

Standard library only. Exits non-zero with a message on the first failed check.
"""
import argparse
import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SCENARIO = """
name = "outputs & <checks>"
duration = "5s"
seed = 5

[fleet]
devices = 10
connect_rate = "1000/s"

[[telemetry]]
on = "device"
interval = "250ms"
qos = 1
size = 64

[[reported]]
on = "device"
path = "fw.version"
value = { kind = "counter", start = 1.0, step = 1.0 }
sample = "1s"
pmax = "1s"

[[gate]]
name = "telemetry tail"
expr = "telemetry.p99 < 5000ms"

[[gate]]
name = "impossible <count> & \\"more\\""
expr = "telemetry.count < 1"

[[gate]]
expr = "errors == 0"
"""


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def run(args, expect, timeout=90):
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    check(p.returncode == expect,
          "%s exited %d, expected %d\nstdout:\n%s\nstderr:\n%s" % (" ".join(args), p.returncode, expect,
                                                                    p.stdout, p.stderr))
    return p


def check_junit(path, report):
    tree = ET.parse(path)  # raises on malformed XML
    root = tree.getroot()
    check(root.tag == "testsuites", "root element is %s" % root.tag)
    suites = root.findall("testsuite")
    check(len(suites) == 1, "%d testsuites" % len(suites))
    suite = suites[0]
    cases = suite.findall("testcase")
    gates = report["gates"]
    check(len(cases) == len(gates), "%d testcases for %d gates" % (len(cases), len(gates)))
    failed = [g for g in gates if not g["passed"]]
    check(int(suite.get("tests")) == len(gates), "tests=%s" % suite.get("tests"))
    check(int(suite.get("failures")) == len(failed), "failures=%s, expected %d" % (suite.get("failures"), len(failed)))
    check(suite.get("name") == "fleetsim." + report["fleetsim"]["scenario"], "suite name %r" % suite.get("name"))
    props = {p.get("name"): p.get("value") for p in suite.find("properties").findall("property")}
    for key in ("scenario", "shard", "duration_s", "target"):
        check(key in props, "no property %s" % key)
    check(props["scenario"] == report["fleetsim"]["scenario"], "scenario property %r" % props["scenario"])
    check(props["shard"] == report["fleetsim"]["shard"], "shard property %r" % props["shard"])
    check(float(props["duration_s"]) == report["fleetsim"]["duration_s"], "duration property %r" % props["duration_s"])
    by_name = {c.get("name"): c for c in cases}
    for gate in gates:
        case = by_name.get(gate["name"])
        check(case is not None, "no testcase named %r" % gate["name"])
        failures = case.findall("failure")
        if gate["passed"]:
            check(not failures, "passing gate %r has a failure" % gate["name"])
            continue
        check(len(failures) == 1, "failed gate %r has %d failures" % (gate["name"], len(failures)))
        message = failures[0].get("message")
        value = gate["value"]
        measured = "%d" % value if value == int(value) else "%.3f" % value
        check("measured " + measured in message, "failure message %r lacks the value %s" % (message, measured))
        check("threshold" in message, "failure message %r lacks the threshold" % message)
    return len(cases)


class DomReader(html.parser.HTMLParser):
    """Charts, their polylines and the body's attributes from the dumped DOM."""

    def __init__(self):
        super().__init__()
        self.body = {}
        self.charts = []  # [{"attrs": {...}, "lines": [{...}], "figure": id}]
        self.figure = None
        self.in_svg = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        elif tag == "figure":
            self.figure = a.get("id")
        elif tag == "svg" and "chart" in a.get("class", "").split():
            self.charts.append({"attrs": a, "lines": [], "figure": self.figure})
            self.in_svg = True
        elif tag == "polyline" and self.in_svg:
            self.charts[-1]["lines"].append(a)
        for name, value in attrs:
            if name in ("src", "href") or (value and "url(" in value):
                fail("the page references something external: <%s %s=%r>" % (tag, name, value))

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_svg = False


def render(chromium, page, workdir):
    profile = tempfile.mkdtemp(dir=workdir, prefix="chromium-")
    args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--user-data-dir=" + profile, "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=5000", "--dump-dom", "file://" + page]
    p = subprocess.run(args, capture_output=True, text=True, timeout=90)
    check(p.returncode == 0, "chromium exited %d: %s" % (p.returncode, p.stderr[-2000:]))
    dom = DomReader()
    dom.feed(p.stdout)
    return dom


def check_html(chromium, page, report, workdir):
    dom = render(chromium, page, workdir)
    charts = dom.charts
    check(charts, "no chart in the rendered page")
    rendered = dom.body.get("data-charts-rendered")
    check(rendered is not None, "the page's script did not run (no data-charts-rendered on <body>)")
    check(int(rendered) == len(charts), "%s of %d charts drew" % (rendered, len(charts)))
    for chart in charts:
        check(chart["attrs"].get("data-rendered") == "true", "chart %s not marked as drawn" % chart["figure"])
        check(chart["lines"], "chart %s has no line" % chart["figure"])
        for line in chart["lines"]:
            points = int(line["data-points"])
            length = line.get("data-drawn-length")
            check(length is not None, "a line of %s was not measured by the browser" % chart["figure"])
            if points > 1:
                check(float(length) > 0, "line %s of %s has length %s" % (line.get("data-series"), chart["figure"], length))
            check(len(line.get("points", "").split()) == points,
                  "line %s of %s: data-points %d but %d coordinates" % (line.get("data-series"), chart["figure"],
                                                                        points, len(line.get("points", "").split())))

    points = report["timeline"]["points"]
    by_id = {c["figure"]: c for c in charts}
    for needed in ("chart-throughput", "chart-errors", "chart-latency-telemetry", "chart-sessions"):
        check(needed in by_id, "no %s chart" % needed)
    throughput = {l["data-series"]: int(l["data-points"]) for l in by_id["chart-throughput"]["lines"]}
    check(throughput.get("telemetry") == len(points),
          "throughput telemetry has %s points, the timeline %d" % (throughput.get("telemetry"), len(points)))
    timed = sum(1 for p in points if p["operations"].get("telemetry", {}).get("ok", 0) > 0)
    latency = {l["data-series"]: int(l["data-points"]) for l in by_id["chart-latency-telemetry"]["lines"]}
    check(latency.get("p50") == timed and latency.get("p99") == timed,
          "telemetry latency lines %s, expected %d points each" % (latency, timed))
    return len(charts), sum(len(c["lines"]) for c in charts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fleetsim", required=True)
    ap.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = ap.parse_args()

    workdir = tempfile.mkdtemp(prefix="fleetsim-outputs-")
    try:
        scenario = os.path.join(workdir, "scenario.toml")
        with open(scenario, "w") as f:
            f.write(SCENARIO)
        files = {k: os.path.join(workdir, "run." + k) for k in ("json", "xml", "html")}
        # One gate fails on purpose: exit code 1.
        run([args.fleetsim, "run", scenario, "--quiet", "--report", files["json"], "--junit", files["xml"],
             "--html", files["html"]], expect=1)
        with open(files["json"]) as f:
            report = json.load(f)
        cases = check_junit(files["xml"], report)
        charts, lines = check_html(args.chromium, files["html"], report, workdir)
        print("run: JUnit %d testcases parsed; HTML %d charts, %d lines drawn by Chromium" % (cases, charts, lines))

        merged = {k: os.path.join(workdir, "merged." + k) for k in ("json", "xml", "html")}
        run([args.fleetsim, "report", "merge", files["json"], "-o", merged["json"], "--junit", merged["xml"],
             "--html", merged["html"], "--quiet"], expect=1)
        with open(merged["json"]) as f:
            merged_report = json.load(f)
        cases = check_junit(merged["xml"], merged_report)
        charts, lines = check_html(args.chromium, merged["html"], merged_report, workdir)
        print("merge: JUnit %d testcases parsed; HTML %d charts, %d lines drawn by Chromium" % (cases, charts, lines))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
