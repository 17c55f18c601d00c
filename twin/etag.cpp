#include "twin/etag.hpp"

#include <array>

namespace fleetsim::twin::detail {

void write_etag(std::string& out, std::uint64_t counter) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::array<unsigned char, 9> bytes{};  // eight counter bytes and a zero pad for the last group
  for (int i = 7; i >= 0; --i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  out.resize(12);
  for (std::size_t group = 0; group < 3; ++group) {
    const unsigned triple = (unsigned{bytes[group * 3]} << 16) | (unsigned{bytes[group * 3 + 1]} << 8) |
                            unsigned{bytes[group * 3 + 2]};
    for (std::size_t j = 0; j < 4; ++j) out[group * 4 + j] = alphabet[(triple >> (18 - 6 * j)) & 0x3F];
  }
  out[11] = '=';  // 8 bytes encode to 11 significant characters and one pad
}

}  // namespace fleetsim::twin::detail
