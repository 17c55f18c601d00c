#include "hub/service/key_generator.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "transports/iothub/sas.hpp"

namespace fleetsim::hub::service {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

std::string KeyGenerator::next_key() {
  std::array<std::uint8_t, 32> bytes{};
  if (seeded_) {
    for (std::size_t i = 0; i < bytes.size(); i += 8) {
      std::uint64_t word = splitmix64(state_);
      for (std::size_t j = 0; j < 8; ++j, word >>= 8) bytes[i + j] = static_cast<std::uint8_t>(word);
    }
  } else if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // Without entropy there is no safe key to hand out; a predictable one would be worse.
    throw std::runtime_error("OpenSSL RAND_bytes failed: no key can be generated");
  }
  return iothub::base64_encode(bytes);
}

}  // namespace fleetsim::hub::service
