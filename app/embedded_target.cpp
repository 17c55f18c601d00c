#include "app/embedded_target.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace fleetsim::app {

std::optional<sim::X509Identities> prepare_x509_identities(const sim::Scenario& scenario, const Shard& shard,
                                                           bool quiet) {
  if (scenario.fleet.auth != "x509") return std::nullopt;
  const auto started = std::chrono::steady_clock::now();
  auto identities = sim::X509Identities::load_or_create(scenario, shard.index, shard.count,
                                                        sim::X509Identities::default_cache_root());
  if (!quiet) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("x509: %zu identities %s in %.2f s (%s)\n", identities.size(),
                identities.loaded_from_cache() ? "loaded" : "made", seconds, identities.directory().c_str());
  }
  return identities;
}

hub::HubConfig embedded_hub_config(const sim::Scenario& scenario, const sim::X509Identities* identities) {
  hub::HubConfig config;
  switch (transports::parse_transport(scenario.target.transport).value_or(transports::Transport::mqtt)) {
    case transports::Transport::mqtt:
      break;
    case transports::Transport::mqtt_tls:
      config.mqtts_port = 0;
      break;
    case transports::Transport::mqtt_ws:
      config.http_port = 0;
      break;
    case transports::Transport::mqtt_wss:
      config.https_port = 0;
      break;
  }
  // The backend actor speaks HTTPS to the service API, as it would to IoT Hub.
  if (!scenario.backends.empty()) config.https_port = 0;
  if (identities != nullptr) config.client_ca_files.push_back(identities->ca_file());
  return config;
}

void start_embedded_hub(hub::Hub& hub, const sim::Scenario& scenario, const Shard& shard, bool x509) {
  sim::for_each_identity(scenario, shard.index, shard.count,
                         [&](std::string_view device, std::string_view module, std::string_view key) {
                           const hub::Authentication auth = x509
                                                                ? hub::Authentication::certificate_authority()
                                                                : hub::Authentication::sas(key);
                           if (module.empty()) {
                             hub.add_device(device, auth);
                           } else {
                             hub.add_module(device, module, auth);
                           }
                         });
  hub.start();
}

sim::Endpoint embedded_endpoint(const hub::Hub& hub, const sim::Scenario& scenario) {
  sim::Endpoint endpoint;
  endpoint.host_name = hub.host_name();
  endpoint.address = "127.0.0.1";
  endpoint.transport =
      transports::parse_transport(scenario.target.transport).value_or(transports::Transport::mqtt);
  switch (endpoint.transport) {
    case transports::Transport::mqtt:
      endpoint.port = hub.mqtt_port();
      break;
    case transports::Transport::mqtt_tls:
      endpoint.port = hub.mqtts_port();
      break;
    case transports::Transport::mqtt_ws:
      endpoint.port = hub.http_port();
      break;
    case transports::Transport::mqtt_wss:
      endpoint.port = hub.https_port();
      break;
  }
  endpoint.ca_file = scenario.target.ca_file.empty() ? hub.ca_file() : scenario.target.ca_file;
  endpoint.tls_verify = scenario.target.tls_verify;
  return endpoint;
}

transports::http::ServiceEndpoint embedded_service_endpoint(hub::Hub& hub) {
  transports::http::ServiceEndpoint endpoint;
  std::string error;
  // The hub made the string from its own policy: it always parses.
  if (!transports::http::parse_service_connection_string(hub.service_connection_string(), endpoint, error)) {
    throw std::runtime_error("the hub's service connection string: " + error);
  }
  endpoint.address = "127.0.0.1";
  endpoint.port = hub.https_port();
  endpoint.tls = true;
  return endpoint;
}

}  // namespace fleetsim::app
