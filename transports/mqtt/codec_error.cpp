#include <string>

#include "transports/mqtt/codec.hpp"

namespace fleetsim::mqtt {
namespace {

class CodecCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mqtt.codec"; }
  std::string message(int ev) const override {
    switch (static_cast<CodecError>(ev)) {
      case CodecError::ok: return "ok";
      case CodecError::malformed_remaining_length: return "malformed remaining length (more than 4 bytes) [MQTT-2.2.3]";
      case CodecError::packet_too_large: return "packet larger than the configured maximum";
      case CodecError::reserved_packet_type: return "reserved packet type 0 or 15 [MQTT-2.2.1]";
      case CodecError::invalid_fixed_header_flags: return "fixed header flags not allowed for this packet type [MQTT-2.2.2-2]";
      case CodecError::invalid_qos: return "QoS 3 is not a valid QoS [MQTT-3.3.1-4]";
      case CodecError::truncated_packet: return "packet shorter than its fields [MQTT-1.5.3]";
      case CodecError::trailing_bytes: return "remaining length longer than the packet's fields";
      case CodecError::invalid_utf8: return "string is not well-formed UTF-8 or contains U+0000 [MQTT-1.5.3-1/2]";
      case CodecError::invalid_protocol_name: return "CONNECT protocol name is not MQTT [MQTT-3.1.2-1]";
      case CodecError::invalid_connect_flags: return "invalid CONNECT flags [MQTT-3.1.2-3/11/13/15/22]";
      case CodecError::invalid_connack_flags: return "invalid CONNACK acknowledge flags [MQTT-3.2.2.1]";
      case CodecError::invalid_connack_code: return "CONNACK return code above 5 [MQTT-3.2.2.3]";
      case CodecError::zero_packet_id: return "packet identifier 0 [MQTT-2.3.1-1]";
      case CodecError::empty_topic: return "empty topic name or filter [MQTT-4.7.3-1]";
      case CodecError::wildcard_in_topic_name: return "wildcard in a PUBLISH topic name [MQTT-3.3.2-2]";
      case CodecError::invalid_topic_filter: return "misplaced wildcard in a topic filter [MQTT-4.7.1-2/3]";
      case CodecError::empty_subscription_list: return "SUBSCRIBE/UNSUBSCRIBE without a topic filter [MQTT-3.8.3-3]";
      case CodecError::invalid_suback_code: return "SUBACK return code other than 0, 1, 2 or 0x80 [MQTT-3.9.3-2]";
      case CodecError::dup_with_qos0: return "DUP flag set on a QoS 0 PUBLISH [MQTT-3.3.1-2]";
      case CodecError::malformed_variable_byte_integer: return "variable byte integer longer than 4 bytes [MQTT 5 1.5.5]";
      case CodecError::unknown_property: return "property identifier not defined by MQTT 5.0 [MQTT 5 2.2.2.2]";
      case CodecError::property_not_allowed: return "property not allowed in this packet type [MQTT 5 2.2.2.2]";
      case CodecError::duplicate_property: return "property repeated where it may appear once [MQTT 5 2.2.2.2]";
      case CodecError::invalid_property_value: return "property value out of range (e.g. Receive Maximum 0) [MQTT 5 3]";
      case CodecError::invalid_reason_code: return "reason code not defined for this packet type [MQTT 5 2.4]";
      case CodecError::invalid_subscription_options: return "reserved subscription option bits, Retain Handling 3, or No Local on a shared subscription [MQTT-3.8.3-4/5]";
      case CodecError::auth_not_supported: return "AUTH packet: enhanced authentication is not supported [MQTT 5 3.15]";
    }
    return "unknown mqtt codec error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& codec_category() noexcept {
  static const CodecCategory category;
  return category;
}

std::error_code make_error_code(CodecError e) noexcept {
  return {static_cast<int>(e), codec_category()};
}

}  // namespace fleetsim::mqtt
