// encoded_size(), encode_to() and encode(): the body size of each packet is computed first, so the
// remaining length is known and the packet is written front to back in one pass. `v5` selects the
// MQTT 5 layout for every packet but CONNECT, which follows its own protocol level.
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

using detail::properties_size;
using detail::put_properties;

bool connect_v5(const Connect& p) noexcept {
  return p.protocol_level == static_cast<std::uint8_t>(ProtocolVersion::v5);
}

// The MQTT 5 acknowledgement bodies (3.4.2.1, 3.5.2.1, 3.6.2.1, 3.7.2.1) in their shortest form:
// packet id alone for success without properties, then the reason code, then the properties.
std::size_t ack_size(std::uint8_t reason_code, Bytes properties, bool v5) noexcept {
  if (!v5 || (reason_code == 0 && properties.empty())) return 2;
  return properties.empty() ? 3 : 3 + properties_size(properties);
}
std::uint8_t* put_ack(std::uint8_t* out, std::uint16_t packet_id, std::uint8_t reason_code, Bytes properties,
                      bool v5) noexcept {
  out = put_u16(out, packet_id);
  if (!v5 || (reason_code == 0 && properties.empty())) return out;
  out = put_u8(out, reason_code);
  return properties.empty() ? out : put_properties(out, properties);
}

std::uint8_t options_byte(const Subscription& s, bool v5) noexcept {
  if (!v5) return s.qos;
  return static_cast<std::uint8_t>((s.qos & 0x03) | (s.no_local ? 0x04 : 0) |
                                   (s.retain_as_published ? 0x08 : 0) | ((s.retain_handling & 0x03) << 4));
}

// ---- body sizes ----

std::size_t body_size(const Connect& p, bool) noexcept {
  const bool v5 = connect_v5(p);
  std::size_t n = 2 + p.protocol_name.size() + 1 + 1 + 2 + 2 + p.client_id.size();
  if (v5) n += properties_size(p.properties);
  if (p.will) {
    n += 2 + p.will->topic.size() + 2 + p.will->payload.size();
    if (v5) n += properties_size(p.will->properties);
  }
  if (p.username) n += 2 + p.username->size();
  if (p.password) n += 2 + p.password->size();
  return n;
}
std::size_t body_size(const Connack& p, bool v5) noexcept {
  return v5 ? 2 + properties_size(p.properties) : 2;
}
std::size_t body_size(const Publish& p, bool v5) noexcept {
  const std::size_t n = 2 + p.topic.size() + (p.qos > 0 ? 2 : 0) + p.payload.size();
  return v5 ? n + properties_size(p.properties) : n;
}
std::size_t body_size(const Puback& p, bool v5) noexcept {
  return ack_size(p.reason_code, p.properties, v5);
}
std::size_t body_size(const Pubrec& p, bool v5) noexcept {
  return ack_size(p.reason_code, p.properties, v5);
}
std::size_t body_size(const Pubrel& p, bool v5) noexcept {
  return ack_size(p.reason_code, p.properties, v5);
}
std::size_t body_size(const Pubcomp& p, bool v5) noexcept {
  return ack_size(p.reason_code, p.properties, v5);
}
std::size_t body_size(const Subscribe& p, bool v5) noexcept {
  std::size_t n = v5 ? 2 + properties_size(p.properties) : 2;
  if (p.filters.empty()) return n + p.wire_filters.size();
  for (const Subscription& s : p.filters) n += 2 + s.filter.size() + 1;
  return n;
}
std::size_t body_size(const Suback& p, bool v5) noexcept {
  return 2 + (v5 ? properties_size(p.properties) : 0) + p.return_codes.size();
}
std::size_t body_size(const Unsubscribe& p, bool v5) noexcept {
  std::size_t n = v5 ? 2 + properties_size(p.properties) : 2;
  if (p.filters.empty()) return n + p.wire_filters.size();
  for (const std::string_view f : p.filters) n += 2 + f.size();
  return n;
}
std::size_t body_size(const Unsuback& p, bool v5) noexcept {
  return v5 ? 2 + properties_size(p.properties) + p.reason_codes.size() : 2;
}
std::size_t body_size(const Pingreq&, bool) noexcept {
  return 0;
}
std::size_t body_size(const Pingresp&, bool) noexcept {
  return 0;
}
// MQTT 5 short forms (3.14.2.1): nothing for a normal disconnection, the reason code alone
// without properties.
std::size_t body_size(const Disconnect& p, bool v5) noexcept {
  if (!v5 || (p.reason_code == 0 && p.properties.empty())) return 0;
  return p.properties.empty() ? 1 : 1 + properties_size(p.properties);
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

std::uint8_t* put_body(std::uint8_t* out, const Connect& p, bool) noexcept {
  const bool v5 = connect_v5(p);
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
  if (v5) out = put_properties(out, p.properties);
  out = put_string(out, p.client_id);
  if (p.will) {
    if (v5) out = put_properties(out, p.will->properties);
    out = put_string(out, p.will->topic);
    out = put_binary(out, p.will->payload);
  }
  if (p.username) out = put_string(out, *p.username);
  if (p.password) out = put_binary(out, *p.password);
  return out;
}
std::uint8_t* put_body(std::uint8_t* out, const Connack& p, bool v5) noexcept {
  out = put_u8(out, p.session_present ? 1 : 0);
  out = put_u8(out, static_cast<std::uint8_t>(p.code));
  return v5 ? put_properties(out, p.properties) : out;
}
std::uint8_t* put_body(std::uint8_t* out, const Publish& p, bool v5) noexcept {
  out = put_string(out, p.topic);
  if (p.qos > 0) out = put_u16(out, p.packet_id);
  if (v5) out = put_properties(out, p.properties);
  return put_raw(out, p.payload);
}
std::uint8_t* put_body(std::uint8_t* out, const Puback& p, bool v5) noexcept {
  return put_ack(out, p.packet_id, p.reason_code, p.properties, v5);
}
std::uint8_t* put_body(std::uint8_t* out, const Pubrec& p, bool v5) noexcept {
  return put_ack(out, p.packet_id, p.reason_code, p.properties, v5);
}
std::uint8_t* put_body(std::uint8_t* out, const Pubrel& p, bool v5) noexcept {
  return put_ack(out, p.packet_id, p.reason_code, p.properties, v5);
}
std::uint8_t* put_body(std::uint8_t* out, const Pubcomp& p, bool v5) noexcept {
  return put_ack(out, p.packet_id, p.reason_code, p.properties, v5);
}
std::uint8_t* put_body(std::uint8_t* out, const Subscribe& p, bool v5) noexcept {
  out = put_u16(out, p.packet_id);
  if (v5) out = put_properties(out, p.properties);
  if (p.filters.empty()) return put_raw(out, p.wire_filters);
  for (const Subscription& s : p.filters) {
    out = put_string(out, s.filter);
    out = put_u8(out, options_byte(s, v5));
  }
  return out;
}
std::uint8_t* put_body(std::uint8_t* out, const Suback& p, bool v5) noexcept {
  out = put_u16(out, p.packet_id);
  if (v5) out = put_properties(out, p.properties);
  return put_raw(out, p.return_codes);
}
std::uint8_t* put_body(std::uint8_t* out, const Unsubscribe& p, bool v5) noexcept {
  out = put_u16(out, p.packet_id);
  if (v5) out = put_properties(out, p.properties);
  if (p.filters.empty()) return put_raw(out, p.wire_filters);
  for (const std::string_view f : p.filters) out = put_string(out, f);
  return out;
}
std::uint8_t* put_body(std::uint8_t* out, const Unsuback& p, bool v5) noexcept {
  out = put_u16(out, p.packet_id);
  if (!v5) return out;
  return put_raw(put_properties(out, p.properties), p.reason_codes);
}
std::uint8_t* put_body(std::uint8_t* out, const Pingreq&, bool) noexcept {
  return out;
}
std::uint8_t* put_body(std::uint8_t* out, const Pingresp&, bool) noexcept {
  return out;
}
std::uint8_t* put_body(std::uint8_t* out, const Disconnect& p, bool v5) noexcept {
  if (!v5 || (p.reason_code == 0 && p.properties.empty())) return out;
  out = put_u8(out, p.reason_code);
  return p.properties.empty() ? out : put_properties(out, p.properties);
}

// The version is a template parameter here so that each version's code is compiled with the
// other's branches folded away: the 3.1.1 hot path costs what it did before MQTT 5 existed.
template <bool V5, class P>
std::size_t encoded_size_of(const P& p) noexcept {
  const std::size_t body = body_size(p, V5);
  return 1 + detail::remaining_length_bytes(body) + body;
}

template <bool V5, class P>
std::size_t encode_to_of(const P& p, std::uint8_t* out) noexcept {
  std::uint8_t* const start = out;
  out = put_u8(out, first_byte(p));
  out = detail::put_vbi(out, body_size(p, V5));
  out = put_body(out, p, V5);
  return static_cast<std::size_t>(out - start);
}

}  // namespace

std::size_t encoded_size(const Packet& packet, EncodeOptions options) {
  if (options.version == ProtocolVersion::v5) {
    return std::visit([](const auto& p) { return encoded_size_of<true>(p); }, packet);
  }
  return std::visit([](const auto& p) { return encoded_size_of<false>(p); }, packet);
}

std::size_t encode_to(const Packet& packet, std::uint8_t* out, EncodeOptions options) {
  if (options.version == ProtocolVersion::v5) {
    return std::visit([out](const auto& p) { return encode_to_of<true>(p, out); }, packet);
  }
  return std::visit([out](const auto& p) { return encode_to_of<false>(p, out); }, packet);
}

void encode(const Packet& packet, std::vector<std::uint8_t>& out, EncodeOptions options) {
  const std::size_t offset = out.size();
  out.resize(offset + encoded_size(packet, options));
  encode_to(packet, out.data() + offset, options);
}

}  // namespace fleetsim::mqtt
