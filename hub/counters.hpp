// The hub's counters. Written on the hub thread only, read from any thread: relaxed atomics are
// enough, nothing else is synchronised through them.
#pragma once

#include <atomic>
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
};

inline void bump(std::atomic<std::uint64_t>& counter) noexcept {
  counter.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace fleetsim::hub
