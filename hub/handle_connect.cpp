// CONNECT: "Hub choice, checks in order" of reference 2.2, answered per 2.3. A refusal is always
// a CONNACK followed by closing, never a silent drop (8.3: SDKs tell the reasons apart only by
// the CONNACK code). Credentials by the identity's kind (1.6): a SAS token in the password, or
// for X.509 identities an empty password and the TLS client certificate.
//
// With a tier, an authenticated CONNECT over the connection rate (5.1) is refused with CONNACK 3,
// server unavailable (hub choice of 2.3 and 5.2: SDKs retry it). Refusals for bad credentials
// take no token: they answer 4 or 5 whatever the rate, which tells a user more.
#include <array>
#include <chrono>

#include "hub/handlers.hpp"
#include "hub/replies.hpp"
#include "hub/username.hpp"
#include "hub/x509_auth.hpp"
#include "transports/iothub/sas.hpp"
#include "transports/stream/stream.hpp"

namespace fleetsim::hub {
namespace {

Verdict refuse(HubContext& hub, mqtt::ConnackCode code, Output& out) {
  bump(hub.counters.connects_refused);
  append_packet(out, mqtt::Connack{false, code});
  return Verdict::close;
}

// {host}/devices/{d}[/modules/{m}] into a reused string, so a CONNECT does not allocate.
std::string_view required_scope(HubContext& hub, const Identity& identity) {
  std::string& scope = hub.scope_scratch;
  scope.assign(hub.host_name).append("/devices/").append(identity.device_id());
  if (identity.is_module()) scope.append("/modules/").append(identity.module_id());
  return scope;
}

}  // namespace

Verdict handle_connect(HubContext& hub, Connection& connection, const mqtt::Connect& connect,
                       twin::Timestamp now, Output& out) {
  using mqtt::ConnackCode;
  if (connect.protocol_level != 4) return refuse(hub, ConnackCode::unacceptable_protocol_version, out);

  const auto username = connect.username ? parse_username(*connect.username) : std::nullopt;
  if (!username || !host_matches(hub.host_name, username->host) ||
      !names_client_id(*username, connect.client_id)) {
    return refuse(hub, ConnackCode::not_authorized, out);
  }
  Identity* identity = hub.registry.find(connect.client_id);
  if (identity == nullptr || !identity->enabled) return refuse(hub, ConnackCode::not_authorized, out);

  std::uint64_t sas_expiry_s = 0;
  if (identity->auth == AuthKind::sas) {
    if (!connect.password) return refuse(hub, ConnackCode::bad_username_or_password, out);
    const std::string_view token = mqtt::as_string(*connect.password);
    std::array<std::string_view, 2> keys{identity->primary_key, identity->secondary_key};
    const std::size_t key_count = identity->secondary_key.empty() ? 1 : 2;
    const auto verdict = iothub::verify_sas_token(token, std::span(keys.data(), key_count), unix_seconds(now),
                                                  required_scope(hub, *identity));
    if (verdict != iothub::SasVerdict::valid) return refuse(hub, ConnackCode::not_authorized, out);
    sas_expiry_s = iothub::parse_sas_token(token)->expiry;
  } else {
    // An X.509 identity has no keys: a token in the password cannot be checked, so it is refused
    // rather than ignored.
    if (connect.password && !connect.password->empty()) return refuse(hub, ConnackCode::not_authorized, out);
    transports::PeerCertificate certificate;
    if (!connection.peer_certificate(certificate) ||
        verify_client_certificate(*identity, certificate) != CertificateVerdict::accepted) {
      return refuse(hub, ConnackCode::not_authorized, out);
    }
  }

  if (hub.throttle.enabled()) {
    if (hub.throttle.admit(ThrottleClass::connect, 1, now).admission != Admission::admitted) {
      bump(hub.counters.throttled_connects);
      return refuse(hub, ConnackCode::server_unavailable, out);
    }
    // PUBACKs still held for an earlier session of this identity have no one to go to.
    if (hub.throttle.holding()) hub.throttle.forget_held(identity);
  }

  // One connection per identity (2.4): the older one is closed without DISCONNECT.
  if (identity->connection != nullptr && identity->connection != &connection) {
    identity->connection->close();
  }
  identity->connection = &connection;
  SessionState& session = connection.session();
  session.identity = identity;
  session.subscriptions = 0;
  session.keep_alive_s = connect.keep_alive_s;
  session.sas_expiry_s = sas_expiry_s;
  bump(hub.counters.connects_accepted);
  append_packet(out, mqtt::Connack{false, ConnackCode::accepted});
  return Verdict::keep_open;
}

}  // namespace fleetsim::hub
