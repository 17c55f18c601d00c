// The measured operations of DESIGN.md "What is measured, exactly", and the per-thread recorder
// that event-loop threads write into.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "metrics/histogram.hpp"

namespace fleetsim::metrics {

enum class Op : std::uint8_t {
  connect,
  telemetry,
  twin_get,
  reported_patch,
  desired_propagation,
  desired_convergence,
  method,
  c2d,
  query,
  e2e,
  kCount
};
inline constexpr std::size_t kOpCount = static_cast<std::size_t>(Op::kCount);
std::string_view op_name(Op op) noexcept;  // "telemetry", "twin_get", ...
bool op_from_name(std::string_view name, Op& out) noexcept;

// How an operation ended. count = ok + errors + timeouts + throttled.
enum class Outcome : std::uint8_t { ok, error, timeout, throttled };

// Named error counters for the report's "errors" object.
enum class ErrorKind : std::uint8_t {
  connect_refused,     // CONNACK != 0
  connect_failed,      // TCP connect / handshake failure
  timeout,             // any operation that got no answer in time
  protocol_error,      // malformed packet from the peer
  disconnected,        // connection lost mid-run
  twin_rejected,       // twin response with a non-2xx status
  inflight_full,       // QoS 1 window full: message not sent
  backend_saturated,   // every backend service client busy: the call was not made
  kCount
};
inline constexpr std::size_t kErrorKindCount = static_cast<std::size_t>(ErrorKind::kCount);
std::string_view error_kind_name(ErrorKind k) noexcept;

struct Counter {
  std::atomic<std::uint64_t> value{0};
  void add(std::uint64_t n = 1) noexcept {
    value.store(value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t get() const noexcept { return value.load(std::memory_order_relaxed); }
};

// Everything one event-loop thread records. Owned by a Registry; written only by its thread.
struct ThreadMetrics {
  struct PerOp {
    Histogram latency;
    Counter ok, errors, timeouts, throttled;
  };
  std::array<PerOp, kOpCount> ops;
  std::array<Counter, kErrorKindCount> errors;
  Histogram schedule_lag;
  // Cumulative: CONNACKs accepted and connections ended. Connected now = connected - disconnected.
  Counter sessions_connected;
  Counter sessions_disconnected;
  Counter sessions_failed;     // sessions that never connected or gave up
  Counter messages_sent;       // every PUBLISH a session wrote
  Counter answers_sent;        // of those, the ones no answer follows (direct method responses)
  Counter bytes_sent;

  void record(Op op, Outcome outcome, std::uint64_t latency_ns) noexcept {
    auto& o = ops[static_cast<std::size_t>(op)];
    switch (outcome) {
      case Outcome::ok: o.ok.add(); o.latency.record(latency_ns); break;
      case Outcome::error: o.errors.add(); break;
      case Outcome::timeout: o.timeouts.add(); break;
      case Outcome::throttled: o.throttled.add(); break;
    }
  }
  void error(ErrorKind k) noexcept { errors[static_cast<std::size_t>(k)].add(); }
};

// A merged, plain copy of all threads' data.
struct Snapshot {
  struct PerOp {
    Histogram latency;
    std::uint64_t ok = 0, errors = 0, timeouts = 0, throttled = 0;
    std::uint64_t count() const noexcept { return ok + errors + timeouts + throttled; }
  };
  std::array<PerOp, kOpCount> ops;
  std::array<std::uint64_t, kErrorKindCount> errors{};
  Histogram schedule_lag;
  std::uint64_t sessions_connected = 0;
  std::uint64_t sessions_disconnected = 0;
  std::uint64_t sessions_failed = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t answers_sent = 0;
  std::uint64_t bytes_sent = 0;

  std::uint64_t total_errors() const noexcept;  // errors + timeouts over all operations
};

// Owns one ThreadMetrics per event-loop thread. Create all threads' entries before the threads
// start; snapshot() may run on any thread at any time (relaxed reads, see Histogram).
class Registry {
 public:
  explicit Registry(std::size_t threads);
  ThreadMetrics& thread(std::size_t i) noexcept { return *threads_[i]; }
  std::size_t thread_count() const noexcept { return threads_.size(); }
  Snapshot snapshot() const;
  // Adds every thread's data to `out` (a fresh Snapshot gives what snapshot() returns). For
  // threads with small stacks, such as the metrics server's: a Snapshot holds a full histogram
  // per operation (about 400 KB) and belongs on the heap there.
  void merge_into(Snapshot& out) const;

 private:
  std::vector<std::unique_ptr<ThreadMetrics>> threads_;
};

}  // namespace fleetsim::metrics
