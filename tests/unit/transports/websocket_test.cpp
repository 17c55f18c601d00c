// WebSocket framing without sockets: frames built by one Framing are read by another, cut at
// every offset; control frames, fragmentation, refused frames and the handshake helpers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "transports/stream/websocket.hpp"
#include "transports/stream/websocket_handshake.hpp"

namespace fleetsim::transports::ws {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

Bytes pattern(std::size_t size, std::uint8_t salt = 0) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i * 31 + salt + (i >> 8));
  return out;
}

void append(Bytes& to, const Bytes& from) {
  to.insert(to.end(), from.begin(), from.end());
}

// One frame as a peer would send it; `key` nullptr for an unmasked frame.
Bytes frame(Opcode opcode, bool fin, const Bytes& payload, const std::uint8_t* key = nullptr,
            std::uint8_t first_byte_extra = 0) {
  Bytes out(kMaxHeaderSize + payload.size());
  std::size_t h = encode_header(out.data(), opcode, fin, payload.size(), key);
  out[0] |= first_byte_extra;
  if (key != nullptr) {
    mask_copy(out.data() + h, payload.data(), payload.size(), key, 0);
  } else {
    std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(h));
  }
  out.resize(h + payload.size());
  return out;
}

constexpr std::uint8_t kKey[4] = {0x37, 0xFA, 0x21, 0x3D};

// Everything `writer` sends for `payload` when the socket takes at most `max_write` bytes per
// write: prepare/commit until nothing is left.
Bytes send_all(Framing& writer, const Bytes& payload,
               std::size_t max_write = std::numeric_limits<std::size_t>::max(),
               std::size_t chunk_size = 16 * 1024) {
  Bytes wire;
  Bytes chunk(chunk_size);
  std::size_t done = 0;
  for (;;) {
    const std::size_t n = writer.prepare(std::span<const std::uint8_t>(payload).subspan(done), chunk);
    if (n == 0) break;
    const std::size_t w = std::min(n, max_write);
    wire.insert(wire.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(w));
    done += writer.commit(w);
  }
  EXPECT_EQ(done, payload.size());
  return wire;
}

// Feeds `wire` to `reader` in the given pieces, copying each into its own buffer (as a read
// would), and returns the payload bytes in order.
Bytes receive(Framing& reader, const Bytes& wire, const std::vector<std::size_t>& cuts) {
  Bytes payload;
  std::size_t from = 0;
  auto feed = [&](std::size_t to) {
    Bytes piece(wire.begin() + static_cast<std::ptrdiff_t>(from),
                wire.begin() + static_cast<std::ptrdiff_t>(to));
    const DecodeResult r = reader.decode(piece);
    EXPECT_EQ(r.violation, Violation::none) << describe(r.violation);
    payload.insert(payload.end(), piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(r.payload));
    from = to;
  };
  for (std::size_t cut : cuts) feed(cut);
  feed(wire.size());
  return payload;
}

Bytes receive_whole(Framing& reader, const Bytes& wire) {
  return receive(reader, wire, {});
}

Violation violation_of(Role role, const Bytes& wire) {
  Framing reader(role, 1);
  Bytes copy = wire;
  return reader.decode(copy).violation;
}

TEST(WebSocketHeader, LengthEncodingsAreMinimal) {
  EXPECT_EQ(header_size(0, false), 2u);
  EXPECT_EQ(header_size(125, false), 2u);
  EXPECT_EQ(header_size(126, false), 4u);
  EXPECT_EQ(header_size(65535, false), 4u);
  EXPECT_EQ(header_size(65536, false), 10u);
  EXPECT_EQ(header_size(65536, true), 14u);

  std::uint8_t out[kMaxHeaderSize];
  ASSERT_EQ(encode_header(out, Opcode::binary, true, 125, nullptr), 2u);
  EXPECT_EQ(out[0], 0x82);
  EXPECT_EQ(out[1], 125);
  ASSERT_EQ(encode_header(out, Opcode::binary, false, 300, kKey), 8u);
  EXPECT_EQ(out[0], 0x02);
  EXPECT_EQ(out[1], 0x80 | 126);
  EXPECT_EQ(out[2], 0x01);
  EXPECT_EQ(out[3], 0x2C);
  EXPECT_TRUE(std::equal(kKey, kKey + 4, out + 4));
  ASSERT_EQ(encode_header(out, Opcode::binary, true, 0x0102030405ULL, nullptr), 10u);
  EXPECT_EQ(out[1], 127);
  const std::uint8_t expected[8] = {0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x05};
  EXPECT_TRUE(std::equal(expected, expected + 8, out + 2));
}

TEST(WebSocketMask, MaskCopyMatchesTheDefinitionAtEveryPhaseAndInPlace) {
  const Bytes plain = pattern(61);
  for (std::size_t phase = 0; phase < 4; ++phase) {
    Bytes masked(plain.size());
    mask_copy(masked.data(), plain.data(), plain.size(), kKey, phase);
    for (std::size_t i = 0; i < plain.size(); ++i) {
      ASSERT_EQ(masked[i], plain[i] ^ kKey[(phase + i) % 4]) << "phase " << phase << " byte " << i;
    }
    // Compaction: unmask from an offset into the front of the same buffer.
    for (std::size_t shift : {0u, 1u, 3u, 7u, 9u}) {
      Bytes buffer(shift, 0xEE);
      append(buffer, masked);
      mask_copy(buffer.data(), buffer.data() + shift, masked.size(), kKey, phase);
      EXPECT_TRUE(std::equal(plain.begin(), plain.end(), buffer.begin())) << "shift " << shift;
    }
  }
}

TEST(WebSocketFraming, RoundTripsAtEveryLengthClassBothWays) {
  for (std::size_t size : {1u, 125u, 126u, 127u, 65535u, 65536u, 70001u}) {
    const Bytes payload = pattern(size, static_cast<std::uint8_t>(size));
    Framing client(Role::client, 7);
    Framing server(Role::server, 9);
    const Bytes up = send_all(client, payload);
    EXPECT_EQ(up.size(), payload.size() + header_size(size, true));
    EXPECT_EQ(receive_whole(server, up), payload) << "client to server, " << size;
    const Bytes down = send_all(server, payload);
    EXPECT_EQ(down.size(), payload.size() + header_size(size, false));
    EXPECT_EQ(receive_whole(client, down), payload) << "server to client, " << size;
  }
}

TEST(WebSocketFraming, ClientFramesAreMaskedAndServerFramesAreNot) {
  const Bytes payload = bytes_of("MQTT over WebSocket, masked when it goes up");
  Framing client(Role::client, 42);
  const Bytes up = send_all(client, payload);
  EXPECT_EQ(up[0], 0x82);  // FIN + binary
  EXPECT_NE(up[1] & 0x80, 0);
  EXPECT_FALSE(std::equal(payload.begin(), payload.end(), up.begin() + 6));
  Framing client2(Role::client, 42);
  const Bytes second = send_all(client2, payload);
  EXPECT_EQ(second, up);  // the same seed gives the same masks: nothing hidden depends on a clock

  Framing server(Role::server, 42);
  const Bytes down = send_all(server, payload);
  EXPECT_EQ(down[1], payload.size());
  EXPECT_TRUE(std::equal(payload.begin(), payload.end(), down.begin() + 2));

  // Every frame gets a fresh mask key.
  Framing client3(Role::client, 42);
  const Bytes a = send_all(client3, payload);
  const Bytes b = send_all(client3, payload);
  EXPECT_FALSE(std::equal(a.begin() + 2, a.begin() + 6, b.begin() + 2));
}

TEST(WebSocketFraming, AWriteThatLeavesInPiecesIsOneFrameContinuedByLaterWrites) {
  const Bytes payload = pattern(1000);
  for (std::size_t max_write : {1u, 2u, 5u, 13u, 130u}) {
    Framing client(Role::client, 3);
    const Bytes wire = send_all(client, payload, max_write);
    EXPECT_EQ(wire.size(), payload.size() + header_size(payload.size(), true)) << max_write;
    Framing server(Role::server, 3);
    EXPECT_EQ(receive_whole(server, wire), payload) << max_write;
    EXPECT_TRUE(server.input_at_frame_boundary());
  }
}

TEST(WebSocketFraming, AFrameIsSizedByTheWriteThatStartsIt) {
  // The caller's unwritten rest grows (a new packet queued behind it): the frame under way ends
  // where it was announced, and the rest becomes a second frame.
  Framing client(Role::client, 5);
  const Bytes first = pattern(100, 1);
  Bytes chunk(4096);
  std::size_t n = client.prepare(first, chunk);
  Bytes wire(chunk.begin(), chunk.begin() + 40);
  std::size_t done = client.commit(40);
  ASSERT_EQ(done, 40 - header_size(100, true));
  Bytes rest(first.begin() + static_cast<std::ptrdiff_t>(done), first.end());
  const Bytes second = pattern(50, 2);
  append(rest, second);
  n = client.prepare(rest, chunk);
  wire.insert(wire.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
  EXPECT_EQ(client.commit(n), 100 - done);  // only the first frame's remainder
  EXPECT_FALSE(client.writing_frame());
  const Bytes tail(rest.begin() + static_cast<std::ptrdiff_t>(100 - done), rest.end());
  append(wire, send_all(client, tail));

  Framing server(Role::server, 5);
  Bytes expected = first;
  append(expected, second);
  EXPECT_EQ(receive_whole(server, wire), expected);
}

TEST(WebSocketFraming, NothingToSendPreparesNothing) {
  Framing client(Role::client, 1);
  Bytes chunk(kMinPrepareSpace);
  EXPECT_EQ(client.prepare({}, chunk), 0u);
  EXPECT_EQ(client.commit(0), 0u);
}

TEST(WebSocketControl, PingIsAnsweredWithPongCarryingItsPayload) {
  Framing server(Role::server, 11);
  Bytes ping = frame(Opcode::ping, true, bytes_of("are you there"), kKey);
  const DecodeResult r = server.decode(ping);
  EXPECT_EQ(r.violation, Violation::none);
  EXPECT_EQ(r.payload, 0u);
  ASSERT_TRUE(server.control_pending());
  Bytes chunk(kMinPrepareSpace);
  const std::size_t n = server.prepare({}, chunk);
  EXPECT_EQ(Bytes(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n)),
            frame(Opcode::pong, true, bytes_of("are you there")));
  server.commit(n);
  EXPECT_FALSE(server.control_pending());

  // A client answers with a masked pong, which a server reads and drops.
  Framing client(Role::client, 12);
  Bytes server_ping = frame(Opcode::ping, true, bytes_of("ping from the hub"));
  EXPECT_EQ(client.decode(server_ping).payload, 0u);
  const std::size_t m = client.prepare({}, chunk);
  Bytes pong(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(m));
  client.commit(m);
  EXPECT_EQ(pong[0], 0x8A);
  EXPECT_EQ(pong[1], 0x80 | 17);
  Bytes unmasked(17);
  mask_copy(unmasked.data(), pong.data() + 6, 17, pong.data() + 2, 0);
  EXPECT_EQ(unmasked, bytes_of("ping from the hub"));
  Framing reader(Role::server, 1);
  const DecodeResult pr = reader.decode(pong);
  EXPECT_EQ(pr.violation, Violation::none);
  EXPECT_EQ(pr.payload, 0u);
  EXPECT_FALSE(reader.control_pending());
}

TEST(WebSocketControl, PongWaitsForTheDataFrameUnderWayToEnd) {
  Framing server(Role::server, 2);
  const Bytes payload = pattern(300);
  Bytes chunk(4096);
  std::size_t n = server.prepare(payload, chunk);
  Bytes wire(chunk.begin(), chunk.begin() + 100);
  std::size_t done = server.commit(100);
  Bytes ping = frame(Opcode::ping, true, bytes_of("p"), kKey);
  server.decode(ping);
  ASSERT_TRUE(server.control_pending());
  // The rest of the data frame first, then the pong.
  n = server.prepare(std::span<const std::uint8_t>(payload).subspan(done), chunk);
  wire.insert(wire.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
  done += server.commit(n);
  EXPECT_EQ(done, payload.size());
  n = server.prepare({}, chunk);
  wire.insert(wire.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
  server.commit(n);
  Bytes expected = frame(Opcode::binary, true, payload);
  append(expected, frame(Opcode::pong, true, bytes_of("p")));
  EXPECT_EQ(wire, expected);
}

TEST(WebSocketControl, CloseIsEchoedAndEndsTheInput) {
  Framing client(Role::client, 4);
  Bytes wire = frame(Opcode::binary, true, bytes_of("last words"));
  const std::uint8_t code[2] = {0x03, 0xE9};  // 1001 going away
  append(wire, frame(Opcode::close, true, Bytes(code, code + 2)));
  append(wire, frame(Opcode::binary, true, bytes_of("ignored")));
  const DecodeResult r = client.decode(wire);
  EXPECT_EQ(r.violation, Violation::none);
  EXPECT_EQ(Bytes(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(r.payload)),
            bytes_of("last words"));
  EXPECT_TRUE(client.close_received());
  EXPECT_EQ(client.close_code(), 1001);
  ASSERT_TRUE(client.control_pending());
  Bytes chunk(kMinPrepareSpace);
  // No new data frame after a close: only the close answer goes out.
  const std::size_t n = client.prepare(bytes_of("more"), chunk);
  Bytes reply(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
  EXPECT_EQ(client.commit(n), 0u);
  EXPECT_TRUE(client.close_sent());
  Framing server(Role::server, 1);
  server.decode(reply);
  EXPECT_TRUE(server.close_received());
  EXPECT_EQ(server.close_code(), 1001);

  Bytes more = frame(Opcode::binary, true, bytes_of("after close"));
  EXPECT_EQ(client.decode(more).payload, 0u);
}

TEST(WebSocketControl, OurCloseIsSentOnceAndAnEmptyCloseHasNoStatus) {
  Framing server(Role::server, 6);
  ASSERT_TRUE(server.queue_close(kCloseNormal));
  Bytes chunk(kMinPrepareSpace);
  const std::size_t n = server.prepare({}, chunk);
  const std::uint8_t code[2] = {0x03, 0xE8};
  EXPECT_EQ(Bytes(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n)),
            frame(Opcode::close, true, Bytes(code, code + 2)));
  server.commit(n);
  EXPECT_TRUE(server.close_sent());
  // The peer's answer does not make us answer again.
  Bytes answer = frame(Opcode::close, true, {}, kKey);
  server.decode(answer);
  EXPECT_TRUE(server.close_received());
  EXPECT_EQ(server.close_code(), 1005);
  EXPECT_FALSE(server.control_pending());
}

TEST(WebSocketFragments, ContinuationFramesJoinWithControlFramesBetween) {
  Bytes wire = frame(Opcode::binary, false, bytes_of("abc"), kKey);
  append(wire, frame(Opcode::continuation, false, bytes_of("def"), kKey));
  append(wire, frame(Opcode::ping, true, bytes_of("x"), kKey));
  append(wire, frame(Opcode::continuation, true, bytes_of("gh"), kKey));
  append(wire, frame(Opcode::binary, true, bytes_of("ij"), kKey));
  Framing server(Role::server, 1);
  EXPECT_EQ(receive_whole(server, wire), bytes_of("abcdefghij"));
  EXPECT_TRUE(server.control_pending());
}

TEST(WebSocketViolations, RefusedFrames) {
  const Bytes p = bytes_of("data");
  EXPECT_EQ(violation_of(Role::server, frame(Opcode::text, true, p, kKey)), Violation::text_frame);
  EXPECT_EQ(violation_of(Role::server, frame(Opcode::binary, true, p)), Violation::unmasked_client_frame);
  EXPECT_EQ(violation_of(Role::client, frame(Opcode::binary, true, p, kKey)), Violation::masked_server_frame);
  EXPECT_EQ(violation_of(Role::server, frame(Opcode::binary, true, p, kKey, 0x40)), Violation::reserved_bits);
  EXPECT_EQ(violation_of(Role::server, frame(static_cast<Opcode>(0x3), true, p, kKey)),
            Violation::unknown_opcode);
  EXPECT_EQ(violation_of(Role::server, frame(static_cast<Opcode>(0xB), true, p, kKey)),
            Violation::unknown_opcode);
  EXPECT_EQ(violation_of(Role::server, frame(Opcode::ping, false, p, kKey)),
            Violation::fragmented_control_frame);
  EXPECT_EQ(violation_of(Role::server, frame(Opcode::ping, true, pattern(126), kKey)),
            Violation::control_frame_too_long);
  EXPECT_EQ(violation_of(Role::server, frame(Opcode::continuation, true, p, kKey)),
            Violation::unexpected_continuation);
  Bytes two = frame(Opcode::binary, false, p, kKey);
  append(two, frame(Opcode::binary, true, p, kKey));
  EXPECT_EQ(violation_of(Role::server, two), Violation::expected_continuation);
  EXPECT_EQ(violation_of(Role::server, frame(Opcode::close, true, Bytes{0x03}, kKey)),
            Violation::bad_close_payload);

  // 16-bit length for a payload that fits in 7 bits, 64-bit for one that fits in 16.
  const Bytes short16 = {0x82, 0x80 | 126, 0x00, 0x10, 1, 2, 3, 4};
  EXPECT_EQ(violation_of(Role::server, short16), Violation::non_minimal_length);
  const Bytes short64 = {0x82, 127, 0, 0, 0, 0, 0, 0, 0x01, 0x00};
  EXPECT_EQ(violation_of(Role::client, short64), Violation::non_minimal_length);
  const Bytes huge = {0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(violation_of(Role::client, huge), Violation::length_too_large);
}

TEST(WebSocketViolations, InputAfterAViolationStaysRefused) {
  Framing server(Role::server, 1);
  Bytes bad = frame(Opcode::text, true, bytes_of("t"), kKey);
  EXPECT_EQ(server.decode(bad).violation, Violation::text_frame);
  Bytes good = frame(Opcode::binary, true, bytes_of("b"), kKey);
  const DecodeResult r = server.decode(good);
  EXPECT_EQ(r.violation, Violation::text_frame);
  EXPECT_EQ(r.payload, 0u);
  EXPECT_EQ(server.violation(), Violation::text_frame);
}

// A client's byte stream with every kind of frame: 7-, 16- and 64-bit lengths, a fragmented
// message with a ping inside it, and an empty frame.
Bytes mixed_client_stream(Bytes& payload) {
  Bytes wire;
  payload.clear();
  const std::uint8_t keys[3][4] = {{1, 2, 3, 4}, {0xFF, 0x00, 0xAA, 0x55}, {9, 8, 7, 6}};
  const std::size_t sizes[] = {5, 200, 70000, 0, 1};
  for (std::size_t i = 0; i < std::size(sizes); ++i) {
    const Bytes part = pattern(sizes[i], static_cast<std::uint8_t>(i));
    append(wire, frame(Opcode::binary, true, part, keys[i % 3]));
    append(payload, part);
  }
  append(wire, frame(Opcode::binary, false, bytes_of("frag-"), keys[0]));
  append(wire, frame(Opcode::ping, true, bytes_of("keepalive"), keys[1]));
  append(wire, frame(Opcode::continuation, true, bytes_of("mented"), keys[2]));
  append(payload, bytes_of("frag-mented"));
  return wire;
}

TEST(WebSocketSplit, EveryCutInTwoGivesTheSamePayload) {
  Bytes payload;
  const Bytes wire = mixed_client_stream(payload);
  // Every cut within the small frames, and every cut around the large frame's header and end.
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    const bool near_small = cut < 300 || cut > wire.size() - 200;
    const bool near_large_header = cut >= 215 && cut < 245;
    if (!near_small && !near_large_header && cut % 997 != 0) continue;
    Framing server(Role::server, 1);
    ASSERT_EQ(receive(server, wire, {cut}), payload) << "cut at " << cut;
    EXPECT_TRUE(server.control_pending());
    EXPECT_TRUE(server.input_at_frame_boundary());
  }
}

TEST(WebSocketSplit, EveryCutOfTheSmallFramesInTwo) {
  // Without the large frame every single cut is cheap: all of them.
  Bytes wire = frame(Opcode::binary, true, bytes_of("hello"), kKey);
  append(wire, frame(Opcode::binary, true, pattern(300), kKey));
  append(wire, frame(Opcode::ping, true, bytes_of("p"), kKey));
  append(wire, frame(Opcode::binary, false, bytes_of("ab"), kKey));
  append(wire, frame(Opcode::continuation, true, bytes_of("cd"), kKey));
  Bytes payload = bytes_of("hello");
  append(payload, pattern(300));
  append(payload, bytes_of("abcd"));
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    Framing server(Role::server, 1);
    ASSERT_EQ(receive(server, wire, {cut}), payload) << "cut at " << cut;
  }
}

TEST(WebSocketSplit, PiecesOfEverySizeGiveTheSamePayload) {
  Bytes payload;
  const Bytes wire = mixed_client_stream(payload);
  for (std::size_t piece : {1u, 2u, 3u, 5u, 13u, 14u, 15u, 64u, 1000u, 4096u}) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = piece; at < wire.size(); at += piece) cuts.push_back(at);
    Framing server(Role::server, 1);
    ASSERT_EQ(receive(server, wire, cuts), payload) << "pieces of " << piece;
  }
  // Irregular pieces from a fixed sequence.
  std::uint32_t state = 12345;
  std::vector<std::size_t> cuts;
  for (std::size_t at = 0;;) {
    state = state * 1103515245u + 12345u;
    at += 1 + (state >> 16) % 40;
    if (at >= wire.size()) break;
    cuts.push_back(at);
  }
  Framing server(Role::server, 1);
  EXPECT_EQ(receive(server, wire, cuts), payload);
}

TEST(WebSocketSplit, ServerFramesCutAtEveryOffsetReachTheClient) {
  Framing server(Role::server, 1);
  Bytes wire;
  Bytes payload;
  for (std::size_t size : {3u, 126u, 1u, 400u}) {
    const Bytes part = pattern(size, static_cast<std::uint8_t>(size));
    append(wire, send_all(server, part));
    append(payload, part);
  }
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    Framing client(Role::client, 1);
    ASSERT_EQ(receive(client, wire, {cut}), payload) << "cut at " << cut;
  }
}

TEST(WebSocketHandshake, AcceptKeyOfRfc6455) {
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  const std::uint8_t nonce[16] = {'t', 'h', 'e', ' ', 's', 'a', 'm', 'p',
                                  'l', 'e', ' ', 'n', 'o', 'n', 'c', 'e'};
  EXPECT_EQ(client_key(std::span<const std::uint8_t, 16>(nonce)), "dGhlIHNhbXBsZSBub25jZQ==");
}

TEST(WebSocketHandshake, RequestAndAnswerAgree) {
  const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
  const std::string request = client_upgrade_request("localhost:8443", "/$iothub/websocket", "mqtt", key);
  EXPECT_EQ(request,
            "GET /$iothub/websocket HTTP/1.1\r\nHost: localhost:8443\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n");
  EXPECT_EQ(head_end(request), request.size());
  EXPECT_EQ(head_end(request.substr(0, request.size() - 1)), 0u);
  const std::string answer = server_upgrade_response(key, "mqtt");
  EXPECT_NE(answer.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
  const ResponseCheck check = check_upgrade_response(answer, key, "mqtt");
  EXPECT_EQ(check.refusal, Refusal::none);
  EXPECT_EQ(check.status, 101);
}

TEST(WebSocketHandshake, RefusedAnswers) {
  const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
  const std::string accept = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
  const std::string upgrade =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
  auto check = [&](const std::string& head) { return check_upgrade_response(head, key, "mqtt"); };

  const ResponseCheck not_found = check("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(not_found.refusal, Refusal::not_switching);
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(check("SSH-2.0-OpenSSH\r\n\r\n").refusal, Refusal::malformed_response);
  EXPECT_EQ(
      check("HTTP/1.1 101 Switching Protocols\r\n" + accept + "Sec-WebSocket-Protocol: mqtt\r\n\r\n").refusal,
      Refusal::missing_upgrade);
  EXPECT_EQ(check(upgrade + "Sec-WebSocket-Accept: wrong=\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n").refusal,
            Refusal::wrong_accept_key);
  EXPECT_EQ(check(upgrade + accept + "\r\n").refusal, Refusal::wrong_subprotocol);
  EXPECT_EQ(check(upgrade + accept + "Sec-WebSocket-Protocol: amqp\r\n\r\n").refusal,
            Refusal::wrong_subprotocol);
  EXPECT_EQ(check(upgrade + accept +
                  "Sec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
                .refusal,
            Refusal::unexpected_extension);
  // Header names and the subprotocol compare without regard to case (the C SDK says "MQTT").
  EXPECT_EQ(
      check("HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\n"
            "sec-websocket-accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nsec-websocket-protocol:  MQTT \r\n\r\n")
          .refusal,
      Refusal::none);
}

TEST(WebSocketHandshake, ServerSideHelpers) {
  EXPECT_TRUE(has_token("keep-alive, Upgrade", "upgrade"));
  EXPECT_FALSE(has_token("keep-alive", "upgrade"));
  EXPECT_FALSE(has_token("", "upgrade"));
  EXPECT_TRUE(is_upgrade_request("GET", "websocket", "Upgrade", "13", "dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(is_upgrade_request("POST", "websocket", "Upgrade", "13", "dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(is_upgrade_request("GET", "websocket", "Upgrade", "8", "dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(is_upgrade_request("GET", "websocket", "Upgrade", "13", "c2hvcnQ="));
  EXPECT_FALSE(is_upgrade_request("GET", "h2c", "Upgrade", "13", "dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_EQ(pick_subprotocol("mqttv3.1, MQTT", "mqtt"), std::optional<std::string_view>("MQTT"));
  EXPECT_EQ(pick_subprotocol("mqtt", "mqtt"), std::optional<std::string_view>("mqtt"));
  EXPECT_EQ(pick_subprotocol("wamp", "mqtt"), std::nullopt);
}

}  // namespace
}  // namespace fleetsim::transports::ws
