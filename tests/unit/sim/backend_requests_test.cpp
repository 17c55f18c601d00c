// The backend actor's requests as they go on the wire, what their answers mean, and the C2D send
// time a device reads back, without sockets.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "sim/backend_requests.hpp"
#include "unit/sim/scenario_test_util.hpp"

namespace fleetsim::sim {
namespace {

const transports::http::Header* header(const transports::http::Request& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

TEST(BackendRequests, JsonPayloadsHaveExactlyTheirSize) {
  for (std::uint32_t bytes : {0u, 1u, 2u, 5u, 10u, 11u, 12u, 16u, 100u, 4096u}) {
    std::string out;
    append_json_payload(out, bytes);
    EXPECT_EQ(out.size(), bytes == 0 ? 4u : bytes) << bytes;  // 0 is `null`
    boost::system::error_code ec;
    boost::json::parse(out, ec);
    EXPECT_FALSE(ec) << out;
  }
  std::string sixteen;
  append_json_payload(sixteen, 16);
  EXPECT_EQ(sixteen, R"({"data":"xxxxx"})");
}

TEST(BackendRequests, DesiredPatchOfAModuleTwin) {
  const std::string text = "on";
  const Value value{Value::Kind::string, false, 0, &text};
  const auto r = desired_request("dev 1", "sensor", "config.mode", value);
  EXPECT_EQ(r.method, "PATCH");
  EXPECT_EQ(r.target, "/twins/dev%201/modules/sensor");
  EXPECT_EQ(r.body, R"({"properties":{"desired":{"config":{"mode":"on"}}}})");
  EXPECT_EQ(twin_target("d", ""), "/twins/d");
}

TEST(BackendRequests, MethodCallWithPayloadAndTimeout) {
  Backend spec;
  spec.action = "method";
  spec.name = "re\"boot";
  spec.payload_size = 12;
  spec.timeout = std::chrono::milliseconds(5500);
  const auto r = method_request("d", "", spec);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/twins/d/methods");
  EXPECT_EQ(
      r.body,
      R"({"methodName":"re\"boot","payload":{"data":"x"},"responseTimeoutInSeconds":6,"connectTimeoutInSeconds":0})");
}

TEST(BackendRequests, CloudToDeviceCarriesPropertiesAndSendTime) {
  Backend spec;
  spec.action = "c2d";
  spec.size = 5;
  spec.properties = {{"kind", "cmd"}};
  const auto r = c2d_request("dev/1", spec, std::chrono::nanoseconds(123456789), 7);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/devices/dev%2F1/messages/devicebound");
  EXPECT_EQ(r.body, "xxxxx");
  ASSERT_NE(header(r, "iothub-app-kind"), nullptr);
  EXPECT_EQ(header(r, "iothub-app-kind")->value, "cmd");
  ASSERT_NE(header(r, "iothub-app-fleetsim-sent"), nullptr);
  EXPECT_EQ(header(r, "iothub-app-fleetsim-sent")->value, "123456789");
  ASSERT_NE(header(r, "iothub-messageid"), nullptr);
  EXPECT_EQ(header(r, "iothub-messageid")->value, "fleetsim-7");
}

TEST(BackendRequests, QueryPagesCarryTheContinuation) {
  Backend spec;
  spec.action = "query";
  spec.sql = "SELECT * FROM devices WHERE tags.a = 'x'";
  spec.page_size = 25;
  const auto first = query_request(spec, "");
  EXPECT_EQ(first.target, "/devices/query");
  EXPECT_EQ(first.body, R"({"query":"SELECT * FROM devices WHERE tags.a = 'x'"})");
  ASSERT_NE(header(first, "x-ms-max-item-count"), nullptr);
  EXPECT_EQ(header(first, "x-ms-max-item-count")->value, "25");
  EXPECT_EQ(header(first, "x-ms-continuation"), nullptr);
  const auto next = query_request(spec, "abc");
  ASSERT_NE(header(next, "x-ms-continuation"), nullptr);
  EXPECT_EQ(header(next, "x-ms-continuation")->value, "abc");
}

TEST(BackendRequests, DesiredVersionOfTheAnsweredTwin) {
  EXPECT_EQ(
      desired_version_of(R"({"deviceId":"d","properties":{"desired":{"a":1,"$version":7},"reported":{}}})"),
      7u);
  EXPECT_FALSE(desired_version_of(R"({"properties":{"desired":{"a":1}}})"));
  EXPECT_FALSE(desired_version_of(R"({"properties":{}})"));
  EXPECT_FALSE(desired_version_of("not json"));
}

TEST(BackendRequests, StatusesAsOutcomes) {
  using metrics::Outcome;
  EXPECT_EQ(outcome_of("desired", 200), Outcome::ok);
  EXPECT_EQ(outcome_of("c2d", 204), Outcome::ok);
  EXPECT_EQ(outcome_of("query", 429), Outcome::throttled);
  EXPECT_EQ(outcome_of("method", 504), Outcome::timeout);
  EXPECT_EQ(outcome_of("desired", 504), Outcome::error);
  EXPECT_EQ(outcome_of("method", 404), Outcome::error);
  EXPECT_EQ(outcome_of("desired", 412), Outcome::error);
}

TEST(BackendRequests, SendTimeFromTheDeliveredBag) {
  EXPECT_EQ(c2d_sent_time("%24.mid=m1&kind=cmd&fleetsim-sent=42&%24.to=%2Fdevices%2Fd"),
            std::chrono::nanoseconds(42));
  EXPECT_EQ(c2d_sent_time("fleetsim%2Dsent=9"), std::chrono::nanoseconds(9));
  EXPECT_FALSE(c2d_sent_time("kind=cmd"));
  EXPECT_FALSE(c2d_sent_time("fleetsim-sent=12x"));
  EXPECT_FALSE(c2d_sent_time(""));
}

}  // namespace
}  // namespace fleetsim::sim
