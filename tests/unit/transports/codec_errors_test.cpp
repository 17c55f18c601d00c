// Every protocol violation is reported with its own CodecError.
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

// Appends byte by byte: GCC 12 at -O3 reports false array-bounds errors for vector::insert here.
void append(ByteList& out, const auto& bytes) {
  for (const auto b : bytes) out.push_back(static_cast<std::uint8_t>(b));
}

// A length-prefixed MQTT string.
ByteList str(std::string_view s) {
  ByteList out = {static_cast<std::uint8_t>(s.size() >> 8), static_cast<std::uint8_t>(s.size())};
  append(out, s);
  return out;
}

// A packet with a one-byte remaining length computed from the body pieces.
ByteList packet(std::uint8_t first, std::initializer_list<ByteList> pieces) {
  ByteList body;
  for (const ByteList& p : pieces) append(body, p);
  ByteList out = {first, static_cast<std::uint8_t>(body.size())};
  append(out, body);
  return out;
}

// A CONNECT with the given flags, client id and further payload fields.
ByteList connect(std::uint8_t flags, std::initializer_list<ByteList> payload = {str("dev1")},
                 std::string_view name = "MQTT") {
  ByteList body = str(name);
  append(body, ByteList{4, flags, 0x00, 0x3C});
  for (const ByteList& p : payload) append(body, p);
  return packet(0x10, {body});
}

CodecError error_of(const ByteList& bytes, DecodeLimits limits = {}) {
  const DecodeResult r = decode(bytes, limits);
  EXPECT_EQ(r.status, DecodeResult::Status::error) << "no error; consumed " << r.consumed;
  EXPECT_EQ(r.consumed, 0u);
  return r.error;
}

TEST(CodecErrors, MalformedRemainingLength) {
  // A fourth length byte with its continuation bit set is an error before any fifth byte arrives.
  EXPECT_EQ(error_of({0xC0, 0x80, 0x80, 0x80, 0x80}), CodecError::malformed_remaining_length);
  EXPECT_EQ(error_of({0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}), CodecError::malformed_remaining_length);
}

TEST(CodecErrors, PacketTooLargeFromTheHeaderAlone) {
  // 2,097,151 bytes announced, nothing of the body present.
  EXPECT_EQ(error_of({0x30, 0xFF, 0xFF, 0x7F}), CodecError::packet_too_large);
  EXPECT_EQ(error_of({0x30, 11}, DecodeLimits{.max_packet_size = 10}), CodecError::packet_too_large);
  const DecodeResult at_limit = decode(ByteList{0x30, 10}, DecodeLimits{.max_packet_size = 10});
  EXPECT_EQ(at_limit.status, DecodeResult::Status::need_more);
  EXPECT_EQ(at_limit.needed, 12u);
}

TEST(CodecErrors, ReservedPacketType) {
  EXPECT_EQ(error_of({0x00}), CodecError::reserved_packet_type);
  EXPECT_EQ(error_of({0xF0, 0x00}), CodecError::reserved_packet_type);
}

TEST(CodecErrors, InvalidFixedHeaderFlags) {
  EXPECT_EQ(error_of({0x80, 0x00}), CodecError::invalid_fixed_header_flags);        // SUBSCRIBE 0000
  EXPECT_EQ(error_of({0xA3, 0x00}), CodecError::invalid_fixed_header_flags);        // UNSUBSCRIBE 0011
  EXPECT_EQ(error_of({0x60, 0x02, 0, 1}), CodecError::invalid_fixed_header_flags);  // PUBREL 0000
  EXPECT_EQ(error_of({0x42, 0x02, 0, 1}), CodecError::invalid_fixed_header_flags);  // PUBACK 0010
  EXPECT_EQ(error_of({0x11}), CodecError::invalid_fixed_header_flags);              // CONNECT
  EXPECT_EQ(error_of({0xC8, 0x00}), CodecError::invalid_fixed_header_flags);        // PINGREQ
}

TEST(CodecErrors, InvalidQos) {
  EXPECT_EQ(error_of(packet(0x36, {str("a"), {0, 1}})), CodecError::invalid_qos);
  EXPECT_EQ(error_of(connect(0x1C, {str("dev1"), str("w"), str("m")})), CodecError::invalid_qos);
  EXPECT_EQ(error_of(packet(0x82, {{0, 1}, str("a"), {3}})), CodecError::invalid_qos);
  EXPECT_EQ(error_of(packet(0x82, {{0, 1}, str("a"), {0x40}})), CodecError::invalid_qos);  // reserved bits
}

TEST(CodecErrors, TruncatedPacket) {
  EXPECT_EQ(error_of({0x40, 0x01, 0x00}), CodecError::truncated_packet);             // PUBACK
  EXPECT_EQ(error_of({0x20, 0x01, 0x00}), CodecError::truncated_packet);             // CONNACK
  EXPECT_EQ(error_of({0x30, 0x03, 0x00, 0x0A, 'a'}), CodecError::truncated_packet);  // topic length
  EXPECT_EQ(error_of(packet(0x32, {str("a")})), CodecError::truncated_packet);       // no packet id
  EXPECT_EQ(error_of(packet(0x90, {{0, 1}})), CodecError::truncated_packet);         // SUBACK, no codes
  EXPECT_EQ(error_of(connect(0xC0, {str("dev1"), str("user")})),
            CodecError::truncated_packet);  // no password
  EXPECT_EQ(error_of(packet(0x10, {str("MQTT"), {4}})), CodecError::truncated_packet);
  EXPECT_EQ(error_of(packet(0x82, {{0, 1}, str("a")})), CodecError::truncated_packet);  // no QoS byte
}

TEST(CodecErrors, TrailingBytes) {
  EXPECT_EQ(error_of({0x40, 0x03, 0, 1, 0}), CodecError::trailing_bytes);  // PUBACK
  EXPECT_EQ(error_of({0xB0, 0x03, 0, 1, 0}), CodecError::trailing_bytes);  // UNSUBACK
  EXPECT_EQ(error_of({0x20, 0x03, 0, 0, 0}), CodecError::trailing_bytes);  // CONNACK
  EXPECT_EQ(error_of({0xC0, 0x01, 0x00}), CodecError::trailing_bytes);     // PINGREQ
  EXPECT_EQ(error_of({0xE0, 0x01, 0x00}), CodecError::trailing_bytes);     // DISCONNECT
  EXPECT_EQ(error_of(connect(0x00, {str("dev1"), {0}})), CodecError::trailing_bytes);
}

TEST(CodecErrors, InvalidUtf8InEveryStringField) {
  const std::string overlong = "\xC0\xAF";
  EXPECT_EQ(error_of(packet(0x30, {str("a" + overlong)})), CodecError::invalid_utf8);
  EXPECT_EQ(error_of(packet(0x30, {str(std::string("a\0b", 3))})), CodecError::invalid_utf8);
  EXPECT_EQ(error_of(connect(0x00, {str("\xFF")})), CodecError::invalid_utf8);
  EXPECT_EQ(error_of(connect(0x80, {str("dev1"), str("\xED\xA0\x80")})), CodecError::invalid_utf8);
  EXPECT_EQ(error_of(packet(0x82, {{0, 1}, str("\xE2\x82"), {0}})), CodecError::invalid_utf8);
  EXPECT_EQ(error_of(packet(0xA2, {{0, 1}, str("\x80")})), CodecError::invalid_utf8);
}

TEST(CodecErrors, InvalidProtocolName) {
  EXPECT_EQ(error_of(connect(0x00, {str("dev1")}, "MQTX")), CodecError::invalid_protocol_name);
  EXPECT_EQ(error_of(connect(0x00, {str("dev1")}, "mqtt")), CodecError::invalid_protocol_name);
}

TEST(CodecErrors, InvalidConnectFlags) {
  EXPECT_EQ(error_of(connect(0x01)), CodecError::invalid_connect_flags);  // reserved bit
  EXPECT_EQ(error_of(connect(0x08)), CodecError::invalid_connect_flags);  // will QoS without will
  EXPECT_EQ(error_of(connect(0x20)), CodecError::invalid_connect_flags);  // will retain without will
  EXPECT_EQ(error_of(connect(0x40, {str("dev1"), str("pw")})), CodecError::invalid_connect_flags);
}

TEST(CodecErrors, InvalidConnackFlags) {
  EXPECT_EQ(error_of({0x20, 0x02, 0x02, 0x00}), CodecError::invalid_connack_flags);
  // A refusal never has a session present (MQTT-3.2.2-4).
  EXPECT_EQ(error_of({0x20, 0x02, 0x01, 0x05}), CodecError::invalid_connack_flags);
}

TEST(CodecErrors, InvalidConnackCode) {
  EXPECT_EQ(error_of({0x20, 0x02, 0x00, 0x06}), CodecError::invalid_connack_code);
}

TEST(CodecErrors, ZeroPacketId) {
  EXPECT_EQ(error_of({0x40, 0x02, 0, 0}), CodecError::zero_packet_id);
  EXPECT_EQ(error_of({0x70, 0x02, 0, 0}), CodecError::zero_packet_id);
  EXPECT_EQ(error_of(packet(0x32, {str("a"), {0, 0}})), CodecError::zero_packet_id);
  EXPECT_EQ(error_of(packet(0x82, {{0, 0}, str("a"), {0}})), CodecError::zero_packet_id);
  EXPECT_EQ(error_of(packet(0x90, {{0, 0}, {0}})), CodecError::zero_packet_id);
}

TEST(CodecErrors, EmptyTopic) {
  EXPECT_EQ(error_of(packet(0x30, {str("")})), CodecError::empty_topic);
  EXPECT_EQ(error_of(packet(0x82, {{0, 1}, str(""), {0}})), CodecError::empty_topic);
  EXPECT_EQ(error_of(connect(0x04, {str("dev1"), str(""), str("m")})), CodecError::empty_topic);
}

TEST(CodecErrors, WildcardInTopicName) {
  EXPECT_EQ(error_of(packet(0x30, {str("a/+")})), CodecError::wildcard_in_topic_name);
  EXPECT_EQ(error_of(packet(0x30, {str("a/#")})), CodecError::wildcard_in_topic_name);
  EXPECT_EQ(error_of(connect(0x04, {str("dev1"), str("w/#"), str("m")})), CodecError::wildcard_in_topic_name);
}

TEST(CodecErrors, InvalidTopicFilter) {
  EXPECT_EQ(error_of(packet(0x82, {{0, 1}, str("a/#/b"), {0}})), CodecError::invalid_topic_filter);
  EXPECT_EQ(error_of(packet(0x82, {{0, 1}, str("a+"), {0}})), CodecError::invalid_topic_filter);
  EXPECT_EQ(error_of(packet(0xA2, {{0, 1}, str("a/b#")})), CodecError::invalid_topic_filter);
}

TEST(CodecErrors, EmptySubscriptionList) {
  EXPECT_EQ(error_of(packet(0x82, {{0, 1}})), CodecError::empty_subscription_list);
  EXPECT_EQ(error_of(packet(0xA2, {{0, 1}})), CodecError::empty_subscription_list);
}

TEST(CodecErrors, InvalidSubackCode) {
  EXPECT_EQ(error_of(packet(0x90, {{0, 1}, {0, 3}})), CodecError::invalid_suback_code);
  EXPECT_EQ(error_of(packet(0x90, {{0, 1}, {0x81}})), CodecError::invalid_suback_code);
}

TEST(CodecErrors, DupWithQos0) {
  EXPECT_EQ(error_of(packet(0x38, {str("a")})), CodecError::dup_with_qos0);
}

TEST(CodecErrors, EachCodeHasItsOwnMessageInTheCategory) {
  std::set<std::string> messages;
  for (int e = 0; e <= static_cast<int>(CodecError::dup_with_qos0); ++e) {
    const std::error_code ec = static_cast<CodecError>(e);
    EXPECT_EQ(&ec.category(), &codec_category());
    EXPECT_TRUE(messages.insert(ec.message()).second) << ec.message();
    EXPECT_EQ(ec.message().find("unknown"), std::string::npos);
  }
  EXPECT_STREQ(codec_category().name(), "mqtt.codec");
}

TEST(CodecErrors, MalformedPacketPrefixesNeverConsume) {
  // A prefix of a bad packet is either "need more" or the same error, never a packet.
  const ByteList bad = packet(0x82, {{0, 1}, str("a/#/b"), {0}});
  for (std::size_t cut = 0; cut <= bad.size(); ++cut) {
    const DecodeResult r = decode(Bytes(bad.data(), cut));
    EXPECT_NE(r.status, DecodeResult::Status::packet);
    EXPECT_EQ(r.consumed, 0u);
    if (r.status == DecodeResult::Status::error) {
      EXPECT_EQ(r.error, CodecError::invalid_topic_filter);
    }
  }
}

}  // namespace
}  // namespace fleetsim::mqtt
