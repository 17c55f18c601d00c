// Device and module identities through the service API (reference 3.4): create, read, update with
// etags, keys generated for empty ones, X.509 kinds, status, and bulk operations.
#include "service_test_support.hpp"

namespace fleetsim::hub {
namespace {

using test::FakeConnection;

class ServiceRegistry : public test::ServiceFixture {};

// Node's Registry.create without keys sends empty ones (reference 8.5).
constexpr std::string_view node_create_body =
    R"({"deviceId":"new1","status":"enabled","authentication":{"type":"sas",)"
    R"("symmetricKey":{"primaryKey":"","secondaryKey":""}}})";

TEST_F(ServiceRegistry, CreateGeneratesBothKeysWhenTheyAreEmpty) {
  const service::Response response = call("PUT", "/devices/new1?api-version=2021-04-12", node_create_body);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
  const auto body = body_of(response);
  EXPECT_EQ(body.at("deviceId").as_string(), "new1");
  EXPECT_EQ(body.at("status").as_string(), "enabled");
  EXPECT_EQ(body.at("connectionState").as_string(), "Disconnected");
  EXPECT_EQ(body.at("statusReason"), nullptr);
  EXPECT_EQ(body.at("cloudToDeviceMessageCount"), 0);
  EXPECT_EQ(body.at("capabilities").at("iotEdge"), false);
  EXPECT_FALSE(body.at("generationId").as_string().empty());
  EXPECT_EQ(response.etag, test::in_quotes(body.at("etag").as_string()));
  const auto& auth = body.at("authentication").as_object();
  EXPECT_EQ(auth.at("type").as_string(), "sas");
  const std::string primary(auth.at("symmetricKey").at("primaryKey").as_string());
  const std::string secondary(auth.at("symmetricKey").at("secondaryKey").as_string());
  EXPECT_EQ(primary.size(), 44U);
  EXPECT_EQ(secondary.size(), 44U);
  EXPECT_NE(primary, secondary);
  EXPECT_EQ(auth.at("x509Thumbprint").at("primaryThumbprint"), nullptr);

  // The registry holds the identity with those keys: a device connects with them.
  const Identity* identity = context.registry.find("new1");
  ASSERT_NE(identity, nullptr);
  EXPECT_EQ(identity->primary_key, primary);
  EXPECT_EQ(identity->secondary_key, secondary);
}

TEST_F(ServiceRegistry, CreateWithoutAuthenticationOrWithNullsAlsoGeneratesKeys) {
  EXPECT_EQ(call("PUT", "/devices/a1", R"({"deviceId":"a1"})").status, 200);
  EXPECT_EQ(call("PUT", "/devices/a2", R"({"authentication":null})").status, 200);
  EXPECT_EQ(call("PUT", "/devices/a3", R"({"authentication":{"symmetricKey":{"primaryKey":null}}})").status,
            200);
  for (const char* id : {"a1", "a2", "a3"}) {
    const Identity* identity = context.registry.find(id);
    ASSERT_NE(identity, nullptr) << id;
    EXPECT_EQ(identity->primary_key.size(), 44U) << id;
    EXPECT_EQ(identity->secondary_key.size(), 44U) << id;
  }
}

TEST_F(ServiceRegistry, CreateKeepsTheKeysItIsGiven) {
  const std::string body = R"({"authentication":{"symmetricKey":{"primaryKey":")" +
                           std::string(test::primary_key) + R"(","secondaryKey":")" +
                           std::string(test::secondary_key) + R"("}}})";
  ASSERT_EQ(call("PUT", "/devices/given", body).status, 200);
  EXPECT_EQ(context.registry.find("given")->primary_key, test::primary_key);
  EXPECT_EQ(context.registry.find("given")->secondary_key, test::secondary_key);
}

TEST_F(ServiceRegistry, CreatingAnExistingDeviceIs409) {
  const service::Response response = call("PUT", "/devices/dev1", R"({"deviceId":"dev1"})");
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.error_code, "DeviceAlreadyExists");
  EXPECT_TRUE(message_of(response).starts_with("ErrorCode:DeviceAlreadyExists;A device with ID 'dev1'"))
      << message_of(response);
  EXPECT_NE(body_of(response).at("ExceptionMessage").as_string().find("Tracking ID:"), std::string::npos);
}

TEST_F(ServiceRegistry, BadBodiesAre400) {
  const auto status_and_code = [&](std::string_view target, std::string_view body) {
    const service::Response r = call("PUT", target, body);
    return std::pair{r.status, r.error_code};
  };
  using P = std::pair<int, std::string>;
  EXPECT_EQ(status_and_code("/devices/x1", R"({"deviceId":"other"})"), P(400, "ArgumentInvalid"));
  EXPECT_EQ(status_and_code("/devices/x1", R"({"status":"sleeping"})"), P(400, "ArgumentInvalid"));
  EXPECT_EQ(
      status_and_code("/devices/x1", R"({"authentication":{"symmetricKey":{"primaryKey":"c2hvcnQ="}}})"),
      P(400, "ArgumentInvalid"));  // 5 bytes: keys are 16 to 64
  EXPECT_EQ(status_and_code("/devices/x1", R"({"authentication":{"type":"none"}})"),
            P(400, "ArgumentInvalid"));
  EXPECT_EQ(status_and_code("/devices/x1", R"({"capabilities":{"iotEdge":"yes"}})"),
            P(400, "ArgumentInvalid"));
  EXPECT_EQ(status_and_code("/devices/x1", R"([1,2])"), P(400, "ArgumentInvalid"));
  EXPECT_EQ(status_and_code("/devices/x1", R"({"deviceId":)"), P(400, "IotHubFormatError"));
  EXPECT_EQ(status_and_code("/devices/x1", ""), P(400, "IotHubFormatError"));
  EXPECT_EQ(context.registry.find("x1"), nullptr);
}

TEST_F(ServiceRegistry, ANonJsonContentTypeIs400) {
  service::Request request;
  request.method = "PUT";
  request.path = "/devices/x2";
  const std::string token = test::policy_token(policy("iothubowner"));
  request.authorization = token;
  request.content_type = "text/plain";
  request.body = "{}";
  const service::Response response = api.handle(context, request, test::test_now());
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.error_code, "InvalidContentEncodingOrType");
}

TEST_F(ServiceRegistry, GetUnknownDeviceIs404DeviceNotFound) {
  const service::Response response = call("GET", "/devices/nosuch");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.error_code, "DeviceNotFound");
  EXPECT_EQ(message_of(response), "ErrorCode:DeviceNotFound;Device nosuch not found.");
}

TEST_F(ServiceRegistry, GetShowsAnIdentityRegisteredOutsideTheApi) {
  const service::Response first = call("GET", "/devices/dev1");
  ASSERT_EQ(first.status, 200);
  const auto body = body_of(first);
  EXPECT_EQ(body.at("authentication").at("symmetricKey").at("primaryKey").as_string(), test::primary_key);
  EXPECT_EQ(body.at("authentication").at("symmetricKey").at("secondaryKey").as_string(), test::secondary_key);
  // Its generationId and etag are stable from read to read.
  const auto again = body_of(call("GET", "/devices/dev1"));
  EXPECT_EQ(again.at("generationId"), body.at("generationId"));
  EXPECT_EQ(again.at("etag"), body.at("etag"));
}

TEST_F(ServiceRegistry, ConnectionStateFollowsTheLiveSession) {
  FakeConnection device;
  attach(device, "dev1");
  EXPECT_EQ(body_of(call("GET", "/devices/dev1")).at("connectionState").as_string(), "Connected");
}

TEST_F(ServiceRegistry, UpdateNeedsAMatchingEtag) {
  const std::string etag(body_of(call("GET", "/devices/dev1")).at("etag").as_string());
  const service::Response stale = call("PUT", "/devices/dev1", R"({"statusReason":"x"})", "\"AAAA\"");
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(stale.error_code, "PreconditionFailed");

  const service::Response updated = call(
      "PUT", "/devices/dev1", R"({"deviceId":"dev1","statusReason":"maintenance"})", test::in_quotes(etag));
  ASSERT_EQ(updated.status, 200) << updated.body;
  const auto body = body_of(updated);
  EXPECT_EQ(body.at("statusReason").as_string(), "maintenance");
  EXPECT_NE(body.at("etag").as_string(), etag);  // every change renews the etag
  // The old etag is now stale; "*" (what Node's registry.update sends) always matches.
  EXPECT_EQ(call("PUT", "/devices/dev1", R"({"statusReason":"y"})", test::in_quotes(etag)).status, 412);
  EXPECT_EQ(call("PUT", "/devices/dev1", R"({"statusReason":"y"})", "\"*\"").status, 200);
  EXPECT_EQ(call("PUT", "/devices/dev1", R"({"statusReason":"z"})", "*").status, 200);
}

TEST_F(ServiceRegistry, UpdateOfAMissingDeviceIs404) {
  const service::Response response = call("PUT", "/devices/nosuch", R"({"status":"enabled"})", "*");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.error_code, "DeviceNotFound");
  EXPECT_EQ(context.registry.find("nosuch"), nullptr);
}

TEST_F(ServiceRegistry, DisablingDropsTheLiveConnectionAndStampsTheStatusTime) {
  FakeConnection device;
  attach(device, "dev1");
  const service::Response response = call("PUT", "/devices/dev1", R"({"status":"disabled"})", "*");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(device.closes, 1);
  EXPECT_FALSE(context.registry.find("dev1")->enabled);
  const auto body = body_of(response);
  EXPECT_EQ(body.at("status").as_string(), "disabled");
  EXPECT_EQ(body.at("connectionState").as_string(), "Disconnected");
  EXPECT_EQ(body.at("statusUpdatedTime").as_string(), twin::format_timestamp(test::test_now()));
  EXPECT_EQ(call("PUT", "/devices/dev1", R"({"status":"enabled"})", "*").status, 200);
  EXPECT_TRUE(context.registry.find("dev1")->enabled);
}

TEST_F(ServiceRegistry, UpdateKeepsKeysWhenItsKeysAreEmptyAndTakesNewOnes) {
  ASSERT_EQ(
      call("PUT", "/devices/dev1", R"({"authentication":{"symmetricKey":{"primaryKey":""}}})", "*").status,
      200);
  EXPECT_EQ(context.registry.find("dev1")->primary_key, test::primary_key);
  const std::string body =
      R"({"authentication":{"symmetricKey":{"primaryKey":")" + std::string(test::module_key) + R"("}}})";
  ASSERT_EQ(call("PUT", "/devices/dev1", body, "*").status, 200);
  EXPECT_EQ(context.registry.find("dev1")->primary_key, test::module_key);
  EXPECT_EQ(context.registry.find("dev1")->secondary_key, test::secondary_key);
}

constexpr std::string_view thumbprint_a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";  // SHA-1 length
constexpr std::string_view thumbprint_b = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF";

TEST_F(ServiceRegistry, SelfSignedIdentitiesKeepTheirThumbprints) {
  const std::string body =
      R"({"authentication":{"type":"selfSigned","x509Thumbprint":{"primaryThumbprint":")" +
      std::string(thumbprint_a) + R"(","secondaryThumbprint":")" + std::string(thumbprint_b) + R"("}}})";
  const service::Response response = call("PUT", "/devices/x509dev", body);
  ASSERT_EQ(response.status, 200) << response.body;
  const auto auth = body_of(response).at("authentication").as_object();
  EXPECT_EQ(auth.at("type").as_string(), "selfSigned");
  EXPECT_EQ(auth.at("x509Thumbprint").at("primaryThumbprint").as_string(),
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(auth.at("symmetricKey").at("primaryKey"), nullptr);
  const Identity* identity = context.registry.find("x509dev");
  ASSERT_NE(identity, nullptr);
  EXPECT_EQ(identity->auth, AuthKind::self_signed);
  ASSERT_NE(identity->thumbprints, nullptr);
  EXPECT_EQ(identity->thumbprints->secondary, thumbprint_b);
  EXPECT_TRUE(identity->primary_key.empty());
}

TEST_F(ServiceRegistry, TheAuthenticationTypeIsInferredFromAThumbprint) {
  const std::string body =
      R"({"authentication":{"x509Thumbprint":{"primaryThumbprint":")" + std::string(thumbprint_b) + R"("}}})";
  ASSERT_EQ(call("PUT", "/devices/inferred", body).status, 200);
  EXPECT_EQ(context.registry.find("inferred")->auth, AuthKind::self_signed);
}

TEST_F(ServiceRegistry, CertificateAuthorityIdentitiesAndBadThumbprints) {
  ASSERT_EQ(call("PUT", "/devices/ca1", R"({"authentication":{"type":"certificateAuthority"}})").status, 200);
  EXPECT_EQ(context.registry.find("ca1")->auth, AuthKind::certificate_authority);
  EXPECT_EQ(body_of(call("GET", "/devices/ca1")).at("authentication").at("type").as_string(),
            "certificateAuthority");
  EXPECT_EQ(call("PUT", "/devices/ss1", R"({"authentication":{"type":"selfSigned"}})").status, 400);
  EXPECT_EQ(call("PUT", "/devices/ss2",
                 R"({"authentication":{"type":"selfSigned","x509Thumbprint":{"primaryThumbprint":"xyz"}}})")
                .status,
            400);
}

TEST_F(ServiceRegistry, SwitchingAnIdentityFromX509ToSasMakesKeys) {
  ASSERT_EQ(call("PUT", "/devices/ca2", R"({"authentication":{"type":"certificateAuthority"}})").status, 200);
  ASSERT_EQ(call("PUT", "/devices/ca2", R"({"authentication":{"type":"sas"}})", "*").status, 200);
  const Identity* identity = context.registry.find("ca2");
  EXPECT_EQ(identity->auth, AuthKind::sas);
  EXPECT_EQ(identity->primary_key.size(), 44U);
  EXPECT_EQ(identity->secondary_key.size(), 44U);
}

TEST_F(ServiceRegistry, ModulesAreCreatedReadAndUpdated) {
  const service::Response created = call("PUT", "/devices/dev2/modules/sensor",
                                         R"({"moduleId":"sensor","deviceId":"dev2","managedBy":"me"})");
  ASSERT_EQ(created.status, 200) << created.body;
  const auto body = body_of(created);
  EXPECT_EQ(body.at("moduleId").as_string(), "sensor");
  EXPECT_EQ(body.at("deviceId").as_string(), "dev2");
  EXPECT_EQ(body.at("managedBy").as_string(), "me");
  EXPECT_FALSE(body.contains("status"));
  EXPECT_FALSE(body.contains("capabilities"));
  EXPECT_EQ(body.at("authentication").at("symmetricKey").at("primaryKey").as_string().size(), 44U);
  ASSERT_NE(context.registry.find("dev2/sensor"), nullptr);

  EXPECT_EQ(call("GET", "/devices/dev2/modules/sensor").status, 200);
  const service::Response updated = call("PUT", "/devices/dev2/modules/sensor", R"({"managedBy":null})",
                                         test::in_quotes(body.at("etag").as_string()));
  ASSERT_EQ(updated.status, 200);
  EXPECT_EQ(body_of(updated).at("managedBy"), nullptr);
}

TEST_F(ServiceRegistry, ModuleRefusals) {
  const auto refused = [&](std::string_view method, std::string_view target, std::string_view body = {}) {
    const service::Response r = call(method, target, body);
    return std::pair{r.status, r.error_code};
  };
  using P = std::pair<int, std::string>;
  EXPECT_EQ(refused("PUT", "/devices/dev1/modules/mod1", "{}"), P(409, "ModuleAlreadyExistsOnDevice"));
  EXPECT_EQ(refused("PUT", "/devices/nosuch/modules/m", "{}"), P(404, "DeviceNotFound"));
  EXPECT_EQ(refused("GET", "/devices/dev1/modules/nosuch"), P(404, "ModuleNotFound"));
  EXPECT_EQ(refused("GET", "/devices/nosuch/modules/m"), P(404, "DeviceNotFound"));
  EXPECT_EQ(refused("PUT", "/devices/dev1/modules/$edgeAgent", "{}"), P(400, "ArgumentInvalid"));
  EXPECT_EQ(refused("PUT", "/devices/dev1/modules/m2", R"({"moduleId":"m3"})"), P(400, "ArgumentInvalid"));
}

TEST_F(ServiceRegistry, IdsArePercentDecoded) {
  ASSERT_EQ(call("PUT", "/devices/plant%3A7%40line%201", "{}").status, 400);  // space: not an id character
  ASSERT_EQ(call("PUT", "/devices/plant%3A7%40line", "{}").status, 200);
  EXPECT_NE(context.registry.find("plant:7@line"), nullptr);
  EXPECT_EQ(body_of(call("GET", "/devices/plant:7@line")).at("deviceId").as_string(), "plant:7@line");
  EXPECT_EQ(call("GET", "/devices/bad%zz").status, 400);
}

TEST_F(ServiceRegistry, GenerationIdsAreNewForEveryCreation) {
  const auto a = body_of(call("PUT", "/devices/g1", "{}"));
  const auto b = body_of(call("PUT", "/devices/g2", "{}"));
  EXPECT_NE(a.at("generationId"), b.at("generationId"));
  EXPECT_NE(a.at("etag"), b.at("etag"));
}

// Bulk registry operations (Node's Registry.addDevices / updateDevices).

TEST_F(ServiceRegistry, BulkCreateMakesEveryDevice) {
  const service::Response response =
      call("POST", "/devices?api-version=2021-04-12",
           R"([{"id":"b1","importMode":"create","authentication":{"type":"sas",)"
           R"("symmetricKey":{"primaryKey":"","secondaryKey":""}}},)"
           R"({"id":"b2","importMode":"create","status":"disabled"},)"
           R"({"id":"b3","importMode":"create","authentication":{"type":"certificateAuthority"}}])");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto body = body_of(response);
  EXPECT_EQ(body.at("isSuccessful"), true);
  EXPECT_TRUE(body.at("errors").as_array().empty());
  EXPECT_TRUE(body.at("warnings").as_array().empty());
  ASSERT_NE(context.registry.find("b1"), nullptr);
  EXPECT_EQ(context.registry.find("b1")->primary_key.size(), 44U);
  ASSERT_NE(context.registry.find("b2"), nullptr);
  EXPECT_FALSE(context.registry.find("b2")->enabled);
  EXPECT_EQ(context.registry.find("b3")->auth, AuthKind::certificate_authority);
}

TEST_F(ServiceRegistry, BulkReportsEachFailedEntryAndAppliesTheOthers) {
  const std::string dev2_etag(body_of(call("GET", "/devices/dev2")).at("etag").as_string());
  const service::Response response =
      call("POST", "/devices",
           R"([{"id":"dev1","importMode":"create"},)"
           R"({"id":"c1","importMode":"Create"},)"
           R"({"id":"nosuch","importMode":"Update"},)"
           R"({"id":"dev2","importMode":"UpdateIfMatchETag","eTag":"stale","statusReason":"x"},)"
           R"({"id":"dev2","importMode":"updateIfMatchETag","eTag":")" +
               dev2_etag +
               R"(","statusReason":"ok"},)"
               R"({"id":"c2","importMode":"createOrUpdate"},)"
               R"({"id":"c2","statusReason":"second"},)"
               R"({"id":"c3","authentication":{"symmetricKey":{"primaryKey":"bad"}}}])");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto body = body_of(response);
  EXPECT_EQ(body.at("isSuccessful"), false);
  const auto& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), 4U) << response.body;
  EXPECT_EQ(errors[0].at("deviceId").as_string(), "dev1");
  EXPECT_EQ(errors[0].at("errorCode"), 409001);
  EXPECT_EQ(errors[1].at("deviceId").as_string(), "nosuch");
  EXPECT_EQ(errors[1].at("errorCode"), 404001);
  EXPECT_EQ(errors[2].at("deviceId").as_string(), "dev2");
  EXPECT_EQ(errors[2].at("errorCode"), 412001);
  EXPECT_EQ(errors[3].at("deviceId").as_string(), "c3");
  EXPECT_EQ(errors[3].at("errorCode"), 400004);
  EXPECT_FALSE(errors[3].at("errorStatus").as_string().empty());
  EXPECT_NE(context.registry.find("c1"), nullptr);
  EXPECT_EQ(body_of(call("GET", "/devices/dev2")).at("statusReason").as_string(), "ok");
  EXPECT_EQ(body_of(call("GET", "/devices/c2")).at("statusReason").as_string(), "second");
  EXPECT_EQ(context.registry.find("c3"), nullptr);
}

TEST_F(ServiceRegistry, AMalformedBulkRequestChangesNothing) {
  const auto refused = [&](std::string_view body) {
    const service::Response r = call("POST", "/devices", body);
    EXPECT_EQ(r.error_code, "ArgumentInvalid") << body;
    return r.status;
  };
  EXPECT_EQ(refused(R"({"id":"n1"})"), 400);
  EXPECT_EQ(refused(R"([{"id":"n1"},{"importMode":"create"}])"), 400);
  EXPECT_EQ(refused(R"([{"id":"n1"},{"id":"n2","importMode":"explode"}])"), 400);
  EXPECT_EQ(refused(R"([{"id":"n1"},{"id":"n2","moduleId":"m"}])"), 400);
  EXPECT_EQ(refused(R"([{"id":"n1"},7])"), 400);
  std::string many = "[";
  for (int i = 0; i <= 100; ++i) many += (i ? ",{\"id\":\"m" : "{\"id\":\"m") + std::to_string(i) + "\"}";
  many += "]";
  EXPECT_EQ(refused(many), 400);
  EXPECT_EQ(context.registry.find("n1"), nullptr);
  EXPECT_EQ(context.registry.find("m0"), nullptr);
}

}  // namespace
}  // namespace fleetsim::hub
