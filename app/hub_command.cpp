// `fleetsim hub`: the embedded hub as a standalone process (a local IoT Hub emulator, or a
// docker-compose service): listeners on the given ports, its own CA and server certificate in
// --data unless --cert/--key are given, until SIGINT or SIGTERM.
#include <pthread.h>
#include <signal.h>

#include <charconv>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>

#include "app/commands.hpp"
#include "app/metrics_server.hpp"
#include "hub/hub.hpp"

namespace fleetsim::app {
namespace {

// A port flag: a number (0 picks a free port), or "off". `zero_is_off` for --http-port, whose
// 0 means no listener.
bool parse_port(const char* flag, const std::string& text, bool zero_is_off,
                std::optional<std::uint16_t>& port) {
  if (text == "off") {
    port.reset();
    return true;
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > 65535) {
    std::fprintf(stderr, "fleetsim hub: %s %s: expected a port number (0-65535) or 'off'\n", flag,
                 text.c_str());
    return false;
  }
  if (value == 0 && zero_is_off) {
    port.reset();
  } else {
    port = static_cast<std::uint16_t>(value);
  }
  return true;
}

void print_listener(const char* name, std::uint16_t port, const std::string& address, const char* what) {
  if (port == 0) return;
  std::printf("%-5s listening on %s:%u (%s)\n", name, address.c_str(), static_cast<unsigned>(port), what);
}

}  // namespace

int hub_command(const HubArgs& args) {
  hub::HubConfig config;
  config.host_name = args.host_name;
  config.bind_address = args.bind;
  config.cert_file = args.cert_file;
  config.key_file = args.key_file;
  config.data_dir = args.data_dir;
  if (!parse_port("--mqtt-port", args.mqtt_port, false, config.mqtt_port) ||
      !parse_port("--mqtts-port", args.mqtts_port, false, config.mqtts_port) ||
      !parse_port("--https-port", args.https_port, false, config.https_port) ||
      !parse_port("--http-port", args.http_port, true, config.http_port)) {
    return kExitUsage;
  }
  if (args.cert_file.empty() != args.key_file.empty()) {
    std::fprintf(stderr, "fleetsim hub: --cert and --key go together\n");
    return kExitUsage;
  }
  if (!config.mqtt_port && !config.mqtts_port && !config.http_port && !config.https_port) {
    std::fprintf(stderr, "fleetsim hub: every listener is off\n");
    return kExitUsage;
  }

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
  }
  // After the signal mask: the metrics server's threads inherit it.
  std::unique_ptr<MetricsServer> metrics_server;
  if (args.metrics_port != 0) {
    const std::string& address = args.metrics_address.empty() ? config.bind_address : args.metrics_address;
    metrics_server = serve_hub_metrics(address, args.metrics_port, hub);
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
