// Doubles and builders for the hub's sans-I/O tests: a connection that records what it is sent,
// SAS tokens for the test keys, and decoding of the handlers' answers.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "hub/connection.hpp"
#include "hub/handlers.hpp"
#include "hub/hub_context.hpp"
#include "transports/iothub/sas.hpp"
#include "transports/mqtt/codec.hpp"
#include "transports/stream/stream.hpp"

namespace fleetsim::hub::test {

// base64 of "0123456789abcdef0123456789abcdef" (reference 1.3)
inline constexpr std::string_view primary_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
// base64 of "secondary-key-secondary-key-0123"
inline constexpr std::string_view secondary_key = "c2Vjb25kYXJ5LWtleS1zZWNvbmRhcnkta2V5LTAxMjM=";
// base64 of "module-key-module-key-module-key"
inline constexpr std::string_view module_key = "bW9kdWxlLWtleS1tb2R1bGUta2V5LW1vZHVsZS1rZXk=";
inline constexpr std::string_view host = "hub.example";

// A fixed wall-clock time: tokens expire relative to it.
inline twin::Timestamp test_now() {
  return twin::Timestamp(std::chrono::seconds(1'800'000'000));
}
inline std::uint64_t test_now_s() {
  return 1'800'000'000;
}

inline std::string token_for(std::string_view device, std::string_view module, std::string_view key,
                             std::uint64_t expiry = test_now_s() + 3600, std::string_view token_host = host) {
  const auto token = iothub::make_sas_token(iothub::resource_uri(token_host, device, module), key, expiry);
  EXPECT_TRUE(token.has_value());
  return token.value_or("");
}

class FakeConnection final : public Connection {
 public:
  ~FakeConnection() { close(); }
  void send(mqtt::Bytes packets) override { sent.insert(sent.end(), packets.begin(), packets.end()); }
  void close() override {
    ++closes;
    release_identity();
  }
  bool peer_certificate(transports::PeerCertificate& out) const override {
    if (!certificate) return false;
    out = *certificate;
    return out.present;
  }

  std::vector<std::uint8_t> sent;
  int closes = 0;
  std::optional<transports::PeerCertificate> certificate;  // as if presented in a TLS handshake
};

// Decodes every packet of `bytes`; the packets view into `bytes`.
inline std::vector<mqtt::Packet> decode_all(const std::vector<std::uint8_t>& bytes) {
  std::vector<mqtt::Packet> packets;
  mqtt::Bytes rest(bytes);
  while (!rest.empty()) {
    const mqtt::DecodeResult result = mqtt::decode(rest);
    EXPECT_EQ(result.status, mqtt::DecodeResult::Status::packet);
    if (result.status != mqtt::DecodeResult::Status::packet) break;
    packets.push_back(result.packet);
    rest = rest.subspan(result.consumed);
  }
  return packets;
}

// The single packet of `bytes`, which must be of type T.
template <class T>
T only_packet(const std::vector<std::uint8_t>& bytes) {
  const auto packets = decode_all(bytes);
  EXPECT_EQ(packets.size(), 1U);
  if (packets.size() != 1 || !std::holds_alternative<T>(packets.front())) {
    ADD_FAILURE() << "expected one packet of the requested type";
    return T{};
  }
  return std::get<T>(packets.front());
}

inline mqtt::Connect connect_packet(std::string_view client_id, const std::string& username,
                                    const std::string& password) {
  mqtt::Connect connect;
  connect.client_id = client_id;
  connect.username = username;
  connect.password = mqtt::as_bytes(password);
  connect.keep_alive_s = 60;
  return connect;
}

// A hub with device "dev1" (both keys) and its module "dev1/mod1", and a session connected as
// `identity` with the given subscriptions.
class HubFixture : public ::testing::Test {
 protected:
  HubFixture() {
    context.registry.add_device("dev1", primary_key, secondary_key);
    context.registry.add_device("dev2", primary_key);
    context.registry.add_module("dev1", "mod1", module_key);
  }

  void attach(FakeConnection& connection, std::string_view client_id, std::uint8_t subscriptions = 0) {
    Identity* identity = context.registry.find(client_id);
    ASSERT_NE(identity, nullptr);
    identity->connection = &connection;
    connection.session().identity = identity;
    connection.session().subscriptions = subscriptions;
  }

  Verdict publish(FakeConnection& connection, std::string_view topic, std::string_view payload,
                  std::uint8_t qos = 0, std::uint16_t packet_id = 0) {
    mqtt::Publish packet;
    packet.topic = topic;
    packet.payload = mqtt::as_bytes(payload);
    packet.qos = qos;
    packet.packet_id = packet_id;
    out.clear();
    return handle_packet(context, connection, packet, test_now(), out);
  }

  HubContext context{std::string(host)};
  Output out;
};

inline constexpr std::uint8_t bit(Subscription s) {
  return static_cast<std::uint8_t>(s);
}

}  // namespace fleetsim::hub::test
