// The backend actor: the [[backend]] actions of a scenario (desired, method, c2d, query), made at
// their rate against the hub's service API over HTTPS, as the "backend app" of a real solution
// would (DESIGN.md "What is measured, exactly").
//
// It runs on the first host's io_context as coroutines: one schedule per action, one coroutine
// per call. Calls go out on a fixed schedule from the moment the ramp is over (every session of
// the shard past its open time, plus a one-second settle, so that calls do not hit identities
// that never connected); a call that falls due while the hub is slow still goes out, late, and
// the delay shows as schedule_lag. Each call takes a ServiceClient from a small pool (one request
// per client at a time) that grows up to kMaxServiceClients; beyond that a call is not queued but
// counted as an error (backend_saturated). A 429 is counted as throttled, and the action pauses for
// the answer's Retry-After (1 s without one).
//
// Targets are drawn with the seed from the shard's own sessions, so every correlation stays in
// the process: a desired PATCH's answer names the new $version, which is posted to the target
// session's thread (SessionHost::post_desired_expectation); a C2D message carries its send time
// (nanoseconds since the run's epoch) for the device to time it; methods and queries are timed
// here, from the request sent to the (last) answer.
//
// Thread safety: constructed before the run; everything else on the first host's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sim/plan.hpp"
#include "sim/session_host.hpp"
#include "sim/values.hpp"
#include "transports/http/service_client.hpp"

namespace fleetsim::sim {

inline constexpr std::size_t kMaxServiceClients = 32;
inline constexpr Duration kServiceRequestTimeout = std::chrono::seconds(10);  // desired, c2d, each query page
inline constexpr Duration kRampSettle = std::chrono::seconds(1);

// When the backend starts: the last session of the shard opens, plus kRampSettle.
Duration backend_start_time(const Scenario& scenario, std::uint32_t shard_count, std::uint64_t sessions);

class BackendActor final : public HostTask {
 public:
  // `hosts`: every host of the fleet; session k of the shard lives on hosts[k % hosts.size()] at
  // slot k / hosts.size(). The actor runs on hosts[0] (attach it there). `tls` is required when
  // endpoint.tls and must outlive the actor.
  BackendActor(const FleetPlan& plan, transports::http::ServiceEndpoint endpoint, const tls::TlsContext* tls,
               std::vector<SessionHost*> hosts, Duration start_at);
  ~BackendActor() override;

  void start() override;
  void begin_drain(Duration now) override;
  void end_drain(Duration now) override;
  bool finished() const noexcept override {
    return started_ && draining_ && schedules_ == 0 && in_flight_ == 0;
  }

  // Any thread: true once the actor has drained (no schedule, no call in flight). The fleet
  // keeps the devices connected until then, so the last calls find their targets online.
  bool drained() const noexcept { return drained_.load(std::memory_order_acquire); }

  // After the run: query pages received.
  std::uint64_t query_pages() const noexcept { return query_pages_; }

 private:
  struct Action;
  using Client = transports::http::ServiceClient;

  boost::asio::awaitable<void> schedule(Action& action);
  void launch(Action& action);
  boost::asio::awaitable<void> call(Action& action, Client& client, std::uint64_t k);
  boost::asio::awaitable<void> call_desired(Action& action, Client& client, std::uint64_t k);
  boost::asio::awaitable<void> call_method(Action& action, Client& client, std::uint64_t k);
  boost::asio::awaitable<void> call_c2d(Action& action, Client& client, std::uint64_t k);
  boost::asio::awaitable<void> call_query(Action& action, Client& client);
  // Sends one request of `action`; false, with the failure counted, unless it was answered as
  // a success (transport errors and the drain's end included).
  boost::asio::awaitable<bool> exchange(Action& action, Client& client, const transports::http::Request& request,
                                        transports::http::Response& response, Duration timeout);
  // A call that failed: counted for every operation it stood for; 429 pauses the action.
  void fail(Action& action, metrics::Outcome outcome, std::chrono::milliseconds retry_after = {});
  // A transport failure (or the drain's end) as an outcome.
  metrics::Outcome transport_outcome(const boost::system::error_code& ec) const noexcept;
  std::uint64_t draw_target(Action& action);
  Client* acquire();
  void release(Client* client);
  void check_finished();
  SessionHost& home() const noexcept { return *hosts_.front(); }

  const FleetPlan* plan_;
  transports::http::ServiceEndpoint endpoint_;
  const tls::TlsContext* tls_;
  std::vector<SessionHost*> hosts_;
  Duration start_at_;
  std::vector<std::unique_ptr<Action>> actions_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<Client*> idle_clients_;
  std::uint64_t shard_devices_ = 0;
  std::uint64_t query_pages_ = 0;
  std::uint64_t c2d_sent_ = 0;
  std::size_t schedules_ = 0;
  std::size_t in_flight_ = 0;
  bool started_ = false;
  bool draining_ = false;
  bool expired_ = false;  // the drain's grace is over: answers still coming count as timeouts
  std::atomic<bool> drained_{false};
};

}  // namespace fleetsim::sim
