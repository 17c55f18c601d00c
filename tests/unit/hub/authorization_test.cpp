#include "hub/authorization.hpp"
#include "hub_test_support.hpp"

namespace fleetsim::hub {
namespace {

class Authorization : public test::HubFixture {
 protected:
  const Identity& dev1() { return *context.registry.find("dev1"); }
  const Identity& mod1() { return *context.registry.find("dev1/mod1"); }
};

TEST_F(Authorization, TwinAndMethodFiltersForEveryIdentity) {
  for (const Identity* identity : {&dev1(), &mod1()}) {
    EXPECT_EQ(subscription_for_filter(*identity, "$iothub/twin/res/#"), Subscription::twin_response);
    EXPECT_EQ(subscription_for_filter(*identity, "$iothub/twin/PATCH/properties/desired/#"),
              Subscription::desired);
    EXPECT_EQ(subscription_for_filter(*identity, "$iothub/methods/POST/#"), Subscription::methods);
  }
}

TEST_F(Authorization, DeviceboundOnlyForTheDeviceItself) {
  EXPECT_EQ(subscription_for_filter(dev1(), "devices/dev1/messages/devicebound/#"), Subscription::c2d);
  EXPECT_EQ(subscription_for_filter(dev1(), "devices/+/messages/devicebound/#"), Subscription::c2d);
  EXPECT_EQ(subscription_for_filter(dev1(), "devices/dev2/messages/devicebound/#"), std::nullopt);
  EXPECT_EQ(subscription_for_filter(mod1(), "devices/dev1/messages/devicebound/#"), std::nullopt);
}

TEST_F(Authorization, ModuleInputsOnlyForTheModuleItself) {
  EXPECT_EQ(subscription_for_filter(mod1(), "devices/dev1/modules/mod1/#"), Subscription::module_inputs);
  EXPECT_EQ(subscription_for_filter(mod1(), "devices/dev1/modules/mod1/inputs/#"),
            Subscription::module_inputs);
  EXPECT_EQ(subscription_for_filter(mod1(), "devices/dev1/modules/mod2/#"), std::nullopt);
  EXPECT_EQ(subscription_for_filter(dev1(), "devices/dev1/modules/mod1/#"), std::nullopt);
}

TEST_F(Authorization, WildcardTricksAndOtherTopicsAreRefused) {
  for (const char* filter :
       {"#", "+/#", "$iothub/#", "$iothub/+/res/#", "$iothub/twin/#", "$iothub/twin/res/+", "devices/#",
        "devices/+/#", "devices/dev1/#", "devices/dev1/messages/#", "devices/dev1/messages/events/#",
        "devices/dev1/messages/devicebound/+", "devices/dev1x/messages/devicebound/#",
        "devices/dev/messages/devicebound/#", "devices/dev1/messages/devicebound/#/x", "other/topic"}) {
    EXPECT_EQ(subscription_for_filter(dev1(), filter), std::nullopt) << filter;
  }
  for (const char* filter : {"devices/dev1/modules/+/#", "devices/+/modules/mod1/#",
                             "devices/dev1/modules/mod1/outputs/#", "devices/dev1/modules/#"}) {
    EXPECT_EQ(subscription_for_filter(mod1(), filter), std::nullopt) << filter;
  }
}

TEST_F(Authorization, TelemetryOnlyOnTheIdentitysOwnTopic) {
  using iothub::parse_topic;
  EXPECT_TRUE(owns_telemetry_topic(dev1(), parse_topic("devices/dev1/messages/events/")));
  EXPECT_TRUE(owns_telemetry_topic(dev1(), parse_topic("devices/dev1/messages/events/a=b")));
  EXPECT_FALSE(owns_telemetry_topic(dev1(), parse_topic("devices/dev2/messages/events/")));
  EXPECT_FALSE(owns_telemetry_topic(dev1(), parse_topic("devices/dev1/modules/mod1/messages/events/")));
  EXPECT_TRUE(owns_telemetry_topic(mod1(), parse_topic("devices/dev1/modules/mod1/messages/events/")));
  EXPECT_FALSE(owns_telemetry_topic(mod1(), parse_topic("devices/dev1/messages/events/")));
  EXPECT_FALSE(owns_telemetry_topic(mod1(), parse_topic("devices/dev1/modules/mod2/messages/events/")));
  EXPECT_FALSE(owns_telemetry_topic(dev1(), parse_topic("$iothub/twin/GET/?$rid=1")));
}

}  // namespace
}  // namespace fleetsim::hub
