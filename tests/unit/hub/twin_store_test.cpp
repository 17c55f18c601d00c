#include <boost/json/parse.hpp>

#include "hub/twin_store.hpp"
#include "hub_test_support.hpp"

namespace fleetsim::hub {
namespace {

using test::bit;
using test::FakeConnection;

class TwinStore : public test::HubFixture {
 protected:
  Identity& dev1() { return *context.registry.find("dev1"); }
};

TEST_F(TwinStore, TwinsAreCreatedAtFirstUse) {
  EXPECT_EQ(dev1().twin, nullptr);
  twin::Document& twin = twin_of(dev1());
  EXPECT_EQ(&twin_of(dev1()), &twin);
  EXPECT_EQ(twin.desired_version(), 1U);
}

TEST_F(TwinStore, DesiredChangeIsPushedToASubscribedSession) {
  FakeConnection device;
  attach(device, "dev1", bit(Subscription::desired));
  const auto patch = boost::json::parse(R"({"interval":10,"route":null})");
  ASSERT_TRUE(update_desired(context, dev1(), patch, test::test_now()));
  const auto publish = test::only_packet<mqtt::Publish>(device.sent);
  EXPECT_EQ(publish.topic, "$iothub/twin/PATCH/properties/desired/?$version=2");
  EXPECT_EQ(publish.qos, 0);
  EXPECT_EQ(boost::json::parse(mqtt::as_string(publish.payload)),
            boost::json::parse(R"({"interval":10,"route":null,"$version":2})"));
  EXPECT_EQ(context.counters.desired_pushed.load(), 1U);
}

TEST_F(TwinStore, NothingIsPushedToUnsubscribedOrAbsentSessions) {
  FakeConnection device;
  attach(device, "dev1", bit(Subscription::twin_response) | bit(Subscription::methods));
  ASSERT_TRUE(update_desired(context, dev1(), boost::json::parse(R"({"a":1})"), test::test_now()));
  EXPECT_TRUE(device.sent.empty());

  Identity& dev2 = *context.registry.find("dev2");
  ASSERT_TRUE(update_desired(context, dev2, boost::json::parse(R"({"a":1})"), test::test_now()));
  EXPECT_EQ(context.counters.desired_pushed.load(), 0U);
  EXPECT_EQ(twin_of(dev2).desired_version(), 2U);
}

TEST_F(TwinStore, RefusedDesiredChangeIsNotPushed) {
  FakeConnection device;
  attach(device, "dev1", bit(Subscription::desired));
  const twin::Result result =
      update_desired(context, dev1(), boost::json::parse(R"({"$x":1})"), test::test_now());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().status, 400);
  EXPECT_TRUE(device.sent.empty());
  EXPECT_EQ(twin_of(dev1()).desired_version(), 1U);
}

TEST_F(TwinStore, ServiceViewOfADeviceAndAModule) {
  update_desired(context, dev1(), boost::json::parse(R"({"a":1})"), test::test_now());
  const boost::json::object view = service_twin(dev1());
  EXPECT_EQ(view.at("deviceId"), "dev1");
  EXPECT_FALSE(view.contains("moduleId"));
  EXPECT_EQ(view.at("version").to_number<std::uint64_t>(), 2U);
  EXPECT_TRUE(view.at("etag").is_string());
  EXPECT_TRUE(view.at("tags").is_object());
  const auto& desired = view.at("properties").at("desired").as_object();
  EXPECT_EQ(desired.at("a"), 1);
  EXPECT_EQ(desired.at("$version").to_number<std::uint64_t>(), 2U);
  EXPECT_TRUE(desired.contains("$metadata"));
  EXPECT_TRUE(view.at("properties").at("reported").as_object().contains("$metadata"));

  const boost::json::object module_view = service_twin(*context.registry.find("dev1/mod1"));
  EXPECT_EQ(module_view.at("deviceId"), "dev1");
  EXPECT_EQ(module_view.at("moduleId"), "mod1");
}

}  // namespace
}  // namespace fleetsim::hub
