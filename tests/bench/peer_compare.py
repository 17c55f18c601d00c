#!/usr/bin/env python3
"""Side by side on one Mosquitto, in one run: fleetsim's mqtt target and Tsung with the same load.

Starts Mosquitto with the peer tools of ../shared/tools/peers (mosquitto-up.sh: 127.0.0.1:1883),
then measures each tool with the same harness (run-measured.sh: the tool's process tree and the
broker sampled from /proc once a second, the broker's $SYS counters watched with mosquitto_sub,
summarize.py over the steady window):

  fleetsim   `fleetsim run` of a generated scenario: target.kind = "mqtt", N devices, 256-byte
             QoS 1 telemetry every --interval seconds, connect ramp at --connect-rate
  tsung      tsung-run.sh steady N SECS RATE: N Tsung users connect at RATE/s and publish 256 B at
             QoS 1 every 10 s

Each tool also runs once with a single session for its baseline RSS, so that the per-session
figure is the growth per session, not the runtime's fixed size (the Erlang VM, fleetsim's
threads). Then one table:

  tool              fleetsim or tsung
  sessions          connections the broker saw at the peak / asked for
  RSS/session KB    (steady RSS - baseline RSS) / sessions; in brackets peak RSS / sessions
  CPU-s/1k msgs     the tool's CPU seconds per 1,000 QoS 1 PUBLISHes the broker received, over the
                    steady window (5 s after 99 % connected to the end)
  connects/s        broker-side: connections from the first one to 99 % of N, per second
  broker CPU-s/1k   Mosquitto's CPU seconds per 1,000 of those messages, same window
  msgs/s            messages the broker received per second in the window

Needs mosquitto, mosquitto-clients (mosquitto_sub) and tsung (scripts/setup.sh --peers).
Bounded: every tool command runs under `timeout`.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


def scenario_text(devices, duration_s, interval_s, connect_rate):
    # The same shape as tsung-run.sh's "steady" session: connect, then 256 B at QoS 1 every
    # interval on one topic per client, keep-alive 60 s, clean session; nothing measured beyond it.
    return f"""
name = "peer-compare"
duration = "{duration_s}s"
seed = 1

[target]
kind = "mqtt"
host = "127.0.0.1"
port = 1883
topic = "bench/{{device}}/{{stream}}"
protocol = 4
e2e_sample = 0

[fleet]
devices = {devices}
connect_rate = "{connect_rate}/s"
keep_alive = "60s"

[[telemetry]]
on = "device"
interval = "{interval_s}s"
qos = 1
size = 256
"""


def run(cmd, env=None, check=True):
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    result = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and result.returncode != 0:
        sys.stderr.write(result.stdout)
        raise SystemExit(f"{cmd[0]} exited {result.returncode}")
    return result.stdout


def summary(results_dir, label):
    with open(os.path.join(results_dir, label + ".summary.json")) as f:
        return json.load(f)


def measure(peers, env, label, sessions, max_seconds, command):
    run([os.path.join(peers, "run-measured.sh"), label, str(sessions), str(max_seconds), "--"] + command, env=env)
    return summary(env["RESULTS_DIR"], label)


def fleetsim_runs(args, peers, env, tmp):
    base_path = os.path.join(tmp, "base.toml")
    with open(base_path, "w") as f:
        f.write(scenario_text(1, 15, args.interval, 100))
    base = measure(peers, env, "fleetsim-base", 1, 40, [args.binary, "run", base_path, "--quiet"])
    path = os.path.join(tmp, "fleet.toml")
    with open(path, "w") as f:
        f.write(scenario_text(args.sessions, args.duration, args.interval, args.connect_rate))
    # fleetsim ends by itself after --duration (plus its drain); the timeout is only a bound.
    main = measure(peers, env, f"fleetsim-{args.sessions}", args.sessions, args.duration + 30,
                   [args.binary, "run", path, "--quiet", "--report", os.path.join(tmp, "report.json")])
    return base, main


def tsung_runs(args, peers, env):
    tsung = os.path.join(peers, "tsung-run.sh")
    run([tsung, "steady", "1", "20", "10"], env=env)
    base = summary(env["RESULTS_DIR"], "tsung-steady-1")
    run([tsung, "steady", str(args.sessions), str(args.duration), str(args.connect_rate)], env=env)
    return base, summary(env["RESULTS_DIR"], f"tsung-steady-{args.sessions}")


def row(tool, base, main, sessions):
    steady_mb = main.get("tool_rss_steady_mb")
    base_mb = base.get("tool_rss_steady_mb", base.get("tool_rss_peak_mb", 0.0))
    peak_mb = main.get("tool_rss_peak_mb", float("nan"))
    seen = main.get("peak_conns_seen_by_broker", 0)
    per_session = (steady_mb - base_mb) * 1024 / sessions if steady_mb is not None else float("nan")
    fmt = lambda v, spec: format(v, spec) if isinstance(v, (int, float)) else "n/a"
    return [
        tool,
        f"{seen}/{sessions}",
        f"{per_session:.1f} ({peak_mb * 1024 / sessions:.1f})",
        fmt(main.get("tool_cpu_s_per_1k_msgs"), ".4f"),
        # From the first connection to 99 %; when the broker saw both in one $SYS second, from the
        # tool's start instead.
        fmt(main.get("connect_rate_first_to_99pct_per_s", main.get("connect_rate_from_tool_start_per_s")), ".0f"),
        fmt(main.get("broker_cpu_s_per_1k_msgs"), ".4f"),
        fmt(main.get("msgs_per_s"), ".1f"),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(REPO, "build", "app", "fleetsim"))
    ap.add_argument("--peers", default=os.path.normpath(os.path.join(REPO, "..", "shared", "tools", "peers")),
                    help="the peer tools folder (mosquitto-up.sh, run-measured.sh, tsung-run.sh)")
    ap.add_argument("--sessions", type=int, default=5000)
    ap.add_argument("--duration", type=int, default=60, help="seconds of each tool's run")
    ap.add_argument("--interval", type=int, default=10, help="seconds between a session's messages (Tsung: 10)")
    ap.add_argument("--connect-rate", type=int, default=1000, help="connections per second, both tools")
    ap.add_argument("--tools", default="fleetsim,tsung", help="which tools to run, comma-separated")
    ap.add_argument("--json", help="also write the rows as JSON to this file")
    args = ap.parse_args()

    tools = [t for t in args.tools.split(",") if t]
    needed = ["mosquitto", "mosquitto_sub"] + (["tsung"] if "tsung" in tools else [])
    missing = [p for p in needed if shutil.which(p) is None and not os.path.exists("/usr/sbin/" + p)]
    if missing:
        raise SystemExit("missing: " + ", ".join(missing) + " (scripts/setup.sh --peers installs them)")
    if "fleetsim" in tools and not os.access(args.binary, os.X_OK):
        raise SystemExit(f"no fleetsim binary at {args.binary} (--binary)")

    env = dict(os.environ)
    env.setdefault("PEERS_DIR", "/tmp/peers")
    env["RESULTS_DIR"] = tempfile.mkdtemp(prefix="peer-compare-")
    rows = []
    run([os.path.join(args.peers, "mosquitto-up.sh"), "1"], env=env)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if "fleetsim" in tools:
                base, main_run = fleetsim_runs(args, args.peers, env, tmp)
                rows.append(row("fleetsim", base, main_run, args.sessions))
            if "tsung" in tools:
                base, main_run = tsung_runs(args, args.peers, env)
                rows.append(row("tsung", base, main_run, args.sessions))
    finally:
        run([os.path.join(args.peers, "mosquitto-down.sh")], env=env, check=False)

    header = ["tool", "sessions", "RSS/session KB", "CPU-s/1k msgs", "connects/s", "broker CPU-s/1k", "msgs/s"]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    print(f"({args.sessions} sessions, 256 B QoS 1 every {args.interval} s, {args.duration} s each, connect rate "
          f"{args.connect_rate}/s, one Mosquitto on 127.0.0.1:1883; RSS/session = (steady - 1-session baseline) / "
          f"sessions, in brackets peak / sessions; raw results in {env['RESULTS_DIR']})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([dict(zip(header, r)) for r in rows], f, indent=1)
    ok = all(r[1].split("/")[0] == r[1].split("/")[1] for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
