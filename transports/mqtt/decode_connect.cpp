// CONNECT (MQTT 3.1.1 section 3.1, MQTT 5.0 section 3.1) and CONNACK (sections 3.2) bodies.
#include "transports/mqtt/codec_detail.hpp"

namespace fleetsim::mqtt::detail {
namespace {

constexpr std::uint8_t flag_reserved = 0x01;
constexpr std::uint8_t flag_clean_session = 0x02;
constexpr std::uint8_t flag_will = 0x04;
constexpr std::uint8_t flag_will_retain = 0x20;
constexpr std::uint8_t flag_password = 0x40;
constexpr std::uint8_t flag_username = 0x80;

}  // namespace

CodecError decode_connect(Bytes body, Connect& out) noexcept {
  Reader rd(body);
  Bytes name;
  if (auto e = rd.binary(name); e != CodecError::ok) return e;
  // "MQIsdp" is MQTT 3.1's name; it is decoded so the hub can answer CONNACK 1 instead of
  // dropping the connection (the protocol level decides, section 3.1.2.2).
  out.protocol_name = as_string(name);
  if (out.protocol_name != "MQTT" && out.protocol_name != "MQIsdp") {
    return CodecError::invalid_protocol_name;  // MQTT-3.1.2-1
  }
  std::uint8_t flags = 0;
  if (auto e = rd.u8(out.protocol_level); e != CodecError::ok) return e;
  if (auto e = rd.u8(flags); e != CodecError::ok) return e;

  const bool has_will = (flags & flag_will) != 0;
  const std::uint8_t will_qos = (flags >> 3) & 0x03;
  const bool will_retain = (flags & flag_will_retain) != 0;
  if ((flags & flag_reserved) != 0) return CodecError::invalid_connect_flags;  // MQTT-3.1.2-3
  if (!has_will && (will_qos != 0 || will_retain)) {
    return CodecError::invalid_connect_flags;  // MQTT-3.1.2-11, -13, -15
  }
  if (will_qos == 3) return CodecError::invalid_qos;  // MQTT-3.1.2-14
  // The level decides the layout (MQTT 5.0 3.1.2.2): properties after the keep-alive and before
  // the will topic, and a password without a user name allowed (3.1.2.9).
  const bool v5 = out.protocol_level == static_cast<std::uint8_t>(ProtocolVersion::v5);
  if (!v5 && (flags & flag_password) != 0 && (flags & flag_username) == 0) {
    return CodecError::invalid_connect_flags;  // MQTT-3.1.2-22
  }
  out.clean_session = (flags & flag_clean_session) != 0;

  if (auto e = rd.u16(out.keep_alive_s); e != CodecError::ok) return e;
  if (v5) {
    if (auto e = rd.properties(out.properties, PropertyScope::connect); e != CodecError::ok) return e;
  }
  // An empty client id is legal on the wire; accepting it is the server's decision (3.1.3.1).
  if (auto e = rd.utf8(out.client_id); e != CodecError::ok) return e;
  if (has_will) {
    Will& will = out.will.emplace();
    will.qos = will_qos;
    will.retain = will_retain;
    if (v5) {
      if (auto e = rd.properties(will.properties, PropertyScope::will); e != CodecError::ok) return e;
    }
    if (auto e = rd.utf8(will.topic); e != CodecError::ok) return e;
    if (auto e = check_topic_name(will.topic); e != CodecError::ok) return e;
    if (auto e = rd.binary(will.payload); e != CodecError::ok) return e;
  }
  if ((flags & flag_username) != 0) {
    if (auto e = rd.utf8(out.username.emplace()); e != CodecError::ok) return e;
  }
  if ((flags & flag_password) != 0) {
    if (auto e = rd.binary(out.password.emplace()); e != CodecError::ok) return e;
  }
  return rd.empty() ? CodecError::ok : CodecError::trailing_bytes;
}

CodecError decode_connack(Bytes body, Connack& out, bool v5) noexcept {
  if (v5) {
    // Flags, reason code, properties (3.2.2): the property length is always there.
    Reader rd(body);
    std::uint8_t flags = 0, reason = 0;
    if (auto e = rd.u8(flags); e != CodecError::ok) return e;
    if (auto e = rd.u8(reason); e != CodecError::ok) return e;
    if ((flags & 0xFE) != 0) return CodecError::invalid_connack_flags;  // MQTT-3.2.2-1
    if (!valid_reason_code(PacketType::connack, reason)) return CodecError::invalid_reason_code;
    out.session_present = (flags & 0x01) != 0;
    out.code = static_cast<ConnackCode>(reason);
    if (out.session_present && reason != 0) return CodecError::invalid_connack_flags;  // MQTT-3.2.2-6
    if (auto e = rd.properties(out.properties, PropertyScope::connack); e != CodecError::ok) return e;
    return rd.empty() ? CodecError::ok : CodecError::trailing_bytes;
  }
  if (body.size() < 2) return CodecError::truncated_packet;
  if (body.size() > 2) return CodecError::trailing_bytes;
  if ((body[0] & 0xFE) != 0) return CodecError::invalid_connack_flags;  // section 3.2.2.1
  if (body[1] > 5) return CodecError::invalid_connack_code;
  out.session_present = (body[0] & 0x01) != 0;
  out.code = static_cast<ConnackCode>(body[1]);
  // MQTT-3.2.2-4: a refusal never claims a session.
  if (out.session_present && out.code != ConnackCode::accepted) {
    return CodecError::invalid_connack_flags;
  }
  return CodecError::ok;
}

}  // namespace fleetsim::mqtt::detail
