// MQTT 5 property lists: the builders write what the reader (and decode()) read back, and refuse
// a value of the wrong kind for its identifier.
#include <gtest/gtest.h>

#include <vector>

#include "transports/mqtt/codec.hpp"
#include "transports/mqtt/properties.hpp"

namespace fleetsim::mqtt {
namespace {

using ByteList = std::vector<std::uint8_t>;

std::vector<Property> read_all(Bytes list) {
  std::vector<Property> out;
  PropertyReader reader(list);
  Property p;
  while (reader.next(p)) out.push_back(p);
  return out;
}

TEST(MqttProperties, EveryTypeWritesAndReadsBack) {
  ByteList list;
  ASSERT_TRUE(append_integer_property(list, PropertyId::payload_format_indicator, 1));
  ASSERT_TRUE(append_integer_property(list, PropertyId::topic_alias, 0xBEEF));
  ASSERT_TRUE(append_integer_property(list, PropertyId::message_expiry_interval, 0xDEADBEEF));
  ASSERT_TRUE(append_integer_property(list, PropertyId::subscription_identifier, 268'435'455));
  ASSERT_TRUE(append_string_property(list, PropertyId::content_type, "application/json"));
  ASSERT_TRUE(append_string_property(list, PropertyId::correlation_data, std::string_view("\0\1", 2)));
  ASSERT_TRUE(append_user_property(list, "type", "env"));

  const auto read = read_all(list);
  ASSERT_EQ(read.size(), 7u);
  EXPECT_EQ(read[0].id, PropertyId::payload_format_indicator);
  EXPECT_EQ(read[0].number, 1u);
  EXPECT_EQ(read[1].number, 0xBEEFu);
  EXPECT_EQ(read[2].number, 0xDEADBEEFu);
  EXPECT_EQ(read[3].number, 268'435'455u);
  EXPECT_EQ(read[4].text, "application/json");
  EXPECT_EQ(read[5].binary.size(), 2u);
  EXPECT_EQ(read[6].id, PropertyId::user_property);
  EXPECT_EQ(read[6].name, "type");
  EXPECT_EQ(read[6].text, "env");

  // Exactly the bytes of section 2.2.2.2: identifier, then the value in its type's encoding.
  EXPECT_EQ(ByteList(list.begin(), list.begin() + 11),
            (ByteList{0x01, 0x01, 0x23, 0xBE, 0xEF, 0x02, 0xDE, 0xAD, 0xBE, 0xEF, 0x0B}));
  EXPECT_EQ(ByteList(list.begin() + 11, list.begin() + 15), (ByteList{0xFF, 0xFF, 0xFF, 0x7F}));

  // The list is valid in a PUBLISH.
  const Packet publish = Publish{false, 0, false, "t", 0, {}, list};
  ByteList bytes;
  encode(publish, bytes, EncodeOptions{ProtocolVersion::v5});
  const DecodeResult r = decode(bytes, DecodeLimits{.version = ProtocolVersion::v5});
  ASSERT_EQ(r.status, DecodeResult::Status::packet) << make_error_code(r.error).message();
  EXPECT_EQ(read_all(std::get<Publish>(r.packet).properties).size(), 7u);
}

TEST(MqttProperties, FindIntegerProperty) {
  ByteList list;
  append_user_property(list, "a", "b");
  append_integer_property(list, PropertyId::receive_maximum, 20);
  append_integer_property(list, PropertyId::server_keep_alive, 0);
  EXPECT_EQ(find_integer_property(list, PropertyId::receive_maximum), 20u);
  EXPECT_EQ(find_integer_property(list, PropertyId::server_keep_alive), 0u);
  EXPECT_EQ(find_integer_property(list, PropertyId::maximum_qos), std::nullopt);
  EXPECT_EQ(find_integer_property(list, PropertyId::user_property), std::nullopt);  // not an integer
  EXPECT_EQ(find_integer_property({}, PropertyId::receive_maximum), std::nullopt);
}

TEST(MqttProperties, BuildersRefuseTheWrongKindOfValue) {
  ByteList list;
  EXPECT_FALSE(append_integer_property(list, PropertyId::content_type, 1));
  EXPECT_FALSE(append_integer_property(list, PropertyId::payload_format_indicator, 256));  // one byte
  EXPECT_FALSE(append_integer_property(list, PropertyId::receive_maximum, 70'000));        // two bytes
  EXPECT_FALSE(append_integer_property(list, PropertyId::subscription_identifier, 268'435'456));
  EXPECT_FALSE(append_integer_property(list, static_cast<PropertyId>(0x04), 1));
  EXPECT_FALSE(append_string_property(list, PropertyId::receive_maximum, "x"));
  EXPECT_FALSE(append_string_property(list, PropertyId::user_property, "x"));
  EXPECT_TRUE(list.empty());
}

TEST(MqttProperties, TypesOfIdentifiers) {
  EXPECT_EQ(property_type(0x26), PropertyType::utf8_string_pair);
  EXPECT_EQ(property_type(0x0B), PropertyType::variable_byte_integer);
  EXPECT_EQ(property_type(0x27), PropertyType::four_byte_integer);
  EXPECT_EQ(property_type(0x04), std::nullopt);
  EXPECT_EQ(property_type(0x2B), std::nullopt);
}

TEST(MqttProperties, ReaderStopsAtAMalformedEntry) {
  // A valid Topic Alias, then a string whose length runs past the end.
  const ByteList list = {0x23, 0x00, 0x01, 0x03, 0x00, 0x09, 'a'};
  const auto read = read_all(list);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].id, PropertyId::topic_alias);
}

}  // namespace
}  // namespace fleetsim::mqtt
