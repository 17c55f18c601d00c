// Deleting identities and reading the registry as a whole through the service API (reference
// 3.4): DELETE with If-Match, GET /devices, modules of a device, statistics, the module limit,
// and the delete modes of bulk operations.
#include "service_test_support.hpp"

namespace fleetsim::hub {
namespace {

using test::bit;
using test::FakeConnection;

class ServiceLists : public test::ServiceFixture {
 protected:
  std::vector<std::string> ids_of(const service::Response& response, std::string_view member = "deviceId") {
    std::vector<std::string> ids;
    const boost::json::value items = boost::json::parse(response.body);
    for (const auto& item : items.as_array()) {
      ids.emplace_back(item.at(member).as_string());
    }
    return ids;
  }
};

TEST_F(ServiceLists, DeleteRemovesTheDeviceItsModulesTwinsAndConnections) {
  FakeConnection device;
  FakeConnection module;
  attach(device, "dev1", bit(Subscription::desired));
  attach(module, "dev1/mod1");
  ASSERT_EQ(call("PATCH", "/twins/dev1", R"({"tags":{"site":"p7"}})").status, 200);
  const service::Response response = call("DELETE", "/devices/dev1?api-version=2021-04-12", {}, "\"*\"");
  EXPECT_EQ(response.status, 204);
  EXPECT_TRUE(response.body.empty());
  EXPECT_TRUE(response.content_type.empty());
  EXPECT_EQ(device.closes, 1);
  EXPECT_EQ(module.closes, 1);
  EXPECT_EQ(context.registry.find("dev1"), nullptr);
  EXPECT_EQ(context.registry.find("dev1/mod1"), nullptr);
  EXPECT_EQ(call("GET", "/devices/dev1").status, 404);
  EXPECT_EQ(call("GET", "/twins/dev1").status, 404);
  EXPECT_EQ(call("DELETE", "/devices/dev1", {}, "*").status, 404);

  // Created again: a new identity with a new generationId and an empty twin.
  const auto created = body_of(call("PUT", "/devices/dev1", "{}"));
  EXPECT_EQ(created.at("status").as_string(), "enabled");
  EXPECT_TRUE(body_of(call("GET", "/twins/dev1")).at("tags").as_object().empty());
  EXPECT_EQ(call("GET", "/devices/dev1/modules/mod1").status, 404);
}

TEST_F(ServiceLists, DeleteNeedsAMatchingEtagWhenItGivesOne) {
  const std::string etag(body_of(call("GET", "/devices/dev2")).at("etag").as_string());
  const service::Response stale = call("DELETE", "/devices/dev2", {}, "\"MTIz\"");
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(stale.error_code, "PreconditionFailed");
  EXPECT_NE(context.registry.find("dev2"), nullptr);
  EXPECT_EQ(call("DELETE", "/devices/dev2", {}, test::in_quotes(etag)).status, 204);
  EXPECT_EQ(context.registry.find("dev2"), nullptr);
}

TEST_F(ServiceLists, DeleteAModuleLeavesItsDevice) {
  FakeConnection module;
  attach(module, "dev1/mod1");
  const service::Response response = call("DELETE", "/devices/dev1/modules/mod1", {}, "*");
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(module.closes, 1);
  EXPECT_EQ(context.registry.find("dev1/mod1"), nullptr);
  EXPECT_NE(context.registry.find("dev1"), nullptr);
  const service::Response again = call("DELETE", "/devices/dev1/modules/mod1", {}, "*");
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(again.error_code, "ModuleNotFound");
}

TEST_F(ServiceLists, ListDevicesInIdOrderWithTop) {
  for (const char* id : {"c", "a", "b"})
    ASSERT_EQ(call("PUT", std::string("/devices/") + id, "{}").status, 200);
  const service::Response all = call("GET", "/devices?api-version=2021-04-12");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(ids_of(all),
            (std::vector<std::string>{"a", "b", "c", "dev1", "dev2"}));  // modules are not devices
  EXPECT_EQ(ids_of(call("GET", "/devices?top=2&api-version=2021-04-12")),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(call("GET", "/devices?top=0").status, 400);
  EXPECT_EQ(call("GET", "/devices?top=many").status, 400);
  const auto first = boost::json::parse(all.body).as_array().at(3).as_object();
  EXPECT_EQ(first.at("authentication").at("symmetricKey").at("primaryKey").as_string(), test::primary_key);
}

TEST_F(ServiceLists, ListingNeedsRegistryRead) {
  EXPECT_EQ(call("GET", "/devices", {}, {}, test::policy_token(policy("registryRead"))).status, 200);
  EXPECT_EQ(call("GET", "/devices", {}, {}, test::policy_token(policy("service"))).status, 401);
}

TEST_F(ServiceLists, ModulesOfADevice) {
  ASSERT_EQ(call("PUT", "/devices/dev1/modules/a", "{}").status, 200);
  ASSERT_EQ(call("PUT", "/devices/dev1-x", "{}").status, 200);  // sorts between "dev1" and "dev1/..."
  ASSERT_EQ(call("PUT", "/devices/dev1-x/modules/z", "{}").status, 200);
  const service::Response response = call("GET", "/devices/dev1/modules");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(ids_of(response, "moduleId"), (std::vector<std::string>{"a", "mod1"}));
  EXPECT_TRUE(ids_of(call("GET", "/devices/dev2/modules"), "moduleId").empty());
  const service::Response missing = call("GET", "/devices/nosuch/modules");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.error_code, "DeviceNotFound");
}

TEST_F(ServiceLists, StatisticsCountDevicesOnly) {
  ASSERT_EQ(call("PUT", "/devices/off", R"({"status":"disabled"})").status, 200);
  const service::Response response = call("GET", "/statistics/devices");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(boost::json::value(body_of(response)),
            boost::json::parse(R"({"totalDeviceCount":3,"enabledDeviceCount":2,"disabledDeviceCount":1})"));
}

TEST_F(ServiceLists, AtMostFiftyModulesPerDevice) {
  for (int i = 1; i < 50; ++i) {  // mod1 exists already
    ASSERT_EQ(call("PUT", "/devices/dev1/modules/m" + std::to_string(i), "{}").status, 200) << i;
  }
  const service::Response response = call("PUT", "/devices/dev1/modules/m50", "{}");
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.error_code, "TooManyModulesOnDevice");
  EXPECT_EQ(call("PUT", "/devices/dev2/modules/m50", "{}").status, 200);
}

TEST_F(ServiceLists, BulkDeleteModes) {
  const std::string dev2_etag(body_of(call("GET", "/devices/dev2")).at("etag").as_string());
  const service::Response response = call("POST", "/devices",
                                          R"([{"id":"dev1","importMode":"Delete"},)"
                                          R"({"id":"dev2","importMode":"DeleteIfMatchETag","eTag":"stale"},)"
                                          R"({"id":"nosuch","importMode":"delete"}])");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto body = body_of(response);
  EXPECT_EQ(body.at("isSuccessful"), false);
  const auto& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2U);
  EXPECT_EQ(errors[0].at("errorCode"), 412001);
  EXPECT_EQ(errors[1].at("errorCode"), 404001);
  EXPECT_EQ(context.registry.find("dev1"), nullptr);
  EXPECT_EQ(context.registry.find("dev1/mod1"), nullptr);
  EXPECT_NE(context.registry.find("dev2"), nullptr);
  const std::string matching =
      R"([{"id":"dev2","importMode":"deleteIfMatchETag","eTag":")" + dev2_etag + R"("}])";
  EXPECT_EQ(body_of(call("POST", "/devices", matching)).at("isSuccessful"), true);
  EXPECT_EQ(context.registry.find("dev2"), nullptr);
}

}  // namespace
}  // namespace fleetsim::hub
