// decode(): the fixed header (MQTT 3.1.1 section 2.2, MQTT 5.0 section 2.1), dispatch by version
// and packet type, and the 3.1.1 bodies on the hot path (PUBLISH and the two-byte
// acknowledgements), kept here so they inline into the dispatch. The MQTT 5 dispatch has its own
// file (decode_v5.cpp), so the 3.1.1 path stays as small as it was; CONNECT/CONNACK and
// SUBSCRIBE/UNSUBSCRIBE bodies live in their own files.
#include "transports/mqtt/codec.hpp"
#include "transports/mqtt/codec_detail.hpp"

namespace fleetsim::mqtt {
namespace {

// Section 2.2.2: PUBLISH flags carry dup/qos/retain; PUBREL, SUBSCRIBE and UNSUBSCRIBE must be
// 0010; every other type 0000.
CodecError check_fixed_flags(PacketType type, std::uint8_t flags) noexcept {
  switch (type) {
    case PacketType::publish: {
      const std::uint8_t qos = (flags >> 1) & 0x03;
      if (qos == 3) return CodecError::invalid_qos;                           // MQTT-3.3.1-4
      if (qos == 0 && (flags & 0x08) != 0) return CodecError::dup_with_qos0;  // MQTT-3.3.1-2
      return CodecError::ok;
    }
    case PacketType::pubrel:
    case PacketType::subscribe:
    case PacketType::unsubscribe:
      return flags == 0x02 ? CodecError::ok : CodecError::invalid_fixed_header_flags;
    default:
      return flags == 0 ? CodecError::ok : CodecError::invalid_fixed_header_flags;
  }
}

CodecError decode_publish(Bytes body, std::uint8_t flags, Publish& out) noexcept {
  out.dup = (flags & 0x08) != 0;
  out.qos = (flags >> 1) & 0x03;
  out.retain = (flags & 0x01) != 0;
  detail::Reader rd(body);
  if (auto e = rd.utf8(out.topic); e != CodecError::ok) return e;
  if (auto e = check_topic_name(out.topic); e != CodecError::ok) return e;
  if (out.qos > 0) {
    if (auto e = rd.u16(out.packet_id); e != CodecError::ok) return e;
    if (out.packet_id == 0) return CodecError::zero_packet_id;  // MQTT-2.3.1-1
  }
  out.payload = rd.rest();
  return CodecError::ok;
}

// PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK: exactly a non-zero packet id.
CodecError decode_packet_id_only(Bytes body, std::uint16_t& packet_id) noexcept {
  if (body.size() < 2) return CodecError::truncated_packet;
  if (body.size() > 2) return CodecError::trailing_bytes;
  packet_id = static_cast<std::uint16_t>((body[0] << 8) | body[1]);
  return packet_id == 0 ? CodecError::zero_packet_id : CodecError::ok;
}

template <class Ack>
CodecError decode_ack(Bytes body, Packet& packet) noexcept {
  return decode_packet_id_only(body, packet.emplace<Ack>().packet_id);
}

// The MQTT 3.1.1 bodies; MQTT 5 goes to detail::decode_body_v5 (decode_v5.cpp).
CodecError decode_body(PacketType type, std::uint8_t flags, Bytes body, Packet& packet) noexcept {
  switch (type) {
    case PacketType::publish:
      return decode_publish(body, flags, packet.emplace<Publish>());
    case PacketType::puback:
      return decode_ack<Puback>(body, packet);
    case PacketType::pubrec:
      return decode_ack<Pubrec>(body, packet);
    case PacketType::pubrel:
      return decode_ack<Pubrel>(body, packet);
    case PacketType::pubcomp:
      return decode_ack<Pubcomp>(body, packet);
    case PacketType::unsuback:
      return decode_ack<Unsuback>(body, packet);
    case PacketType::connect:
      return detail::decode_connect(body, packet.emplace<Connect>());
    case PacketType::connack:
      return detail::decode_connack(body, packet.emplace<Connack>(), false);
    case PacketType::subscribe:
      return detail::decode_subscribe(body, packet.emplace<Subscribe>(), false);
    case PacketType::suback:
      return detail::decode_suback(body, packet.emplace<Suback>(), false);
    case PacketType::unsubscribe:
      return detail::decode_unsubscribe(body, packet.emplace<Unsubscribe>(), false);
    case PacketType::pingreq:
      return detail::decode_empty<Pingreq>(body, packet);
    case PacketType::pingresp:
      return detail::decode_empty<Pingresp>(body, packet);
    case PacketType::disconnect:
      return detail::decode_empty<Disconnect>(body, packet);
    case PacketType::auth:
      break;  // reserved in 3.1.1, refused from the fixed header
  }
  return CodecError::reserved_packet_type;
}

// Fills `result` (packet or need_more) or returns the error. One named result object in decode()
// keeps the return value optimisation: copying a DecodeResult costs more than decoding a PUBACK.
CodecError decode_into(Bytes input, const DecodeLimits& limits, DecodeResult& result) noexcept {
  if (input.empty()) return CodecError::ok;

  const bool v5 = limits.version == ProtocolVersion::v5;
  const std::uint8_t type_bits = input[0] >> 4;
  const std::uint8_t flags = input[0] & 0x0F;
  if (type_bits == 0 || (type_bits == 15 && !v5)) return CodecError::reserved_packet_type;
  // Refused at once rather than read: nothing here could carry on an authentication exchange.
  if (type_bits == 15) return CodecError::auth_not_supported;
  const auto type = static_cast<PacketType>(type_bits);
  if (auto e = check_fixed_flags(type, flags); e != CodecError::ok) return e;

  // Remaining length: up to four bytes, seven bits each, least significant group first.
  std::size_t remaining = 0;
  std::size_t pos = 1;
  for (unsigned shift = 0;; shift += 7) {
    if (pos == 5) return CodecError::malformed_remaining_length;
    if (pos >= input.size()) return CodecError::ok;  // header incomplete: `needed` unknown yet
    const std::uint8_t b = input[pos++];
    remaining |= static_cast<std::size_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) break;
  }
  // Refused from the header alone, so a peer cannot make us buffer an oversized body.
  if (remaining > limits.max_packet_size) return CodecError::packet_too_large;

  const std::size_t total = pos + remaining;
  if (input.size() < total) {
    result.needed = total;
    return CodecError::ok;
  }

  const Bytes body = input.subspan(pos, remaining);
  const CodecError e = v5 ? detail::decode_body_v5(type, flags, body, result.packet)
                          : decode_body(type, flags, body, result.packet);
  if (e != CodecError::ok) return e;
  result.status = DecodeResult::Status::packet;
  result.consumed = total;
  return CodecError::ok;
}

}  // namespace

DecodeResult decode(Bytes input, const DecodeLimits& limits) {
  DecodeResult result;
  if (const CodecError e = decode_into(input, limits, result); e != CodecError::ok) {
    result.status = DecodeResult::Status::error;
    result.error = e;
    result.needed = 0;
  }
  return result;
}

}  // namespace fleetsim::mqtt
