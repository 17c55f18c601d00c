// Internals shared by the codec's translation units: a bounds-checked reader over a packet body,
// big-endian writers, MQTT 5 property and reason-code checks, and the per-packet body decoders.
// Not part of the public interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "transports/mqtt/codec.hpp"

namespace fleetsim::mqtt::detail {

// MQTT 3.1.1 section 2.2.3: four 7-bit groups. MQTT 5 calls the same encoding a Variable Byte
// Integer (section 1.5.5) and uses it for property lengths too.
inline constexpr std::size_t max_remaining_length = 268'435'455;

inline constexpr std::size_t remaining_length_bytes(std::size_t n) noexcept {
  return n < 128 ? 1 : n < 16'384 ? 2 : n < 2'097'152 ? 3 : 4;
}

// Bytes of an MQTT 5 property list on the wire: its length as a Variable Byte Integer, then it.
inline constexpr std::size_t properties_size(Bytes properties) noexcept {
  return remaining_length_bytes(properties.size()) + properties.size();
}

// Where a property list sits: each MQTT 5 property is allowed in some of these (section 2.2.2.2).
enum class PropertyScope : std::uint8_t {
  connect,
  will,
  connack,
  publish,
  puback,
  pubrec,
  pubrel,
  pubcomp,
  subscribe,
  suback,
  unsubscribe,
  unsuback,
  disconnect,
  auth,
};

// What decode() learns about a property list beyond its validity.
struct PropertyFacts {
  bool topic_alias = false;  // a PUBLISH may then have an empty topic (section 3.3.2.3.4)
};

// Validates an MQTT 5 property list: known identifiers allowed in `scope`, no repeats except where
// the spec allows them, values well-formed and in range, nothing left over.
CodecError check_properties(Bytes properties, PropertyScope scope, PropertyFacts& facts) noexcept;

// Whether an MQTT 5 reason code may appear in a packet of `type` (section 2.4, table 2-6).
bool valid_reason_code(PacketType type, std::uint8_t code) noexcept;

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

  // A Variable Byte Integer (MQTT 5 section 1.5.5): at most four bytes.
  CodecError vbi(std::uint32_t& v) noexcept {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      if (static_cast<std::size_t>(end_ - p_) <= i) return CodecError::truncated_packet;
      value |= static_cast<std::uint32_t>(p_[i] & 0x7F) << (7 * i);
      if ((p_[i] & 0x80) == 0) {
        p_ += i + 1;
        v = value;
        return CodecError::ok;
      }
    }
    return CodecError::malformed_variable_byte_integer;
  }

  // An MQTT 5 property list: its length, then that many bytes, validated for `scope`.
  CodecError properties(Bytes& v, PropertyScope scope, PropertyFacts& facts) noexcept {
    const std::uint8_t* const start = p_;
    std::uint32_t n = 0;
    if (auto e = vbi(n); e != CodecError::ok) return e;
    if (left() < n) {
      p_ = start;
      return CodecError::truncated_packet;
    }
    if (auto e = check_properties(Bytes(p_, n), scope, facts); e != CodecError::ok) {
      p_ = start;
      return e;
    }
    v = Bytes(p_, n);
    p_ += n;
    return CodecError::ok;
  }
  CodecError properties(Bytes& v, PropertyScope scope) noexcept {
    PropertyFacts facts;
    return properties(v, scope, facts);
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

// A Variable Byte Integer (the remaining length, an MQTT 5 property length).
inline std::uint8_t* put_vbi(std::uint8_t* out, std::size_t n) noexcept {
  do {
    std::uint8_t b = n & 0x7F;
    n >>= 7;
    if (n != 0) b |= 0x80;
    *out++ = b;
  } while (n != 0);
  return out;
}

// An MQTT 5 property list with its length prefix.
inline std::uint8_t* put_properties(std::uint8_t* out, Bytes properties) noexcept {
  return put_raw(put_vbi(out, properties.size()), properties);
}

// Body decoders: `body` is exactly the remaining-length bytes of one packet (fixed-header flags
// already checked), `v5` the connection's version. CONNECT reads its own protocol level instead.
CodecError decode_connect(Bytes body, Connect& out) noexcept;
CodecError decode_connack(Bytes body, Connack& out, bool v5) noexcept;
CodecError decode_subscribe(Bytes body, Subscribe& out, bool v5) noexcept;
CodecError decode_suback(Bytes body, Suback& out, bool v5) noexcept;
CodecError decode_unsubscribe(Bytes body, Unsubscribe& out, bool v5) noexcept;
CodecError decode_unsuback_v5(Bytes body, Unsuback& out) noexcept;

// PINGREQ, PINGRESP (and the 3.1.1 DISCONNECT): no body at all.
template <class Empty>
CodecError decode_empty(Bytes body, Packet& packet) noexcept {
  if (!body.empty()) return CodecError::trailing_bytes;
  packet.emplace<Empty>();
  return CodecError::ok;
}

// Every MQTT 5 body (decode_v5.cpp).
CodecError decode_body_v5(PacketType type, std::uint8_t flags, Bytes body, Packet& packet) noexcept;

}  // namespace fleetsim::mqtt::detail
