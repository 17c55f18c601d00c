#include "hub/query/continuation.hpp"

#include <cstddef>
#include <vector>

#include "transports/iothub/sas.hpp"

namespace fleetsim::hub::query {

namespace {

constexpr std::uint8_t token_version = 1;
constexpr std::size_t header_size = 1 + 8 + 8;

void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

std::uint64_t get_u64(const std::uint8_t* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

std::string encode_continuation(const Continuation& continuation) {
  std::vector<std::uint8_t> bytes;
  bytes.reserve(header_size + continuation.last_key.size());
  bytes.push_back(token_version);
  put_u64(bytes, continuation.fingerprint);
  put_u64(bytes, continuation.returned);
  bytes.insert(bytes.end(), continuation.last_key.begin(), continuation.last_key.end());
  return iothub::base64_encode(bytes);
}

std::optional<Continuation> decode_continuation(std::string_view token) {
  const auto bytes = iothub::base64_decode(token);
  if (!bytes || bytes->size() <= header_size || (*bytes)[0] != token_version) return std::nullopt;
  Continuation continuation;
  continuation.fingerprint = get_u64(bytes->data() + 1);
  continuation.returned = get_u64(bytes->data() + 9);
  continuation.last_key.assign(bytes->begin() + header_size, bytes->end());
  return continuation;
}

}  // namespace fleetsim::hub::query
