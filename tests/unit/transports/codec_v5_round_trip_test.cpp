// MQTT 5: encode -> decode gives back every field of every packet type (properties, reason codes,
// subscription options included), at every split point, and the 3.1.1 layout stays as it was.
#include <gtest/gtest.h>

#include "support/mqtt_samples.hpp"

namespace fleetsim::mqtt {
namespace {

using test::encoded;
using test::encoded_v5;
using test::same_packet;
using test::sample_packets_v5;

constexpr DecodeLimits kV5{.version = ProtocolVersion::v5};
constexpr EncodeOptions kEncodeV5{ProtocolVersion::v5};

using ByteList = std::vector<std::uint8_t>;

TEST(CodecV5RoundTrip, EveryPacketTypeIsCovered) {
  std::vector<bool> seen(std::variant_size_v<Packet>, false);
  for (const Packet& p : sample_packets_v5()) seen[p.index()] = true;
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_TRUE(seen[i]) << "no v5 sample of alternative " << i;
}

TEST(CodecV5RoundTrip, DecodeOfEncodeGivesTheSameFields) {
  for (const Packet& packet : sample_packets_v5()) {
    const auto bytes = encoded_v5(packet);
    const DecodeResult r = decode(bytes, kV5);
    ASSERT_EQ(r.status, DecodeResult::Status::packet)
        << "alternative " << packet.index() << ": " << make_error_code(r.error).message();
    EXPECT_EQ(r.consumed, bytes.size());
    EXPECT_TRUE(same_packet(packet, r.packet, true)) << "alternative " << packet.index();
  }
}

TEST(CodecV5RoundTrip, EncodedSizeIsWhatEncodeToWrites) {
  for (const Packet& packet : sample_packets_v5()) {
    const std::size_t size = encoded_size(packet, kEncodeV5);
    std::vector<std::uint8_t> buffer(size + 1, 0xA5);
    EXPECT_EQ(encode_to(packet, buffer.data(), kEncodeV5), size);
    EXPECT_EQ(buffer.back(), 0xA5);
    EXPECT_EQ(std::vector<std::uint8_t>(buffer.begin(), buffer.end() - 1), encoded_v5(packet));
  }
}

// The same cut-anywhere property the 3.1.1 packets have (codec_split_test.cpp).
TEST(CodecV5RoundTrip, EveryPrefixNeedsMoreAndTheWholeDecodes) {
  for (const Packet& packet : sample_packets_v5()) {
    const auto bytes = encoded_v5(packet);
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
      const DecodeResult r = decode(Bytes(bytes.data(), cut), kV5);
      ASSERT_EQ(r.status, DecodeResult::Status::need_more)
          << "alternative " << packet.index() << " cut at " << cut << ": "
          << make_error_code(r.error).message();
      EXPECT_EQ(r.consumed, 0u);
    }
  }
}

TEST(CodecV5RoundTrip, StreamCutAtEveryOffsetYieldsTheSamePackets) {
  const auto packets = sample_packets_v5();
  std::vector<std::uint8_t> stream;
  for (const Packet& p : packets) encode(p, stream, kEncodeV5);
  for (std::size_t cut = 1; cut < stream.size(); ++cut) {
    std::vector<std::uint8_t> buffer(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(cut));
    std::size_t next = 0;
    const auto drain = [&] {
      std::size_t offset = 0;
      for (;;) {
        const DecodeResult r = decode(Bytes(buffer).subspan(offset), kV5);
        ASSERT_NE(r.status, DecodeResult::Status::error) << "cut at " << cut;
        if (r.status == DecodeResult::Status::need_more) break;
        ASSERT_LT(next, packets.size());
        EXPECT_TRUE(same_packet(packets[next], r.packet, true)) << "cut at " << cut;
        ++next;
        offset += r.consumed;
      }
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(offset));
    };
    drain();
    buffer.insert(buffer.end(), stream.begin() + static_cast<std::ptrdiff_t>(cut), stream.end());
    drain();
    EXPECT_EQ(next, packets.size()) << "cut at " << cut;
    EXPECT_TRUE(buffer.empty());
  }
}

TEST(CodecV5RoundTrip, KnownBytes) {
  // Acknowledgements in their three lengths (3.4.2.1).
  EXPECT_EQ(encoded_v5(Puback{1}), (ByteList{0x40, 0x02, 0x00, 0x01}));
  EXPECT_EQ(encoded_v5(Puback{2, 0x10}), (ByteList{0x40, 0x03, 0x00, 0x02, 0x10}));
  const std::uint8_t reason_string[] = {0x1F, 0x00, 0x01, 'x'};
  EXPECT_EQ(encoded_v5(Puback{3, 0x97, reason_string}),
            (ByteList{0x40, 0x08, 0x00, 0x03, 0x97, 0x04, 0x1F, 0x00, 0x01, 'x'}));
  // DISCONNECT: empty for a normal disconnection, else the reason alone (3.14.2.1).
  EXPECT_EQ(encoded_v5(Disconnect{}), (ByteList{0xE0, 0x00}));
  EXPECT_EQ(encoded_v5(Disconnect{0x8E}), (ByteList{0xE0, 0x01, 0x8E}));
  // CONNACK always has its property length.
  EXPECT_EQ(encoded_v5(Connack{}), (ByteList{0x20, 0x03, 0x00, 0x00, 0x00}));
  // PUBLISH: the property length after the packet id, before the payload.
  EXPECT_EQ(encoded_v5(Publish{false, 1, false, "t", 7, as_bytes("hi")}),
            (ByteList{0x32, 0x08, 0x00, 0x01, 't', 0x00, 0x07, 0x00, 'h', 'i'}));
  // Subscription options: QoS 1 | No Local | Retain As Published | Retain Handling 2.
  const Subscription sub[] = {{"a", 1, true, true, 2}};
  EXPECT_EQ(encoded_v5(Subscribe{10, sub}), (ByteList{0x82, 0x07, 0x00, 0x0A, 0x00, 0x00, 0x01, 'a', 0x2D}));
  // CONNECT at level 5: properties between the keep-alive and the client id.
  Connect connect;
  connect.protocol_level = 5;
  connect.clean_session = true;
  connect.keep_alive_s = 30;
  connect.client_id = "c";
  EXPECT_EQ(encoded(connect), (ByteList{0x10, 0x0E, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x1E,
                                        0x00, 0x00, 0x01, 'c'}));
}

TEST(CodecV5RoundTrip, ShortAcknowledgementFormsDecode) {
  const auto ack = [](const ByteList& bytes) {
    const DecodeResult r = decode(bytes, kV5);
    EXPECT_EQ(r.status, DecodeResult::Status::packet) << make_error_code(r.error).message();
    return r.status == DecodeResult::Status::packet ? std::get<Puback>(r.packet) : Puback{};
  };
  EXPECT_EQ(ack({0x40, 0x02, 0x00, 0x05}).reason_code, 0);
  EXPECT_EQ(ack({0x40, 0x03, 0x00, 0x05, 0x10}).reason_code, 0x10);
  const Puback empty_properties = ack({0x40, 0x04, 0x00, 0x05, 0x87, 0x00});
  EXPECT_EQ(empty_properties.reason_code, 0x87);
  EXPECT_TRUE(empty_properties.properties.empty());
  const DecodeResult disconnect = decode(ByteList{0xE0, 0x01, 0x04}, kV5);
  ASSERT_EQ(disconnect.status, DecodeResult::Status::packet);
  EXPECT_EQ(std::get<Disconnect>(disconnect.packet).reason_code, 0x04);
}

TEST(CodecV5RoundTrip, TheConnectLevelDecidesItsLayoutWhateverTheSetting) {
  // A server does not know the version before the CONNECT: a 3.1.1 setting still reads a level 5
  // CONNECT, properties and all (so it can answer "unsupported protocol version" cleanly).
  for (const Packet& packet : sample_packets_v5()) {
    if (!std::holds_alternative<Connect>(packet)) continue;
    const auto bytes = encoded(packet);
    EXPECT_EQ(bytes, encoded_v5(packet));
    const DecodeResult r = decode(bytes);
    ASSERT_EQ(r.status, DecodeResult::Status::packet) << make_error_code(r.error).message();
    EXPECT_TRUE(same_packet(packet, r.packet, true));
  }
}

TEST(CodecV5RoundTrip, The311EncoderLeavesTheMqtt5FieldsOut) {
  for (const Packet& packet : sample_packets_v5()) {
    // CONNACK and SUBACK codes here are MQTT 5 reason codes, most of them invalid in 3.1.1.
    if (std::holds_alternative<Connect>(packet) || std::holds_alternative<Connack>(packet) ||
        std::holds_alternative<Suback>(packet)) {
      continue;
    }
    if (const auto* p = std::get_if<Publish>(&packet); p != nullptr && p->topic.empty()) continue;
    const auto bytes = encoded(packet);
    const DecodeResult r = decode(bytes);
    ASSERT_EQ(r.status, DecodeResult::Status::packet)
        << "alternative " << packet.index() << ": " << make_error_code(r.error).message();
    EXPECT_TRUE(same_packet(packet, r.packet)) << "alternative " << packet.index();
  }
  // A 3.1.1 PUBLISH does not change for properties it cannot carry.
  const std::uint8_t properties[] = {0x02, 0, 0, 0, 60};
  EXPECT_EQ(encoded(Publish{false, 1, false, "t", 7, as_bytes("hi"), properties}),
            encoded(Publish{false, 1, false, "t", 7, as_bytes("hi")}));
}

TEST(CodecV5RoundTrip, DecodedSubscribeKeepsOptionsAndReencodes) {
  const Subscription subs[] = {{"x/#", 1, true, false, 1}, {"y", 2, false, true, 0}};
  const auto bytes = encoded_v5(Subscribe{3, subs});
  const DecodeResult r = decode(bytes, kV5);
  ASSERT_EQ(r.status, DecodeResult::Status::packet);
  const auto& decoded = std::get<Subscribe>(r.packet);
  EXPECT_TRUE(decoded.filters.empty());
  using Row = std::tuple<std::string_view, int, bool, bool, int>;
  EXPECT_EQ(test::subscription_list(decoded),
            (std::vector<Row>{{"x/#", 1, true, false, 1}, {"y", 2, false, true, 0}}));
  // for_each_filter reports the QoS alone, as for 3.1.1.
  EXPECT_EQ(test::filter_list(decoded),
            (std::vector<std::pair<std::string_view, std::uint8_t>>{{"x/#", 1}, {"y", 2}}));
  EXPECT_EQ(encoded_v5(decoded), bytes);
}

TEST(CodecV5RoundTrip, PublishPropertiesAreAViewIntoTheInput) {
  const std::uint8_t properties[] = {0x23, 0x00, 0x05};  // Topic Alias 5
  const auto bytes = encoded_v5(Publish{false, 0, false, "a/b", 0, as_bytes("p"), properties});
  const DecodeResult r = decode(bytes, kV5);
  ASSERT_EQ(r.status, DecodeResult::Status::packet);
  const auto& p = std::get<Publish>(r.packet);
  EXPECT_EQ(p.properties.data(), bytes.data() + 8);  // header 2, topic 5, property length 1
  EXPECT_EQ(p.properties.size(), 3u);
  EXPECT_EQ(as_string(p.payload), "p");
}

}  // namespace
}  // namespace fleetsim::mqtt
