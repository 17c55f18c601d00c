// One event-loop thread of the fleet: its io_context, its sessions, the TimerQueue behind its one
// steady_timer, the buffers all its connections share, and its metrics::ThreadMetrics.
//
// Sessions call back into their host for time, deadlines, buffers and counters; nothing here is
// locked because everything but request_drain() and done() runs on the host's own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "metrics/operations.hpp"
#include "sim/c2d_ledger.hpp"
#include "sim/plan.hpp"
#include "sim/session.hpp"
#include "sim/timer_queue.hpp"
#include "sim/x509_identities.hpp"
#include "transports/mqtt/client_connection.hpp"
#include "transports/stream/stream.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::sim {

// Counters every host of a run shares. Touched once per connection (and per C2D message), never per
// telemetry or twin message.
struct FleetCounters {
  std::atomic<std::int64_t> connected_now{0};
  std::atomic<std::int64_t> connected_peak{0};
  std::atomic<std::uint64_t> ever_connected{0};    // sessions whose first CONNACK was accepted
  std::atomic<std::uint64_t> failed{0};            // sessions that never connected
  std::atomic<std::uint64_t> connect_failures{0};  // TCP, TLS and WebSocket failures, connect timeouts
  std::atomic<std::uint64_t> sas_renewals{0};      // reconnections to renew a SAS token
  std::atomic<std::uint64_t> tls_resumed{0};       // TLS handshakes that resumed a saved session
  C2dLedger c2d;                                   // C2D messages accepted by the hub and received, once each
  // The connect ramp as it happened (ns since the run's epoch): the earliest start of a session's
  // first successful connect, and its latest first CONNACK. Gives connects per second.
  std::atomic<std::int64_t> ramp_first_start_ns{INT64_MAX};
  std::atomic<std::int64_t> ramp_last_connack_ns{0};

  void on_first_connect(std::int64_t started_ns, std::int64_t connack_ns) noexcept;

  void on_connected() noexcept;
  void on_disconnected() noexcept { connected_now.fetch_sub(1, std::memory_order_relaxed); }

  // The first connect failure of the run in words, for the message a run that reached nothing
  // ends with. Only the first caller stores its text; read it after the threads have joined.
  bool connect_failure_noted() const noexcept { return failure_noted_.load(std::memory_order_relaxed); }
  void note_connect_failure(std::string text);
  const std::string& first_connect_failure() const noexcept { return first_failure_; }

 private:
  std::atomic<bool> failure_noted_{false};
  std::string first_failure_;
};

// Where and how every session of a host connects; read-only during the run.
struct ConnectTarget {
  boost::asio::ip::tcp::endpoint address;
  std::string host_name;  // usernames, SAS scope, TLS server name, WebSocket Host
  transports::Transport transport = transports::Transport::mqtt;
  const tls::TlsContext* tls = nullptr;        // set when the transport uses TLS
  const X509Identities* identities = nullptr;  // set when fleet.auth = "x509"
  // SAS keys by shard session index (FleetOptions::identity_keys); null or empty: identity_key().
  const std::vector<std::string>* identity_keys = nullptr;
};

// Scratch space for building one message at a time; sessions borrow it and never keep it.
struct HostScratch {
  std::string id;  // client id, device id
  std::string topic;
  std::string payload;
  std::vector<PathValue> patch_items;
  std::vector<std::pair<Duration, std::uint32_t>> due_reported;  // (intended time, state index)
};

// Work a host runs besides its sessions (the backend actor), started with them and part of the
// drain: the host stops only once every session and every task has finished.
class HostTask {
 public:
  virtual ~HostTask() = default;
  virtual void start() = 0;                    // on the host's thread, when run() begins
  virtual void begin_drain(Duration now) = 0;  // no new work
  virtual void end_drain(Duration now) = 0;    // the grace is over: what is in flight timed out
  virtual bool finished() const noexcept = 0;
};

class SessionHost {
 public:
  SessionHost(const FleetPlan& plan, ConnectTarget target, metrics::ThreadMetrics& metrics,
              FleetCounters& counters, Duration drain_grace);
  SessionHost(const SessionHost&) = delete;
  SessionHost& operator=(const SessionHost&) = delete;

  // Before run(): adds the k-th session of the shard, with its behaviour state.
  void add_session(std::uint64_t k);
  std::size_t session_count() const noexcept { return sessions_.size(); }

  // Before run(): a task that runs on this host (it must outlive the run); it calls
  // on_task_finished() once it has finished after a drain.
  void attach(HostTask& task) { tasks_.push_back(&task); }
  // Any thread: tells session `slot` (on this host) that the backend's PATCH which made desired
  // `version` was sent at `sent`.
  void post_desired_expectation(std::uint32_t slot, std::uint64_t version, Duration sent);

  // On the host's thread: opens the sessions on the ramp and runs until every session finished
  // after a drain. `epoch` is time zero of the run, the same for every host.
  void run(std::chrono::steady_clock::time_point epoch);
  // Any thread: starts the end of the run (stop new operations, grace, close).
  void request_drain();
  // Any thread: only the attached tasks stop starting work (the backend's last calls still find
  // their devices connected); request_drain() follows.
  void request_task_drain();
  // Any thread: the tasks' share of the drain grace is over: what they have in flight timed out.
  void request_task_expiry();
  bool done() const noexcept { return done_.load(std::memory_order_acquire); }

  // ---- for sessions, on the host's thread ----
  Duration now() const noexcept { return std::chrono::steady_clock::now() - epoch_; }
  void arm(std::uint32_t slot, Duration deadline);
  void disarm(std::uint32_t slot) { queue_.disarm(slot); }
  boost::asio::io_context& io() noexcept { return io_; }
  const boost::asio::ip::tcp::endpoint& target() const noexcept { return target_.address; }
  const std::string& host_name() const noexcept { return target_.host_name; }
  const ConnectTarget& connect_target() const noexcept { return target_; }
  const FleetPlan& plan() const noexcept { return *plan_; }
  const Scenario& scenario() const noexcept { return *plan_->scenario; }
  metrics::ThreadMetrics& metrics() noexcept { return *metrics_; }
  FleetCounters& counters() noexcept { return *counters_; }
  mqtt::ClientBuffers& buffers() noexcept { return buffers_; }
  HostScratch& scratch() noexcept { return scratch_; }
  std::span<TelemetrySchedule> telemetry(const BehaviourSlices& s) noexcept {
    return {telemetry_.data() + s.telemetry_first, s.telemetry_count};
  }
  std::span<ReportedState> reported(const BehaviourSlices& s) noexcept {
    return {reported_.data() + s.reported_first, s.reported_count};
  }
  std::span<ValueGenerator> values(const BehaviourSlices& s) noexcept {
    return {values_.data() + s.values_first, s.values_count};
  }
  bool draining() const noexcept { return draining_; }
  // Whether a [[backend]] action writes desired properties (sessions then time their arrival).
  bool backend_desired() const noexcept { return backend_desired_; }
  void on_session_finished();
  void on_task_finished() { stop_if_finished(); }

 private:
  void schedule_timer();
  void on_timer();
  void begin_drain();
  void end_drain();
  void stop_if_finished();
  std::uint32_t host_slot() const noexcept { return static_cast<std::uint32_t>(sessions_.size()); }

  const FleetPlan* plan_;
  ConnectTarget target_;
  metrics::ThreadMetrics* metrics_;
  FleetCounters* counters_;
  Duration drain_grace_;
  std::chrono::steady_clock::time_point epoch_{};

  // Declared before the sessions: their sockets must go before the io_context does.
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::steady_timer timer_;
  Duration timer_at_ = Duration::max();
  bool timer_waiting_ = false;
  TimerQueue queue_{0};

  mqtt::ClientBuffers buffers_;
  HostScratch scratch_;
  std::vector<TelemetrySchedule> telemetry_;
  std::vector<ReportedState> reported_;
  std::vector<ValueGenerator> values_;
  std::deque<Session> sessions_;  // a deque: sessions never move once made
  std::vector<HostTask*> tasks_;
  std::size_t finished_ = 0;
  bool draining_ = false;
  bool stopped_ = false;
  bool backend_desired_ = false;
  std::atomic<bool> done_{false};
};

}  // namespace fleetsim::sim
