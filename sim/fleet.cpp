#include "sim/fleet.hpp"

#include <malloc.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "sim/backend.hpp"
#include "sim/session_host.hpp"

namespace fleetsim::sim {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(20);
// After the backend's last answer, what it caused (a desired notification, the acknowledging
// reported patch) still has to reach the devices before they disconnect.
constexpr auto kBackendSettle = std::chrono::milliseconds(200);
constexpr auto kTickInterval = std::chrono::seconds(1);

// The target as an address; a name is resolved here, once, on the caller's thread (never on an
// event-loop thread). nullopt when it cannot be resolved.
std::optional<boost::asio::ip::tcp::endpoint> resolve_target(const Endpoint& endpoint) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(endpoint.address, ec);
  if (!ec) return boost::asio::ip::tcp::endpoint(address, endpoint.port);
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  const auto results = resolver.resolve(endpoint.address, std::to_string(endpoint.port), ec);
  if (ec || results.empty()) return std::nullopt;
  return results.begin()->endpoint();
}

}  // namespace

Fleet::Fleet(const Scenario& scenario, Endpoint endpoint, metrics::Registry& metrics, FleetOptions options)
    : scenario_(scenario),
      endpoint_(std::move(endpoint)),
      metrics_(&metrics),
      options_(std::move(options)),
      plan_(make_fleet_plan(scenario_, options_.shard_index,
                            std::max<std::uint32_t>(1, options_.shard_count))) {
  if (transports::uses_tls(endpoint_.transport)) {
    tls::ClientOptions tls_options;
    tls_options.ca_file = endpoint_.ca_file;
    tls_options.verify = endpoint_.tls_verify;
    tls_.emplace(tls::TlsContext::client(tls_options));
  }
  if (options_.identities != nullptr &&
      (!tls_ ||
       options_.identities->size() != shard_session_count(scenario_, plan_.shard_index, plan_.shard_count))) {
    throw std::invalid_argument("X.509 identities need a TLS transport and one certificate per session");
  }
  if (!scenario_.backends.empty()) {
    if (!options_.service) throw std::invalid_argument("[[backend]] actions need the hub's service endpoint");
    if (options_.service->tls) {
      tls::ClientOptions tls_options;
      tls_options.ca_file = endpoint_.ca_file;
      tls_options.verify = endpoint_.tls_verify;
      service_tls_.emplace(tls::TlsContext::client(tls_options));
    }
  }
}

Fleet::~Fleet() = default;

RunOutcome Fleet::run() {
  RunOutcome outcome;
  outcome.sessions = shard_session_count(scenario_, plan_.shard_index, plan_.shard_count);
  const auto target = resolve_target(endpoint_);
  if (!target) {
    outcome.sessions_failed = outcome.sessions;
    outcome.target_unreachable = outcome.sessions > 0;
    outcome.first_connect_failure = "cannot resolve " + endpoint_.address;
    return outcome;
  }

  const std::size_t threads = std::max<std::size_t>(1, std::min(options_.threads, metrics_->thread_count()));
  FleetCounters counters;
  // C2D messages sent in the run's last kC2dSettle may meet devices already draining: not counted.
  counters.c2d.cutoff = scenario_.duration - kC2dSettle;
  ConnectTarget connect_target;
  connect_target.address = *target;
  connect_target.host_name = endpoint_.host_name;
  connect_target.transport = endpoint_.transport;
  connect_target.tls = tls_ ? &*tls_ : nullptr;
  connect_target.identities = options_.identities;
  connect_target.identity_keys = &options_.identity_keys;
  std::vector<std::unique_ptr<SessionHost>> hosts;
  hosts.reserve(threads);
  for (std::size_t t = 0; t < threads; ++t) {
    hosts.push_back(std::make_unique<SessionHost>(plan_, connect_target, metrics_->thread(t), counters,
                                                  options_.drain_grace));
  }
  // Round-robin, so each thread gets an even share of the ramp; which thread a session lands on
  // changes nothing it does (its seeds come from its global index).
  for (std::uint64_t k = 0; k < outcome.sessions; ++k) hosts[k % threads]->add_session(k);
  // The backend actor lives on the first thread and finds session k at hosts[k % threads], slot
  // k / threads, as the round-robin above placed it.
  std::unique_ptr<BackendActor> backend;
  if (!scenario_.backends.empty()) {
    std::vector<SessionHost*> all_hosts;
    for (auto& host : hosts) all_hosts.push_back(host.get());
    const Duration start_at = backend_start_time(scenario_, plan_.shard_count, outcome.sessions);
    backend = std::make_unique<BackendActor>(plan_, *options_.service,
                                             service_tls_ ? &*service_tls_ : nullptr, std::move(all_hosts),
                                             start_at);
    hosts.front()->attach(*backend);
  }

  const auto epoch = Clock::now();
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (auto& host : hosts) workers.emplace_back([&host, epoch] { host->run(epoch); });

  bool draining = false;
  bool sessions_draining = false;
  std::chrono::nanoseconds drain_started{0};
  bool trimmed = false;
  auto next_tick = kTickInterval;
  for (;;) {
    std::this_thread::sleep_for(kPollInterval);
    const auto elapsed = Clock::now() - epoch;
    // A fleet whose every session failed its first connect (a wrong CA, no listener) has nothing
    // left to do: it ends now instead of waiting out the duration.
    const bool all_failed =
        outcome.sessions > 0 && counters.failed.load(std::memory_order_relaxed) == outcome.sessions;
    if (!draining &&
        (stop_requested_.load(std::memory_order_relaxed) || elapsed >= scenario_.duration || all_failed)) {
      draining = true;
      outcome.stopped_early = !all_failed && elapsed < scenario_.duration;
      drain_started = elapsed;
      // The backend stops first: its calls in flight (a method waiting for its device, a desired
      // patch on its way) must not meet devices that already disconnected. The devices drain
      // once it is idle, or after the drain grace at the latest.
      if (backend) hosts.front()->request_task_drain();
    }
    if (draining && !sessions_draining &&
        (!backend || backend->drained() || elapsed - drain_started >= options_.drain_grace)) {
      sessions_draining = true;
      if (backend && !backend->drained()) {
        hosts.front()->request_task_expiry();  // the grace is spent: its calls timed out
      } else if (backend) {
        std::this_thread::sleep_for(kBackendSettle);
      }
      for (auto& host : hosts) host->request_drain();
    }
    if (std::all_of(hosts.begin(), hosts.end(), [](const auto& h) { return h->done(); })) break;
    // The ramp's handshakes (TLS above all: tens of KB each while in progress) leave freed heap
    // behind that glibc keeps as resident memory; once every session has made its first attempt
    // it goes back to the system, so RSS shows what the connected fleet holds.
    if (!trimmed && counters.ever_connected.load(std::memory_order_relaxed) +
                            counters.failed.load(std::memory_order_relaxed) >=
                        outcome.sessions) {
      trimmed = true;
      malloc_trim(0);
    }
    if (options_.on_tick && elapsed >= next_tick) {
      options_.on_tick(elapsed);
      next_tick += kTickInterval;
    }
  }
  for (auto& worker : workers) worker.join();
  outcome.elapsed = Clock::now() - epoch;

  outcome.sessions_connected_peak = static_cast<std::uint64_t>(counters.connected_peak.load());
  outcome.sessions_failed = counters.failed.load();
  const std::int64_t ramp_ns = counters.ramp_last_connack_ns.load() - counters.ramp_first_start_ns.load();
  if (counters.ever_connected.load() > 0 && ramp_ns > 0) {
    outcome.connects_per_s = static_cast<double>(counters.ever_connected.load()) / (static_cast<double>(ramp_ns) / 1e9);
  }
  outcome.target_unreachable = counters.ever_connected.load() == 0 && counters.connect_failures.load() > 0;
  outcome.first_connect_failure = counters.first_connect_failure();
  outcome.sas_renewals = counters.sas_renewals.load();
  outcome.tls_resumptions = counters.tls_resumed.load();
  if (backend) outcome.backend_query_pages = backend->query_pages();
  // The cutoff assumes the run ended on schedule; an early stop drains devices before it.
  if (!outcome.stopped_early) record_lost_c2d(metrics_->thread(0), counters.c2d);
  return outcome;
}

}  // namespace fleetsim::sim
