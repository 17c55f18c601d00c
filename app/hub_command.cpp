// `fleetsim hub`: the embedded hub as a standalone process (a local IoT Hub emulator, or a
// docker-compose service): listeners on the given ports, its own CA and server certificate in
// --data unless --cert/--key are given, until SIGINT or SIGTERM. Settings from flags, --config
// HUB.toml and defaults (app/hub_config.hpp); with --tier the throttles of that IoT Hub tier.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/hub_config.hpp"
#include "app/metrics_server.hpp"
#include "hub/hub.hpp"
#include "hub/throttle.hpp"

namespace fleetsim::app {
namespace {

void print_listener(const char* name, std::uint16_t port, const std::string& address, const char* what) {
  if (port == 0) return;
  std::printf("%-5s listening on %s:%u (%s)\n", name, address.c_str(), static_cast<unsigned>(port), what);
}

// Flags over the config file over defaults; nullopt after printing every problem.
std::optional<HubLaunch> settings_of(const HubArgs& args) {
  std::vector<std::string> errors;
  HubSettings settings;
  if (!args.config_file.empty()) {
    auto from_file = load_hub_config(args.config_file, errors);
    if (from_file) settings = std::move(*from_file);
  }
  std::optional<HubLaunch> launch;
  if (errors.empty())
    launch = resolve_hub_settings(overlay(std::move(settings), settings_from_flags(args)), errors);
  for (const std::string& error : errors) std::fprintf(stderr, "fleetsim hub: %s\n", error.c_str());
  return launch;
}

void print_throttling(const hub::HubConfig& config) {
  if (!config.tier) {
    std::printf("throttling: off (--tier F1|B1|B2|B3|S1|S2|S3 --units N turns it on)\n");
    return;
  }
  std::printf("throttling: tier %s, %u unit%s: %s\n", std::string(hub::to_string(*config.tier)).c_str(),
              config.units, config.units == 1 ? "" : "s",
              hub::describe(hub::throttle_limits(*config.tier, config.units)).c_str());
}

void print_persistence(const hub::HubConfig& config) {
  if (config.persist_policy_keys) {
    std::printf("policy keys kept in %s/policies.json; identities are not kept (the registry is in memory)\n",
                config.data_dir.c_str());
  } else {
    std::printf("policy keys are new at every start (--data DIR keeps them); identities are not kept\n");
  }
}

}  // namespace

int hub_command(const HubArgs& args) {
  const std::optional<HubLaunch> launch = settings_of(args);
  if (!launch) return kExitUsage;
  const hub::HubConfig& config = launch->config;

  // Signals are taken by sigwait below; blocked before the hub's thread starts, so that thread
  // inherits the mask and never receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  hub::Hub hub(config);
  try {
    hub.start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fleetsim hub: cannot start: %s\n", e.what());
    return kExitUsage;
  }

  std::printf("fleetsim hub 0.1.0: host name %s\n", hub.host_name().c_str());
  print_listener("mqtt", hub.mqtt_port(), config.bind_address, "MQTT over TCP");
  print_listener("mqtts", hub.mqtts_port(), config.bind_address, "MQTT over TLS");
  print_listener("http", hub.http_port(), config.bind_address, "MQTT over WebSocket at /$iothub/websocket");
  print_listener("https", hub.https_port(), config.bind_address,
                 "MQTT over WebSocket over TLS at /$iothub/websocket");
  if (!hub.ca_file().empty()) {
    std::printf("CA file to trust: %s\n", hub.ca_file().c_str());
  } else if (!config.cert_file.empty() && (hub.mqtts_port() != 0 || hub.https_port() != 0)) {
    std::printf("TLS certificate: %s (trust its issuer)\n", config.cert_file.c_str());
  }
  if (hub.http_port() != 0 || hub.https_port() != 0) {
    std::printf("Service connection string: %s\n", hub.service_connection_string().c_str());
    print_persistence(config);
  }
  print_throttling(config);
  // After the signal mask: the metrics server's threads inherit it.
  std::unique_ptr<MetricsServer> metrics_server;
  if (launch->metrics_port != 0) {
    const std::string& address = launch->metrics_address;
    metrics_server = serve_hub_metrics(address, launch->metrics_port, hub);
    if (!metrics_server) return kExitUsage;
    print_listener("metrics", metrics_server->port(), address, "Prometheus at /metrics");
  }
  std::fflush(stdout);

  int received = 0;
  while (sigwait(&stop_signals, &received) != 0) {
  }
  std::fprintf(stderr, "fleetsim hub: %s, stopping\n", received == SIGINT ? "SIGINT" : "SIGTERM");
  hub.stop();
  return kExitOk;
}

}  // namespace fleetsim::app
