#include <boost/json/parse.hpp>

#include "hub_test_support.hpp"

namespace fleetsim::hub {
namespace {

using test::bit;
using test::FakeConnection;

class HandlePublish : public test::HubFixture {
 protected:
  HandlePublish() { attach(device, "dev1", bit(Subscription::twin_response)); }

  // The single twin response of `out`: its topic and parsed body (null if empty).
  struct Answer {
    std::string topic;
    boost::json::value body;
  };
  Answer answer() {
    const auto publish = test::only_packet<mqtt::Publish>(out);
    Answer a{std::string(publish.topic), nullptr};
    if (!publish.payload.empty()) a.body = boost::json::parse(mqtt::as_string(publish.payload));
    return a;
  }

  FakeConnection device;
};

TEST_F(HandlePublish, TelemetryQos1IsAcknowledgedWithItsPacketId) {
  EXPECT_EQ(publish(device, "devices/dev1/messages/events/%24.ct=application%2Fjson&a=b", "{\"t\":1}", 1, 77),
            Verdict::keep_open);
  EXPECT_EQ(test::only_packet<mqtt::Puback>(out).packet_id, 77);
  EXPECT_EQ(context.counters.telemetry_received.load(), 1U);
}

TEST_F(HandlePublish, TelemetryQos0HasNoAnswer) {
  EXPECT_EQ(publish(device, "devices/dev1/messages/events/", "x"), Verdict::keep_open);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(context.counters.telemetry_received.load(), 1U);
}

TEST_F(HandlePublish, ModuleTelemetryOnItsOwnTopic) {
  FakeConnection module;
  attach(module, "dev1/mod1");
  EXPECT_EQ(publish(module, "devices/dev1/modules/mod1/messages/events/", "x", 1, 5), Verdict::keep_open);
  EXPECT_EQ(test::only_packet<mqtt::Puback>(out).packet_id, 5);
  EXPECT_EQ(publish(module, "devices/dev1/messages/events/", "x", 1, 6), Verdict::close);
}

TEST_F(HandlePublish, AnotherIdentitysTelemetryTopicCloses) {
  EXPECT_EQ(publish(device, "devices/dev2/messages/events/", "x", 1, 1), Verdict::close);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(context.counters.forbidden_topics.load(), 1U);
  EXPECT_EQ(context.counters.telemetry_received.load(), 0U);
}

TEST_F(HandlePublish, UnknownTopicsClose) {
  for (const char* topic : {"devices/dev1/messages/devicebound/x", "$iothub/twin/res/200/?$rid=1",
                            "random/topic", "$iothub/unknown"}) {
    EXPECT_EQ(publish(device, topic, "x"), Verdict::close) << topic;
  }
  EXPECT_EQ(context.counters.forbidden_topics.load(), 4U);
}

TEST_F(HandlePublish, MalformedPropertyBagCloses) {
  EXPECT_EQ(publish(device, "devices/dev1/messages/events/a=%zz", "x", 1, 1), Verdict::close);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(context.counters.protocol_errors.load(), 1U);
}

TEST_F(HandlePublish, Qos2Closes) {
  EXPECT_EQ(publish(device, "devices/dev1/messages/events/", "x", 2, 1), Verdict::close);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(context.counters.protocol_errors.load(), 1U);
}

TEST_F(HandlePublish, TwinGetAnswers200WithBothSectionsAndEchoesTheRid) {
  EXPECT_EQ(publish(device, "$iothub/twin/GET/?$rid=3f1c-a", " "), Verdict::keep_open);
  const Answer a = answer();
  EXPECT_EQ(a.topic, "$iothub/twin/res/200/?$rid=3f1c-a");
  EXPECT_EQ(a.body, boost::json::parse(R"({"desired":{"$version":1},"reported":{"$version":1}})"));
  EXPECT_EQ(context.counters.twin_gets.load(), 1U);
}

TEST_F(HandlePublish, TwinGetWithoutTwinResponseSubscriptionIsDropped) {
  device.session().subscriptions = bit(Subscription::desired);
  EXPECT_EQ(publish(device, "$iothub/twin/GET/?$rid=1", ""), Verdict::keep_open);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(context.counters.twin_gets.load(), 1U);
}

TEST_F(HandlePublish, TwinGetWithQos1IsAlsoAcknowledged) {
  EXPECT_EQ(publish(device, "$iothub/twin/GET/?$rid=1", "", 1, 9), Verdict::keep_open);
  const auto packets = test::decode_all(out);
  ASSERT_EQ(packets.size(), 2U);
  EXPECT_TRUE(std::holds_alternative<mqtt::Publish>(packets[0]));
  ASSERT_TRUE(std::holds_alternative<mqtt::Puback>(packets[1]));
  EXPECT_EQ(std::get<mqtt::Puback>(packets[1]).packet_id, 9);
}

TEST_F(HandlePublish, ReportedPatchAnswers204WithTheNewVersionThenGetShowsIt) {
  EXPECT_EQ(publish(device, "$iothub/twin/PATCH/properties/reported/?$rid=2", R"({"fw":"1.0"})"),
            Verdict::keep_open);
  Answer a = answer();
  EXPECT_EQ(a.topic, "$iothub/twin/res/204/?$rid=2&$version=2");
  EXPECT_TRUE(a.body.is_null());
  EXPECT_EQ(context.counters.reported_patches.load(), 1U);

  publish(device, "$iothub/twin/GET/?$rid=3", "");
  a = answer();
  EXPECT_EQ(a.body.at("reported"), boost::json::parse(R"({"fw":"1.0","$version":2})"));
}

TEST_F(HandlePublish, ReportedPatchWithAVersionOnTheTopicIsAccepted) {
  publish(device, "$iothub/twin/PATCH/properties/reported/?$rid=7&$version=1", R"({"a":1})");
  EXPECT_EQ(answer().topic, "$iothub/twin/res/204/?$rid=7&$version=2");
}

TEST_F(HandlePublish, InvalidReportedPatchIs400WithAnErrorBodyAndChangesNothing) {
  publish(device, "$iothub/twin/PATCH/properties/reported/?$rid=4", R"({"$bad":1})");
  const Answer a = answer();
  EXPECT_EQ(a.topic, "$iothub/twin/res/400/?$rid=4");
  const auto& body = a.body.as_object();
  EXPECT_EQ(body.at("errorCode").to_number<int>(), 400004);
  EXPECT_FALSE(body.at("message").as_string().empty());
  EXPECT_FALSE(body.at("trackingId").as_string().empty());
  EXPECT_TRUE(body.at("timestampUtc").as_string().ends_with("Z"));
  EXPECT_EQ(context.registry.find("dev1")->twin->reported_version(), 1U);
}

TEST_F(HandlePublish, TooDeepPatchIs400) {
  std::string deep;
  for (int i = 0; i < 12; ++i) deep += "{\"k\":";
  deep += "1";
  for (int i = 0; i < 12; ++i) deep += "}";
  publish(device, "$iothub/twin/PATCH/properties/reported/?$rid=5", deep);
  const Answer a = answer();
  EXPECT_EQ(a.topic, "$iothub/twin/res/400/?$rid=5");
  EXPECT_EQ(a.body.at("errorCode").to_number<int>() / 1000, 400);
}

TEST_F(HandlePublish, MalformedJsonIs400WithFormatError) {
  publish(device, "$iothub/twin/PATCH/properties/reported/?$rid=6", "{not json");
  const Answer a = answer();
  EXPECT_EQ(a.topic, "$iothub/twin/res/400/?$rid=6");
  EXPECT_EQ(a.body.at("errorCode").to_number<int>(), 400006);
}

TEST_F(HandlePublish, TrackingIdsDiffer) {
  publish(device, "$iothub/twin/PATCH/properties/reported/?$rid=1", "[");
  const auto first = answer().body.at("trackingId");
  publish(device, "$iothub/twin/PATCH/properties/reported/?$rid=2", "[");
  EXPECT_NE(answer().body.at("trackingId"), first);
}

TEST_F(HandlePublish, ReportedPatchWithoutSubscriptionIsAppliedSilently) {
  device.session().subscriptions = 0;
  publish(device, "$iothub/twin/PATCH/properties/reported/?$rid=1", R"({"a":1})");
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(context.registry.find("dev1")->twin->reported_version(), 2U);
}

TEST_F(HandlePublish, MethodResponsesAreAccepted) {
  EXPECT_EQ(publish(device, "$iothub/methods/res/200/?$rid=1", R"({"ok":true})"), Verdict::keep_open);
  EXPECT_TRUE(out.empty());
}

TEST_F(HandlePublish, PingAndDisconnect) {
  out.clear();
  EXPECT_EQ(handle_packet(context, device, mqtt::Pingreq{}, test::test_now(), out), Verdict::keep_open);
  test::only_packet<mqtt::Pingresp>(out);
  out.clear();
  EXPECT_EQ(handle_packet(context, device, mqtt::Disconnect{}, test::test_now(), out), Verdict::close);
  EXPECT_TRUE(out.empty());
}

TEST_F(HandlePublish, PacketsOnlyAServerSendsClose) {
  out.clear();
  EXPECT_EQ(handle_packet(context, device, mqtt::Connack{}, test::test_now(), out), Verdict::close);
  EXPECT_EQ(handle_packet(context, device, mqtt::Pubrel{1}, test::test_now(), out), Verdict::close);
  EXPECT_EQ(context.counters.protocol_errors.load(), 2U);
}

}  // namespace
}  // namespace fleetsim::hub
