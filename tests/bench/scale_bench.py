#!/usr/bin/env python3
"""Scale benchmark: an idle-heavy fleet against the embedded hub, in one process, measured.

Runs `fleetsim run` on a generated scenario (default 9,000 sessions = 3,000 devices x 2 modules,
telemetry every 10 s at QoS 1 on every session), samples the process from /proc once a second,
and prints one table row:

  sessions        sessions that were connected at the peak
  connects/s      sessions / seconds from the first connect attempt to the last CONNACK
                  (as measured by fleetsim itself, report field fleet.connects_per_s)
  peak RSS        VmHWM of the fleetsim process (simulator + embedded hub)
  RSS/session     (peak RSS - peak RSS of a 1-session run) / sessions
  steady RSS/s.   (VmRSS at the last sample - the same of a 1-session run) / sessions: what the
                  connected fleet holds once the ramp's transient memory (TLS handshakes in
                  flight) went back to the system
  CPU-s/1k msgs   process CPU seconds (user + system) per 1,000 PUBLISHes sent, over the steady
                  window only (from 2 s after the last connect to the end of the run)
  lag p99         schedule_lag p99 from the report

--transport picks target.transport (mqtt, mqtt-tls, mqtt-ws, mqtt-wss) and --auth fleet.auth (sas,
x509): both sides' TLS and WebSocket handshakes then count in connects/s, and both sides' TLS
state in RSS/session, since the embedded hub runs in the same process.

Only the Python standard library; Linux /proc. Bounded: the run lasts --duration and is killed
if it does not end within duration + 120 s.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

STATUS = re.compile(r"^\[\s*([0-9.]+)s/.*connected (\d+)/(\d+).*messages (\d+)")


def scenario_text(devices, modules, duration_s, interval_s, qos, connect_rate, transport="mqtt", auth="sas"):
    mods = ", ".join('"m%d"' % i for i in range(modules))
    return f"""
name = "scale"
duration = "{duration_s}s"
seed = 1

[target]
transport = "{transport}"

[fleet]
devices = {devices}
modules = [{mods}]
connect_rate = "{connect_rate}/s"
auth = "{auth}"

[[telemetry]]
on = "all"
interval = "{interval_s}s"
qos = {qos}
size = 256
"""


def proc_cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def proc_status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def proc_hwm_kb(pid):
    return proc_status_kb(pid, "VmHWM")


def run_once(binary, devices, modules, duration_s, interval_s, qos, connect_rate, threads, transport="mqtt",
             auth="sas"):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "scale.toml")
        report_path = os.path.join(tmp, "report.json")
        with open(path, "w") as f:
            f.write(scenario_text(devices, modules, duration_s, interval_s, qos, connect_rate, transport, auth))
        cmd = [binary, "run", path, "--report", report_path, "--status-interval", "1"]
        if threads:
            cmd += ["--threads", str(threads)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        samples = []  # (elapsed_s_from_status, cpu_s, messages, connected, rss_kb)
        hwm = 0
        deadline = time.monotonic() + duration_s + 120
        for line in proc.stdout:
            m = STATUS.match(line)
            if m:
                try:
                    cpu = proc_cpu_s(proc.pid)
                    hwm = max(hwm, proc_hwm_kb(proc.pid))
                    rss = proc_status_kb(proc.pid, "VmRSS")
                except OSError:
                    break
                samples.append((float(m.group(1)), cpu, int(m.group(4)), int(m.group(2)), rss))
            if time.monotonic() > deadline:
                proc.kill()
                break
        try:
            hwm = max(hwm, proc_hwm_kb(proc.pid))
        except OSError:
            pass
        err = proc.stderr.read()
        code = proc.wait(timeout=max(1, deadline - time.monotonic()))
        if code != 0:
            sys.stderr.write(f"fleetsim exited {code}\n{err}\n")
        with open(report_path) as f:
            report = json.load(f)
        return report, samples, hwm, code


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "../../build/app/fleetsim"))
    ap.add_argument("--sessions", type=int, default=9000, help="total sessions (devices x (1 + modules))")
    ap.add_argument("--modules", type=int, default=2, help="modules per device")
    ap.add_argument("--duration", type=int, default=60, help="seconds")
    ap.add_argument("--interval", type=float, default=10, help="telemetry interval, seconds")
    ap.add_argument("--qos", type=int, default=1)
    ap.add_argument("--connect-rate", type=int, default=20000, help="connects per second asked for")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--transport", default="mqtt", choices=["mqtt", "mqtt-tls", "mqtt-ws", "mqtt-wss"],
                    help="target.transport against the embedded hub (TLS: both sides' handshakes count)")
    ap.add_argument("--auth", default="sas", choices=["sas", "x509"], help="fleet.auth (x509 needs TLS)")
    ap.add_argument("--json", help="also write the row as JSON to this file")
    args = ap.parse_args()

    devices = max(1, args.sessions // (1 + args.modules))
    # The baseline uses the same transport, so TLS libraries and contexts are not counted per session.
    _, base_samples, base_hwm, _ = run_once(args.binary, 1, 0, 3, args.interval, args.qos, 100, args.threads,
                                            args.transport, args.auth)
    base_rss = base_samples[-1][4] if base_samples else base_hwm
    report, samples, hwm, code = run_once(args.binary, devices, args.modules, args.duration, args.interval,
                                          args.qos, args.connect_rate, args.threads, args.transport, args.auth)

    fleet = report["fleet"]
    sessions = fleet["sessions_connected_peak"]
    total = devices * (1 + args.modules)
    connects_per_s = fleet.get("connects_per_s", 0.0)
    rss_per_session_kb = (hwm - base_hwm) / sessions if sessions else float("nan")
    steady_rss_kb = (samples[-1][4] - base_rss) / sessions if sessions and samples else float("nan")

    # Steady window: from 2 s after every session connected to the last sample.
    start = next((s for s in samples if s[3] >= total), None)
    cpu_per_1k = float("nan")
    window = 0.0
    if start:
        start = next((s for s in samples if s[0] >= start[0] + 2), None)
    if start and samples[-1][2] > start[2]:
        end = samples[-1]
        window = end[0] - start[0]
        cpu_per_1k = (end[1] - start[1]) / ((end[2] - start[2]) / 1000.0)
    lag_p99 = report["health"]["schedule_lag_ms"]["p99"]
    tel = report["operations"].get("telemetry", {})

    header = ["transport", "sessions", "connects/s", "peak RSS MB", "RSS/session KB", "steady RSS/session KB",
              "CPU-s/1k msgs", "lag p99 ms", "telemetry p99 ms", "msgs", "errors"]
    errors = sum(report["errors"].values())
    row = [args.transport + ("+x509" if args.auth == "x509" else ""), f"{sessions}/{total}", f"{connects_per_s:.0f}",
           f"{hwm / 1024:.1f}", f"{rss_per_session_kb:.2f}", f"{steady_rss_kb:.2f}", f"{cpu_per_1k:.4f}", f"{lag_p99:.3f}", f"{tel.get('latency_ms', {}).get('p99', float('nan')):.3f}",
           f"{tel.get('count', 0)}", f"{errors}"]
    widths = [max(len(h), len(r)) for h, r in zip(header, row)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
    print("  ".join(r.rjust(w) for r, w in zip(row, widths)))
    print(f"(baseline 1-session peak RSS {base_hwm / 1024:.1f} MB; steady window {window:.0f} s; "
          f"QoS {args.qos}, telemetry every {args.interval:g} s on every session, {args.duration} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(zip(header, row)), f, indent=1)
    return 0 if code == 0 and sessions == total else 1


if __name__ == "__main__":
    sys.exit(main())
