// C2D messages counted at both ends, so that one the hub accepted and no device received shows up:
// the device side records c2d ok when a message arrives, which alone leaves a lost message
// counted nowhere (docs/scenarios.md, [[backend]] c2d).
//
// * accepted: the backend's sends the hub answered with 2xx (the backend's thread);
// * received: first arrivals at the devices (their threads). The hub sends a message it had
//   in flight on a session that closed again, with DUP, on the next one; a session keeps the ids
//   of the last messages it had (C2dSeen) and counts such a second arrival neither here nor as
//   another c2d ok.
//
// Only messages sent before `cutoff` (the end of the run minus kC2dSettle) count, on both sides
// alike since both read the send time the message carries: the last calls of a run reach devices
// that are already disconnecting for the drain, which is the simulator's end, not a loss. After
// the run, accepted - received (never below zero) are c2d timeouts (record_lost_c2d).
//
// Thread safety: accepted and received are relaxed atomics, touched once per message; cutoff is
// set before the fleet's threads start. C2dSeen belongs to one session's thread.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "metrics/operations.hpp"
#include "sim/scenario.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::sim {

// Messages sent this close to the end of the run are not accounted (see above).
inline constexpr Duration kC2dSettle = std::chrono::seconds(1);

struct C2dLedger {
  Duration cutoff = Duration::max();  // sent at or after it (ns since the run's epoch): not accounted
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> received{0};

  bool accounted(Duration sent) const noexcept { return sent < cutoff; }
  void on_accepted(Duration sent) noexcept {
    if (accounted(sent)) accepted.fetch_add(1, std::memory_order_relaxed);
  }
  void on_received(Duration sent) noexcept {
    if (accounted(sent)) received.fetch_add(1, std::memory_order_relaxed);
  }
  // Accepted and never received. More received than accepted happens when the backend gave up on
  // a send (its answer timed out) that the hub had taken after all: never a negative loss.
  std::uint64_t lost() const noexcept {
    const std::uint64_t a = accepted.load(std::memory_order_relaxed);
    const std::uint64_t r = received.load(std::memory_order_relaxed);
    return a > r ? a - r : 0;
  }
};

// After the run (threads joined): the lost messages as c2d timeouts, with the timeout error kind
// like every other operation that got no answer in time.
inline void record_lost_c2d(metrics::ThreadMetrics& metrics, const C2dLedger& ledger) noexcept {
  const std::uint64_t lost = ledger.lost();
  if (lost == 0) return;
  metrics.ops[static_cast<std::size_t>(metrics::Op::c2d)].timeouts.add(lost);
  metrics.errors[static_cast<std::size_t>(metrics::ErrorKind::timeout)].add(lost);
}

// The ids of the last messages a session received. A message comes again only while it waits
// for its PUBACK, and the hub keeps at most 8 of a device's messages in flight (hub/c2d.hpp;
// IoT Hub's own window is no larger): twice that many are remembered.
class C2dSeen {
 public:
  static constexpr std::size_t kSize = 16;
  // false when `number` is among the remembered ones; 0 (a message without a number of ours)
  // always counts as a first arrival.
  bool first_arrival(std::uint64_t number) noexcept {
    if (number == 0) return true;
    if (std::find(numbers_.begin(), numbers_.end(), number) != numbers_.end()) return false;
    numbers_[next_] = number;
    next_ = static_cast<std::uint8_t>((next_ + 1) % kSize);
    return true;
  }

 private:
  std::array<std::uint64_t, kSize> numbers_{};
  std::uint8_t next_ = 0;
};

// The number n of a message id "fleetsim-<n>" the backend set (c2d_request), from a C2D
// property bag's $.mid; 0 for any other id or none.
inline std::uint64_t c2d_message_number(std::string_view bag) {
  constexpr std::string_view prefix = "fleetsim-";
  std::uint64_t number = 0;
  iothub::for_each_property(bag, [&](std::string_view key, std::string_view value) {
    if (key != "$.mid" || !value.starts_with(prefix)) return;
    value.remove_prefix(prefix.size());
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec == std::errc{} && end == value.data() + value.size()) number = n;
  });
  return number;
}

}  // namespace fleetsim::sim
