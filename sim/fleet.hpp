// The fleet: every session of one shard, spread over one io_context per thread, run for the
// scenario's duration and drained. The executable's entry point into the simulator.
//
// The constructor makes the fleet's TLS client context when the transport uses TLS (one SSL_CTX
// shared by every session of every thread) and throws tls::TlsError when it cannot (an
// unreadable ca_file): a configuration error, unlike a failed handshake, which counts as a
// failed connect and is reported in RunOutcome::first_connect_failure.
//
// With [[backend]] entries, the backend actor (sim/backend.hpp) runs on the first thread and
// FleetOptions::service must be set (std::invalid_argument otherwise).
//
// Thread safety: run() blocks its caller and must be called once; request_stop() may be called
// from any thread or a signal handler while run() runs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/operations.hpp"
#include "sim/plan.hpp"
#include "sim/scenario.hpp"
#include "sim/x509_identities.hpp"
#include "transports/http/service_client.hpp"
#include "transports/stream/stream.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::sim {

struct Endpoint {
  // HostName in usernames and SAS tokens; also the TLS server name (SNI and certificate check)
  // and the WebSocket Host.
  std::string host_name = "localhost";
  std::string address = "127.0.0.1";  // where to connect (an IP, or a name resolved once)
  std::uint16_t port = 0;
  transports::Transport transport = transports::Transport::mqtt;
  // TLS transports: CAs trusted besides the system store (PEM), and whether the server's
  // certificate is checked at all (false: any server is accepted; the report says so).
  std::string ca_file;
  bool tls_verify = true;
};

struct FleetOptions {
  std::size_t threads = 1;  // one io_context + thread each; metrics::Registry must have this many entries
  std::uint32_t shard_index = 0, shard_count = 1;
  std::chrono::nanoseconds drain_grace = std::chrono::seconds(5);
  // fleet.auth = "x509": the shard's certificates (must outlive the fleet).
  const X509Identities* identities = nullptr;
  // Called about once a second from the thread that called run().
  std::function<void(std::chrono::nanoseconds elapsed)> on_tick;
  // The service API the [[backend]] actions use (embedded: the hub's HTTPS listener with the
  // iothubowner policy; iothub: the scenario's connection string). TLS trusts Endpoint::ca_file
  // and follows Endpoint::tls_verify. Required when the scenario has [[backend]] entries.
  std::optional<transports::http::ServiceEndpoint> service;
  // SAS keys of the shard's sessions, indexed like shard_session() (k = 0 .. sessions - 1), when
  // the target's registry chose them (iothub with provision = false); empty: identity_key().
  std::vector<std::string> identity_keys;
};

struct RunOutcome {
  std::chrono::nanoseconds elapsed{0};  // wall time from start to the end of the drain
  std::uint64_t sessions = 0;           // sessions in this shard
  std::uint64_t sessions_connected_peak = 0;
  std::uint64_t sessions_failed = 0;  // never connected
  double connects_per_s = 0;          // sessions connected / (first connect start .. last first CONNACK)
  bool stopped_early = false;         // request_stop() before duration
  bool target_unreachable = false;    // no session ever connected and connects failed
  std::string first_connect_failure;  // the first failed connect in words, e.g. OpenSSL's reason
  std::uint64_t sas_renewals = 0;     // reconnections made to renew a SAS token before it expired
  std::uint64_t tls_resumptions = 0;  // TLS handshakes that resumed the session's previous TLS session
  std::uint64_t backend_query_pages = 0;  // pages the [[backend]] queries received
};

class Fleet {
 public:
  // Copies the scenario; `metrics` must outlive the fleet and have options.threads entries.
  Fleet(const Scenario& scenario, Endpoint endpoint, metrics::Registry& metrics, FleetOptions options);
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  // Blocks: starts the threads, runs ramp + behaviours for scenario.duration, drains, joins.
  RunOutcome run();
  // Async-signal-safe (an atomic store): ends the run early, still draining and returning normally.
  void request_stop() noexcept { stop_requested_.store(true, std::memory_order_relaxed); }

 private:
  Scenario scenario_;
  Endpoint endpoint_;
  metrics::Registry* metrics_;
  FleetOptions options_;
  FleetPlan plan_;
  std::optional<tls::TlsContext> tls_;
  std::optional<tls::TlsContext> service_tls_;  // the [[backend]] actions' HTTPS client context
  std::atomic<bool> stop_requested_{false};
};

}  // namespace fleetsim::sim
