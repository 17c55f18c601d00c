// Which MQTT 5 reason codes each packet type may carry (MQTT 5.0 section 2.4, table 2-6; the
// SUBACK codes of 3.9.3 and the UNSUBACK codes of 3.11.3 are the same lists).
#include <array>
#include <initializer_list>

#include "transports/mqtt/codec_detail.hpp"

namespace fleetsim::mqtt::detail {
namespace {

// 256 bits, one per code.
struct CodeSet {
  std::array<std::uint64_t, 4> words{};
  constexpr CodeSet(std::initializer_list<int> codes) {
    for (const int c : codes) words[static_cast<std::size_t>(c) / 64] |= std::uint64_t{1} << (c % 64);
  }
  constexpr bool contains(std::uint8_t c) const { return ((words[c / 64] >> (c % 64)) & 1) != 0; }
};

constexpr CodeSet kConnack{0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
                           0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F};
constexpr CodeSet kPubackPubrec{0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99};
constexpr CodeSet kPubrelPubcomp{0x00, 0x92};
constexpr CodeSet kSuback{0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2};
constexpr CodeSet kUnsuback{0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91};
constexpr CodeSet kDisconnect{0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D,
                              0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
                              0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2};

}  // namespace

bool valid_reason_code(PacketType type, std::uint8_t code) noexcept {
  switch (type) {
    case PacketType::connack:
      return kConnack.contains(code);
    case PacketType::puback:
    case PacketType::pubrec:
      return kPubackPubrec.contains(code);
    case PacketType::pubrel:
    case PacketType::pubcomp:
      return kPubrelPubcomp.contains(code);
    case PacketType::suback:
      return kSuback.contains(code);
    case PacketType::unsuback:
      return kUnsuback.contains(code);
    case PacketType::disconnect:
      return kDisconnect.contains(code);
    case PacketType::auth:
      return false;  // decode() refuses AUTH before reading its body
    case PacketType::connect:
    case PacketType::publish:
    case PacketType::subscribe:
    case PacketType::unsubscribe:
    case PacketType::pingreq:
    case PacketType::pingresp:
      return false;  // no reason code in these packets
  }
  return false;
}

}  // namespace fleetsim::mqtt::detail
