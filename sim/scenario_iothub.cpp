#include "sim/scenario_iothub.hpp"

#include <array>
#include <cstdlib>
#include <string>

#include <boost/asio/ip/address.hpp>

#include "transports/http/service_client.hpp"

namespace fleetsim::sim::detail {
namespace {

constexpr std::array<std::string_view, 3> kIotHubOnlyKeys = {"provision", "cleanup", "service_port"};
constexpr std::string_view kEnvPrefix = "env:";
constexpr std::string_view kExpectedForm = "HostName=...;SharedAccessKeyName=...;SharedAccessKey=...";

bool plain_transport(std::string_view transport) {
  return transport == "mqtt" || transport == "mqtt-ws";
}

std::uint16_t default_port(std::string_view transport) {
  if (transport == "mqtt-wss") return 443;
  if (transport == "mqtt-ws") return 80;
  if (transport == "mqtt") return 1883;
  return 8883;
}

// A hub on this machine (fleetsim hub, say), which may listen without TLS; IoT Hub never does.
bool loopback(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

// Resolves "env:NAME" and checks the string is a service connection string; fills `service`.
bool resolve_connection_string(LoadContext& cx, Target& target, transports::http::ServiceEndpoint& service) {
  const std::string path = "target.connection_string";
  std::string origin;
  if (target.connection_string.starts_with(kEnvPrefix)) {
    const std::string name = target.connection_string.substr(kEnvPrefix.size());
    const char* env = name.empty() ? nullptr : std::getenv(name.c_str());
    if (env == nullptr || *env == '\0') {
      cx.error(cx.value_at(path), "connection_string = " + quoted(target.connection_string) +
                                      ": environment variable " + quoted(name) + " is not set");
      return false;
    }
    origin = " (from environment variable " + quoted(name) + ")";
    target.connection_string = env;
  }
  std::string error;
  if (!transports::http::parse_service_connection_string(target.connection_string, service, error)) {
    // The string itself holds a key: the message says what is wrong, never the text.
    cx.error(cx.value_at(path), "connection_string" + origin + " is not a service connection string: " +
                                    error + "; expected " + quoted(kExpectedForm));
    return false;
  }
  return true;
}

}  // namespace

void parse_iothub_target_keys(TableReader& r, Target& target) {
  LoadContext& cx = r.context();
  if (const auto v = r.boolean("cleanup")) target.cleanup = *v;
  if (const auto v = r.integer("service_port")) {
    if (*v >= 1 && *v <= 65535)
      target.service_port = static_cast<std::uint16_t>(*v);
    else
      r.error("service_port", "service_port must be between 1 and 65535, found " + std::to_string(*v));
  }
  if (cx.failed("target.kind")) return;
  if (target.kind != "iothub") {
    for (const std::string_view key : kIotHubOnlyKeys) {
      if (r.get(key) != nullptr && !cx.failed(r.path(key))) {
        cx.warning(cx.key_at(r.path(key)),
                   "target." + std::string(key) +
                       " has no effect: it is a key of target.kind = \"iothub\"; this "
                       "target is " +
                       quoted(target.kind));
      }
    }
    if (target.kind == "embedded" && r.get("connection_string") != nullptr) {
      cx.warning(cx.key_at(r.path("connection_string")),
                 "target.connection_string has no effect: the embedded hub is started for the run");
    }
    return;
  }
  // IoT Hub's defaults differ from a broker's; the host comes from the connection string.
  if (r.get("transport") == nullptr) target.transport = "mqtt-tls";
  if (r.get("host") == nullptr) target.host.clear();
  if (r.get("port") == nullptr) target.port = 0;
}

void validate_iothub_target(LoadContext& cx, Scenario& s) {
  if (s.target.kind != "iothub" || cx.failed("target.kind")) return;
  Target& target = s.target;
  transports::http::ServiceEndpoint service;
  bool hub_known = false;
  if (!cx.failed("target.connection_string")) {
    if (target.connection_string.empty()) {
      cx.error(cx.key_at("target.connection_string"),
               "target.kind = \"iothub\" needs connection_string: the hub's service connection string (" +
                   std::string(kExpectedForm) +
                   ", a policy with registry and service rights such as "
                   "iothubowner) or \"env:NAME\" to read it from environment variable NAME");
    } else {
      hub_known = resolve_connection_string(cx, target, service);
    }
  }
  if (target.host.empty() && hub_known) target.host = service.host_name;
  if (target.port == 0) target.port = default_port(target.transport);

  const bool transport_known = !cx.failed("target.transport");
  if (transport_known && plain_transport(target.transport) && !target.host.empty() &&
      !loopback(target.host)) {
    cx.error(cx.value_at("target.transport"),
             "transport = " + quoted(target.transport) +
                 " with target.kind = \"iothub\": IoT Hub accepts only "
                 "TLS (\"mqtt-tls\" or \"mqtt-wss\"); plain transports are for a hub on a loopback address "
                 "(target.host = \"127.0.0.1\"), such as fleetsim hub, found host " +
                 quoted(target.host));
  }
  if (s.fleet.auth == "x509" && transport_known && !plain_transport(target.transport) &&
      !cx.failed("fleet.auth")) {
    cx.error(
        cx.value_at("fleet.auth"),
        "fleet.auth = \"x509\" with target.kind = \"iothub\": not supported yet (provisioning would have "
        "to register the fleet's CA or every certificate's thumbprint); use auth = \"sas\"");
  }
  refuse_c2d_against_iothub(cx, s);
}

void refuse_c2d_against_iothub(LoadContext& cx, const Scenario& s) {
  for (std::size_t i = 0; i < s.backends.size(); ++i) {
    const std::string path = "backend." + std::to_string(i) + ".action";
    if (s.backends[i].action != "c2d" || cx.failed(path)) continue;
    cx.error(cx.value_at(path),
             "[[backend]] action = \"c2d\" with target.kind = \"iothub\": c2d against a real IoT Hub needs "
             "AMQP, which fleetsim does not speak yet");
  }
}

}  // namespace fleetsim::sim::detail
