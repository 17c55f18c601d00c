// The client connection's byte handling over a scripted in-memory stream: packets cut at every
// offset, partial packets kept only while incomplete, bounded unwritten output flushed in order.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/scripted_stream.hpp"
#include "transports/mqtt/client_connection.hpp"

namespace fleetsim::mqtt {
namespace {

using Connection = ClientConnection<test::ScriptedStream>;

// What a callback saw, copied out of the buffers it pointed into.
struct Seen {
  std::size_t type;
  std::string topic;
  std::string payload;
  std::uint16_t packet_id = 0;
};

std::vector<std::uint8_t> server_bytes() {
  std::vector<std::uint8_t> out;
  encode(Packet{Connack{false, ConnackCode::accepted}}, out);
  const std::uint8_t granted[] = {0};
  encode(Packet{Suback{1, Bytes(granted, 1)}}, out);
  Publish publish;
  publish.topic = "$iothub/twin/res/200/?$rid=1";
  const std::string body(300, 'x');  // long enough to need a 2-byte remaining length
  publish.payload = as_bytes(body);
  encode(Packet{publish}, out);
  encode(Packet{Puback{7}}, out);
  encode(Packet{Pingresp{}}, out);
  return out;
}

std::vector<Seen> read_all(Connection& c, ClientBuffers& buffers, ReadOutcome& last) {
  std::vector<Seen> seen;
  auto on_packet = [&](const Packet& p) {
    Seen s{p.index(), {}, {}, 0};
    if (const auto* pub = std::get_if<Publish>(&p)) {
      s.topic = std::string(pub->topic);
      s.payload = std::string(as_string(pub->payload));
    }
    if (const auto* ack = std::get_if<Puback>(&p)) s.packet_id = ack->packet_id;
    seen.push_back(s);
    return true;
  };
  for (;;) {
    last = c.read_available(buffers, on_packet);
    if (last.status != ReadOutcome::Status::ok || c.stream().read_pos == c.stream().script.size()) break;
  }
  return seen;
}

TEST(ClientConnection, DecodesPacketsCutAtEveryOffset) {
  const std::vector<std::uint8_t> bytes = server_bytes();
  for (std::size_t chunk = 1; chunk <= bytes.size(); ++chunk) {
    Connection c;
    ClientBuffers buffers(4096);
    c.stream().script = bytes;
    c.stream().read_size = chunk;
    ReadOutcome last;
    const std::vector<Seen> seen = read_all(c, buffers, last);
    ASSERT_EQ(last.status, ReadOutcome::Status::ok) << "chunk " << chunk;
    ASSERT_EQ(seen.size(), 5u) << "chunk " << chunk;
    EXPECT_EQ(seen[0].type, Packet{Connack{}}.index());
    EXPECT_EQ(seen[1].type, Packet{Suback{}}.index());
    EXPECT_EQ(seen[2].topic, "$iothub/twin/res/200/?$rid=1");
    EXPECT_EQ(seen[2].payload, std::string(300, 'x'));
    EXPECT_EQ(seen[3].packet_id, 7);
    EXPECT_EQ(seen[4].type, Packet{Pingresp{}}.index());
    // Nothing is held once every packet is complete.
    EXPECT_EQ(c.buffered_bytes(), 0u) << "chunk " << chunk;
  }
}

TEST(ClientConnection, HoldsOnlyTheIncompletePacket) {
  Connection c;
  ClientBuffers buffers(4096);
  c.stream().script = server_bytes();
  // CONNACK (4 bytes) and SUBACK (5) complete; 3 bytes of the PUBLISH header say how long it is.
  c.stream().read_size = 12;
  int packets = 0;
  auto count = [&](const Packet&) { return ++packets, true; };
  EXPECT_EQ(c.read_available(buffers, count).status, ReadOutcome::Status::ok);
  EXPECT_EQ(packets, 2);
  const std::size_t publish_size = 2 + 1 + 2 + 28 + 300;  // fixed header, topic, body
  EXPECT_GT(c.buffered_bytes(), 0u);
  EXPECT_LE(c.buffered_bytes(), publish_size);

  c.stream().read_size = 1000;
  EXPECT_EQ(c.read_available(buffers, count).status, ReadOutcome::Status::ok);
  EXPECT_EQ(packets, 5);
  EXPECT_EQ(c.buffered_bytes(), 0u);
}

TEST(ClientConnection, NothingToReadIsNotAnError) {
  Connection c;
  ClientBuffers buffers(64);
  int packets = 0;
  const auto out = c.read_available(buffers, [&](const Packet&) { return ++packets, true; });
  EXPECT_EQ(out.status, ReadOutcome::Status::ok);
  EXPECT_EQ(packets, 0);
}

TEST(ClientConnection, PeerCloseIsReported) {
  Connection c;
  ClientBuffers buffers(64);
  c.stream().eof = true;
  EXPECT_EQ(c.read_available(buffers, [](const Packet&) { return true; }).status,
            ReadOutcome::Status::closed);
}

TEST(ClientConnection, MalformedInputIsAProtocolError) {
  Connection c;
  ClientBuffers buffers(64);
  c.stream().script = {0x00, 0x00};  // packet type 0 is reserved
  const auto out = c.read_available(buffers, [](const Packet&) { return true; });
  EXPECT_EQ(out.status, ReadOutcome::Status::malformed);
  EXPECT_EQ(out.error, make_error_code(CodecError::reserved_packet_type));
}

TEST(ClientConnection, CallbackCanStopTheRead) {
  Connection c;
  ClientBuffers buffers(4096);
  c.stream().script = server_bytes();
  int packets = 0;
  const auto out = c.read_available(buffers, [&](const Packet&) { return ++packets < 2; });
  EXPECT_EQ(out.status, ReadOutcome::Status::stopped);
  EXPECT_EQ(packets, 2);
}

TEST(ClientConnection, WholeWriteLeavesNothingBehind) {
  Connection c;
  ClientBuffers buffers;
  EXPECT_EQ(c.send(Packet{Pingreq{}}, buffers), SendStatus::written);
  EXPECT_EQ(c.stream().written, (std::vector<std::uint8_t>{0xC0, 0x00}));
  EXPECT_FALSE(c.has_unwritten());
}

TEST(ClientConnection, PartialWriteKeepsTheRestAndFlushesInOrder) {
  Connection c;
  ClientBuffers buffers;
  c.stream().write_capacity = 3;
  Publish publish;
  publish.topic = "devices/d/messages/events/";
  const std::string body(40, 'b');
  publish.payload = as_bytes(body);
  std::vector<std::uint8_t> expected;
  encode(Packet{publish}, expected);
  encode(Packet{Pingreq{}}, expected);

  EXPECT_EQ(c.send(Packet{publish}, buffers), SendStatus::queued);
  EXPECT_TRUE(c.has_unwritten());
  EXPECT_EQ(c.send(Packet{Pingreq{}}, buffers), SendStatus::queued);  // behind the rest, in order
  EXPECT_EQ(c.stream().written.size(), 3u);

  int flushed = 0;
  boost::system::error_code result = boost::asio::error::fault;
  c.async_flush([&](const boost::system::error_code& ec) { ++flushed, result = ec; });
  EXPECT_TRUE(c.flushing());
  EXPECT_EQ(c.stream().waited_for, boost::asio::socket_base::wait_write);

  c.stream().write_capacity = 10;  // still not enough: it waits again
  c.stream().complete_wait();
  EXPECT_EQ(flushed, 0);
  ASSERT_TRUE(c.stream().pending_wait);

  c.stream().write_capacity = 1000;
  c.stream().complete_wait();
  EXPECT_EQ(flushed, 1);
  EXPECT_FALSE(result);
  EXPECT_FALSE(c.flushing());
  EXPECT_FALSE(c.has_unwritten());
  EXPECT_EQ(c.buffered_bytes(), 0u);
  EXPECT_EQ(c.stream().written, expected);
}

TEST(ClientConnection, UnwrittenOutputIsBounded) {
  Connection c;
  ClientBuffers buffers;
  c.stream().write_capacity = 0;
  Publish publish;
  publish.topic = "t";
  const std::string body(20 * 1024, 'p');
  publish.payload = as_bytes(body);
  EXPECT_EQ(c.send(Packet{publish}, buffers), SendStatus::queued);
  EXPECT_EQ(c.send(Packet{publish}, buffers), SendStatus::queued);
  EXPECT_EQ(c.send(Packet{publish}, buffers), SendStatus::queued);
  EXPECT_EQ(c.send(Packet{publish}, buffers), SendStatus::refused);  // would pass 64 KiB
  EXPECT_LE(c.buffered_bytes(), 2 * Connection::kMaxUnwritten);
}

TEST(ClientConnection, BrokenStreamFailsTheSend) {
  Connection c;
  ClientBuffers buffers;
  c.stream().fail_writes = true;
  EXPECT_EQ(c.send(Packet{Pingreq{}}, buffers), SendStatus::failed);
}

TEST(ClientConnection, FlushReportsTheWaitError) {
  Connection c;
  ClientBuffers buffers;
  c.stream().write_capacity = 1;
  ASSERT_EQ(c.send(Packet{Pingreq{}}, buffers), SendStatus::queued);
  boost::system::error_code result;
  c.async_flush([&](const boost::system::error_code& ec) { result = ec; });
  c.stream().complete_wait(boost::asio::error::operation_aborted);
  EXPECT_EQ(result, boost::asio::error::operation_aborted);
  EXPECT_FALSE(c.flushing());
}

TEST(ClientConnection, CloseReleasesBuffers) {
  Connection c;
  ClientBuffers buffers;
  c.stream().write_capacity = 1;
  ASSERT_EQ(c.send(Packet{Pingreq{}}, buffers), SendStatus::queued);
  c.close();
  EXPECT_TRUE(c.stream().closed);
  EXPECT_EQ(c.buffered_bytes(), 0u);
}

}  // namespace
}  // namespace fleetsim::mqtt
