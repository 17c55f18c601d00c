// The embedded IoT Hub: identity registry, twin store and the MQTT device endpoint over TCP, TLS,
// WebSocket and WebSocket over TLS, with SAS and X.509 authentication
// (reference/iothub-protocol.md sections 1, 2 and 4), as used by the `fleetsim` executable (run
// and the standalone `fleetsim hub`) and by tests.
//
// Listeners (HubConfig ports: 0 picks a free port, nullopt disables one):
//   mqtt   MQTT over TCP (not in real IoT Hub; local tests)              on by default
//   mqtts  MQTT over TLS (IoT Hub: 8883)                                 off by default
//   http   HTTP: MQTT over WebSocket at /$iothub/websocket, REST hook    off by default
//   https  HTTPS: the same over TLS (IoT Hub: 443)                       off by default
// TLS listeners use cert_file/key_file, or else a local CA and server certificate the hub makes
// once in data_dir and reuses (ca_file() names the CA clients must trust).
//
// Threading: the hub runs ONE io_context on ONE thread of its own. The registry, the twins and
// every session live on that thread, so none of them needs a lock, and no simulator thread ever
// blocks on hub work; one thread serves tens of thousands of sessions at fleetsim's rates
// because each packet costs microseconds and idle sessions cost nothing but memory.
//
// Thread safety: start() and stop() belong to the owner and must not race with other calls.
// Every other member is safe from any thread: before start() (and after stop()) it acts
// directly; while running it runs on the hub thread and waits for the result (called from the
// hub thread itself, it runs inline).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "hub/registry.hpp"
#include "hub/throttle.hpp"
#include "twin/document.hpp"

namespace prometheus {
struct MetricFamily;
}

namespace fleetsim::hub {

struct HubConfig {
  std::string host_name = "localhost";  // HostName: usernames and SAS `sr` must name it
  std::string bind_address = "127.0.0.1";
  // Listener ports: 0 picks a free port, nullopt disables the listener.
  std::optional<std::uint16_t> mqtt_port = 0;
  std::optional<std::uint16_t> mqtts_port;
  std::optional<std::uint16_t> http_port;
  std::optional<std::uint16_t> https_port;
  // The TLS server certificate chain and key (PEM). Both empty: the hub's own, made in data_dir.
  std::string cert_file;
  std::string key_file;
  // Where the hub keeps its own CA and server certificate; empty: default_data_dir()
  // ($XDG_DATA_HOME/fleetsim/hub or ~/.local/share/fleetsim/hub). Used with TLS, and for the
  // policy keys with persist_policy_keys.
  std::string data_dir;
  // CAs (PEM files) whose signatures authenticate certificate_authority identities.
  std::vector<std::string> client_ca_files;
  std::size_t max_packet_size = 256 * 1024 + 4096;
  // A TLS handshake, and an HTTP request from its first byte, must complete within this.
  std::chrono::milliseconds handshake_timeout{10'000};
  // The throttles of a pricing tier (reference 5.1, hub/throttle.hpp): 429 on the service API,
  // CONNACK 3, twin res/429 and late PUBACKs over the rates of `units` units of `tier`, and 403010
  // for what Basic tiers lack. nullopt: no throttling. start() refuses units the tier cannot have
  // (0, or more than one F1 unit).
  std::optional<Tier> tier;
  unsigned units = 1;
  // PUBACKs held back at most at once (telemetry over the D2C rate); one more closes its connection.
  std::size_t max_held_pubacks = Throttle::default_held_limit;
  // Keep the shared access policies' keys in data_dir/policies.json (created at the first
  // start, read back at every later one), so the service connection string survives restarts.
  // false: fresh random keys per Hub. Identities are never kept: the registry lives in memory.
  bool persist_policy_keys = false;
};

struct HubContext;
struct HubRuntime;
class HubTls;

class Hub {
 public:
  explicit Hub(HubConfig config);
  ~Hub();  // stops if running
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Prepares TLS material when a TLS listener is enabled (throws tls::TlsError or
  // std::filesystem::filesystem_error), loads or stores the policy keys (persist_policy_keys;
  // throws std::runtime_error), sets up the throttles afresh (throws std::invalid_argument for
  // units the tier cannot have), binds every enabled listener (throws std::system_error) and
  // starts the hub's event-loop thread. Blocking: call it off any event loop.
  void start();
  // Closes every connection and joins the thread. The registry and twins are kept: a later
  // start() serves them again.
  void stop();
  // Bound ports, valid after start(); 0 for a disabled listener.
  std::uint16_t mqtt_port() const;
  std::uint16_t mqtts_port() const;
  std::uint16_t http_port() const;
  std::uint16_t https_port() const;
  const std::string& host_name() const;
  const std::string& bind_address() const;
  // After start() with a TLS listener and no cert_file: the PEM file of the CA that signed the
  // hub's server certificate, for clients to trust. Empty otherwise.
  const std::string& ca_file() const;
  // "HostName=...;SharedAccessKeyName=iothubowner;SharedAccessKey=..." for the service API
  // (REST on the http/https listeners). The policy keys are made when the hub is constructed,
  // or with persist_policy_keys read from (or first written to) data_dir by the first start().
  std::string service_connection_string();

  // Trusts `ca_pem` (PEM, one or more certificates) as an issuer of client certificates for
  // certificate_authority identities, from the next TLS handshake on. Throws tls::TlsError when
  // the PEM does not load; before start() it is only remembered (and checked at start()).
  void add_trusted_ca(std::string_view ca_pem);

  // Registry. false if the identity exists, an id is invalid (reference 1.1; module ids may not
  // start with '$'), a key is not base64, or (modules) the device does not exist.
  bool add_device(std::string_view device_id, std::string_view primary_key_b64,
                  std::string_view secondary_key_b64 = {});
  bool add_module(std::string_view device_id, std::string_view module_id, std::string_view primary_key_b64,
                  std::string_view secondary_key_b64 = {});
  // Any kind of identity: Authentication::sas(keys), ::self_signed(thumbprints) or
  // ::certificate_authority(). false as above, or for a malformed thumbprint.
  bool add_device(std::string_view device_id, const Authentication& authentication);
  bool add_module(std::string_view device_id, std::string_view module_id,
                  const Authentication& authentication);
  // module_id empty for the device itself. Disabling drops a live connection at once.
  bool set_enabled(std::string_view device_id, std::string_view module_id, bool enabled);

  // Merge-patches desired; pushes $iothub/twin/PATCH/properties/desired/?$version=v to the
  // identity's session if connected and subscribed to the desired filter. An unknown identity
  // is 404 / 404001 (404010 for a module).
  twin::Result update_desired(std::string_view device_id, std::string_view module_id,
                              const boost::json::value& patch);
  // The service view (tags, properties.desired/reported with $metadata and $version, etag,
  // version, deviceId[, moduleId], status, connectionState); nullopt for an unknown identity.
  std::optional<boost::json::object> twin_json(std::string_view device_id, std::string_view module_id);

  struct Stats {
    std::uint64_t connections_accepted, connections_open, connects_accepted, connects_refused,
        protocol_errors, forbidden_topics, telemetry_received, twin_gets, reported_patches, desired_pushed;
    std::uint64_t keep_alive_expired;      // sessions dropped for silence
    std::uint64_t slow_consumers;          // sessions dropped for unsent output above 1 MB
    std::uint64_t task_failures;           // connection or accept tasks ended by an exception
    std::uint64_t sas_expired;             // sessions closed because their SAS token expired
    std::uint64_t tls_handshake_failures;  // TLS server handshakes that failed or timed out
    std::uint64_t http_requests;           // HTTP requests answered by the REST hook
    std::uint64_t http_refused;            // malformed, oversized or refused-upgrade requests
    std::uint64_t websocket_upgrades;      // WebSocket upgrades accepted (each an MQTT session)
  };
  Stats stats() const;  // relaxed atomics: each counter is exact, the set is not a snapshot
  // The hub's Prometheus metrics (fleetsim_hub_*, hub/hub_metrics.cpp), from the same counters as
  // stats(); never waits for the hub thread.
  std::vector<prometheus::MetricFamily> metric_families() const;

 private:
  template <class Fn>
  auto on_hub_thread(Fn&& fn);

  HubConfig config_;
  std::unique_ptr<HubContext> context_;
  std::unique_ptr<HubRuntime> runtime_;  // io_context, endpoint, thread: only while running
  std::unique_ptr<HubTls> tls_;          // certificate files and trusted client CAs
  std::uint16_t ports_[4] = {};          // by listener: mqtt, mqtts, http, https
  bool policies_loaded_ = false;         // persist_policy_keys: done once, at the first start()
};

}  // namespace fleetsim::hub
