// Internals shared by the codec's translation units: a bounds-checked reader over a packet body,
// big-endian writers, and the per-packet body decoders. Not part of the public interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "transports/mqtt/codec.hpp"

namespace fleetsim::mqtt::detail {

// MQTT 3.1.1 section 2.2.3: four 7-bit groups.
inline constexpr std::size_t max_remaining_length = 268'435'455;

inline constexpr std::size_t remaining_length_bytes(std::size_t n) noexcept {
  return n < 128 ? 1 : n < 16'384 ? 2 : n < 2'097'152 ? 3 : 4;
}

// Reads the fields of one packet body. Every method leaves the reader unchanged on failure and
// reports truncated_packet when the body ends inside a field (section 1.5.3: lengths must fit).
class Reader {
 public:
  explicit Reader(Bytes body) noexcept : p_(body.data()), end_(body.data() + body.size()) {}

  std::size_t left() const noexcept { return static_cast<std::size_t>(end_ - p_); }
  bool empty() const noexcept { return p_ == end_; }

  CodecError u8(std::uint8_t& v) noexcept {
    if (p_ == end_) return CodecError::truncated_packet;
    v = *p_++;
    return CodecError::ok;
  }

  CodecError u16(std::uint16_t& v) noexcept {
    if (left() < 2) return CodecError::truncated_packet;
    v = static_cast<std::uint16_t>((p_[0] << 8) | p_[1]);
    p_ += 2;
    return CodecError::ok;
  }

  // A two-byte length followed by that many bytes (section 1.5.3, binary fields of 3.1.3).
  CodecError binary(Bytes& v) noexcept {
    if (left() < 2) return CodecError::truncated_packet;
    const std::size_t n = static_cast<std::size_t>((p_[0] << 8) | p_[1]);
    if (left() - 2 < n) return CodecError::truncated_packet;
    v = Bytes(p_ + 2, n);
    p_ += 2 + n;
    return CodecError::ok;
  }

  // A length-prefixed UTF-8 string, validated (section 1.5.3).
  CodecError utf8(std::string_view& v) noexcept {
    Bytes raw;
    if (auto e = binary(raw); e != CodecError::ok) return e;
    const std::string_view text = as_string(raw);
    if (!is_valid_mqtt_utf8(text)) {
      p_ -= 2 + raw.size();
      return CodecError::invalid_utf8;
    }
    v = text;
    return CodecError::ok;
  }

  Bytes rest() noexcept {
    const Bytes r(p_, left());
    p_ = end_;
    return r;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

inline std::uint8_t* put_u8(std::uint8_t* out, std::uint8_t v) noexcept {
  *out = v;
  return out + 1;
}

inline std::uint8_t* put_u16(std::uint8_t* out, std::size_t v) noexcept {
  out[0] = static_cast<std::uint8_t>(v >> 8);
  out[1] = static_cast<std::uint8_t>(v);
  return out + 2;
}

inline std::uint8_t* put_raw(std::uint8_t* out, Bytes bytes) noexcept {
  // memcpy with a null source is undefined even for zero bytes.
  if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
  return out + bytes.size();
}

inline std::uint8_t* put_binary(std::uint8_t* out, Bytes bytes) noexcept {
  return put_raw(put_u16(out, bytes.size()), bytes);
}

inline std::uint8_t* put_string(std::uint8_t* out, std::string_view text) noexcept {
  return put_binary(out, as_bytes(text));
}

// Body decoders: `body` is exactly the remaining-length bytes of one packet, `flags` the low
// nibble of its first byte (already checked against the type's fixed flags).
CodecError decode_connect(Bytes body, Connect& out) noexcept;
CodecError decode_connack(Bytes body, Connack& out) noexcept;
CodecError decode_subscribe(Bytes body, Subscribe& out) noexcept;
CodecError decode_suback(Bytes body, Suback& out) noexcept;
CodecError decode_unsubscribe(Bytes body, Unsubscribe& out) noexcept;

}  // namespace fleetsim::mqtt::detail
