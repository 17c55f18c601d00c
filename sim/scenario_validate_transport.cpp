// Rules of the transport and authentication keys: target.transport, target.ca_file,
// target.tls_verify (which an iothub target's service API uses too), fleet.auth and fleet.sas_ttl.
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "sim/scenario_validate.hpp"

namespace fleetsim::sim::detail {
namespace {

// A token renewed min(ttl/5, 5 min) before expiry by a reconnection: below this, sessions would
// spend their life reconnecting.
constexpr Duration kMinSasTtl = std::chrono::seconds(5);

bool tls_transport(std::string_view transport) {
  return transport == "mqtt-tls" || transport == "mqtt-wss";
}

// A relative ca_file written in the scenario is relative to the scenario's folder, so the file
// runs from anywhere; one given with --set is relative to the current directory, like any other
// command-line path.
void resolve_ca_file(LoadContext& cx, Target& target) {
  namespace fs = std::filesystem;
  fs::path path(target.ca_file);
  if (path.is_relative() && cx.value_at("target.ca_file").file != "--set") {
    path = fs::path(cx.file()).parent_path() / path;
  }
  std::ifstream in(path);
  if (!in) {
    cx.error(cx.value_at("target.ca_file"),
             "ca_file: cannot read " + path.string() + ": " + std::strerror(errno));
    return;
  }
  target.ca_file = path.string();
}

}  // namespace

void validate_transport(LoadContext& cx, Scenario& s) {
  const bool transport_known = !cx.failed("target.transport");
  const bool tls = tls_transport(s.target.transport);
  // An iothub target also speaks HTTPS to the service API, whatever the devices' transport.
  const bool service_tls = s.target.kind == "iothub" && !cx.failed("target.kind");
  if (!s.target.ca_file.empty() && !cx.failed("target.ca_file")) {
    if (tls || service_tls) resolve_ca_file(cx, s.target);
    if (transport_known && !tls && !service_tls) {
      cx.warning(cx.value_at("target.ca_file"),
                 "ca_file has no effect: target.transport = \"" + s.target.transport + "\" does not use TLS");
    }
  }
  if (!s.target.tls_verify && transport_known && !tls && !service_tls && !cx.failed("target.tls_verify")) {
    cx.warning(cx.value_at("target.tls_verify"), "tls_verify has no effect: target.transport = \"" +
                                                     s.target.transport + "\" does not use TLS");
  }
  if (s.fleet.auth == "x509" && transport_known && !tls && !cx.failed("fleet.auth")) {
    cx.error(cx.value_at("fleet.auth"),
             "auth = \"x509\" needs a TLS transport (target.transport = \"mqtt-tls\" or \"mqtt-wss\"): the "
             "certificate is presented in the TLS handshake, found target.transport = \"" +
                 s.target.transport + "\"");
  }
  if (s.fleet.sas_ttl < kMinSasTtl && !cx.failed("fleet.sas_ttl")) {
    cx.error(cx.value_at("fleet.sas_ttl"),
             "sas_ttl must be at least 5s (sessions renew their token by "
             "reconnecting before it expires), found " +
                 format_duration(s.fleet.sas_ttl));
  }
}

}  // namespace fleetsim::sim::detail
