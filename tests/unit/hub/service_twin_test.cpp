// Twins from the service side (reference 3.5, 4): reads, merge and replace with If-Match, the
// twin limits, and the desired notification that reaches a connected, subscribed session.
#include "service_test_support.hpp"

namespace fleetsim::hub {
namespace {

using test::bit;
using test::FakeConnection;

class ServiceTwin : public test::ServiceFixture {
 protected:
  // The desired notifications `connection` was sent: topic and body of each.
  static std::vector<std::pair<std::string, boost::json::object>> pushes(const FakeConnection& connection) {
    std::vector<std::pair<std::string, boost::json::object>> out;
    for (const mqtt::Packet& packet : test::decode_all(connection.sent)) {
      const auto& publish = std::get<mqtt::Publish>(packet);
      out.emplace_back(std::string(publish.topic),
                       boost::json::parse(mqtt::as_string(publish.payload)).as_object());
    }
    return out;
  }

  std::string twin_etag(std::string_view target = "/twins/dev1") {
    return std::string(body_of(call("GET", target)).at("etag").as_string());
  }
};

TEST_F(ServiceTwin, GetShowsTheServiceView) {
  const service::Response response = call("GET", "/twins/dev1?api-version=2021-04-12");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
  const auto twin = body_of(response);
  EXPECT_EQ(twin.at("deviceId").as_string(), "dev1");
  EXPECT_FALSE(twin.contains("moduleId"));
  EXPECT_EQ(response.etag, test::in_quotes(twin.at("etag").as_string()));
  EXPECT_EQ(twin.at("status").as_string(), "enabled");
  EXPECT_EQ(twin.at("authenticationType").as_string(), "sas");
  EXPECT_EQ(twin.at("deviceEtag"), body_of(call("GET", "/devices/dev1")).at("etag"));
  EXPECT_TRUE(twin.at("tags").as_object().empty());
  EXPECT_EQ(twin.at("properties").at("desired").at("$version"), 1);
  EXPECT_TRUE(twin.at("properties").at("reported").as_object().contains("$metadata"));
  EXPECT_EQ(twin.at("capabilities").at("iotEdge"), false);
}

TEST_F(ServiceTwin, ModuleTwins) {
  const auto twin = body_of(call("GET", "/twins/dev1/modules/mod1"));
  EXPECT_EQ(twin.at("deviceId").as_string(), "dev1");
  EXPECT_EQ(twin.at("moduleId").as_string(), "mod1");
  EXPECT_FALSE(twin.contains("capabilities"));
  const service::Response missing = call("GET", "/twins/dev1/modules/nosuch");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.error_code, "ModuleNotFound");
  const service::Response missing_device = call("GET", "/twins/nosuch");
  EXPECT_EQ(missing_device.status, 404);
  EXPECT_EQ(missing_device.error_code, "DeviceNotFound");
}

TEST_F(ServiceTwin, PatchMergesTagsAndDesiredAndAnswersTheWholeTwin) {
  ASSERT_EQ(call("PATCH", "/twins/dev1",
                 R"({"tags":{"site":"p7","floor":1},"properties":{"desired":{"a":{"b":1}}}})")
                .status,
            200);
  const service::Response response =
      call("PATCH", "/twins/dev1", R"({"tags":{"floor":null},"properties":{"desired":{"a":{"c":2}}}})");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto twin = body_of(response);
  EXPECT_EQ(boost::json::value(twin.at("tags")), boost::json::parse(R"({"site":"p7"})"));
  const auto& desired = twin.at("properties").at("desired").as_object();
  EXPECT_EQ(desired.at("a"), boost::json::parse(R"({"b":1,"c":2})"));
  EXPECT_EQ(desired.at("$version"), 3);
  EXPECT_TRUE(desired.at("$metadata").as_object().contains("a"));
}

TEST_F(ServiceTwin, ADesiredPatchIsPushedToTheSubscribedSessionAtOnce) {
  FakeConnection device;
  attach(device, "dev1", bit(Subscription::desired));
  ASSERT_EQ(call("PATCH", "/twins/dev1", R"({"properties":{"desired":{"interval":10}}})").status, 200);
  const auto sent = pushes(device);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].first, "$iothub/twin/PATCH/properties/desired/?$version=2");
  EXPECT_EQ(boost::json::value(sent[0].second), boost::json::parse(R"({"interval":10,"$version":2})"));
  EXPECT_EQ(context.counters.desired_pushed.load(), 1U);
}

TEST_F(ServiceTwin, NothingIsPushedToAnUnsubscribedSessionNorForTagsAlone) {
  FakeConnection device;
  attach(device, "dev1", bit(Subscription::twin_response));
  ASSERT_EQ(call("PATCH", "/twins/dev1", R"({"properties":{"desired":{"interval":10}}})").status, 200);
  EXPECT_TRUE(device.sent.empty());
  FakeConnection module;
  attach(module, "dev1/mod1", bit(Subscription::desired));
  ASSERT_EQ(call("PATCH", "/twins/dev1/modules/mod1", R"({"tags":{"t":1}})").status, 200);
  EXPECT_TRUE(module.sent.empty());
  ASSERT_EQ(call("PATCH", "/twins/dev1/modules/mod1", R"({"properties":{"desired":{"m":true}}})").status,
            200);
  EXPECT_EQ(pushes(module).size(), 1U);
}

TEST_F(ServiceTwin, PutReplacesTagsAndDesiredAndPushesTheWholeDesired) {
  ASSERT_EQ(
      call("PATCH", "/twins/dev1", R"({"tags":{"old":1},"properties":{"desired":{"x":1,"y":2}}})").status,
      200);
  FakeConnection device;
  attach(device, "dev1", bit(Subscription::desired));
  // A whole twin as read back: reported and the $-members are left alone, not refused.
  const std::string whole =
      R"({"deviceId":"dev1","etag":"ignored","version":9,"tags":{"new":2},)"
      R"("properties":{"desired":{"y":3,"$version":2,"$metadata":{}},"reported":{"r":1}}})";
  const service::Response response = call("PUT", "/twins/dev1", whole);
  ASSERT_EQ(response.status, 200) << response.body;
  const auto twin = body_of(response);
  EXPECT_EQ(boost::json::value(twin.at("tags")), boost::json::parse(R"({"new":2})"));
  EXPECT_FALSE(twin.at("properties").at("desired").as_object().contains("x"));
  EXPECT_EQ(twin.at("properties").at("desired").at("y"), 3);
  EXPECT_FALSE(twin.at("properties").at("reported").as_object().contains("r"));
  const auto sent = pushes(device);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].first, "$iothub/twin/PATCH/properties/desired/?$version=3");
  EXPECT_EQ(boost::json::value(sent[0].second), boost::json::parse(R"({"y":3,"$version":3})"));
}

TEST_F(ServiceTwin, PutOfTagsAloneLeavesDesired) {
  ASSERT_EQ(call("PATCH", "/twins/dev1", R"({"properties":{"desired":{"keep":1}}})").status, 200);
  const auto twin = body_of(call("PUT", "/twins/dev1", R"({"tags":{"only":"tags"}})"));
  EXPECT_EQ(twin.at("properties").at("desired").at("keep"), 1);
  EXPECT_EQ(twin.at("tags").at("only").as_string(), "tags");
}

TEST_F(ServiceTwin, IfMatchOnTheTwinEtag) {
  const std::string etag = twin_etag();
  const service::Response stale = call("PATCH", "/twins/dev1", R"({"tags":{"a":1}})", "\"AAAAAAAAAAA=\"");
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(stale.error_code, "PreconditionFailed");
  EXPECT_TRUE(message_of(stale).starts_with("ErrorCode:PreconditionFailed;")) << message_of(stale);
  ASSERT_EQ(call("PATCH", "/twins/dev1", R"({"tags":{"a":1}})", test::in_quotes(etag)).status, 200);
  EXPECT_NE(twin_etag(), etag);
  EXPECT_EQ(call("PUT", "/twins/dev1", R"({"tags":{"a":2}})", test::in_quotes(etag)).status, 412);
  EXPECT_EQ(call("PUT", "/twins/dev1", R"({"tags":{"a":2}})", "\"*\"").status, 200);
  EXPECT_EQ(call("PATCH", "/twins/dev1", R"({"tags":{"a":3}})", twin_etag()).status, 200);  // unquoted
}

TEST_F(ServiceTwin, TheServiceCannotPatchReported) {
  const service::Response response = call("PATCH", "/twins/dev1", R"({"properties":{"reported":{"r":1}}})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.error_code, "ArgumentInvalid");
}

TEST_F(ServiceTwin, TwinLimitsRefuseTheWholeWriteWith400004) {
  const std::string etag = twin_etag();
  const std::string long_string(4097, 'x');
  // Tags fine, desired too long a string: neither is applied.
  const service::Response response = call(
      "PATCH", "/twins/dev1", R"({"tags":{"ok":1},"properties":{"desired":{"s":")" + long_string + R"("}}})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.error_code, "ArgumentInvalid");
  EXPECT_EQ(twin_etag(), etag);
  EXPECT_TRUE(body_of(call("GET", "/twins/dev1")).at("tags").as_object().empty());
  // Keys with '$' or '.', and depth beyond ten, are refused the same way.
  EXPECT_EQ(call("PATCH", "/twins/dev1", R"({"tags":{"a.b":1}})").status, 400);
  EXPECT_EQ(call("PATCH", "/twins/dev1", R"({"properties":{"desired":{"$x":1}}})").status, 400);
  EXPECT_EQ(call("PATCH", "/twins/dev1",
                 R"({"tags":{"1":{"2":{"3":{"4":{"5":{"6":{"7":{"8":{"9":{"10":{"11":{"x":1}}}}}}}}}}}}})")
                .status,
            400);
  EXPECT_EQ(call("PATCH", "/twins/dev1",
                 R"({"tags":{"1":{"2":{"3":{"4":{"5":{"6":{"7":{"8":{"9":{"10":{"x":1}}}}}}}}}}}})")
                .status,
            200);
}

TEST_F(ServiceTwin, BadJsonAndBadShapesAre400) {
  const service::Response bad = call("PATCH", "/twins/dev1", R"({"tags":)");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_code, "IotHubFormatError");
  EXPECT_NE(message_of(bad).find("not valid JSON"), std::string::npos) << message_of(bad);
  EXPECT_EQ(call("PATCH", "/twins/dev1", R"({"properties":[]})").status, 400);
  EXPECT_EQ(call("PATCH", "/twins/dev1", R"({"tags":[1]})").status, 400);
  EXPECT_EQ(call("PUT", "/twins/dev1", R"({"properties":{"desired":"x"}})").status, 400);
}

}  // namespace
}  // namespace fleetsim::hub
