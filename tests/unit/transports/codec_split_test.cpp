// Incremental decoding: every prefix of a valid packet asks for more and consumes nothing; the
// whole packet then decodes, also when several packets share one buffer.
#include <gtest/gtest.h>

#include "support/mqtt_samples.hpp"

namespace fleetsim::mqtt {
namespace {

using test::encoded;
using test::same_packet;
using test::sample_packets;

// The header is complete once the byte without a continuation bit has arrived.
std::size_t header_size(const std::vector<std::uint8_t>& bytes) {
  std::size_t i = 1;
  while (bytes[i] & 0x80) ++i;
  return i + 1;
}

TEST(CodecSplit, EveryPrefixNeedsMoreAndConsumesNothing) {
  for (const Packet& packet : sample_packets()) {
    const auto bytes = encoded(packet);
    const std::size_t header = header_size(bytes);
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
      const DecodeResult r = decode(Bytes(bytes.data(), cut));
      ASSERT_EQ(r.status, DecodeResult::Status::need_more)
          << "alternative " << packet.index() << " cut at " << cut << ": "
          << make_error_code(r.error).message();
      EXPECT_EQ(r.consumed, 0u);
      // Once the fixed header is known the caller learns the packet's full size.
      EXPECT_EQ(r.needed, cut >= header ? bytes.size() : 0u) << "cut at " << cut;
    }
    const DecodeResult whole = decode(bytes);
    ASSERT_EQ(whole.status, DecodeResult::Status::packet);
    EXPECT_EQ(whole.consumed, bytes.size());
    EXPECT_TRUE(same_packet(packet, whole.packet));
  }
}

TEST(CodecSplit, BackToBackPacketsDecodeInOrderFromOneBuffer) {
  const auto packets = sample_packets();
  std::vector<std::uint8_t> stream;
  for (const Packet& p : packets) encode(p, stream);

  Bytes rest(stream);
  for (const Packet& expected : packets) {
    const DecodeResult r = decode(rest);
    ASSERT_EQ(r.status, DecodeResult::Status::packet);
    EXPECT_TRUE(same_packet(expected, r.packet)) << "alternative " << expected.index();
    rest = rest.subspan(r.consumed);
  }
  EXPECT_TRUE(rest.empty());
  EXPECT_EQ(decode(rest).status, DecodeResult::Status::need_more);
}

// A reader that receives the stream in slices of every size appends each slice to a buffer and
// decodes as far as it can: it must see exactly the packets that were sent.
TEST(CodecSplit, StreamCutAtEveryOffsetYieldsTheSamePackets) {
  std::vector<Packet> packets;
  for (const Packet& p : sample_packets()) {
    // Keep the 20 KB PUBLISH out: this test is quadratic in the stream length.
    if (encoded_size(p) < 1000) packets.push_back(p);
  }
  std::vector<std::uint8_t> stream;
  for (const Packet& p : packets) encode(p, stream);

  for (std::size_t cut = 1; cut < stream.size(); ++cut) {
    std::vector<std::uint8_t> buffer;
    std::size_t next = 0;
    const auto receive = [&](std::size_t from, std::size_t to) {
      buffer.insert(buffer.end(), stream.begin() + static_cast<std::ptrdiff_t>(from),
                    stream.begin() + static_cast<std::ptrdiff_t>(to));
      std::size_t offset = 0;
      for (;;) {
        const DecodeResult r = decode(Bytes(buffer).subspan(offset));
        ASSERT_NE(r.status, DecodeResult::Status::error) << "cut at " << cut;
        if (r.status == DecodeResult::Status::need_more) break;
        ASSERT_LT(next, packets.size());
        EXPECT_TRUE(same_packet(packets[next], r.packet)) << "cut at " << cut;
        ++next;
        offset += r.consumed;
      }
      // Drop the decoded bytes as a session would; a partial packet waits for more data.
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(offset));
    };
    receive(0, cut);
    receive(cut, stream.size());
    EXPECT_EQ(next, packets.size()) << "cut at " << cut;
    EXPECT_TRUE(buffer.empty());
  }
}

}  // namespace
}  // namespace fleetsim::mqtt
