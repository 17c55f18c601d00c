// Continuation tokens (x-ms-continuation, reference/iothub-protocol.md 3.7): opaque to clients,
// base64 of a version byte, the query's fingerprint, how many items earlier pages returned (TOP
// counts them) and the key of the last item returned. The next page resumes after that key, so
// a page never repeats or skips an item that existed for the whole paging, whatever was added or
// removed elsewhere meanwhile.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fleetsim::hub::query {

struct Continuation {
  std::uint64_t fingerprint = 0;
  std::uint64_t returned = 0;
  std::string last_key;  // never empty in a valid token
};

std::string encode_continuation(const Continuation& continuation);

// nullopt unless `token` is one encode_continuation could have written.
std::optional<Continuation> decode_continuation(std::string_view token);

}  // namespace fleetsim::hub::query
