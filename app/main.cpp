// fleetsim: device-fleet simulator and load tester for IoT hubs. See README.md.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/commands.hpp"

int main(int argc, char** argv) {
  using namespace fleetsim::app;
  CLI::App app{"fleetsim: a device-fleet simulator and load tester for IoT hubs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "fleetsim 0.1.0");

  RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Run a scenario and print a summary (exit code from its gates)");
  run_cmd->add_option("scenario", run.scenario_path, "Scenario file (TOML)")->required();
  run_cmd->add_option("--set", run.sets, "Override a scenario key: KEY=VALUE (repeatable)");
  run_cmd->add_option("--report", run.report_path,
                      "Write the JSON report to this file ({shard} in --report, --junit, --html: I-of-N)");
  run_cmd->add_option("--shard", run.shard,
                      "Run shard I of N (I/N): devices whose index % N == I; replica/N: from this docker compose "
                      "replica's number; default: JOB_COMPLETION_INDEX with FLEETSIM_SHARDS or JOB_COMPLETIONS, "
                      "else 0/1");
  run_cmd->add_option("--junit", run.junit_path, "Write the gates as JUnit XML to this file");
  run_cmd->add_option("--html", run.html_path, "Write a self-contained HTML report with charts to this file");
  run_cmd->add_option("--baseline", run.baseline_path, "A report that gates with 'baseline' compare with");
  run_cmd->add_option("--timeline-interval", run.timeline_interval_s,
                      "Seconds per timeline point in the JSON and HTML reports (whole seconds, default 1)");
  run_cmd->add_option("--threads", run.threads, "Event-loop threads (default: one per core)");
  run_cmd->add_option("--status-interval", run.status_interval_s,
                      "Seconds between plain status lines when stdout is not a terminal");
  run_cmd->add_flag("--quiet", run.quiet, "Print nothing but errors");
  run_cmd->add_option("--metrics-port", run.metrics_port, "Serve Prometheus metrics on this port (0: off)");
  run_cmd->add_option("--metrics-address", run.metrics_address, "Address the metrics port listens on (0.0.0.0)");
  run_cmd->add_option("--metrics-linger", run.metrics_linger_s,
                      "Seconds to keep serving metrics after the run, for a last scrape");

  std::string validate_path;
  std::vector<std::string> validate_sets;
  auto* validate_cmd = app.add_subcommand("validate", "Check a scenario file without running it");
  validate_cmd->add_option("scenario", validate_path, "Scenario file (TOML)")->required();
  validate_cmd->add_option("--set", validate_sets, "Override a scenario key: KEY=VALUE (repeatable)");

  ReportMergeArgs merge;
  ReportCompareArgs compare;
  auto* report_cmd = app.add_subcommand("report", "Merge or compare JSON reports of earlier runs");
  report_cmd->require_subcommand(1);
  auto* merge_cmd = report_cmd->add_subcommand(
      "merge", "Merge shard reports exactly (histograms merge, percentiles recomputed, gates re-evaluated)");
  merge_cmd->add_option("reports", merge.inputs, "Reports of the shards (JSON)")->required();
  merge_cmd->add_option("-o,--output", merge.output, "Write the merged report to this file")->required();
  merge_cmd->add_option("--junit", merge.junit_path, "Also write the merged gates as JUnit XML");
  merge_cmd->add_option("--html", merge.html_path, "Also write the merged HTML report");
  merge_cmd->add_flag("--quiet", merge.quiet, "Do not print the merged summary");
  auto* compare_cmd = report_cmd->add_subcommand(
      "compare", "Compare latency percentiles with a baseline report (exit 1 on a regression)");
  compare_cmd->add_option("baseline", compare.baseline, "Baseline report (JSON)")->required();
  compare_cmd->add_option("new", compare.candidate, "New report (JSON)")->required();
  compare_cmd->add_option("--max-regression", compare.max_regression,
                          "Largest accepted increase of a percentile (default 10%)");
  compare_cmd->add_option("--min-delta", compare.min_delta,
                          "Increases smaller than this never count (e.g. 0.05ms; default 0)");
  compare_cmd->add_option("--stats", compare.stats, "Statistics to compare (default p50,p90,p99,p999)");

  HubArgs hub;
  auto* hub_cmd = app.add_subcommand(
      "hub", "Run the hub standalone (MQTT over TCP, TLS, WebSocket) until SIGINT or SIGTERM");
  hub_cmd->add_option("--mqtt-port", hub.mqtt_port, "MQTT over TCP (default 1883; 0: a free port; off)");
  hub_cmd->add_option("--mqtts-port", hub.mqtts_port, "MQTT over TLS (default 8883; 0: a free port; off)");
  hub_cmd->add_option("--https-port", hub.https_port,
                      "HTTPS: MQTT over WebSocket at /$iothub/websocket (default 443; 0: a free port; off)");
  hub_cmd->add_option("--http-port", hub.http_port, "Plain HTTP: MQTT over WebSocket (default 0: off)");
  hub_cmd->add_option("--bind", hub.bind, "Address the listeners bind (default 127.0.0.1)");
  hub_cmd->add_option("--host-name", hub.host_name,
                      "HostName devices name in usernames and SAS tokens, and in the server certificate "
                      "(default localhost)");
  hub_cmd->add_option("--cert", hub.cert_file, "TLS server certificate chain (PEM); default: the hub's own");
  hub_cmd->add_option("--key", hub.key_file, "TLS server private key (PEM), with --cert");
  hub_cmd->add_option("--data", hub.data_dir,
                      "Folder for the hub's own CA and server certificate (default ./fleetsim-hub-data) and, "
                      "when given, the shared access policies' keys (kept across restarts)");
  hub_cmd->add_option("--config", hub.config_file,
                      "TOML file with these settings (keys as the flags with '_': mqtt_port, tier, ...); "
                      "flags override it");
  hub_cmd->add_option("--tier", hub.tier,
                      "Throttle as an IoT Hub of this tier: F1, B1, B2, B3, S1, S2, S3 (default: none)");
  hub_cmd->add_option("--units", hub.units, "Units of the tier (default 1; F1 has exactly one)");
  hub_cmd->add_option("--metrics-port", hub.metrics_port, "Serve Prometheus metrics on this port (0: off)");
  hub_cmd->add_option("--metrics-address", hub.metrics_address,
                      "Address the metrics port listens on (default: the --bind address)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  if (*run_cmd) return run_command(run);
  if (*validate_cmd) return validate_command(validate_path, validate_sets);
  if (*hub_cmd) return hub_command(hub);
  if (*merge_cmd) return report_merge_command(merge);
  if (*compare_cmd) return report_compare_command(compare);
  return kExitUsage;
}
