// A small blocking MQTT 3.1.1 client for integration tests, built from the sans-I/O codec over a
// real socket: plain TCP, TLS, WebSocket or WebSocket over TLS (transports::Stream). Every wait
// has a deadline; nothing here sleeps.
//
//   MqttTestClient client(port);                           // MQTT over TCP
//   MqttTestClient secure(port, TestTransport::tls(ctx));  // MQTT over TLS
//   ASSERT_FALSE(secure.handshake_error());
//   client.send(connect);
//   auto connack = client.receive_as<mqtt::Connack>();
//   EXPECT_TRUE(client.wait_closed());
//
// TestConnection is the byte layer alone (connect, handshakes, write, read with a deadline), for
// tests that speak HTTP or garbage instead of MQTT.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "transports/mqtt/codec.hpp"
#include "transports/stream/stream.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::test {

// How a test client reaches the server. The pointed-to context and certificate must outlive
// the connection's handshakes.
struct TestTransport {
  bool tls = false;
  bool websocket = false;
  const tls::TlsContext* tls_context = nullptr;                // tls: the client context
  const transports::ClientCertificate* certificate = nullptr;  // tls: an X.509 client identity
  std::string server_name = "localhost";                       // SNI and host check; WebSocket Host
  std::string ws_path = std::string(transports::kIotHubWebSocketPath);
  std::string ws_subprotocol = std::string(transports::kMqttSubprotocol);

  static TestTransport tcp() { return {}; }
  static TestTransport tls_over_tcp(const tls::TlsContext& context,
                                    const transports::ClientCertificate* certificate = nullptr) {
    TestTransport t;
    t.tls = true;
    t.tls_context = &context;
    t.certificate = certificate;
    return t;
  }
  static TestTransport ws() {
    TestTransport t;
    t.websocket = true;
    return t;
  }
  static TestTransport wss(const tls::TlsContext& context,
                           const transports::ClientCertificate* certificate = nullptr) {
    TestTransport t = tls_over_tcp(context, certificate);
    t.websocket = true;
    return t;
  }
};

// A received packet with the bytes it views into: move it, do not copy it.
struct ReceivedPacket {
  std::unique_ptr<std::vector<std::uint8_t>> bytes;
  mqtt::Packet packet;
};

class TestConnection {
 public:
  using Duration = std::chrono::steady_clock::duration;
  static constexpr Duration default_timeout = std::chrono::seconds(5);
  enum class ReadResult { data, closed, timeout };

  // Connects over TCP to host:port (throws boost::system::system_error on failure), then runs
  // the transport's handshakes; their failure is kept in handshake_error(). A small
  // `receive_buffer_bytes` makes the peer's output back up sooner (0: the system default).
  TestConnection(std::uint16_t port, const TestTransport& transport, const std::string& host = "127.0.0.1",
                 int receive_buffer_bytes = 0)
      : stream_(io_) {
    auto& socket = stream_.socket();
    const boost::asio::ip::tcp::endpoint peer(boost::asio::ip::make_address(host), port);
    socket.open(peer.protocol());
    if (receive_buffer_bytes > 0) {
      socket.set_option(boost::asio::socket_base::receive_buffer_size(receive_buffer_bytes));
    }
    socket.connect(peer);
    socket.set_option(boost::asio::ip::tcp::no_delay(true));
    socket.non_blocking(true);
    if (transport.tls) {
      handshake_error_ = run(stream_.async_tls_client_handshake(*transport.tls_context, transport.server_name,
                                                                nullptr, transport.certificate));
      if (handshake_error_) return;
    }
    if (transport.websocket) {
      handshake_error_ = run(stream_.async_ws_client_handshake(transport.server_name, transport.ws_path,
                                                               transport.ws_subprotocol));
    }
  }

  const boost::system::error_code& handshake_error() const noexcept { return handshake_error_; }
  transports::Stream& stream() noexcept { return stream_; }

  // Writes all of `bytes` (framed when WebSocket is on); a failed write (peer gone) is ignored:
  // reads tell.
  void write(mqtt::Bytes bytes) {
    std::size_t done = 0;
    const auto deadline = std::chrono::steady_clock::now() + default_timeout;
    while (done < bytes.size()) {
      boost::system::error_code ec;
      const std::size_t n =
          stream_.write_some(boost::asio::buffer(bytes.data() + done, bytes.size() - done), ec);
      if (ec && !would_block(ec)) return;
      if (!ec) done += n;
      if (done < bytes.size() && !wait(transports::Stream::wait_write, deadline)) return;
    }
  }

  // Appends what arrives next to `in`.
  ReadResult read_more(std::vector<std::uint8_t>& in, std::chrono::steady_clock::time_point deadline) {
    std::array<std::uint8_t, 16 * 1024> chunk;
    for (;;) {
      boost::system::error_code ec;
      const std::size_t n = stream_.read_some(boost::asio::buffer(chunk), ec);
      if (!ec && n > 0) {
        in.insert(in.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
        return ReadResult::data;
      }
      if (ec && !would_block(ec)) return ReadResult::closed;  // end of stream, reset, TLS or WebSocket close
      if (!ec) continue;                                      // framing only
      if (!wait(transports::Stream::wait_read, deadline)) {
        return std::chrono::steady_clock::now() >= deadline ? ReadResult::timeout : ReadResult::closed;
      }
    }
  }

 private:
  static bool would_block(const boost::system::error_code& ec) {
    return ec == boost::asio::error::would_block || ec == boost::asio::error::try_again;
  }

  // Waits for readiness until `deadline`; false on timeout or error.
  bool wait(transports::Stream::wait_type what, std::chrono::steady_clock::time_point deadline) {
    bool done = false;
    boost::system::error_code result;
    stream_.async_wait(what, [&](const boost::system::error_code& ec) {
      done = true;
      result = ec;
    });
    io_.restart();
    io_.run_until(deadline);
    if (!done) {
      boost::system::error_code ignored;
      stream_.socket().cancel(ignored);
      io_.restart();
      io_.run();  // lets the cancelled wait complete
      return false;
    }
    return !result;
  }

  // Runs one handshake to completion, closing the stream if it takes longer than the default
  // timeout (the handshake then ends with an error).
  boost::system::error_code run(boost::asio::awaitable<boost::system::error_code> operation) {
    bool done = false;
    boost::system::error_code result;
    boost::asio::co_spawn(io_, std::move(operation),
                          [&](const std::exception_ptr& failure, boost::system::error_code ec) {
                            done = true;
                            result = failure ? boost::asio::error::fault : ec;
                          });
    io_.restart();
    io_.run_for(default_timeout);
    if (!done) {
      boost::system::error_code ignored;
      stream_.close(ignored);
      io_.restart();
      io_.run();
      return boost::asio::error::timed_out;
    }
    return result;
  }

  boost::asio::io_context io_;
  transports::Stream stream_;
  boost::system::error_code handshake_error_;
};

class MqttTestClient {
 public:
  using Duration = TestConnection::Duration;
  static constexpr Duration default_timeout = TestConnection::default_timeout;

  // MQTT over TCP to host:port (throws boost::system::system_error on failure).
  explicit MqttTestClient(std::uint16_t port, const std::string& host = "127.0.0.1",
                          int receive_buffer_bytes = 0)
      : connection_(port, TestTransport::tcp(), host, receive_buffer_bytes) {}
  // MQTT over any transport; check handshake_error() before use.
  MqttTestClient(std::uint16_t port, const TestTransport& transport, const std::string& host = "127.0.0.1")
      : connection_(port, transport, host) {}

  const boost::system::error_code& handshake_error() const noexcept { return connection_.handshake_error(); }
  transports::Stream& stream() noexcept { return connection_.stream(); }

  void send(const mqtt::Packet& packet) {
    std::vector<std::uint8_t> bytes;
    mqtt::encode(packet, bytes);
    send_raw(bytes);
  }

  // Writes bytes as they are; a failed write (peer gone) is ignored: receive() tells.
  void send_raw(mqtt::Bytes bytes) { connection_.write(bytes); }

  // The next packet, or nullopt on timeout, end of stream or a malformed packet.
  std::optional<ReceivedPacket> receive(Duration timeout = default_timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const mqtt::DecodeResult result = mqtt::decode(in_, mqtt::DecodeLimits{16 * 1024 * 1024});
      if (result.status == mqtt::DecodeResult::Status::error) return std::nullopt;
      if (result.status == mqtt::DecodeResult::Status::packet) {
        ReceivedPacket received;
        received.bytes = std::make_unique<std::vector<std::uint8_t>>(
            in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(result.consumed));
        in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(result.consumed));
        received.packet = mqtt::decode(*received.bytes).packet;
        return received;
      }
      if (connection_.read_more(in_, deadline) != TestConnection::ReadResult::data) return std::nullopt;
    }
  }

  // The next packet if it is a T; nullopt (and a recorded reason) otherwise. The views inside
  // a returned PUBLISH or SUBACK stay valid until the next receive.
  template <class T>
  std::optional<T> receive_as(Duration timeout = default_timeout) {
    auto received = receive(timeout);
    if (!received || !std::holds_alternative<T>(received->packet)) return std::nullopt;
    last_ = std::move(received);
    return std::get<T>(last_->packet);
  }

  // True once the peer has closed the connection (packets before that are discarded); false
  // if it is still open at the deadline.
  bool wait_closed(Duration timeout = default_timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      switch (connection_.read_more(in_, deadline)) {
        case TestConnection::ReadResult::closed:
          return true;
        case TestConnection::ReadResult::timeout:
          return false;
        case TestConnection::ReadResult::data:
          in_.clear();
          break;
      }
    }
  }

  // Nothing arrives within `quiet` (and the connection stays open).
  bool nothing_within(Duration quiet) {
    const auto deadline = std::chrono::steady_clock::now() + quiet;
    return in_.empty() && connection_.read_more(in_, deadline) == TestConnection::ReadResult::timeout;
  }

  // CONNECT then CONNACK: the return code, or nullopt if no CONNACK came. An empty optional
  // password sends none (X.509).
  std::optional<mqtt::ConnackCode> connect(std::string_view client_id, std::string_view username,
                                           std::optional<std::string_view> password,
                                           std::uint16_t keep_alive_s = 60, std::uint8_t protocol_level = 4) {
    mqtt::Connect packet;
    packet.client_id = client_id;
    packet.username = username;
    if (password) packet.password = mqtt::as_bytes(*password);
    packet.keep_alive_s = keep_alive_s;
    packet.protocol_level = protocol_level;
    send(packet);
    const auto connack = receive_as<mqtt::Connack>();
    if (!connack) return std::nullopt;
    return connack->code;
  }

  // SUBSCRIBE to one filter then SUBACK: the return code, or nullopt if no SUBACK came.
  std::optional<std::uint8_t> subscribe(std::string_view filter, std::uint8_t qos = 0,
                                        std::uint16_t packet_id = 1) {
    const mqtt::Subscription subscription{filter, qos};
    mqtt::Subscribe packet;
    packet.packet_id = packet_id;
    packet.filters = std::span(&subscription, 1);
    send(packet);
    const auto suback = receive_as<mqtt::Suback>();
    if (!suback || suback->packet_id != packet_id || suback->return_codes.size() != 1) {
      return std::nullopt;
    }
    return suback->return_codes[0];
  }

  void publish(std::string_view topic, std::string_view payload, std::uint8_t qos = 0,
               std::uint16_t packet_id = 0) {
    mqtt::Publish packet;
    packet.topic = topic;
    packet.payload = mqtt::as_bytes(payload);
    packet.qos = qos;
    packet.packet_id = packet_id;
    send(packet);
  }

 private:
  TestConnection connection_;
  std::vector<std::uint8_t> in_;
  std::optional<ReceivedPacket> last_;
};

}  // namespace fleetsim::test
