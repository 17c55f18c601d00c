// MQTT 3.1.1 and MQTT 5.0 control packets as plain values.
//
// Strings and payloads are views: a decoded packet points into the buffer it was decoded from
// and is valid only as long as that buffer is; a packet to encode points at the caller's data.
// This keeps the codec free of allocations on the hot path (one PUBLISH per telemetry message).
//
// One set of structs serves both versions. The MQTT 5 fields (properties, reason codes,
// subscription options) come last in each struct with neutral defaults, so 3.1.1 code builds its
// packets as before; an encoder for 3.1.1 does not write them. Properties stay raw: `properties`
// is the property list without its length prefix, validated by decode(), read and written with
// transports/mqtt/properties.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

namespace fleetsim::mqtt {

// The protocol level byte of CONNECT: MQTT 3.1.1 section 3.1.2.2, MQTT 5.0 section 3.1.2.2.
enum class ProtocolVersion : std::uint8_t { v3_1_1 = 4, v5 = 5 };

enum class PacketType : std::uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  pubrec = 5,
  pubrel = 6,
  pubcomp = 7,
  subscribe = 8,
  suback = 9,
  unsubscribe = 10,
  unsuback = 11,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
  auth = 15,  // MQTT 5 only (reserved in 3.1.1); decode() refuses it, see CodecError
};

using Bytes = std::span<const std::uint8_t>;

inline Bytes as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_string(Bytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

struct Will {
  std::string_view topic;
  Bytes payload;
  std::uint8_t qos = 0;
  bool retain = false;
  Bytes properties;  // MQTT 5 will properties
};

// A CONNECT carries its own version: its layout (properties or not) follows `protocol_level`,
// whatever version the encoder or decoder is otherwise set to.
struct Connect {
  std::string_view protocol_name = "MQTT";
  std::uint8_t protocol_level = 4;  // 4 = MQTT 3.1.1, 5 = MQTT 5.0
  bool clean_session = false;       // "Clean Start" in MQTT 5
  std::uint16_t keep_alive_s = 0;
  std::string_view client_id;
  std::optional<Will> will;
  std::optional<std::string_view> username;
  std::optional<Bytes> password;
  Bytes properties;  // MQTT 5
};

// CONNACK return codes of MQTT 3.1.1 section 3.2.2.3.
enum class ConnackCode : std::uint8_t {
  accepted = 0,
  unacceptable_protocol_version = 1,
  identifier_rejected = 2,
  server_unavailable = 3,
  bad_username_or_password = 4,
  not_authorized = 5,
};

// MQTT 5 reason codes (MQTT 5.0 section 2.4). Which ones a packet type may carry is checked by
// decode(); values below 0x80 report success.
enum class ReasonCode : std::uint8_t {
  success = 0x00,  // also "normal disconnection" and "granted QoS 0"
  granted_qos1 = 0x01,
  granted_qos2 = 0x02,
  disconnect_with_will = 0x04,
  no_matching_subscribers = 0x10,
  no_subscription_existed = 0x11,
  continue_authentication = 0x18,
  reauthenticate = 0x19,
  unspecified_error = 0x80,
  malformed_packet = 0x81,
  protocol_error = 0x82,
  implementation_specific_error = 0x83,
  unsupported_protocol_version = 0x84,
  client_identifier_not_valid = 0x85,
  bad_user_name_or_password = 0x86,
  not_authorized = 0x87,
  server_unavailable = 0x88,
  server_busy = 0x89,
  banned = 0x8A,
  server_shutting_down = 0x8B,
  bad_authentication_method = 0x8C,
  keep_alive_timeout = 0x8D,
  session_taken_over = 0x8E,
  topic_filter_invalid = 0x8F,
  topic_name_invalid = 0x90,
  packet_identifier_in_use = 0x91,
  packet_identifier_not_found = 0x92,
  receive_maximum_exceeded = 0x93,
  topic_alias_invalid = 0x94,
  packet_too_large = 0x95,
  message_rate_too_high = 0x96,
  quota_exceeded = 0x97,
  administrative_action = 0x98,
  payload_format_invalid = 0x99,
  retain_not_supported = 0x9A,
  qos_not_supported = 0x9B,
  use_another_server = 0x9C,
  server_moved = 0x9D,
  shared_subscriptions_not_supported = 0x9E,
  connection_rate_exceeded = 0x9F,
  maximum_connect_time = 0xA0,
  subscription_identifiers_not_supported = 0xA1,
  wildcard_subscriptions_not_supported = 0xA2,
};

// `code` holds the 3.1.1 return code, or in MQTT 5 the reason code (a ReasonCode value stored in
// the same byte). Both versions use 0 for success, so `code == ConnackCode::accepted` is the test
// for either.
struct Connack {
  bool session_present = false;
  ConnackCode code = ConnackCode::accepted;
  Bytes properties;  // MQTT 5
};

struct Publish {
  bool dup = false;
  std::uint8_t qos = 0;
  bool retain = false;
  std::string_view topic;
  std::uint16_t packet_id = 0;  // present on the wire only when qos > 0
  Bytes payload;
  // MQTT 5. A decoded PUBLISH may have an empty topic only when these carry a Topic Alias.
  Bytes properties;
};

// The four acknowledgements of QoS 1 and 2. MQTT 5 adds a reason code and properties; the
// encoder writes the short forms (MQTT 5.0 section 3.4.2.1) when they are 0 and empty.
struct Puback {
  std::uint16_t packet_id = 0;
  std::uint8_t reason_code = 0;  // MQTT 5 (ReasonCode)
  Bytes properties;              // MQTT 5
};
struct Pubrec {
  std::uint16_t packet_id = 0;
  std::uint8_t reason_code = 0;
  Bytes properties;
};
struct Pubrel {
  std::uint16_t packet_id = 0;
  std::uint8_t reason_code = 0;
  Bytes properties;
};
struct Pubcomp {
  std::uint16_t packet_id = 0;
  std::uint8_t reason_code = 0;
  Bytes properties;
};

// One topic filter of a SUBSCRIBE with its options (MQTT 5.0 section 3.8.3.1; 3.1.1 has the
// QoS only, and its encoder writes only the QoS).
struct Subscription {
  std::string_view filter;
  std::uint8_t qos = 0;
  bool no_local = false;             // MQTT 5: not sent back to the connection that published
  bool retain_as_published = false;  // MQTT 5
  std::uint8_t retain_handling = 0;  // MQTT 5: 0 send retained, 1 only if new, 2 never
};

// A decoded SUBSCRIBE keeps its filters in the wire bytes; iterate with for_each_filter().
// To encode, fill `filters`; when `filters` is empty the encoder writes `wire_filters` verbatim, so
// a decoded packet re-encodes (a proxy or the fuzz round trip) without rebuilding the list.
struct Subscribe {
  std::uint16_t packet_id = 0;
  std::span<const Subscription> filters;  // encode side
  Bytes wire_filters;                     // decode side: the raw topic-filter list
  Bytes properties;                       // MQTT 5
};

// SUBACK return codes: 0, 1, 2 granted QoS, 0x80 failure; in MQTT 5 reason codes, every value
// from 0x80 up a failure.
struct Suback {
  std::uint16_t packet_id = 0;
  Bytes return_codes;
  Bytes properties;  // MQTT 5
};

// Same two sides as Subscribe.
struct Unsubscribe {
  std::uint16_t packet_id = 0;
  std::span<const std::string_view> filters;  // encode side
  Bytes wire_filters;                         // decode side
  Bytes properties;                           // MQTT 5
};

struct Unsuback {
  std::uint16_t packet_id = 0;
  Bytes properties;    // MQTT 5
  Bytes reason_codes;  // MQTT 5: one per filter of the UNSUBSCRIBE (3.1.1 has none)
};
struct Pingreq {};
struct Pingresp {};
// MQTT 5 adds a reason code and properties; the encoder writes the short forms (section 3.14.2.1)
// when they are 0 and empty, which is also the 3.1.1 packet.
struct Disconnect {
  std::uint8_t reason_code = 0;  // MQTT 5 (ReasonCode)
  Bytes properties;              // MQTT 5
};

using Packet = std::variant<Connect, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp, Subscribe, Suback,
                            Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect>;

}  // namespace fleetsim::mqtt
