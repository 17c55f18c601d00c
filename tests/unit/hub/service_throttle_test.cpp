// The service API's throttle check (reference 5.1, 5.2, 3.2): 429 ThrottlingException in IoT
// Hub's error shape with Retry-After, 403010 for what Basic tiers lack, the cost of each
// operation, and nothing at all without a tier.
#include <chrono>

#include "hub/service/rest_adapter.hpp"
#include "hub/service/throttle_check.hpp"
#include "service_test_support.hpp"

namespace fleetsim::hub {
namespace {

using test::test_now;

class ServiceThrottle : public test::ServiceFixture {
 protected:
  void configure(Tier tier, unsigned units = 1) { context.throttle.configure(tier, units, test_now()); }
};

TEST_F(ServiceThrottle, QueriesOverTheRateGet429WithRetryAfter) {
  configure(Tier::s1);  // 20 queries a minute
  const std::string query = R"({"query":"SELECT * FROM devices"})";
  for (int i = 0; i < 20; ++i) ASSERT_EQ(call("POST", "/devices/query", query).status, 200) << i;
  const service::Response refused = call("POST", "/devices/query", query);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.error_code, "ThrottlingException");
  EXPECT_EQ(refused.content_type, service::json_content_type);
  EXPECT_EQ(refused.retry_after, "3");
  const std::string message = message_of(refused);
  EXPECT_EQ(message.rfind("ErrorCode:ThrottlingException;", 0), 0U) << message;
  EXPECT_NE(body_of(refused).at("ExceptionMessage").as_string().find("Tracking ID:"), std::string::npos);
  EXPECT_EQ(context.counters.throttled_rest.load(), 1U);

  // On the wire: the header Retry-After, beside iothub-errorcode.
  const RestResponse rest = service::to_rest(refused);
  EXPECT_EQ(rest.status, 429U);
  bool retry_after = false;
  for (const auto& [name, value] : rest.headers) {
    if (name == "Retry-After") retry_after = value == "3";
  }
  EXPECT_TRUE(retry_after);
}

TEST_F(ServiceThrottle, OtherClassesAreNotAffected) {
  configure(Tier::s1);
  const std::string query = R"({"query":"SELECT * FROM devices"})";
  for (int i = 0; i < 21; ++i) call("POST", "/devices/query", query);
  EXPECT_EQ(call("GET", "/twins/dev1").status, 200);
  EXPECT_EQ(call("GET", "/devices/dev1").status, 200);
}

TEST_F(ServiceThrottle, TwinReadsAndUpdatesHaveTheirOwnRates) {
  configure(Tier::f1);  // twin reads 100/s, updates 50/s
  for (int i = 0; i < 100; ++i) ASSERT_EQ(call("GET", "/twins/dev1").status, 200) << i;
  EXPECT_EQ(call("GET", "/twins/dev1").status, 429);
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(call("PATCH", "/twins/dev1", R"({"tags":{"n":1}})").status, 200) << i;
  }
  const service::Response refused = call("PATCH", "/twins/dev1", R"({"tags":{"n":2}})");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.retry_after, "1");
  EXPECT_EQ(context.counters.throttled_rest.load(), 2U);
}

TEST_F(ServiceThrottle, RegistryOperationsCountEachIdentityOfABulkRequest) {
  configure(Tier::s1);  // 100 registry operations a minute
  std::string bulk = "[";
  for (int i = 0; i < 99; ++i) {
    if (i != 0) bulk += ",";
    bulk += R"({"id":"b)" + std::to_string(i) + R"(","importMode":"create"})";
  }
  bulk += "]";
  ASSERT_EQ(call("POST", "/devices", bulk).status, 200);
  EXPECT_EQ(call("GET", "/devices/dev1").status, 200);  // the 100th
  const service::Response refused = call("GET", "/devices/dev1");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.retry_after, "1");  // 100/min: a token every 0.6 s
}

TEST_F(ServiceThrottle, CostsByOperation) {
  service::Request request;
  using service::Operation;
  EXPECT_EQ(service::throttle_cost(Operation::get_device, request).throttle_class, ThrottleClass::registry);
  EXPECT_EQ(service::throttle_cost(Operation::list_modules, request).throttle_class, ThrottleClass::registry);
  EXPECT_EQ(service::throttle_cost(Operation::query, request).throttle_class, ThrottleClass::query);
  EXPECT_EQ(service::throttle_cost(Operation::get_twin, request).throttle_class, ThrottleClass::twin_read);
  EXPECT_EQ(service::throttle_cost(Operation::replace_twin, request).throttle_class,
            ThrottleClass::twin_update);
  EXPECT_EQ(service::throttle_cost(Operation::send_c2d, request).throttle_class, ThrottleClass::c2d);
  const std::string body(10'000, 'x');
  request.body = body;
  const service::ThrottleCost method = service::throttle_cost(Operation::invoke_method, request);
  EXPECT_EQ(method.throttle_class, ThrottleClass::method);
  EXPECT_EQ(method.cost, 3);  // 10,000 bytes: three 4 KB chunks
  request.body = R"([{"id":"a"},{"id":"b"},{"id":"c"}])";
  EXPECT_EQ(service::throttle_cost(Operation::bulk_devices, request).cost, 3);
  request.body = "not json";
  EXPECT_EQ(service::throttle_cost(Operation::bulk_devices, request).cost, 1);
}

TEST_F(ServiceThrottle, MethodsAreMeteredInChunksOfPayload) {
  configure(Tier::s1);  // 160 KB/s = 40 chunks
  service::Request request;
  const std::string body(64 * 1024, 'x');  // 16 chunks
  request.body = body;
  EXPECT_FALSE(service::check_throttle(context, request, service::Operation::invoke_method, test_now()));
  EXPECT_FALSE(service::check_throttle(context, request, service::Operation::invoke_method, test_now()));
  const auto refused =
      service::check_throttle(context, request, service::Operation::invoke_method, test_now());
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->retry_after, "1");
}

TEST_F(ServiceThrottle, BasicTiersRefuseTwinsMethodsAndC2dWith403010) {
  configure(Tier::b2);
  const service::Response twin = call("GET", "/twins/dev1");
  EXPECT_EQ(twin.status, 403);
  EXPECT_EQ(twin.error_code, "IotHubNotAvailableInTier");
  EXPECT_EQ(message_of(twin).rfind("ErrorCode:IotHubNotAvailableInTier;", 0), 0U);
  EXPECT_TRUE(twin.retry_after.empty());
  EXPECT_EQ(call("PATCH", "/twins/dev1", R"({"tags":{"n":1}})").status, 403);
  service::Request request;
  for (const auto operation : {service::Operation::invoke_method, service::Operation::send_c2d}) {
    const auto refused = service::check_throttle(context, request, operation, test_now());
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403);
  }
  EXPECT_EQ(call("GET", "/devices/dev1").status, 200);
  EXPECT_EQ(context.counters.throttled_rest.load(), 0U);
}

TEST_F(ServiceThrottle, RefusedRequestsAreNotServed) {
  configure(Tier::f1);
  for (int i = 0; i < 50; ++i) call("PATCH", "/twins/dev1", R"({"tags":{"n":1}})");
  ASSERT_EQ(call("PATCH", "/twins/dev1", R"({"tags":{"n":2}})").status, 429);
  EXPECT_EQ(body_of(call("GET", "/twins/dev1")).at("tags").at("n"), 1);
}

TEST_F(ServiceThrottle, AuthorizationComesFirst) {
  configure(Tier::s1);
  const std::string query = R"({"query":"SELECT * FROM devices"})";
  for (int i = 0; i < 20; ++i) call("POST", "/devices/query", query);
  EXPECT_EQ(call("POST", "/devices/query", query, {}, "SharedAccessSignature sr=x&sig=y&se=1").status, 401);
}

TEST_F(ServiceThrottle, WithoutATierNothingIsThrottled) {
  const std::string query = R"({"query":"SELECT * FROM devices"})";
  for (int i = 0; i < 200; ++i) ASSERT_EQ(call("POST", "/devices/query", query).status, 200) << i;
  EXPECT_EQ(context.counters.throttled_rest.load(), 0U);
}

}  // namespace
}  // namespace fleetsim::hub
