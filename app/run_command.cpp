// `fleetsim run`: load the scenario, start the embedded hub when the target is embedded, run the
// fleet, then report, evaluate the gates and choose the exit code.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <optional>
#include <thread>

#include "app/commands.hpp"
#include "app/embedded_target.hpp"
#include "app/iothub_target.hpp"
#include "app/metrics_server.hpp"
#include "app/mqtt_target.hpp"
#include "app/run_outputs.hpp"
#include "app/scenario_loading.hpp"
#include "app/status_line.hpp"
#include "hub/hub.hpp"
#include "metrics/report.hpp"
#include "sim/fleet.hpp"

namespace fleetsim::app {
namespace {

// The running fleet, for the signal handler: Fleet::request_stop is an atomic store.
std::atomic<sim::Fleet*> g_running_fleet{nullptr};
// Set by the first Ctrl-C: stops an iothub target's provisioning, which runs before the fleet.
std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) {
  g_interrupted.store(true);
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

}  // namespace

int run_command(const RunArgs& args) {
  std::string shard_error;
  const auto shard = resolve_shard(shard_sources_from_environment(args.shard), &shard_error);
  if (!shard) {
    std::fprintf(stderr, "fleetsim: %s\n", shard_error.c_str());
    return kExitUsage;
  }
  const auto scenario = load_scenario(args.scenario_path, args.sets);
  if (!scenario) return kExitUsage;
  const auto outputs = RunOutputs::prepare(args, *scenario, *shard);
  if (!outputs) return kExitUsage;

  std::size_t threads = args.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());

  std::optional<sim::X509Identities> identities;
  try {
    identities = prepare_x509_identities(*scenario, *shard, args.quiet);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fleetsim: cannot prepare the X.509 identities: %s\n", e.what());
    return kExitUsage;
  }
  // The embedded hub listens on free loopback ports for this run only; a plain MQTT broker
  // (target.kind = "mqtt") and an IoT Hub (target.kind = "iothub") are already running somewhere.
  const bool embedded = scenario->target.kind == "embedded";
  const bool iothub = scenario->target.kind == "iothub";
  hub::Hub hub(embedded_hub_config(*scenario, identities ? &*identities : nullptr));
  if (embedded) {
    try {
      start_embedded_hub(hub, *scenario, *shard, identities.has_value());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fleetsim: cannot start the embedded hub: %s\n", e.what());
      return kExitUnreachable;
    }
  }
  const sim::Endpoint endpoint = embedded ? embedded_endpoint(hub, *scenario)
                                 : iothub ? iothub_endpoint(*scenario)
                                          : mqtt_endpoint(*scenario);

  metrics::Registry registry(threads);
  const bool tty = !args.quiet && isatty(STDOUT_FILENO) == 1;
  StatusPrinter status(registry, sim::shard_session_count(*scenario, shard->index, shard->count),
                       std::chrono::duration<double>(scenario->duration).count(), tty,
                       args.quiet ? 0.0 : args.status_interval_s);

  sim::FleetOptions options;
  options.threads = threads;
  options.shard_index = shard->index;
  options.shard_count = shard->count;
  options.identities = identities ? &*identities : nullptr;
  if (embedded && !scenario->backends.empty()) options.service = embedded_service_endpoint(hub);
  options.on_tick = [&](std::chrono::nanoseconds elapsed) {
    status.tick(elapsed);
    outputs->tick(elapsed, registry);
  };

  metrics::RunInfo info;
  info.scenario = scenario->name;
  info.target = scenario->target.kind;
  info.started_at = utc_now_iso8601();
  info.shard = std::to_string(shard->index) + "/" + std::to_string(shard->count);
  info.transport = scenario->target.transport;
  if (transports::uses_tls(endpoint.transport)) info.tls_verify = endpoint.tls_verify;

  if (!args.quiet) {
    const std::string target = embedded ? "embedded hub on 127.0.0.1:" + std::to_string(endpoint.port)
                               : iothub ? describe_iothub_target(*scenario)
                                        : describe_mqtt_target(*scenario);
    std::printf("fleetsim 0.1.0: scenario '%s', %llu sessions (shard %s), %zu threads, %s%s%s\n",
                scenario->name.c_str(), static_cast<unsigned long long>(scenario->sessions()),
                info.shard.c_str(), threads, target.c_str(),
                endpoint.transport == transports::Transport::mqtt ? "" : " over ",
                endpoint.transport == transports::Transport::mqtt ? "" : scenario->target.transport.c_str());
    std::fflush(stdout);
  }

  std::unique_ptr<MetricsServer> metrics_server;
  if (args.metrics_port != 0) {
    metrics_server = serve_run_metrics(args, registry, *scenario, *shard, embedded ? &hub : nullptr);
    if (!metrics_server) return kExitUsage;
  }

  // An iothub target's identities exist (or are made) before the first session connects.
  std::optional<IotHubRegistry> iothub_registry;
  if (iothub) {
    options.service = iothub_service_endpoint(*scenario);
    iothub_registry.emplace(*scenario, *shard, args.quiet, g_interrupted);
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    if (!iothub_registry->prepare(options.identity_keys)) {
      iothub_registry->cleanup();
      return kExitUnreachable;
    }
  }

  std::optional<sim::Fleet> fleet;
  try {
    fleet.emplace(*scenario, endpoint, registry, std::move(options));
  } catch (const tls::TlsError& e) {
    std::fprintf(stderr, "fleetsim: TLS client setup: %s\n", e.what());
    if (iothub_registry) iothub_registry->cleanup();
    return kExitUsage;
  }
  g_running_fleet.store(&*fleet);
  // A Ctrl-C during provisioning's last moments, before the fleet existed to be told.
  if (g_interrupted.load()) fleet->request_stop();
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const sim::RunOutcome outcome = fleet->run();
  g_running_fleet.store(nullptr);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  status.finish();
  hub.stop();
  if (iothub_registry) {
    iothub_registry->cleanup();
    info.provisioning = iothub_registry->provisioning();
  }

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
  if (scenario->fleet.auth == "sas") info.sas_renewals = outcome.sas_renewals;
  info.interrupted = outcome.stopped_early;
  if (outcome.stopped_early) info.notes.push_back("run interrupted before its duration");
  if (snapshot.schedule_lag.count() > 0 &&
      static_cast<double>(snapshot.schedule_lag.quantile_ns(0.99)) / 1e6 > metrics::kSaturatedLagP99Ms) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g", metrics::kSaturatedLagP99Ms);
    info.notes.push_back(std::string("schedule_lag p99 above ") + limit +
                         " ms: the simulator was saturated; latencies describe the tool, not the hub");
  }

  const std::vector<metrics::GateSpec> gate_specs = outputs->gate_specs();
  const auto gates = metrics::evaluate_gates(gate_specs, snapshot, info.duration_s);

  if (!args.quiet) std::fputs(metrics::format_summary(info, snapshot, gates).c_str(), stdout);
  if (!outputs->write(info, snapshot, gates, outcome.elapsed)) return kExitUsage;

  if (metrics_server) metrics_server->linger(args.metrics_linger_s);

  if (outcome.target_unreachable) {
    std::fprintf(stderr, "fleetsim: no session could connect to %s:%u over %s: %s\n",
                 endpoint.address.c_str(), static_cast<unsigned>(endpoint.port),
                 scenario->target.transport.c_str(), outcome.first_connect_failure.c_str());
    return kExitUnreachable;
  }
  bool passed = !outcome.stopped_early;
  for (const auto& g : gates) passed = passed && g.passed;
  return passed ? kExitOk : kExitGateFailed;
}

}  // namespace fleetsim::app
