// MQTT 5: every malformed property list, reason code and subscription option is refused with its
// own CodecError, and AUTH is refused cleanly.
#include <gtest/gtest.h>

#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "transports/mqtt/codec.hpp"

namespace fleetsim::mqtt {
namespace {

using ByteList = std::vector<std::uint8_t>;

constexpr DecodeLimits kV5{.version = ProtocolVersion::v5};

void append(ByteList& out, const auto& bytes) {
  for (const auto b : bytes) out.push_back(static_cast<std::uint8_t>(b));
}

ByteList str(std::string_view s) {
  ByteList out = {static_cast<std::uint8_t>(s.size() >> 8), static_cast<std::uint8_t>(s.size())};
  append(out, s);
  return out;
}

// A packet with a one-byte remaining length from its body pieces.
ByteList packet(std::uint8_t first, std::initializer_list<ByteList> pieces) {
  ByteList body;
  for (const ByteList& p : pieces) append(body, p);
  ByteList out = {first, static_cast<std::uint8_t>(body.size())};
  append(out, body);
  return out;
}

// A property list with its one-byte length.
ByteList props(ByteList list) {
  ByteList out = {static_cast<std::uint8_t>(list.size())};
  append(out, list);
  return out;
}

// A QoS 1 PUBLISH on "t" with packet id 1 and the given property list.
ByteList publish(ByteList list) {
  return packet(0x32, {str("t"), {0x00, 0x01}, props(std::move(list)), {'p'}});
}

CodecError error_of(const ByteList& bytes) {
  const DecodeResult r = decode(bytes, kV5);
  EXPECT_EQ(r.status, DecodeResult::Status::error) << "no error; consumed " << r.consumed;
  EXPECT_EQ(r.consumed, 0u);
  return r.error;
}

TEST(CodecV5Errors, TheSamplePublishIsValid) {
  EXPECT_EQ(decode(publish({}), kV5).status, DecodeResult::Status::packet);
  EXPECT_EQ(
      decode(publish({0x02, 0, 0, 0, 60, 0x26, 0, 1, 'k', 0, 1, 'v', 0x26, 0, 1, 'k', 0, 0}), kV5).status,
      DecodeResult::Status::packet);
}

TEST(CodecV5Errors, UnknownPropertyIdentifiers) {
  EXPECT_EQ(error_of(publish({0x04, 0x00})), CodecError::unknown_property);  // 0x04 is not defined
  EXPECT_EQ(error_of(publish({0x2B, 0x00})), CodecError::unknown_property);  // past the last one
  EXPECT_EQ(error_of(publish({0x00})), CodecError::unknown_property);
  // A continuation bit would make a two-byte identifier: none exists in MQTT 5.0.
  EXPECT_EQ(error_of(publish({0x81, 0x01, 0x00})), CodecError::unknown_property);
}

TEST(CodecV5Errors, PropertiesInTheWrongPacket) {
  EXPECT_EQ(error_of(publish({0x13, 0x00, 0x1E})), CodecError::property_not_allowed);  // Server Keep Alive
  EXPECT_EQ(error_of(publish({0x11, 0, 0, 0, 1})), CodecError::property_not_allowed);  // Session Expiry
  // Will Delay Interval belongs in the will properties, not the CONNECT's own.
  const ByteList connect = packet(0x10, {str("MQTT"), {5, 0x02, 0, 60}, props({0x18, 0, 0, 0, 5}), str("c")});
  EXPECT_EQ(error_of(connect), CodecError::property_not_allowed);
  // Topic Alias in a PUBACK.
  EXPECT_EQ(error_of(packet(0x40, {{0x00, 0x01, 0x00}, props({0x23, 0x00, 0x01})})),
            CodecError::property_not_allowed);
}

TEST(CodecV5Errors, RepeatedProperties) {
  EXPECT_EQ(error_of(publish({0x02, 0, 0, 0, 1, 0x02, 0, 0, 0, 2})), CodecError::duplicate_property);
  // Subscription Identifier: repeatable in PUBLISH, once in SUBSCRIBE.
  EXPECT_EQ(decode(publish({0x0B, 0x01, 0x0B, 0x02}), kV5).status, DecodeResult::Status::packet);
  const ByteList subscribe = packet(0x82, {{0x00, 0x01}, props({0x0B, 0x01, 0x0B, 0x02}), str("a"), {0x01}});
  EXPECT_EQ(error_of(subscribe), CodecError::duplicate_property);
}

TEST(CodecV5Errors, OutOfRangeValues) {
  EXPECT_EQ(error_of(publish({0x01, 0x02})), CodecError::invalid_property_value);        // Payload Format 2
  EXPECT_EQ(error_of(publish({0x23, 0x00, 0x00})), CodecError::invalid_property_value);  // Topic Alias 0
  EXPECT_EQ(error_of(publish({0x0B, 0x00})), CodecError::invalid_property_value);        // Subscription Id 0
  EXPECT_EQ(error_of(publish({0x08, 0x00, 0x01, '#'})),
            CodecError::invalid_property_value);  // Response Topic
  const auto connack = [](ByteList list) { return packet(0x20, {{0x00, 0x00}, props(std::move(list))}); };
  EXPECT_EQ(error_of(connack({0x21, 0x00, 0x00})), CodecError::invalid_property_value);  // Receive Maximum 0
  EXPECT_EQ(error_of(connack({0x24, 0x02})), CodecError::invalid_property_value);        // Maximum QoS 2
  EXPECT_EQ(error_of(connack({0x27, 0, 0, 0, 0})),
            CodecError::invalid_property_value);  // Maximum Packet Size 0
}

TEST(CodecV5Errors, MalformedLengthsAndValues) {
  // The property list claims more bytes than the packet has.
  EXPECT_EQ(error_of(packet(0x32, {str("t"), {0x00, 0x01}, {0x05, 0x02, 0x00}})),
            CodecError::truncated_packet);
  // A four-byte integer cut short inside the list.
  EXPECT_EQ(error_of(publish({0x02, 0x00, 0x00})), CodecError::truncated_packet);
  // A property length in five bytes.
  EXPECT_EQ(error_of(packet(0x32, {str("t"), {0x00, 0x01}, {0x80, 0x80, 0x80, 0x80, 0x01}})),
            CodecError::malformed_variable_byte_integer);
  // A Subscription Identifier in five bytes.
  EXPECT_EQ(error_of(publish({0x0B, 0xFF, 0xFF, 0xFF, 0xFF, 0x01})),
            CodecError::malformed_variable_byte_integer);
  // Strings are UTF-8 without U+0000, in properties as anywhere.
  EXPECT_EQ(error_of(publish({0x03, 0x00, 0x02, 0xC3, 0x28})), CodecError::invalid_utf8);
  EXPECT_EQ(error_of(publish({0x26, 0x00, 0x01, 0x00, 0x00, 0x00})), CodecError::invalid_utf8);
}

TEST(CodecV5Errors, EmptyTopicNeedsATopicAlias) {
  EXPECT_EQ(error_of(packet(0x30, {str(""), props({}), {'p'}})), CodecError::empty_topic);
  EXPECT_EQ(decode(packet(0x30, {str(""), props({0x23, 0x00, 0x02}), {'p'}}), kV5).status,
            DecodeResult::Status::packet);
  // 3.1.1 has no aliases: an empty topic is an error whatever follows.
  EXPECT_EQ(decode(packet(0x30, {str(""), {0x03, 0x23, 0x00, 0x02}})).error, CodecError::empty_topic);
}

TEST(CodecV5Errors, ReasonCodesOutsideTheirPacket) {
  EXPECT_EQ(error_of(packet(0x40, {{0x00, 0x01, 0x92}})), CodecError::invalid_reason_code);       // PUBACK
  EXPECT_EQ(error_of(packet(0x62, {{0x00, 0x01, 0x10}})), CodecError::invalid_reason_code);       // PUBREL
  EXPECT_EQ(error_of(packet(0x20, {{0x00, 0x01}, props({})})), CodecError::invalid_reason_code);  // CONNACK 1
  EXPECT_EQ(error_of(packet(0x90, {{0x00, 0x01}, props({}), {0x03}})),
            CodecError::invalid_reason_code);  // SUBACK
  EXPECT_EQ(error_of(packet(0xB0, {{0x00, 0x01}, props({}), {0x01}})),
            CodecError::invalid_reason_code);                                    // UNSUBACK
  EXPECT_EQ(error_of(packet(0xE0, {{0x10}})), CodecError::invalid_reason_code);  // DISCONNECT
}

TEST(CodecV5Errors, ConnackAndAcknowledgementShapes) {
  // The CONNACK property length is not optional.
  EXPECT_EQ(error_of(packet(0x20, {{0x00, 0x00}})), CodecError::truncated_packet);
  // A refusal claims no session.
  EXPECT_EQ(error_of(packet(0x20, {{0x01, 0x87}, props({})})), CodecError::invalid_connack_flags);
  EXPECT_EQ(error_of(packet(0x20, {{0x02, 0x00}, props({})})), CodecError::invalid_connack_flags);
  // Bytes after the properties of an acknowledgement or a DISCONNECT.
  EXPECT_EQ(error_of(packet(0x40, {{0x00, 0x01, 0x00}, props({}), {0x00}})), CodecError::trailing_bytes);
  EXPECT_EQ(error_of(packet(0xE0, {{0x00}, props({}), {0x00}})), CodecError::trailing_bytes);
  // An UNSUBACK carries one reason code per filter.
  EXPECT_EQ(error_of(packet(0xB0, {{0x00, 0x01}, props({})})), CodecError::truncated_packet);
  EXPECT_EQ(error_of(packet(0x40, {{0x00, 0x00}})), CodecError::zero_packet_id);
}

TEST(CodecV5Errors, SubscriptionOptions) {
  const auto subscribe = [](std::string_view filter, std::uint8_t options) {
    return packet(0x82, {{0x00, 0x01}, props({}), str(filter), {options}});
  };
  EXPECT_EQ(decode(subscribe("a", 0x2D), kV5).status, DecodeResult::Status::packet);
  EXPECT_EQ(error_of(subscribe("a", 0x03)), CodecError::invalid_qos);
  EXPECT_EQ(error_of(subscribe("a", 0x40)), CodecError::invalid_subscription_options);  // reserved bit
  EXPECT_EQ(error_of(subscribe("a", 0x30)), CodecError::invalid_subscription_options);  // Retain Handling 3
  EXPECT_EQ(error_of(subscribe("$share/g/a", 0x04)), CodecError::invalid_subscription_options);  // No Local
  EXPECT_EQ(decode(subscribe("$share/g/a", 0x01), kV5).status, DecodeResult::Status::packet);
  // 3.1.1 keeps its own reading: any bit above the QoS is a QoS error.
  EXPECT_EQ(decode(packet(0x82, {{0x00, 0x01}, str("a"), {0x04}})).error, CodecError::invalid_qos);
}

TEST(CodecV5Errors, AuthIsRefusedCleanly) {
  EXPECT_EQ(error_of({0xF0, 0x00}), CodecError::auth_not_supported);
  EXPECT_EQ(error_of({0xF0, 0x02, 0x18, 0x00}), CodecError::auth_not_supported);
  EXPECT_EQ(error_of({0xF0}), CodecError::auth_not_supported);  // known from the first byte
  // In 3.1.1 type 15 is reserved.
  EXPECT_EQ(decode(ByteList{0xF0, 0x00}).error, CodecError::reserved_packet_type);
}

TEST(CodecV5Errors, PasswordWithoutUserNameIsLegalOnlyInMqtt5) {
  const auto connect = [](std::uint8_t level) {
    ByteList header = {level, 0x40, 0x00, 0x3C};
    if (level == 5) return packet(0x10, {str("MQTT"), header, props({}), str("c"), str("pw")});
    return packet(0x10, {str("MQTT"), header, str("c"), str("pw")});
  };
  EXPECT_EQ(decode(connect(5)).status, DecodeResult::Status::packet);
  EXPECT_EQ(decode(connect(4)).error, CodecError::invalid_connect_flags);
}

TEST(CodecV5Errors, EveryErrorHasItsOwnMessage) {
  std::set<std::string> messages;
  const auto errors = {CodecError::malformed_variable_byte_integer,
                       CodecError::unknown_property,
                       CodecError::property_not_allowed,
                       CodecError::duplicate_property,
                       CodecError::invalid_property_value,
                       CodecError::invalid_reason_code,
                       CodecError::invalid_subscription_options,
                       CodecError::auth_not_supported};
  for (const CodecError e : errors) {
    const std::string message = make_error_code(e).message();
    EXPECT_FALSE(message.starts_with("unknown mqtt codec error")) << message;
    messages.insert(message);
  }
  EXPECT_EQ(messages.size(), errors.size());
}

}  // namespace
}  // namespace fleetsim::mqtt
