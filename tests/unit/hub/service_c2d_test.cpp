// Cloud-to-device messages (reference 2.7, 3.8), sans-I/O: fleetsim's send route, the per-device
// queue and its delivery to a recording fake session.
#include <map>

#include "hub/c2d.hpp"
#include "hub/service/route.hpp"
#include "service_test_support.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::hub {
namespace {

using test::bit;
using test::FakeConnection;
using Headers = std::vector<std::pair<std::string_view, std::string_view>>;

class ServiceC2d : public test::ServiceFixture {
 protected:
  service::Response send(std::string_view device, std::string_view body, const Headers& headers = {},
                         twin::Timestamp now = test::test_now()) {
    token_ = test::policy_token(policy("service"));
    target_.assign("/devices/").append(device).append("/messages/devicebound?api-version=2021-04-12");
    service::Request request;
    request.method = "POST";
    service::set_target(request, target_);
    request.authorization = token_;
    request.body = body;
    request.content_type = "application/octet-stream";
    request.iothub_headers = headers;
    return api.handle(context, request, now);
  }

  // A SUBSCRIBE to the device's C2D filter through the packet handler, its answers in `out`.
  void subscribe_c2d(FakeConnection& connection, twin::Timestamp now = test::test_now()) {
    const mqtt::Subscription filter{"devices/dev1/messages/devicebound/#", 1};
    mqtt::Subscribe subscribe;
    subscribe.packet_id = 9;
    subscribe.filters = std::span(&filter, 1);
    out.clear();
    ASSERT_EQ(handle_packet(context, connection, subscribe, now, out), Verdict::keep_open);
  }

  void puback(FakeConnection& connection, std::uint16_t packet_id) {
    out.clear();
    ASSERT_EQ(handle_packet(context, connection, mqtt::Puback{packet_id}, test::test_now(), out),
              Verdict::keep_open);
  }

  // The PUBLISHes among `bytes`.
  static std::vector<mqtt::Publish> publishes(const std::vector<std::uint8_t>& bytes) {
    std::vector<mqtt::Publish> found;
    for (const auto& packet : test::decode_all(bytes)) {
      if (const auto* publish = std::get_if<mqtt::Publish>(&packet)) found.push_back(*publish);
    }
    return found;
  }

  // The decoded property bag of a C2D PUBLISH.
  static std::map<std::string, std::string> properties(const mqtt::Publish& publish) {
    const iothub::ParsedTopic topic = iothub::parse_topic(publish.topic);
    EXPECT_EQ(topic.kind, iothub::TopicKind::c2d) << publish.topic;
    std::map<std::string, std::string> bag;
    EXPECT_TRUE(iothub::for_each_property(topic.bag, [&](std::string_view k, std::string_view v) {
      bag.emplace(std::string(k), std::string(v));
    }));
    return bag;
  }

  // "m{i}", appended: GCC 12 warns (-Wrestrict, falsely) on `"m" + std::to_string(i)`.
  static std::string numbered(int i) {
    std::string text = "m";
    text.append(std::to_string(i));
    return text;
  }

  FakeConnection device;

 private:
  std::string token_;
  std::string target_;
};

TEST_F(ServiceC2d, DeliveredAtOnceWithItsPropertiesAndCompletedByPuback) {
  attach(device, "dev1", bit(Subscription::c2d));
  const Headers headers{{"iothub-messageid", "mid-1"},
                        {"IoTHub-CorrelationId", "cid 7"},
                        {"iothub-userid", "backend"},
                        {"iothub-ack", "full"},
                        {"iothub-contenttype", "application/json"},
                        {"iothub-contentencoding", "utf-8"},
                        {"iothub-expiry", "2027-01-15T09:00:00Z"},
                        {"iothub-app-alert", "high temp&more"},
                        {"iothub-app-Site", "plant/7"}};
  const service::Response accepted = send("dev1", R"({"cmd":"on"})", headers);
  EXPECT_EQ(accepted.status, 204);
  EXPECT_EQ(accepted.message_id, "mid-1");
  EXPECT_EQ(context.counters.c2d_accepted.load(), 1U);

  const auto sent = publishes(device.sent);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].qos, 1);
  EXPECT_FALSE(sent[0].dup);
  EXPECT_NE(sent[0].packet_id, 0);
  EXPECT_EQ(mqtt::as_string(sent[0].payload), R"({"cmd":"on"})");
  EXPECT_TRUE(
      std::string_view(sent[0].topic).starts_with("devices/dev1/messages/devicebound/%24.mid=mid-1&"));
  const std::map<std::string, std::string> expected{{"$.mid", "mid-1"},
                                                    {"$.cid", "cid 7"},
                                                    {"$.uid", "backend"},
                                                    {"$.to", "/devices/dev1/messages/deviceBound"},
                                                    {"$.exp", "2027-01-15T09:00:00.0000000Z"},
                                                    {"$.ct", "application/json"},
                                                    {"$.ce", "utf-8"},
                                                    {"iothub-ack", "full"},
                                                    {"alert", "high temp&more"},
                                                    {"Site", "plant/7"}};
  EXPECT_EQ(properties(sent[0]), expected);
  EXPECT_EQ(context.counters.c2d_delivered.load(), 1U);
  EXPECT_EQ(context.c2d.waiting("dev1"), 1U);  // until the PUBACK

  puback(device, sent[0].packet_id);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(context.c2d.waiting("dev1"), 0U);
  EXPECT_EQ(context.c2d.queues(), 0U);  // no cost for a device without messages
  EXPECT_EQ(context.counters.c2d_completed.load(), 1U);
  puback(device, sent[0].packet_id);  // a late duplicate is ignored
  EXPECT_EQ(context.counters.c2d_completed.load(), 1U);
}

TEST_F(ServiceC2d, AMessageWithoutIdGetsOneAndDefaults) {
  attach(device, "dev1", bit(Subscription::c2d));
  const service::Response accepted = send("dev1", "raw bytes");
  ASSERT_EQ(accepted.status, 204);
  EXPECT_EQ(accepted.message_id.size(), 36U);  // a UUID
  EXPECT_EQ(accepted.message_id[14], '4');
  const auto bag = properties(publishes(device.sent).at(0));
  EXPECT_EQ(bag.at("$.mid"), accepted.message_id);
  EXPECT_EQ(bag.at("$.to"), "/devices/dev1/messages/deviceBound");
  EXPECT_EQ(bag.count("$.exp"), 0U);  // only when the sender set an expiry
  EXPECT_EQ(bag.count("iothub-ack"), 0U);
  EXPECT_NE(send("dev1", "again").message_id, accepted.message_id);
}

TEST_F(ServiceC2d, QueuedWhileOfflineAndDeliveredAfterTheSuback) {
  ASSERT_EQ(send("dev1", "first").status, 204);
  ASSERT_EQ(send("dev1", "second").status, 204);
  EXPECT_EQ(context.c2d.waiting("dev1"), 2U);
  EXPECT_EQ(context.counters.c2d_delivered.load(), 0U);

  attach(device, "dev1");
  subscribe_c2d(device);
  const auto packets = test::decode_all(out);
  ASSERT_EQ(packets.size(), 3U);
  EXPECT_TRUE(std::holds_alternative<mqtt::Suback>(packets[0]));
  EXPECT_EQ(mqtt::as_string(std::get<mqtt::Publish>(packets[1]).payload), "first");
  EXPECT_EQ(mqtt::as_string(std::get<mqtt::Publish>(packets[2]).payload), "second");
}

// The identity's cloudToDeviceMessageCount: messages not completed yet, in flight included.
TEST_F(ServiceC2d, IdentityCountsTheMessagesWaiting) {
  const auto count = [this] {
    const service::Response got = call("GET", "/devices/dev1?api-version=2021-04-12");
    EXPECT_EQ(got.status, 200);
    return body_of(got).at("cloudToDeviceMessageCount").to_number<std::int64_t>();
  };
  EXPECT_EQ(count(), 0);
  ASSERT_EQ(send("dev1", "first").status, 204);
  ASSERT_EQ(send("dev1", "second").status, 204);
  EXPECT_EQ(count(), 2) << "offline: both queued";

  attach(device, "dev1");
  subscribe_c2d(device);
  const auto sent = publishes(out);
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(count(), 2) << "in flight until acknowledged";
  puback(device, sent[0].packet_id);
  EXPECT_EQ(count(), 1);
  puback(device, sent[1].packet_id);
  EXPECT_EQ(count(), 0);
}

TEST_F(ServiceC2d, NotSubscribedMeansQueued) {
  attach(device, "dev1", bit(Subscription::methods));
  ASSERT_EQ(send("dev1", "x").status, 204);
  EXPECT_TRUE(device.sent.empty());
  EXPECT_EQ(context.c2d.waiting("dev1"), 1U);
}

TEST_F(ServiceC2d, UnacknowledgedMessagesGoAgainWithDupOnTheNextSession) {
  attach(device, "dev1", bit(Subscription::c2d));
  ASSERT_EQ(send("dev1", "m1").status, 204);
  const auto first = publishes(device.sent);
  ASSERT_EQ(first.size(), 1U);
  context.c2d.session_closed(device.session());
  device.close();

  FakeConnection again;
  attach(again, "dev1");
  subscribe_c2d(again);
  const auto redelivered = publishes(out);
  ASSERT_EQ(redelivered.size(), 1U);
  EXPECT_TRUE(redelivered[0].dup);
  EXPECT_EQ(mqtt::as_string(redelivered[0].payload), "m1");
  EXPECT_EQ(context.counters.c2d_delivered.load(), 2U);
  puback(again, redelivered[0].packet_id);
  EXPECT_EQ(context.c2d.waiting("dev1"), 0U);
}

TEST_F(ServiceC2d, InOrderWithAtMostEightInFlight) {
  attach(device, "dev1", bit(Subscription::c2d));
  for (int i = 0; i < 10; ++i) ASSERT_EQ(send("dev1", numbered(i)).status, 204);
  const auto sent = publishes(device.sent);
  ASSERT_EQ(sent.size(), 8U);
  for (std::size_t i = 0; i < sent.size(); ++i)
    EXPECT_EQ(mqtt::as_string(sent[i].payload), numbered(static_cast<int>(i)));
  puback(device, sent[3].packet_id);  // out of order is fine
  const auto next = publishes(out);
  ASSERT_EQ(next.size(), 1U);
  EXPECT_EQ(mqtt::as_string(next[0].payload), "m8");
  for (std::size_t i = 0; i < sent.size(); ++i) {
    if (i != 3) {
      EXPECT_NE(next[0].packet_id, sent[i].packet_id);  // ids of messages still in flight
    }
  }
  EXPECT_EQ(context.c2d.waiting("dev1"), 9U);
}

TEST_F(ServiceC2d, FiftyWaitingThenDeviceMaximumQueueDepthExceeded) {
  for (int i = 0; i < 50; ++i) ASSERT_EQ(send("dev1", "x").status, 204) << i;
  const service::Response full = send("dev1", "x");
  EXPECT_EQ(full.status, 403);
  EXPECT_EQ(full.error_code, "DeviceMaximumQueueDepthExceeded");
  EXPECT_TRUE(message_of(full).starts_with("ErrorCode:DeviceMaximumQueueDepthExceeded;"));
  EXPECT_EQ(context.counters.c2d_rejected.load(), 1U);
  EXPECT_EQ(send("dev2", "x").status, 204);  // per device
}

TEST_F(ServiceC2d, MessagesAbove64KBAre413001) {
  EXPECT_EQ(send("dev1", std::string(64 * 1024, 'a')).status, 204);
  const service::Response too_large = send("dev1", std::string(64 * 1024 + 1, 'a'));
  EXPECT_EQ(too_large.status, 413);
  EXPECT_EQ(too_large.error_code, "MessageTooLarge");
  EXPECT_EQ(context.counters.c2d_rejected.load(), 1U);
}

TEST_F(ServiceC2d, ExpiredMessagesAreDroppedBySweepAndAtDelivery) {
  using std::chrono::hours;
  using std::chrono::minutes;
  ASSERT_EQ(send("dev1", "default ttl").status, 204);  // expires an hour later
  const std::string ten_minutes = twin::format_timestamp(test::test_now() + minutes(10));
  const Headers soon{{"iothub-expiry", ten_minutes}};
  ASSERT_EQ(send("dev1", "ten minutes", soon).status, 204);
  context.c2d.sweep(test::test_now() + minutes(11));
  EXPECT_EQ(context.c2d.waiting("dev1"), 1U);
  EXPECT_EQ(context.counters.c2d_expired.load(), 1U);

  attach(device, "dev1");
  subscribe_c2d(device, test::test_now() + hours(2));  // met at delivery, expired
  EXPECT_TRUE(publishes(out).empty());
  EXPECT_EQ(context.counters.c2d_expired.load(), 2U);
  EXPECT_EQ(context.c2d.queues(), 0U);
}

TEST_F(ServiceC2d, ExpiredMessagesFreeTheirPlaceInAFullQueue) {
  const std::string one_minute = twin::format_timestamp(test::test_now() + std::chrono::minutes(1));
  const Headers soon{{"iothub-expiry", one_minute}};
  for (int i = 0; i < 50; ++i) ASSERT_EQ(send("dev1", "x", soon).status, 204);
  EXPECT_EQ(send("dev1", "y", {}, test::test_now() + std::chrono::minutes(2)).status, 204);
  EXPECT_EQ(context.c2d.waiting("dev1"), 1U);
}

TEST_F(ServiceC2d, BadPropertiesAre400) {
  const std::string long_id(129, 'm');
  for (const Headers& headers : std::vector<Headers>{{{"iothub-ack", "sometimes"}},
                                                     {{"iothub-expiry", "tomorrow"}},
                                                     {{"iothub-expiry", "2027-01-15T08:00:00"}},
                                                     {{"iothub-expiry", "2020-01-01T00:00:00Z"}},
                                                     {{"iothub-messageid", long_id}}}) {
    const service::Response refused = send("dev1", "x", headers);
    EXPECT_EQ(refused.status, 400) << headers[0].first << '=' << headers[0].second;
    EXPECT_EQ(refused.error_code, "ArgumentInvalid");
  }
  EXPECT_EQ(context.c2d.waiting("dev1"), 0U);
}

TEST_F(ServiceC2d, UnknownDevicesModulesAndOtherMethods) {
  EXPECT_EQ(send("ghost", "x").error_code, "DeviceNotFound");
  EXPECT_EQ(send("ghost", "x").status, 404);
  const auto module = service::match_route("POST", "/devices/dev1/modules/mod1/messages/devicebound");
  EXPECT_FALSE(module.result);
  EXPECT_EQ(module.result.error().status, 400);
  EXPECT_EQ(service::match_route("GET", "/devices/dev1/messages/devicebound").allow, "POST");
  EXPECT_EQ(service::match_route("POST", "/devices/dev1/messages/devicebound").route.operation,
            service::Operation::send_c2d);
  // Still the module routes they were.
  EXPECT_EQ(service::match_route("GET", "/devices/d/modules/m").route.operation,
            service::Operation::get_module);
  EXPECT_FALSE(service::match_route("GET", "/devices/d/modules/m/x").result);
}

TEST_F(ServiceC2d, DeletingTheDeviceDropsItsQueue) {
  ASSERT_EQ(send("dev1", "x").status, 204);
  ASSERT_EQ(call("DELETE", "/devices/dev1", {}, "*").status, 204);
  EXPECT_EQ(context.c2d.queues(), 0U);
  // Removed another way (the registry directly): the sweep notices.
  ASSERT_EQ(send("dev2", "x").status, 204);
  ASSERT_TRUE(context.registry.remove("dev2", ""));
  context.c2d.sweep(test::test_now());
  EXPECT_EQ(context.c2d.queues(), 0U);
}

TEST(C2dTimestamps, Iso8601WithZones) {
  using std::chrono::seconds;
  const auto base = twin::Timestamp(seconds(1'800'000'000));  // 2027-01-15T08:00:00Z
  EXPECT_EQ(parse_iso8601("2027-01-15T08:00:00Z"), base);
  EXPECT_EQ(parse_iso8601("2027-01-15T08:00:00.5Z"), base + std::chrono::milliseconds(500));
  EXPECT_EQ(parse_iso8601("2027-01-15T08:00:00.0000000Z"), base);
  EXPECT_EQ(parse_iso8601("2027-01-15T10:30:00+02:30"), base);
  EXPECT_EQ(parse_iso8601("2027-01-15T07:00:00-01:00"), base);
  EXPECT_EQ(parse_iso8601(twin::format_timestamp(base + seconds(3))), base + seconds(3));
  for (const char* bad : {"", "2027-01-15", "2027-01-15T08:00:00", "2027-02-30T08:00:00Z",
                          "2027-01-15T24:00:00Z", "2027-01-15T08:00:00.Z", "2027-01-15T08:00:00Zjunk",
                          "2027-01-15 08:00:00Z", "2027-01-15T08:00:00+0200"}) {
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace fleetsim::hub
