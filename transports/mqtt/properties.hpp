// MQTT 5 properties (MQTT 5.0 section 2.2.2): reading a property list that decode() validated,
// and building one to encode.
//
// A packet's `properties` field is the list without its length prefix. Property lists stay off
// fleetsim's hot path (3.1.1 has none; an MQTT 5 telemetry stream builds its user properties
// once), so these functions favour plain code over speed.
//
// Thread safety: pure functions; PropertyReader belongs to its caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "transports/mqtt/packets.hpp"

namespace fleetsim::mqtt {

// The identifiers of MQTT 5.0 section 2.2.2.2.
enum class PropertyId : std::uint8_t {
  payload_format_indicator = 0x01,
  message_expiry_interval = 0x02,
  content_type = 0x03,
  response_topic = 0x08,
  correlation_data = 0x09,
  subscription_identifier = 0x0B,
  session_expiry_interval = 0x11,
  assigned_client_identifier = 0x12,
  server_keep_alive = 0x13,
  authentication_method = 0x15,
  authentication_data = 0x16,
  request_problem_information = 0x17,
  will_delay_interval = 0x18,
  request_response_information = 0x19,
  response_information = 0x1A,
  server_reference = 0x1C,
  reason_string = 0x1F,
  receive_maximum = 0x21,
  topic_alias_maximum = 0x22,
  topic_alias = 0x23,
  maximum_qos = 0x24,
  retain_available = 0x25,
  user_property = 0x26,
  maximum_packet_size = 0x27,
  wildcard_subscription_available = 0x28,
  subscription_identifier_available = 0x29,
  shared_subscription_available = 0x2A,
};

// The data types of section 1.5.
enum class PropertyType : std::uint8_t {
  byte,
  two_byte_integer,
  four_byte_integer,
  variable_byte_integer,
  utf8_string,
  binary_data,
  utf8_string_pair,  // user properties
};

// The type of a defined identifier; nullopt for an identifier MQTT 5.0 does not define.
std::optional<PropertyType> property_type(std::uint8_t id) noexcept;

struct Property {
  PropertyId id{};
  std::uint32_t number = 0;  // the four integer types
  std::string_view text;     // a UTF-8 string, or a user property's value
  std::string_view name;     // a user property's name
  Bytes binary;              // binary data
};

// Walks a property list front to back. Values are views into the list.
class PropertyReader {
 public:
  explicit PropertyReader(Bytes properties) noexcept
      : p_(properties.data()), end_(properties.data() + properties.size()) {}

  // The next property; false at the end. A list that did not come through decode() ends at its
  // first malformed entry.
  bool next(Property& out) noexcept;

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

// The value of the first integer property `id` in the list; nullopt when absent.
std::optional<std::uint32_t> find_integer_property(Bytes properties, PropertyId id) noexcept;

// Appending to a list under construction; the identifier decides the encoding. Each returns false
// and appends nothing when `id` does not have that kind of value (an integer for a string
// property, say) or the value does not fit its type.
bool append_integer_property(std::vector<std::uint8_t>& out, PropertyId id, std::uint32_t value);
// UTF-8 strings and binary data (both a two-byte length and the bytes).
bool append_string_property(std::vector<std::uint8_t>& out, PropertyId id, std::string_view value);
bool append_user_property(std::vector<std::uint8_t>& out, std::string_view name, std::string_view value);

}  // namespace fleetsim::mqtt
