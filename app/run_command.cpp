// `fleetsim run`: load the scenario, start the embedded hub when the target is embedded, run the
// fleet, then report, evaluate the gates and choose the exit code.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <thread>

#include "app/commands.hpp"
#include "app/scenario_loading.hpp"
#include "app/status_line.hpp"
#include "hub/hub.hpp"
#include "metrics/report.hpp"
#include "sim/fleet.hpp"

namespace fleetsim::app {
namespace {

// The running fleet, for the signal handler: Fleet::request_stop is an atomic store.
std::atomic<sim::Fleet*> g_running_fleet{nullptr};

extern "C" void on_interrupt(int) {
  if (auto* fleet = g_running_fleet.load()) fleet->request_stop();
  // A second Ctrl-C ends the process the usual way.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Registers the fleet's identities (this shard's) in the embedded hub and starts it.
void start_embedded_hub(hub::Hub& hub, const sim::Scenario& scenario, const Shard& shard) {
  sim::for_each_identity(scenario, shard.index, shard.count,
                         [&](std::string_view device, std::string_view module, std::string_view key) {
                           if (module.empty()) {
                             hub.add_device(device, key);
                           } else {
                             hub.add_module(device, module, key);
                           }
                         });
  hub.start();
}

}  // namespace

int run_command(const RunArgs& args) {
  const auto shard = parse_shard(args.shard);
  if (!shard) {
    std::fprintf(stderr, "--shard %s: expected I/N with 0 <= I < N, for example 0/4\n", args.shard.c_str());
    return kExitUsage;
  }
  const auto scenario = load_scenario(args.scenario_path, args.sets);
  if (!scenario) return kExitUsage;

  std::size_t threads = args.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());

  // The embedded hub listens on a free loopback port for this run only.
  hub::Hub hub(hub::HubConfig{});
  sim::Endpoint endpoint;
  try {
    start_embedded_hub(hub, *scenario, *shard);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fleetsim: cannot start the embedded hub: %s\n", e.what());
    return kExitUnreachable;
  }
  endpoint.host_name = hub.host_name();
  endpoint.address = "127.0.0.1";
  endpoint.port = hub.mqtt_port();

  metrics::Registry registry(threads);
  const bool tty = !args.quiet && isatty(STDOUT_FILENO) == 1;
  StatusPrinter status(registry, *scenario, tty, args.quiet ? 0.0 : args.status_interval_s);

  sim::FleetOptions options;
  options.threads = threads;
  options.shard_index = shard->index;
  options.shard_count = shard->count;
  options.on_tick = [&](std::chrono::nanoseconds elapsed) { status.tick(elapsed); };

  metrics::RunInfo info;
  info.scenario = scenario->name;
  info.target = scenario->target.kind;
  info.started_at = utc_now_iso8601();
  info.shard = std::to_string(shard->index) + "/" + std::to_string(shard->count);

  if (!args.quiet) {
    std::printf("fleetsim 0.1.0: scenario '%s', %llu sessions (shard %s), %zu threads, embedded hub on "
                "127.0.0.1:%u\n",
                scenario->name.c_str(), static_cast<unsigned long long>(scenario->sessions()),
                info.shard.c_str(), threads, static_cast<unsigned>(endpoint.port));
    std::fflush(stdout);
  }

  sim::Fleet fleet(*scenario, endpoint, registry, std::move(options));
  g_running_fleet.store(&fleet);
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const sim::RunOutcome outcome = fleet.run();
  g_running_fleet.store(nullptr);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  status.finish();
  hub.stop();

  const metrics::Snapshot snapshot = registry.snapshot();
  const double measured_s = std::chrono::duration<double>(outcome.elapsed).count();
  const double scenario_s = std::chrono::duration<double>(scenario->duration).count();
  // Rates are per second of the scenario's duration; an interrupted run has only its wall time.
  info.duration_s = outcome.stopped_early ? measured_s : scenario_s;
  info.devices = 0;
  info.modules = 0;
  sim::for_each_identity(*scenario, shard->index, shard->count,
                         [&](std::string_view, std::string_view module, std::string_view) {
                           ++(module.empty() ? info.devices : info.modules);
                         });
  info.sessions_connected_peak = outcome.sessions_connected_peak;
  info.sessions_failed = outcome.sessions_failed;
  info.connects_per_s = outcome.connects_per_s;
  info.interrupted = outcome.stopped_early;
  if (outcome.stopped_early) info.notes.push_back("run interrupted before its duration");
  if (snapshot.schedule_lag.count() > 0 &&
      static_cast<double>(snapshot.schedule_lag.quantile_ns(0.99)) / 1e6 > metrics::kSaturatedLagP99Ms) {
    info.notes.push_back("schedule_lag p99 above " + std::to_string(metrics::kSaturatedLagP99Ms) +
                         " ms: the simulator was saturated; latencies describe the tool, not the hub");
  }

  std::vector<metrics::GateSpec> gate_specs;
  for (const auto& g : scenario->gates) gate_specs.push_back({g.name.empty() ? g.expr : g.name, g.expr});
  const auto gates = metrics::evaluate_gates(gate_specs, snapshot, info.duration_s);

  if (!args.quiet) std::fputs(metrics::format_summary(info, snapshot, gates).c_str(), stdout);
  if (!args.report_path.empty()) {
    std::string error;
    if (!metrics::write_json_file(args.report_path, metrics::build_report(info, snapshot, gates), &error)) {
      std::fprintf(stderr, "fleetsim: cannot write the report %s: %s\n", args.report_path.c_str(), error.c_str());
      return kExitUsage;
    }
  }

  if (outcome.target_unreachable) {
    std::fprintf(stderr, "fleetsim: no session could connect to 127.0.0.1:%u\n", static_cast<unsigned>(endpoint.port));
    return kExitUnreachable;
  }
  bool passed = !outcome.stopped_early;
  for (const auto& g : gates) passed = passed && g.passed;
  return passed ? kExitOk : kExitGateFailed;
}

}  // namespace fleetsim::app
