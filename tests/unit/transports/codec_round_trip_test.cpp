// encode -> decode gives back every field of every packet type, and the sizes agree.
#include <gtest/gtest.h>

#include "support/mqtt_samples.hpp"

namespace fleetsim::mqtt {
namespace {

using test::encoded;
using test::same_packet;
using test::sample_packets;

TEST(CodecRoundTrip, EveryPacketTypeIsCovered) {
  std::vector<bool> seen(std::variant_size_v<Packet>, false);
  for (const Packet& p : sample_packets()) seen[p.index()] = true;
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_TRUE(seen[i]) << "no sample of alternative " << i;
}

TEST(CodecRoundTrip, DecodeOfEncodeGivesTheSameFields) {
  for (const Packet& packet : sample_packets()) {
    const auto bytes = encoded(packet);
    const DecodeResult r = decode(bytes);
    ASSERT_EQ(r.status, DecodeResult::Status::packet)
        << "alternative " << packet.index() << ": " << make_error_code(r.error).message();
    EXPECT_EQ(r.consumed, bytes.size());
    EXPECT_TRUE(same_packet(packet, r.packet)) << "alternative " << packet.index();
  }
}

TEST(CodecRoundTrip, EncodedSizeIsWhatEncodeToWrites) {
  for (const Packet& packet : sample_packets()) {
    const std::size_t size = encoded_size(packet);
    // One guard byte past the end shows that encode_to writes exactly `size` bytes.
    std::vector<std::uint8_t> buffer(size + 1, 0xA5);
    EXPECT_EQ(encode_to(packet, buffer.data()), size);
    EXPECT_EQ(buffer.back(), 0xA5);
    EXPECT_EQ(std::vector<std::uint8_t>(buffer.begin(), buffer.end() - 1), encoded(packet));
  }
}

TEST(CodecRoundTrip, EncodeAppendsAfterExistingBytes) {
  std::vector<std::uint8_t> out = {0xEE};
  encode(Puback{0x1234}, out);
  EXPECT_EQ(out, (std::vector<std::uint8_t>{0xEE, 0x40, 0x02, 0x12, 0x34}));
}

TEST(CodecRoundTrip, KnownBytesOfSmallPackets) {
  EXPECT_EQ(encoded(Pingreq{}), (std::vector<std::uint8_t>{0xC0, 0x00}));
  EXPECT_EQ(encoded(Pingresp{}), (std::vector<std::uint8_t>{0xD0, 0x00}));
  EXPECT_EQ(encoded(Disconnect{}), (std::vector<std::uint8_t>{0xE0, 0x00}));
  EXPECT_EQ(encoded(Pubrel{5}), (std::vector<std::uint8_t>{0x62, 0x02, 0x00, 0x05}));
  EXPECT_EQ(encoded(Connack{true, ConnackCode::accepted}),
            (std::vector<std::uint8_t>{0x20, 0x02, 0x01, 0x00}));
  const Subscription sub[] = {{"a/b", 1}};
  EXPECT_EQ(encoded(Subscribe{10, sub, {}}),
            (std::vector<std::uint8_t>{0x82, 0x08, 0x00, 0x0A, 0x00, 0x03, 'a', '/', 'b', 0x01}));
  EXPECT_EQ(encoded(Publish{true, 1, true, "t", 3, as_bytes("hi")}),
            (std::vector<std::uint8_t>{0x3B, 0x07, 0x00, 0x01, 't', 0x00, 0x03, 'h', 'i'}));
}

TEST(CodecRoundTrip, RemainingLengthBoundaries) {
  // Payload sizes that put the remaining length on each side of 127, 16383 and 2097151.
  for (const std::size_t remaining : {127u, 128u, 16'383u, 16'384u, 2'097'151u, 2'097'152u}) {
    const std::string payload(remaining - 3, 'p');  // topic "t" takes 3 bytes of the body
    const Packet packet = Publish{false, 0, false, "t", 0, as_bytes(payload)};
    const auto bytes = encoded(packet);
    const std::size_t length_bytes = remaining < 128         ? 1
                                     : remaining < 16'384    ? 2
                                     : remaining < 2'097'152 ? 3
                                                             : 4;
    EXPECT_EQ(bytes.size(), 1 + length_bytes + remaining);
    const DecodeResult r = decode(bytes, DecodeLimits{.max_packet_size = 4'000'000});
    ASSERT_EQ(r.status, DecodeResult::Status::packet) << remaining;
    EXPECT_TRUE(same_packet(packet, r.packet));
  }
}

TEST(CodecRoundTrip, DecodedSubscribeReencodesFromItsWireBytes) {
  const Subscription subs[] = {{"x/#", 1}, {"y", 0}};
  const auto bytes = encoded(Subscribe{3, subs, {}});
  const DecodeResult r = decode(bytes);
  ASSERT_EQ(r.status, DecodeResult::Status::packet);
  const auto& decoded = std::get<Subscribe>(r.packet);
  EXPECT_TRUE(decoded.filters.empty());
  EXPECT_EQ(test::filter_list(decoded),
            (std::vector<std::pair<std::string_view, std::uint8_t>>{{"x/#", 1}, {"y", 0}}));
  EXPECT_EQ(encoded(decoded), bytes);
}

TEST(CodecRoundTrip, DecodedViewsPointIntoTheInput) {
  const auto bytes = encoded(Publish{false, 1, false, "a/b", 1, as_bytes("payload")});
  const DecodeResult r = decode(bytes);
  ASSERT_EQ(r.status, DecodeResult::Status::packet);
  const auto& p = std::get<Publish>(r.packet);
  const auto* begin = reinterpret_cast<const char*>(bytes.data());
  EXPECT_EQ(p.topic.data(), begin + 4);
  EXPECT_EQ(reinterpret_cast<const char*>(p.payload.data()), begin + 9);
}

}  // namespace
}  // namespace fleetsim::mqtt
