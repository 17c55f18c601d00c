// encoded_size(), encode_to() and encode(): the body size of each packet is computed first, so the
// remaining length is known and the packet is written front to back in one pass.
#include "transports/mqtt/codec.hpp"
#include "transports/mqtt/codec_detail.hpp"

namespace fleetsim::mqtt {
namespace {

using detail::put_binary;
using detail::put_raw;
using detail::put_string;
using detail::put_u16;
using detail::put_u8;

std::uint8_t type_nibble(PacketType t) noexcept {
  return static_cast<std::uint8_t>(t) << 4;
}

// ---- body sizes ----

std::size_t body_size(const Connect& p) noexcept {
  std::size_t n = 2 + p.protocol_name.size() + 1 + 1 + 2 + 2 + p.client_id.size();
  if (p.will) n += 2 + p.will->topic.size() + 2 + p.will->payload.size();
  if (p.username) n += 2 + p.username->size();
  if (p.password) n += 2 + p.password->size();
  return n;
}
std::size_t body_size(const Connack&) noexcept {
  return 2;
}
std::size_t body_size(const Publish& p) noexcept {
  return 2 + p.topic.size() + (p.qos > 0 ? 2 : 0) + p.payload.size();
}
std::size_t body_size(const Puback&) noexcept {
  return 2;
}
std::size_t body_size(const Pubrec&) noexcept {
  return 2;
}
std::size_t body_size(const Pubrel&) noexcept {
  return 2;
}
std::size_t body_size(const Pubcomp&) noexcept {
  return 2;
}
std::size_t body_size(const Subscribe& p) noexcept {
  if (p.filters.empty()) return 2 + p.wire_filters.size();
  std::size_t n = 2;
  for (const Subscription& s : p.filters) n += 2 + s.filter.size() + 1;
  return n;
}
std::size_t body_size(const Suback& p) noexcept {
  return 2 + p.return_codes.size();
}
std::size_t body_size(const Unsubscribe& p) noexcept {
  if (p.filters.empty()) return 2 + p.wire_filters.size();
  std::size_t n = 2;
  for (const std::string_view f : p.filters) n += 2 + f.size();
  return n;
}
std::size_t body_size(const Unsuback&) noexcept {
  return 2;
}
std::size_t body_size(const Pingreq&) noexcept {
  return 0;
}
std::size_t body_size(const Pingresp&) noexcept {
  return 0;
}
std::size_t body_size(const Disconnect&) noexcept {
  return 0;
}

// ---- first byte of the fixed header (section 2.2) ----

std::uint8_t first_byte(const Connect&) noexcept {
  return type_nibble(PacketType::connect);
}
std::uint8_t first_byte(const Connack&) noexcept {
  return type_nibble(PacketType::connack);
}
std::uint8_t first_byte(const Publish& p) noexcept {
  return type_nibble(PacketType::publish) | (p.dup ? 0x08 : 0) | ((p.qos & 0x03) << 1) |
         (p.retain ? 0x01 : 0);
}
std::uint8_t first_byte(const Puback&) noexcept {
  return type_nibble(PacketType::puback);
}
std::uint8_t first_byte(const Pubrec&) noexcept {
  return type_nibble(PacketType::pubrec);
}
std::uint8_t first_byte(const Pubrel&) noexcept {
  return type_nibble(PacketType::pubrel) | 0x02;
}
std::uint8_t first_byte(const Pubcomp&) noexcept {
  return type_nibble(PacketType::pubcomp);
}
std::uint8_t first_byte(const Subscribe&) noexcept {
  return type_nibble(PacketType::subscribe) | 0x02;
}
std::uint8_t first_byte(const Suback&) noexcept {
  return type_nibble(PacketType::suback);
}
std::uint8_t first_byte(const Unsubscribe&) noexcept {
  return type_nibble(PacketType::unsubscribe) | 0x02;
}
std::uint8_t first_byte(const Unsuback&) noexcept {
  return type_nibble(PacketType::unsuback);
}
std::uint8_t first_byte(const Pingreq&) noexcept {
  return type_nibble(PacketType::pingreq);
}
std::uint8_t first_byte(const Pingresp&) noexcept {
  return type_nibble(PacketType::pingresp);
}
std::uint8_t first_byte(const Disconnect&) noexcept {
  return type_nibble(PacketType::disconnect);
}

// ---- bodies ----

std::uint8_t* put_body(std::uint8_t* out, const Connect& p) noexcept {
  std::uint8_t flags = p.clean_session ? 0x02 : 0;
  if (p.will) {
    flags |= 0x04 | ((p.will->qos & 0x03) << 3) | (p.will->retain ? 0x20 : 0);
  }
  if (p.password) flags |= 0x40;
  if (p.username) flags |= 0x80;
  out = put_string(out, p.protocol_name);
  out = put_u8(out, p.protocol_level);
  out = put_u8(out, flags);
  out = put_u16(out, p.keep_alive_s);
  out = put_string(out, p.client_id);
  if (p.will) {
    out = put_string(out, p.will->topic);
    out = put_binary(out, p.will->payload);
  }
  if (p.username) out = put_string(out, *p.username);
  if (p.password) out = put_binary(out, *p.password);
  return out;
}
std::uint8_t* put_body(std::uint8_t* out, const Connack& p) noexcept {
  out = put_u8(out, p.session_present ? 1 : 0);
  return put_u8(out, static_cast<std::uint8_t>(p.code));
}
std::uint8_t* put_body(std::uint8_t* out, const Publish& p) noexcept {
  out = put_string(out, p.topic);
  if (p.qos > 0) out = put_u16(out, p.packet_id);
  return put_raw(out, p.payload);
}
std::uint8_t* put_body(std::uint8_t* out, const Puback& p) noexcept {
  return put_u16(out, p.packet_id);
}
std::uint8_t* put_body(std::uint8_t* out, const Pubrec& p) noexcept {
  return put_u16(out, p.packet_id);
}
std::uint8_t* put_body(std::uint8_t* out, const Pubrel& p) noexcept {
  return put_u16(out, p.packet_id);
}
std::uint8_t* put_body(std::uint8_t* out, const Pubcomp& p) noexcept {
  return put_u16(out, p.packet_id);
}
std::uint8_t* put_body(std::uint8_t* out, const Subscribe& p) noexcept {
  out = put_u16(out, p.packet_id);
  if (p.filters.empty()) return put_raw(out, p.wire_filters);
  for (const Subscription& s : p.filters) {
    out = put_string(out, s.filter);
    out = put_u8(out, s.qos);
  }
  return out;
}
std::uint8_t* put_body(std::uint8_t* out, const Suback& p) noexcept {
  return put_raw(put_u16(out, p.packet_id), p.return_codes);
}
std::uint8_t* put_body(std::uint8_t* out, const Unsubscribe& p) noexcept {
  out = put_u16(out, p.packet_id);
  if (p.filters.empty()) return put_raw(out, p.wire_filters);
  for (const std::string_view f : p.filters) out = put_string(out, f);
  return out;
}
std::uint8_t* put_body(std::uint8_t* out, const Unsuback& p) noexcept {
  return put_u16(out, p.packet_id);
}
std::uint8_t* put_body(std::uint8_t* out, const Pingreq&) noexcept {
  return out;
}
std::uint8_t* put_body(std::uint8_t* out, const Pingresp&) noexcept {
  return out;
}
std::uint8_t* put_body(std::uint8_t* out, const Disconnect&) noexcept {
  return out;
}

std::uint8_t* put_remaining_length(std::uint8_t* out, std::size_t n) noexcept {
  do {
    std::uint8_t b = n & 0x7F;
    n >>= 7;
    if (n != 0) b |= 0x80;
    *out++ = b;
  } while (n != 0);
  return out;
}

template <class P>
std::size_t encoded_size_of(const P& p) noexcept {
  const std::size_t body = body_size(p);
  return 1 + detail::remaining_length_bytes(body) + body;
}

template <class P>
std::size_t encode_to_of(const P& p, std::uint8_t* out) noexcept {
  std::uint8_t* const start = out;
  out = put_u8(out, first_byte(p));
  out = put_remaining_length(out, body_size(p));
  out = put_body(out, p);
  return static_cast<std::size_t>(out - start);
}

}  // namespace

std::size_t encoded_size(const Packet& packet) {
  return std::visit([](const auto& p) { return encoded_size_of(p); }, packet);
}

std::size_t encode_to(const Packet& packet, std::uint8_t* out) {
  return std::visit([out](const auto& p) { return encode_to_of(p, out); }, packet);
}

void encode(const Packet& packet, std::vector<std::uint8_t>& out) {
  const std::size_t offset = out.size();
  out.resize(offset + encoded_size(packet));
  encode_to(packet, out.data() + offset);
}

}  // namespace fleetsim::mqtt
