// The tier throttles on the MQTT side, sans-I/O (reference 5.2): CONNACK 3 over the connection
// rate, twin res/429 (and res/403 in Basic tiers) with a JSON error body, and held PUBACKs over
// the D2C rate released as the bucket refills, never to a closed or replaced session.
#include <chrono>

#include <boost/json/parse.hpp>

#include "hub_test_support.hpp"

namespace fleetsim::hub {
namespace {

using std::chrono::milliseconds;
using test::bit;
using test::FakeConnection;
using test::test_now;

constexpr std::string_view kEvents = "devices/dev1/messages/events/";

class ThrottledHandlers : public test::HubFixture {
 protected:
  void configure(Tier tier, std::size_t held_limit = Throttle::default_held_limit) {
    context.throttle.configure(tier, 1, test_now(), held_limit);
  }

  Verdict publish_at(FakeConnection& connection, std::string_view topic, std::string_view payload,
                     std::uint8_t qos, std::uint16_t packet_id, twin::Timestamp now) {
    mqtt::Publish packet;
    packet.topic = topic;
    packet.payload = mqtt::as_bytes(payload);
    packet.qos = qos;
    packet.packet_id = packet_id;
    out.clear();
    return handle_packet(context, connection, packet, now, out);
  }

  // The packet ids of the PUBACKs in `bytes`.
  static std::vector<std::uint16_t> pubacks(const std::vector<std::uint8_t>& bytes) {
    std::vector<std::uint16_t> ids;
    for (const mqtt::Packet& packet : test::decode_all(bytes)) {
      if (const auto* puback = std::get_if<mqtt::Puback>(&packet)) ids.push_back(puback->packet_id);
    }
    return ids;
  }

  mqtt::ConnackCode connect(FakeConnection& connection, twin::Timestamp now = test_now()) {
    const std::string username = "hub.example/dev1/?api-version=2021-04-12";
    const std::string token = test::token_for("dev1", "", test::primary_key);
    out.clear();
    handle_packet(context, connection, test::connect_packet("dev1", username, token), now, out);
    return test::only_packet<mqtt::Connack>(out).code;
  }
};

TEST_F(ThrottledHandlers, ConnectsOverTheRateGetConnack3) {
  configure(Tier::s1);  // 100 new connections a second
  std::vector<FakeConnection> connections(101);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(connect(connections[i]), mqtt::ConnackCode::accepted) << i;
  EXPECT_EQ(connect(connections[100]), mqtt::ConnackCode::server_unavailable);
  EXPECT_EQ(context.counters.throttled_connects.load(), 1U);
  EXPECT_EQ(context.counters.connects_refused.load(), 1U);
  // The refused CONNECT did not take the identity from the live session.
  EXPECT_EQ(context.registry.find("dev1")->connection, &connections[99]);
  // 10 ms later one token is back.
  FakeConnection later;
  EXPECT_EQ(connect(later, test_now() + milliseconds(10)), mqtt::ConnackCode::accepted);
}

TEST_F(ThrottledHandlers, BadCredentialsAreRefusedWithoutSpendingTokens) {
  configure(Tier::s1);
  for (int i = 0; i < 150; ++i) {
    FakeConnection connection;
    out.clear();
    handle_packet(context, connection,
                  test::connect_packet("dev1", "hub.example/dev1/?api-version=2021-04-12", "bad"), test_now(),
                  out);
    ASSERT_EQ(test::only_packet<mqtt::Connack>(out).code, mqtt::ConnackCode::not_authorized);
  }
  FakeConnection good;
  EXPECT_EQ(connect(good), mqtt::ConnackCode::accepted);
  EXPECT_EQ(context.counters.throttled_connects.load(), 0U);
}

TEST_F(ThrottledHandlers, TwinGetOverTheRateIsRes429WithAJsonError) {
  configure(Tier::s1);  // 100 twin reads a second
  FakeConnection device;
  attach(device, "dev1", bit(Subscription::twin_response));
  for (int i = 0; i < 100; ++i) {
    publish_at(device, "$iothub/twin/GET/?$rid=" + std::to_string(i), "", 0, 0, test_now());
    ASSERT_EQ(test::only_packet<mqtt::Publish>(out).topic, "$iothub/twin/res/200/?$rid=" + std::to_string(i));
  }
  EXPECT_EQ(publish_at(device, "$iothub/twin/GET/?$rid=abc", "", 0, 0, test_now()), Verdict::keep_open);
  const auto refusal = test::only_packet<mqtt::Publish>(out);
  EXPECT_EQ(refusal.topic, "$iothub/twin/res/429/?$rid=abc");
  const auto body = boost::json::parse(mqtt::as_string(refusal.payload)).as_object();
  EXPECT_EQ(body.at("errorCode").as_int64(), 429001);
  EXPECT_TRUE(body.at("message").is_string());
  EXPECT_EQ(context.counters.throttled_twin.load(), 1U);
  // Reads and updates have separate buckets.
  publish_at(device, "$iothub/twin/PATCH/properties/reported/?$rid=p", "{\"a\":1}", 0, 0, test_now());
  EXPECT_EQ(test::only_packet<mqtt::Publish>(out).topic.substr(0, 23), "$iothub/twin/res/204/?$");
}

TEST_F(ThrottledHandlers, ReportedPatchOverTheRateIsRes429AndNotApplied) {
  configure(Tier::f1);  // 50 twin updates a second
  FakeConnection device;
  attach(device, "dev1", bit(Subscription::twin_response));
  for (int i = 0; i < 50; ++i) {
    publish_at(device, "$iothub/twin/PATCH/properties/reported/?$rid=1", "{\"n\":1}", 0, 0, test_now());
  }
  publish_at(device, "$iothub/twin/PATCH/properties/reported/?$rid=51", "{\"n\":51}", 1, 9, test_now());
  const auto packets = test::decode_all(out);
  ASSERT_EQ(packets.size(), 2U);  // res/429, then the PUBACK of the QoS 1 request
  EXPECT_EQ(std::get<mqtt::Publish>(packets[0]).topic, "$iothub/twin/res/429/?$rid=51");
  EXPECT_EQ(std::get<mqtt::Puback>(packets[1]).packet_id, 9);
  EXPECT_EQ(context.registry.find("dev1")->twin->reported().at("n").as_int64(), 1);
  EXPECT_EQ(context.counters.throttled_twin.load(), 1U);
}

TEST_F(ThrottledHandlers, BasicTiersAnswerTwinRequestsWith403010) {
  configure(Tier::b1);
  FakeConnection device;
  attach(device, "dev1", bit(Subscription::twin_response));
  publish_at(device, "$iothub/twin/GET/?$rid=7", "", 0, 0, test_now());
  const auto refusal = test::only_packet<mqtt::Publish>(out);
  EXPECT_EQ(refusal.topic, "$iothub/twin/res/403/?$rid=7");
  EXPECT_EQ(boost::json::parse(mqtt::as_string(refusal.payload)).at("errorCode").as_int64(), 403010);
  publish_at(device, "$iothub/twin/PATCH/properties/reported/?$rid=8", "{}", 0, 0, test_now());
  EXPECT_EQ(test::only_packet<mqtt::Publish>(out).topic, "$iothub/twin/res/403/?$rid=8");
  EXPECT_EQ(context.counters.throttled_twin.load(), 0U);
  // Telemetry is in every tier.
  publish_at(device, kEvents, "x", 1, 3, test_now());
  EXPECT_EQ(pubacks(out), std::vector<std::uint16_t>{3});
}

TEST_F(ThrottledHandlers, TelemetryOverTheRateGetsItsPubackLater) {
  configure(Tier::f1);  // 100 D2C sends a second
  FakeConnection device;
  attach(device, "dev1");
  for (std::uint16_t id = 1; id <= 100; ++id) {
    publish_at(device, kEvents, "x", 1, id, test_now());
    ASSERT_EQ(pubacks(out), std::vector<std::uint16_t>{id});
  }
  for (std::uint16_t id = 101; id <= 105; ++id) {
    EXPECT_EQ(publish_at(device, kEvents, "x", 1, id, test_now()), Verdict::keep_open);
    EXPECT_TRUE(out.empty());
  }
  EXPECT_EQ(context.counters.throttled_telemetry.load(), 5U);
  EXPECT_EQ(context.counters.telemetry_received.load(), 105U);
  release_held_pubacks(context, test_now() + milliseconds(5));
  EXPECT_TRUE(device.sent.empty());
  release_held_pubacks(context, test_now() + milliseconds(20));  // two tokens
  EXPECT_EQ(pubacks(device.sent), (std::vector<std::uint16_t>{101, 102}));
  // While PUBACKs wait, a new message queues behind them even when a token is free.
  publish_at(device, kEvents, "x", 1, 106, test_now() + milliseconds(60));
  EXPECT_TRUE(out.empty());
  release_held_pubacks(context, test_now() + milliseconds(60));
  EXPECT_EQ(pubacks(device.sent), (std::vector<std::uint16_t>{101, 102, 103, 104, 105, 106}));
  EXPECT_FALSE(context.throttle.holding());
}

TEST_F(ThrottledHandlers, QoS0TelemetryIsNeverHeld) {
  configure(Tier::f1);
  FakeConnection device;
  attach(device, "dev1");
  for (int i = 0; i < 150; ++i) {
    EXPECT_EQ(publish_at(device, kEvents, "x", 0, 0, test_now()), Verdict::keep_open);
    EXPECT_TRUE(out.empty());
  }
  EXPECT_FALSE(context.throttle.holding());
  EXPECT_EQ(context.counters.throttled_telemetry.load(), 0U);
  // They took the tokens: a QoS 1 message now waits.
  publish_at(device, kEvents, "x", 1, 1, test_now());
  EXPECT_TRUE(out.empty());
}

TEST_F(ThrottledHandlers, HeldPubacksOfAClosedSessionAreDropped) {
  configure(Tier::f1);
  context.throttle.bucket(ThrottleClass::d2c).try_take(100, test_now());
  FakeConnection first;
  FakeConnection second;
  attach(first, "dev1");
  attach(second, "dev2");
  publish_at(first, kEvents, "x", 1, 1, test_now());
  publish_at(second, "devices/dev2/messages/events/", "x", 1, 2, test_now());
  first.close();
  release_held_pubacks(context, test_now() + milliseconds(10));  // one token: not spent on `first`
  EXPECT_TRUE(first.sent.empty());
  EXPECT_EQ(pubacks(second.sent), std::vector<std::uint16_t>{2});
}

TEST_F(ThrottledHandlers, ANewSessionOfTheIdentityNeverGetsTheOldOnesPubacks) {
  configure(Tier::f1);
  context.throttle.bucket(ThrottleClass::d2c).try_take(100, test_now());
  FakeConnection old_session;
  ASSERT_EQ(connect(old_session), mqtt::ConnackCode::accepted);
  publish_at(old_session, kEvents, "x", 1, 1, test_now());
  ASSERT_TRUE(context.throttle.holding());
  // The same connection object connects again (as a new session at a reused address would).
  old_session.close();
  ASSERT_EQ(connect(old_session, test_now() + milliseconds(50)), mqtt::ConnackCode::accepted);
  old_session.sent.clear();
  release_held_pubacks(context, test_now() + milliseconds(100));
  EXPECT_TRUE(old_session.sent.empty());
  EXPECT_FALSE(context.throttle.holding());
}

TEST_F(ThrottledHandlers, AFullQueueClosesTheConnection) {
  configure(Tier::f1, 2);
  context.throttle.bucket(ThrottleClass::d2c).try_take(100, test_now());
  FakeConnection device;
  attach(device, "dev1");
  EXPECT_EQ(publish_at(device, kEvents, "x", 1, 1, test_now()), Verdict::keep_open);
  EXPECT_EQ(publish_at(device, kEvents, "x", 1, 2, test_now()), Verdict::keep_open);
  EXPECT_EQ(publish_at(device, kEvents, "x", 1, 3, test_now()), Verdict::close);
  EXPECT_TRUE(out.empty());
}

TEST_F(ThrottledHandlers, WithoutATierNothingIsHeld) {
  FakeConnection device;
  attach(device, "dev1", bit(Subscription::twin_response));
  for (std::uint16_t id = 1; id <= 300; ++id) {
    publish_at(device, kEvents, "x", 1, id, test_now());
    ASSERT_EQ(pubacks(out), std::vector<std::uint16_t>{id});
  }
  EXPECT_EQ(context.counters.throttled_telemetry.load(), 0U);
}

}  // namespace
}  // namespace fleetsim::hub
