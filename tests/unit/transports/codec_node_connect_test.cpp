// The Node SDK's CONNECT for dev1 (reference 8.3), byte for byte.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "transports/mqtt/codec.hpp"

namespace fleetsim::mqtt {
namespace {

constexpr std::string_view node_username =
    "localhost/dev1/?api-version=2021-04-12&DeviceClientType=azure-iot-device%2F1.18.4%20(node%20v20.20.2%"
    "3B%20Debian%2012%3B%20x64)";
// The known-answer SAS token of reference 1.3.
constexpr std::string_view node_password =
    "SharedAccessSignature sr=localhost%2Fdevices%2Fdev1&sig=1in4J7DL2TF9lL%2FTogoBZ2Is2axoPBGmQXVwsoVK4YM%"
    "3D&se=1795380885";

// Spelled out as the reference lists it, independently of the encoder.
std::vector<std::uint8_t> node_connect_bytes() {
  std::string b(
      "\x10\x89\x02"      // CONNECT, remaining length 265
      "\x00\x04MQTT\x04"  // protocol name and level
      "\xC0"              // username + password, CleanSession 0, no will
      "\x00\xB4"          // keep-alive 180 s
      "\x00\x04"
      "dev1"       // client id
      "\x00\x7F",  // username length 127
      21);
  b += node_username;
  b += std::string("\x00\x76", 2);  // password length 118
  b += node_password;
  return std::vector<std::uint8_t>(b.begin(), b.end());
}

TEST(NodeConnectVector, FieldLengthsMatchTheReference) {
  EXPECT_EQ(node_username.size(), 127u);
  EXPECT_EQ(node_password.size(), 118u);
  EXPECT_EQ(node_connect_bytes().size(), 268u);
}

TEST(NodeConnectVector, EncodesByteForByte) {
  Connect connect;
  connect.keep_alive_s = 180;
  connect.client_id = "dev1";
  connect.username = node_username;
  connect.password = as_bytes(node_password);
  EXPECT_EQ(encoded_size(connect), 268u);
  std::vector<std::uint8_t> out;
  encode(connect, out);
  EXPECT_EQ(out, node_connect_bytes());
}

TEST(NodeConnectVector, DecodesToTheNodeFields) {
  const auto bytes = node_connect_bytes();
  const DecodeResult r = decode(bytes);
  ASSERT_EQ(r.status, DecodeResult::Status::packet) << make_error_code(r.error).message();
  EXPECT_EQ(r.consumed, 268u);
  const auto& c = std::get<Connect>(r.packet);
  EXPECT_EQ(c.protocol_name, "MQTT");
  EXPECT_EQ(c.protocol_level, 4);
  EXPECT_FALSE(c.clean_session);
  EXPECT_EQ(c.keep_alive_s, 180);
  EXPECT_EQ(c.client_id, "dev1");
  EXPECT_FALSE(c.will.has_value());
  ASSERT_TRUE(c.username.has_value());
  EXPECT_EQ(*c.username, node_username);
  ASSERT_TRUE(c.password.has_value());
  EXPECT_EQ(as_string(*c.password), node_password);
}

}  // namespace
}  // namespace fleetsim::mqtt
