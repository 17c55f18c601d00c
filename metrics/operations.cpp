#include "metrics/operations.hpp"

namespace fleetsim::metrics {
namespace {
constexpr std::array<std::string_view, kOpCount> kOpNames = {
    "connect", "telemetry", "twin_get", "reported_patch", "desired_propagation",
    "desired_convergence", "method", "c2d", "query", "e2e"};
constexpr std::array<std::string_view, kErrorKindCount> kErrorNames = {
    "connect_refused", "connect_failed", "timeout", "protocol_error",
    "disconnected", "twin_rejected", "inflight_full", "backend_saturated"};
}  // namespace

std::string_view op_name(Op op) noexcept { return kOpNames[static_cast<std::size_t>(op)]; }

bool op_from_name(std::string_view name, Op& out) noexcept {
  for (std::size_t i = 0; i < kOpCount; ++i) {
    if (kOpNames[i] == name) {
      out = static_cast<Op>(i);
      return true;
    }
  }
  return false;
}

std::string_view error_kind_name(ErrorKind k) noexcept {
  return kErrorNames[static_cast<std::size_t>(k)];
}

std::uint64_t Snapshot::total_errors() const noexcept {
  std::uint64_t n = 0;
  for (const auto& op : ops) n += op.errors + op.timeouts;
  return n;
}

Registry::Registry(std::size_t threads) {
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.push_back(std::make_unique<ThreadMetrics>());
}

Snapshot Registry::snapshot() const {
  Snapshot s;
  merge_into(s);
  return s;
}

void Registry::merge_into(Snapshot& s) const {
  for (const auto& t : threads_) {
    for (std::size_t i = 0; i < kOpCount; ++i) {
      const auto& from = t->ops[i];
      auto& to = s.ops[i];
      to.latency.merge(from.latency);
      to.ok += from.ok.get();
      to.errors += from.errors.get();
      to.timeouts += from.timeouts.get();
      to.throttled += from.throttled.get();
    }
    for (std::size_t i = 0; i < kErrorKindCount; ++i) s.errors[i] += t->errors[i].get();
    s.schedule_lag.merge(t->schedule_lag);
    s.sessions_connected += t->sessions_connected.get();
    s.sessions_disconnected += t->sessions_disconnected.get();
    s.sessions_failed += t->sessions_failed.get();
    s.messages_sent += t->messages_sent.get();
    s.answers_sent += t->answers_sent.get();
    s.bytes_sent += t->bytes_sent.get();
  }
}

}  // namespace fleetsim::metrics
