// The WebSocket half of a Stream: framing state plus raw bytes read past an HTTP head.
// Internal header of transports/stream.
#pragma once

#include <cstdint>
#include <vector>

#include "transports/stream/stream.hpp"
#include "transports/stream/websocket.hpp"

namespace fleetsim::transports {

struct Stream::WsState {
  WsState(ws::Role role, std::uint64_t seed) noexcept : framing(role, seed) {}

  ws::Framing framing;
  // Frame bytes that arrived with the upgrade's HTTP head; read before the socket, then freed.
  std::vector<std::uint8_t> leftover;
};

// Seeds a stream's mask-key generator: distinct per socket and per upgrade on this thread,
// deterministic, and free of clock or random_device reads (masking is no security feature).
inline std::uint64_t websocket_seed(int fd) noexcept {
  thread_local std::uint64_t upgrades = 0;
  ++upgrades;
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(fd)) << 32) ^
         (upgrades * 0x9E3779B97F4A7C15ULL);
}

}  // namespace fleetsim::transports
