// The MQTT 5 bodies of PUBLISH, the four QoS acknowledgements and DISCONNECT (MQTT 5.0 sections
// 3.3-3.7, 3.14), and the MQTT 5 dispatch by packet type. Kept apart from decode.cpp so that the
// 3.1.1 hot path does not grow.
#include "transports/mqtt/codec_detail.hpp"

namespace fleetsim::mqtt::detail {
namespace {

CodecError decode_publish_v5(Bytes body, std::uint8_t flags, Publish& out) noexcept {
  out.dup = (flags & 0x08) != 0;
  out.qos = (flags >> 1) & 0x03;
  out.retain = (flags & 0x01) != 0;
  Reader rd(body);
  if (auto e = rd.utf8(out.topic); e != CodecError::ok) return e;
  // An empty topic is allowed when a Topic Alias stands for it (3.3.2.3.4): known only once the
  // properties are read.
  if (auto e = check_topic_name(out.topic); e != CodecError::ok && e != CodecError::empty_topic) return e;
  if (out.qos > 0) {
    if (auto e = rd.u16(out.packet_id); e != CodecError::ok) return e;
    if (out.packet_id == 0) return CodecError::zero_packet_id;  // MQTT-2.3.1-1
  }
  PropertyFacts facts;
  if (auto e = rd.properties(out.properties, PropertyScope::publish, facts); e != CodecError::ok) return e;
  if (out.topic.empty() && !facts.topic_alias) return CodecError::empty_topic;  // MQTT-3.3.2-1
  out.payload = rd.rest();
  return CodecError::ok;
}

// PUBACK, PUBREC, PUBREL, PUBCOMP (3.4.2): packet id, then optionally a reason code, then
// optionally properties. A shorter form means reason 0 and no properties.
template <class Ack>
CodecError decode_ack_v5(PacketType type, PropertyScope scope, Bytes body, Packet& packet) noexcept {
  Ack& ack = packet.emplace<Ack>();
  Reader rd(body);
  if (auto e = rd.u16(ack.packet_id); e != CodecError::ok) return e;
  if (ack.packet_id == 0) return CodecError::zero_packet_id;
  if (rd.empty()) return CodecError::ok;
  if (auto e = rd.u8(ack.reason_code); e != CodecError::ok) return e;
  if (!valid_reason_code(type, ack.reason_code)) return CodecError::invalid_reason_code;
  if (rd.empty()) return CodecError::ok;
  if (auto e = rd.properties(ack.properties, scope); e != CodecError::ok) return e;
  return rd.empty() ? CodecError::ok : CodecError::trailing_bytes;
}

// DISCONNECT (3.14.2): empty means normal disconnection; a reason code alone, or with properties.
CodecError decode_disconnect_v5(Bytes body, Disconnect& out) noexcept {
  Reader rd(body);
  if (rd.empty()) return CodecError::ok;
  if (auto e = rd.u8(out.reason_code); e != CodecError::ok) return e;
  if (!valid_reason_code(PacketType::disconnect, out.reason_code)) return CodecError::invalid_reason_code;
  if (rd.empty()) return CodecError::ok;
  if (auto e = rd.properties(out.properties, PropertyScope::disconnect); e != CodecError::ok) return e;
  return rd.empty() ? CodecError::ok : CodecError::trailing_bytes;
}

}  // namespace

CodecError decode_body_v5(PacketType type, std::uint8_t flags, Bytes body, Packet& packet) noexcept {
  switch (type) {
    case PacketType::publish:
      return decode_publish_v5(body, flags, packet.emplace<Publish>());
    case PacketType::puback:
      return decode_ack_v5<Puback>(type, PropertyScope::puback, body, packet);
    case PacketType::pubrec:
      return decode_ack_v5<Pubrec>(type, PropertyScope::pubrec, body, packet);
    case PacketType::pubrel:
      return decode_ack_v5<Pubrel>(type, PropertyScope::pubrel, body, packet);
    case PacketType::pubcomp:
      return decode_ack_v5<Pubcomp>(type, PropertyScope::pubcomp, body, packet);
    case PacketType::unsuback:
      return decode_unsuback_v5(body, packet.emplace<Unsuback>());
    case PacketType::connect:
      return decode_connect(body, packet.emplace<Connect>());
    case PacketType::connack:
      return decode_connack(body, packet.emplace<Connack>(), true);
    case PacketType::subscribe:
      return decode_subscribe(body, packet.emplace<Subscribe>(), true);
    case PacketType::suback:
      return decode_suback(body, packet.emplace<Suback>(), true);
    case PacketType::unsubscribe:
      return decode_unsubscribe(body, packet.emplace<Unsubscribe>(), true);
    case PacketType::pingreq:
      return decode_empty<Pingreq>(body, packet);
    case PacketType::pingresp:
      return decode_empty<Pingresp>(body, packet);
    case PacketType::disconnect:
      return decode_disconnect_v5(body, packet.emplace<Disconnect>());
    case PacketType::auth:
      break;  // refused from the fixed header
  }
  return CodecError::reserved_packet_type;
}

}  // namespace fleetsim::mqtt::detail
