// A small blocking MQTT 3.1.1 client for integration tests, built from the sans-I/O codec over a
// real TCP socket. Every receive has a deadline; nothing here sleeps.
//
//   MqttTestClient client(port);
//   client.send(connect);
//   auto connack = client.receive_as<mqtt::Connack>();
//   EXPECT_TRUE(client.wait_closed());
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "transports/mqtt/codec.hpp"

namespace fleetsim::test {

// A received packet with the bytes it views into: move it, do not copy it.
struct ReceivedPacket {
  std::unique_ptr<std::vector<std::uint8_t>> bytes;
  mqtt::Packet packet;
};

class MqttTestClient {
 public:
  using Duration = std::chrono::steady_clock::duration;
  static constexpr Duration default_timeout = std::chrono::seconds(5);

  // Connects over TCP to host:port (throws boost::system::system_error on failure). A small
  // `receive_buffer_bytes` makes the peer's output back up sooner (0: the system default).
  explicit MqttTestClient(std::uint16_t port, const std::string& host = "127.0.0.1",
                          int receive_buffer_bytes = 0)
      : socket_(io_) {
    const boost::asio::ip::tcp::endpoint peer(boost::asio::ip::make_address(host), port);
    socket_.open(peer.protocol());
    if (receive_buffer_bytes > 0) {
      socket_.set_option(boost::asio::socket_base::receive_buffer_size(receive_buffer_bytes));
    }
    socket_.connect(peer);
    socket_.set_option(boost::asio::ip::tcp::no_delay(true));
  }

  void send(const mqtt::Packet& packet) {
    std::vector<std::uint8_t> bytes;
    mqtt::encode(packet, bytes);
    send_raw(bytes);
  }

  // Writes bytes as they are; a failed write (peer gone) is ignored: receive() tells.
  void send_raw(mqtt::Bytes bytes) {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size()), ec);
  }

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
      if (read_more(deadline) != ReadResult::data) return std::nullopt;
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
      switch (read_more(deadline)) {
        case ReadResult::closed:
          return true;
        case ReadResult::timeout:
          return false;
        case ReadResult::data:
          in_.clear();
          break;
      }
    }
  }

  // Nothing arrives within `quiet` (and the connection stays open).
  bool nothing_within(Duration quiet) {
    const auto deadline = std::chrono::steady_clock::now() + quiet;
    return in_.empty() && read_more(deadline) == ReadResult::timeout;
  }

  // CONNECT then CONNACK: the return code, or nullopt if no CONNACK came.
  std::optional<mqtt::ConnackCode> connect(std::string_view client_id, std::string_view username,
                                           std::string_view password, std::uint16_t keep_alive_s = 60,
                                           std::uint8_t protocol_level = 4) {
    mqtt::Connect packet;
    packet.client_id = client_id;
    packet.username = username;
    packet.password = mqtt::as_bytes(password);
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
  enum class ReadResult { data, closed, timeout };

  ReadResult read_more(std::chrono::steady_clock::time_point deadline) {
    std::array<std::uint8_t, 16 * 1024> chunk;
    bool done = false;
    boost::system::error_code result;
    std::size_t got = 0;
    socket_.async_read_some(boost::asio::buffer(chunk),
                            [&](const boost::system::error_code& ec, std::size_t n) {
                              done = true;
                              result = ec;
                              got = n;
                            });
    io_.restart();
    io_.run_until(deadline);
    if (!done) {
      socket_.cancel();
      io_.restart();
      io_.run();  // lets the cancelled read complete before `chunk` goes away
    }
    if (result == boost::asio::error::operation_aborted) return ReadResult::timeout;
    if (result) return ReadResult::closed;  // end of stream or reset
    in_.insert(in_.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got));
    return ReadResult::data;
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::vector<std::uint8_t> in_;
  std::optional<ReceivedPacket> last_;
};

}  // namespace fleetsim::test
