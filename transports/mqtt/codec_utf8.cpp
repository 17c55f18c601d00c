// UTF-8 validation of MQTT strings (MQTT 3.1.1 section 1.5.3): well-formed per RFC 3629 (no
// overlong forms, no surrogates, nothing above U+10FFFF) and no U+0000. Every PUBLISH topic goes
// through here, so ASCII is checked eight bytes at a time.
#include <cstring>

#include "transports/mqtt/codec.hpp"

namespace fleetsim::mqtt {
namespace {

constexpr std::uint64_t high_bits = 0x8080808080808080ULL;
constexpr std::uint64_t low_bits = 0x0101010101010101ULL;

// True when all eight bytes are ASCII and none is zero. With the high bits known clear,
// (w - 0x01..) sets a byte's high bit exactly when that byte was zero.
bool ascii_without_nul(std::uint64_t w) noexcept {
  return (w & high_bits) == 0 && ((w - low_bits) & high_bits) == 0;
}

}  // namespace

bool is_valid_mqtt_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto* const end = p + text.size();
  while (p != end) {
    while (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, sizeof w);
      if (!ascii_without_nul(w)) break;
      p += 8;
    }
    if (p == end) break;
    const std::uint8_t lead = *p;
    if (lead < 0x80) {
      if (lead == 0) return false;  // MQTT-1.5.3-2
      ++p;
      continue;
    }
    std::size_t continuation = 0;
    std::uint32_t cp = 0;
    std::uint32_t smallest = 0;
    if ((lead & 0xE0) == 0xC0) {
      continuation = 1, cp = lead & 0x1F, smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      continuation = 2, cp = lead & 0x0F, smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      continuation = 3, cp = lead & 0x07, smallest = 0x10000;
    } else {
      return false;  // a continuation byte without a lead, or 0xF8..0xFF
    }
    if (static_cast<std::size_t>(end - p) <= continuation) return false;
    for (std::size_t i = 1; i <= continuation; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < smallest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;  // MQTT-1.5.3-1
    p += continuation + 1;
  }
  return true;
}

}  // namespace fleetsim::mqtt
