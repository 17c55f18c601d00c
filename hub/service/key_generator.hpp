// Shared access keys the hub makes: 32 random bytes in base64, 44 characters (reference 1.2), for
// identities created without keys and for the hub's shared access policies.
//
// Thread safety: none; one generator belongs to the hub thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fleetsim::hub::service {

class KeyGenerator {
 public:
  // Without a seed, keys come from OpenSSL's CSPRNG: they guard a hub others may reach. With one,
  // the same seed gives the same keys (tests, and runs that must repeat exactly).
  explicit KeyGenerator(std::optional<std::uint64_t> seed = std::nullopt)
      : seeded_(seed.has_value()), state_(seed.value_or(0)) {}

  std::string next_key();

 private:
  bool seeded_;
  std::uint64_t state_;  // splitmix64 state when seeded
};

}  // namespace fleetsim::hub::service
