// Shared access policies and who may call what (reference 1.3, 1.4), and the 401 they answer.
#include "hub/service/authorize.hpp"
#include "service_test_support.hpp"

namespace fleetsim::hub {
namespace {

using service::Permission;
using test::policy_token;

class ServiceAuth : public test::ServiceFixture {
 protected:
  // The status of GET /devices/dev1 (RegistryRead) with `authorization`.
  int read_status(std::string_view authorization) {
    return call("GET", "/devices/dev1?api-version=2021-04-12", {}, {}, authorization).status;
  }
};

TEST(ServicePolicies, TheFiveDefaultPoliciesWithTheirPermissions) {
  service::KeyGenerator keys(1);
  const service::Policies policies = service::Policies::defaults(keys);
  ASSERT_EQ(policies.all().size(), 5U);
  const auto grants = [&](std::string_view name, Permission p) { return policies.find(name)->grants(p); };
  for (Permission p : {Permission::registry_read, Permission::registry_write, Permission::service_connect,
                       Permission::device_connect}) {
    EXPECT_TRUE(grants("iothubowner", p));
  }
  EXPECT_TRUE(grants("service", Permission::service_connect));
  EXPECT_FALSE(grants("service", Permission::registry_read));
  EXPECT_TRUE(grants("device", Permission::device_connect));
  EXPECT_FALSE(grants("device", Permission::service_connect));
  EXPECT_TRUE(grants("registryRead", Permission::registry_read));
  EXPECT_FALSE(grants("registryRead", Permission::registry_write));
  EXPECT_TRUE(grants("registryReadWrite", Permission::registry_write));
  EXPECT_FALSE(grants("registryReadWrite", Permission::service_connect));
  EXPECT_EQ(policies.find("IotHubOwner"), nullptr);  // names are case-sensitive
}

TEST(ServicePolicies, KeysAre32BytesInBase64AndRepeatWithTheSeed) {
  service::KeyGenerator a(99);
  service::KeyGenerator b(99);
  service::KeyGenerator random;
  const std::string key = a.next_key();
  EXPECT_EQ(key.size(), 44U);
  ASSERT_TRUE(iothub::base64_decode(key).has_value());
  EXPECT_EQ(iothub::base64_decode(key)->size(), 32U);
  EXPECT_EQ(key, b.next_key());
  EXPECT_NE(a.next_key(), key);
  EXPECT_NE(random.next_key(), random.next_key());
}

TEST(ServicePolicies, AtMostSixteenAndNoDuplicateNames) {
  service::KeyGenerator keys(3);
  service::Policies policies = service::Policies::defaults(keys);
  const std::string key = keys.next_key();
  EXPECT_FALSE(policies.add({"service", key, key, service::bits(Permission::registry_read)}));
  EXPECT_FALSE(policies.add({"bad-key", "not base64!", key, 0}));
  for (int i = 0; i < 11; ++i) EXPECT_TRUE(policies.add({"extra" + std::to_string(i), key, key, 0}));
  EXPECT_EQ(policies.all().size(), 16U);
  EXPECT_FALSE(policies.add({"one-too-many", key, key, 0}));
}

TEST_F(ServiceAuth, TheServiceConnectionStringNamesTheOwnerPolicy) {
  const std::string text = api.owner_connection_string("localhost");
  const auto parsed = iothub::parse_connection_string(text);
  ASSERT_TRUE(parsed.has_value()) << text;
  EXPECT_EQ(parsed->host_name, "localhost");
  EXPECT_EQ(parsed->shared_access_key_name, "iothubowner");
  EXPECT_EQ(parsed->shared_access_key, policy("iothubowner").primary_key);
  EXPECT_TRUE(text.starts_with("HostName=localhost;SharedAccessKeyName=iothubowner;SharedAccessKey="));
}

TEST_F(ServiceAuth, OwnerTokenWithEitherKeyIsAccepted) {
  EXPECT_EQ(read_status(policy_token(policy("iothubowner"))), 200);
  EXPECT_EQ(read_status(policy_token(policy("iothubowner"), test::test_now_s() + 60, test::host, true)), 200);
}

TEST_F(ServiceAuth, MissingOrMalformedAuthorizationIs401) {
  service::Request request;
  request.method = "GET";
  request.path = "/devices/dev1";
  const service::Response none = api.handle(context, request, test::test_now());
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.error_code, "IotHubUnauthorizedAccess");
  EXPECT_TRUE(message_of(none).starts_with("ErrorCode:IotHubUnauthorizedAccess;")) << message_of(none);
  EXPECT_EQ(read_status("Bearer abc"), 401);
  EXPECT_EQ(read_status("SharedAccessSignature sr=hub.example&sig=x"), 401);
}

TEST_F(ServiceAuth, ExpiredBadSignatureUnknownPolicyAndWrongHostAre401) {
  EXPECT_EQ(read_status(policy_token(policy("iothubowner"), test::test_now_s())), 401);  // se <= now
  service::Policy forged = policy("iothubowner");
  forged.primary_key = test::primary_key;
  EXPECT_EQ(read_status(policy_token(forged)), 401);
  forged.name = "nosuchpolicy";
  EXPECT_EQ(read_status(policy_token(forged)), 401);
  EXPECT_EQ(read_status(policy_token(policy("iothubowner"), test::test_now_s() + 60, "other.example")), 401);
  const service::Response expired =
      call("GET", "/devices/dev1", {}, {}, policy_token(policy("iothubowner"), 1));
  EXPECT_NE(message_of(expired).find("expired"), std::string::npos) << message_of(expired);
}

TEST_F(ServiceAuth, HostScopeIsCaseInsensitiveAndIgnoresThePort) {
  EXPECT_EQ(read_status(policy_token(policy("iothubowner"), test::test_now_s() + 60, "HUB.example:443")),
            200);
}

TEST_F(ServiceAuth, EachRouteNeedsItsPermission) {
  const std::string read = policy_token(policy("registryRead"));
  const std::string read_write = policy_token(policy("registryReadWrite"));
  const std::string service = policy_token(policy("service"));
  const std::string device = policy_token(policy("device"));
  EXPECT_EQ(read_status(read), 200);
  EXPECT_EQ(read_status(read_write), 200);
  EXPECT_EQ(read_status(service), 401);
  EXPECT_EQ(read_status(device), 401);
  const std::string body = R"({"deviceId":"new1"})";
  EXPECT_EQ(call("PUT", "/devices/new1", body, {}, read).status, 401);
  EXPECT_EQ(call("PUT", "/devices/new1", body, {}, service).status, 401);
  EXPECT_EQ(call("PUT", "/devices/new1", body, {}, read_write).status, 200);
  EXPECT_EQ(call("GET", "/twins/dev1", {}, {}, read_write).status, 401);
  EXPECT_EQ(call("GET", "/twins/dev1", {}, {}, service).status, 200);
  const service::Response refused = call("GET", "/twins/dev1", {}, {}, read);
  EXPECT_NE(message_of(refused).find("lacks the ServiceConnect permission"), std::string::npos)
      << message_of(refused);
}

TEST_F(ServiceAuth, APolicyTokenScopedToOneDeviceCoversThatDeviceOnly) {
  const std::string dev1_only =
      policy_token(policy("iothubowner"), test::test_now_s() + 60, "hub.example/devices/dev1");
  EXPECT_EQ(call("GET", "/devices/dev1", {}, {}, dev1_only).status, 200);
  EXPECT_EQ(call("GET", "/devices/dev1/modules/mod1", {}, {}, dev1_only).status, 200);
  EXPECT_EQ(call("GET", "/devices/dev2", {}, {}, dev1_only).status, 401);
  EXPECT_EQ(call("POST", "/devices", "[]", {}, dev1_only).status,
            401);  // the collection: needs {host}[/devices]
}

TEST_F(ServiceAuth, DeviceTokensOpenNoRegistryOrServiceRoute) {
  const std::string token = test::token_for("dev1", {}, test::primary_key);
  for (const auto& [method, target] :
       {std::pair{"GET", "/devices/dev1"}, std::pair{"GET", "/twins/dev1"}, std::pair{"PATCH", "/twins/dev1"},
        std::pair{"PUT", "/devices/dev1"}}) {
    const service::Response response = call(method, target, R"({"tags":{}})", "*", token);
    EXPECT_EQ(response.status, 401) << method << ' ' << target;
    EXPECT_NE(message_of(response).find("grants DeviceConnect only"), std::string::npos)
        << message_of(response);
  }
}

TEST_F(ServiceAuth, DeviceTokensGrantDeviceConnectForTheirOwnIdentity) {
  const auto device_access = [&](std::string_view scope, const std::string& token) {
    return service::authorize(context, api.policies(), token, {Permission::device_connect, scope},
                              test::test_now());
  };
  const std::string dev1 = test::token_for("dev1", {}, test::primary_key);
  const std::string dev1_secondary = test::token_for("dev1", {}, test::secondary_key);
  const std::string mod1 = test::token_for("dev1", "mod1", test::module_key);
  EXPECT_TRUE(device_access("hub.example/devices/dev1", dev1));
  EXPECT_TRUE(device_access("hub.example/devices/dev1", dev1_secondary));
  EXPECT_TRUE(device_access("hub.example/devices/dev1/modules/mod1", mod1));
  // Scope covers the module's path, but a device's key is not the module's.
  EXPECT_FALSE(device_access("hub.example/devices/dev1/modules/mod1", dev1));
  EXPECT_FALSE(device_access("hub.example/devices/dev2", dev1));
  EXPECT_FALSE(device_access("hub.example/devices/dev1", test::token_for("dev1", {}, test::module_key)));
  EXPECT_FALSE(device_access("hub.example/devices/dev1", test::token_for("nosuch", {}, test::primary_key)));
  context.registry.set_enabled("dev1", {}, false);
  const twin::Result disabled = device_access("hub.example/devices/dev1", dev1);
  ASSERT_FALSE(disabled);
  EXPECT_EQ(disabled.error().error_code, 401002);
}

TEST_F(ServiceAuth, ThePolicyNamedDeviceGrantsDeviceConnect) {
  const std::string token = policy_token(policy("device"), test::test_now_s() + 60, "hub.example/devices");
  EXPECT_TRUE(service::authorize(context, api.policies(), token,
                                 {Permission::device_connect, "hub.example/devices/dev2"}, test::test_now()));
  EXPECT_FALSE(service::authorize(context, api.policies(), token,
                                  {Permission::service_connect, "hub.example/devices/dev2"},
                                  test::test_now()));
}

}  // namespace
}  // namespace fleetsim::hub
