// MQTT 3.1.1 control packets as plain values.
//
// Strings and payloads are views: a decoded packet points into the buffer it was decoded from
// and is valid only as long as that buffer is; a packet to encode points at the caller's data.
// This keeps the codec free of allocations on the hot path (one PUBLISH per telemetry message).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

namespace fleetsim::mqtt {

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
};

struct Connect {
  std::string_view protocol_name = "MQTT";
  std::uint8_t protocol_level = 4;  // 4 = MQTT 3.1.1
  bool clean_session = false;
  std::uint16_t keep_alive_s = 0;
  std::string_view client_id;
  std::optional<Will> will;
  std::optional<std::string_view> username;
  std::optional<Bytes> password;
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

struct Connack {
  bool session_present = false;
  ConnackCode code = ConnackCode::accepted;
};

struct Publish {
  bool dup = false;
  std::uint8_t qos = 0;
  bool retain = false;
  std::string_view topic;
  std::uint16_t packet_id = 0;  // present on the wire only when qos > 0
  Bytes payload;
};

struct Puback {
  std::uint16_t packet_id = 0;
};
struct Pubrec {
  std::uint16_t packet_id = 0;
};
struct Pubrel {
  std::uint16_t packet_id = 0;
};
struct Pubcomp {
  std::uint16_t packet_id = 0;
};

struct Subscription {
  std::string_view filter;
  std::uint8_t qos = 0;
};

// A decoded SUBSCRIBE keeps its filters in the wire bytes; iterate with for_each_filter().
// To encode, fill `filters`; when `filters` is empty the encoder writes `wire_filters` verbatim, so
// a decoded packet re-encodes (a proxy or the fuzz round trip) without rebuilding the list.
struct Subscribe {
  std::uint16_t packet_id = 0;
  std::span<const Subscription> filters;  // encode side
  Bytes wire_filters;                     // decode side: the raw topic-filter list
};

// SUBACK return codes: 0, 1, 2 granted QoS, 0x80 failure.
struct Suback {
  std::uint16_t packet_id = 0;
  Bytes return_codes;
};

// Same two sides as Subscribe.
struct Unsubscribe {
  std::uint16_t packet_id = 0;
  std::span<const std::string_view> filters;  // encode side
  Bytes wire_filters;                         // decode side
};

struct Unsuback {
  std::uint16_t packet_id = 0;
};
struct Pingreq {};
struct Pingresp {};
struct Disconnect {};

using Packet = std::variant<Connect, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp, Subscribe, Suback,
                            Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect>;

}  // namespace fleetsim::mqtt
