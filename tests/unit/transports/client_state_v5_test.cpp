// The client session's MQTT 5 flow control, stepped by hand: the server's Receive Maximum narrows
// the QoS 1 window, its Server Keep Alive replaces the client's, both for one connection only, and
// every SUBACK reason code from 0x80 up is a refusal.
#include <gtest/gtest.h>

#include <vector>

#include "transports/mqtt/client.hpp"
#include "transports/mqtt/properties.hpp"

namespace fleetsim::mqtt {
namespace {

using namespace std::chrono_literals;

ClientConfig config(std::uint16_t window) {
  ClientConfig c;
  c.keep_alive = 60s;
  c.ping_timeout = 10s;
  c.max_inflight = window;
  return c;
}

// Owns the property bytes a CONNACK views.
struct ConnackWith {
  std::vector<std::uint8_t> properties;
  Connack packet() const { return Connack{false, ConnackCode::accepted, properties}; }
};

TEST(ClientStateV5, ReceiveMaximumNarrowsTheWindow) {
  ConnackWith connack;
  append_integer_property(connack.properties, PropertyId::receive_maximum, 3);
  ClientState s(config(8));
  s.on_connect_sent(ClientTime{0});
  ASSERT_EQ(s.on_connack(connack.packet()), ConnackVerdict::accepted);
  EXPECT_EQ(s.inflight_limit(), 3);
  for (std::uint32_t i = 0; i < 3; ++i) EXPECT_TRUE(s.begin_publish(i, ClientTime{0}).has_value());
  EXPECT_TRUE(s.inflight_full());
  EXPECT_FALSE(s.begin_publish(3, ClientTime{0}).has_value());
}

TEST(ClientStateV5, AReceiveMaximumAboveTheWindowChangesNothing) {
  ConnackWith connack;
  append_integer_property(connack.properties, PropertyId::receive_maximum, 65535);
  ClientState s(config(8));
  s.on_connect_sent(ClientTime{0});
  ASSERT_EQ(s.on_connack(connack.packet()), ConnackVerdict::accepted);
  EXPECT_EQ(s.inflight_limit(), 8);
}

TEST(ClientStateV5, ServerKeepAliveReplacesTheClients) {
  ConnackWith connack;
  append_integer_property(connack.properties, PropertyId::server_keep_alive, 5);
  ClientState s(config(4));
  s.on_connect_sent(ClientTime{0});
  ASSERT_EQ(s.on_connack(connack.packet()), ConnackVerdict::accepted);
  EXPECT_EQ(s.keep_alive(), 5s);
  EXPECT_EQ(s.keep_alive_deadline(), ClientTime{5s});
  EXPECT_EQ(s.check_keep_alive(ClientTime{5s}), KeepAliveAction::send_pingreq);
}

TEST(ClientStateV5, ServerKeepAliveZeroTurnsPingsOff) {
  ConnackWith connack;
  append_integer_property(connack.properties, PropertyId::server_keep_alive, 0);
  ClientState s(config(4));
  s.on_connect_sent(ClientTime{0});
  ASSERT_EQ(s.on_connack(connack.packet()), ConnackVerdict::accepted);
  EXPECT_EQ(s.keep_alive_deadline(), std::nullopt);
}

TEST(ClientStateV5, WhatAServerGrantedEndsWithItsConnection) {
  ConnackWith narrow;
  append_integer_property(narrow.properties, PropertyId::receive_maximum, 2);
  append_integer_property(narrow.properties, PropertyId::server_keep_alive, 5);
  ClientState s(config(8));
  s.on_connect_sent(ClientTime{0});
  ASSERT_EQ(s.on_connack(narrow.packet()), ConnackVerdict::accepted);
  s.on_closed();
  s.on_connect_sent(ClientTime{1s});
  ASSERT_EQ(s.on_connack(Connack{}), ConnackVerdict::accepted);
  EXPECT_EQ(s.inflight_limit(), 8);
  EXPECT_EQ(s.keep_alive(), 60s);
}

TEST(ClientStateV5, PropertiesOfARefusalAreIgnored) {
  ConnackWith refused;
  append_integer_property(refused.properties, PropertyId::receive_maximum, 1);
  ClientState s(config(8));
  s.on_connect_sent(ClientTime{0});
  Connack connack = refused.packet();
  connack.code = static_cast<ConnackCode>(ReasonCode::quota_exceeded);
  EXPECT_EQ(s.on_connack(connack), ConnackVerdict::refused);
  EXPECT_EQ(s.inflight_limit(), 8);
}

TEST(ClientStateV5, EverySubackCodeFrom0x80IsARefusal) {
  for (const std::uint8_t code : {0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2}) {
    ClientState s(config(4));
    s.on_connect_sent(ClientTime{0});
    ASSERT_EQ(s.on_connack(Connack{}), ConnackVerdict::accepted);
    const auto id = s.begin_subscribe(7, 1);
    ASSERT_TRUE(id);
    const std::uint8_t codes[] = {code};
    EXPECT_EQ(s.on_suback(Suback{*id, codes}).status, SubackVerdict::Status::refused) << int(code);
  }
  ClientState s(config(4));
  s.on_connect_sent(ClientTime{0});
  ASSERT_EQ(s.on_connack(Connack{}), ConnackVerdict::accepted);
  const auto id = s.begin_subscribe(7, 2);
  const std::uint8_t granted[] = {0x00, 0x01};
  const SubackVerdict verdict = s.on_suback(Suback{*id, granted});
  EXPECT_EQ(verdict.status, SubackVerdict::Status::granted);
  EXPECT_EQ(verdict.max_granted, 1);
}

}  // namespace
}  // namespace fleetsim::mqtt
