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
  run_cmd->add_option("--report", run.report_path, "Write the JSON report to this file");
  run_cmd->add_option("--shard", run.shard, "Run shard I of N (I/N): devices whose index % N == I");
  run_cmd->add_option("--threads", run.threads, "Event-loop threads (default: one per core)");
  run_cmd->add_option("--status-interval", run.status_interval_s,
                      "Seconds between plain status lines when stdout is not a terminal");
  run_cmd->add_flag("--quiet", run.quiet, "Print nothing but errors");

  std::string validate_path;
  std::vector<std::string> validate_sets;
  auto* validate_cmd = app.add_subcommand("validate", "Check a scenario file without running it");
  validate_cmd->add_option("scenario", validate_path, "Scenario file (TOML)")->required();
  validate_cmd->add_option("--set", validate_sets, "Override a scenario key: KEY=VALUE (repeatable)");

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
  return kExitUsage;
}
