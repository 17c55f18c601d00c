// The hub's counters. Written on the hub thread only, read from any thread: relaxed atomics are
// enough, nothing else is synchronised through them.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace fleetsim::hub {

struct Counters {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> connects_accepted{0};
  std::atomic<std::uint64_t> connects_refused{0};
  std::atomic<std::uint64_t> protocol_errors{0};
  std::atomic<std::uint64_t> forbidden_topics{0};
  std::atomic<std::uint64_t> telemetry_received{0};
  std::atomic<std::uint64_t> twin_gets{0};
  std::atomic<std::uint64_t> reported_patches{0};
  std::atomic<std::uint64_t> desired_pushed{0};
  std::atomic<std::uint64_t> keep_alive_expired{0};
  std::atomic<std::uint64_t> slow_consumers{0};          // closed: output above the pending bound
  std::atomic<std::uint64_t> task_failures{0};           // a connection or accept task ended by an exception
  std::atomic<std::uint64_t> sas_expired{0};             // sessions closed because their SAS token expired
  std::atomic<std::uint64_t> tls_handshake_failures{0};  // failed or timed out; the client is dropped
  std::atomic<std::uint64_t> http_requests{0};           // requests answered by the REST hook
  std::atomic<std::uint64_t> http_refused{0};  // malformed, oversized or timed-out requests, refused upgrades
  std::atomic<std::uint64_t> websocket_upgrades{0};  // accepted: each became an MQTT session
  // Direct methods (reference 3.6): calls sent to a device, and how they ended.
  std::atomic<std::uint64_t> methods_invoked{0};    // requests published to a session
  std::atomic<std::uint64_t> methods_answered{0};   // the device's response reached the caller
  std::atomic<std::uint64_t> methods_timed_out{0};  // 504101
  std::atomic<std::uint64_t> methods_offline{0};    // 404103: not connected or not subscribed
  // Cloud-to-device messages (reference 2.7, 3.8).
  std::atomic<std::uint64_t> c2d_accepted{0};   // queued by the service route
  std::atomic<std::uint64_t> c2d_delivered{0};  // PUBLISHed to a session
  std::atomic<std::uint64_t> c2d_completed{0};  // PUBACKed by the device
  std::atomic<std::uint64_t> c2d_expired{0};    // dropped at expiry before completion
  std::atomic<std::uint64_t> c2d_rejected{0};   // refused: queue full (403004) or too large (413001)
  // Throttling (--tier/--units, reference 5.1, 5.2): requests refused or delayed by a bucket.
  std::atomic<std::uint64_t> throttled_rest{0};          // answered 429 on the service API
  std::atomic<std::uint64_t> throttled_connects{0};      // CONNACK 3
  std::atomic<std::uint64_t> throttled_twin{0};          // $iothub/twin/res/429
  std::atomic<std::uint64_t> throttled_telemetry{0};     // PUBACK held back until the bucket refilled
  // REST answers by HTTP status: one counter per status the service API gives, the rest in
  // the last ("other"). A fixed array, so counting is one relaxed add.
  static constexpr std::array<unsigned, 15> kRestStatuses = {200, 201, 204, 400, 401, 403, 404, 405,
                                                             409, 412, 413, 429, 500, 503, 504};
  std::array<std::atomic<std::uint64_t>, kRestStatuses.size() + 1> rest_by_status{};

  void count_rest_status(unsigned status) noexcept {
    std::size_t i = 0;
    while (i < kRestStatuses.size() && kRestStatuses[i] != status) ++i;
    rest_by_status[i].fetch_add(1, std::memory_order_relaxed);
  }
};

inline void bump(std::atomic<std::uint64_t>& counter) noexcept {
  counter.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace fleetsim::hub
