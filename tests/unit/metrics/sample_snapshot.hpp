// A snapshot with known contents for the gate and report tests of fleetsim::metrics.
#pragma once

#include <memory>

#include "metrics/operations.hpp"

namespace fleetsim::metrics::testing_data {

constexpr std::size_t idx(Op op) {
  return static_cast<std::size_t>(op);
}

// telemetry: 1000 timed values k * 10 us (k = 1..1000: 0.01 ms .. 10 ms, mean 5.005 ms) plus 3
// errors, 2 timeouts and 5 throttled (count 1010). reported_patch: 4 errors and nothing timed.
// twin_get: 10 values of exactly 2 ms. schedule_lag: 100 values of 0.1 ms. Error counters:
// timeout 2, disconnected 1, backend_saturated 3. sessions_failed 7. Every other operation never occurred.
inline std::unique_ptr<Snapshot> sample_snapshot() {
  auto s = std::make_unique<Snapshot>();
  auto& telemetry = s->ops[idx(Op::telemetry)];
  for (std::uint64_t k = 1; k <= 1000; ++k) telemetry.latency.record(k * 10'000);
  telemetry.ok = 1000;
  telemetry.errors = 3;
  telemetry.timeouts = 2;
  telemetry.throttled = 5;
  s->ops[idx(Op::reported_patch)].errors = 4;
  auto& twin_get = s->ops[idx(Op::twin_get)];
  for (int i = 0; i < 10; ++i) twin_get.latency.record(2'000'000);
  twin_get.ok = 10;
  for (int i = 0; i < 100; ++i) s->schedule_lag.record(100'000);
  s->errors[static_cast<std::size_t>(ErrorKind::timeout)] = 2;
  s->errors[static_cast<std::size_t>(ErrorKind::disconnected)] = 1;
  s->errors[static_cast<std::size_t>(ErrorKind::backend_saturated)] = 3;
  s->sessions_failed = 7;
  return s;
}

}  // namespace fleetsim::metrics::testing_data
