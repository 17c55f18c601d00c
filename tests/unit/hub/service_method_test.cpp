// Direct methods through the service API (reference 3.6, 2.10), sans-I/O: the call is deferred
// on a RestWaiter, the device's session is a recording fake, time is passed in.
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "hub/rest_waiter.hpp"
#include "hub/service/route.hpp"
#include "service_test_support.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::hub {
namespace {

using test::bit;
using test::FakeConnection;

class ServiceMethods : public test::ServiceFixture {
 protected:
  // POST {target} as the owner, with a waiter the answer may be deferred to.
  service::Response invoke(std::string_view target, std::string_view body, RestWaiter* to = nullptr) {
    token_ = test::policy_token(policy("iothubowner"));
    service::Request request;
    request.method = "POST";
    service::set_target(request, target);
    request.authorization = token_;
    request.body = body;
    request.content_type = "application/json; charset=utf-8";
    request.waiter = to != nullptr ? to : &waiter;
    return api.handle(context, request, test::test_now());
  }

  // The single method request `connection` was sent: name, rid, body.
  struct Sent {
    std::string method, rid, body;
  };
  static Sent sent_request(const FakeConnection& connection) {
    const auto publish = test::only_packet<mqtt::Publish>(connection.sent);
    const iothub::ParsedTopic topic = iothub::parse_topic(publish.topic);
    EXPECT_EQ(topic.kind, iothub::TopicKind::method_request) << publish.topic;
    EXPECT_EQ(publish.qos, 0);
    return {std::string(topic.method), std::string(topic.rid), std::string(mqtt::as_string(publish.payload))};
  }

  static boost::json::value json_of(const RestResponse& response) {
    return boost::json::parse(response.body);
  }

  // The "ErrorCode:{Name};" prefix of a RestResponse error body.
  static std::string error_of(const RestResponse& response) {
    const std::string message(json_of(response).at("Message").as_string());
    return message.substr(0, message.find(';'));
  }

  boost::asio::io_context io;
  RestWaiter waiter{io.get_executor()};
  FakeConnection device;

 private:
  std::string token_;
};

TEST_F(ServiceMethods, AnsweredCallPassesStatusAndPayloadThrough) {
  attach(device, "dev1", bit(Subscription::methods));
  invoke("/twins/dev1/methods?api-version=2021-04-12",
         R"({"methodName":"reboot","payload":{"delay":5},"responseTimeoutInSeconds":30})");
  ASSERT_TRUE(waiter.deferred());
  const Sent sent = sent_request(device);
  EXPECT_EQ(sent.method, "reboot");
  EXPECT_EQ(boost::json::parse(sent.body), boost::json::parse(R"({"delay":5})"));
  EXPECT_EQ(context.counters.methods_invoked.load(), 1U);

  publish(device, "$iothub/methods/res/201/?$rid=" + sent.rid, R"({"done":true})");
  EXPECT_FALSE(waiter.deferred());
  const auto answer = waiter.take_answer();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200U);
  EXPECT_EQ(answer->content_type, "application/json; charset=utf-8");
  EXPECT_EQ(json_of(*answer), boost::json::parse(R"({"status":201,"payload":{"done":true}})"));
  EXPECT_EQ(context.counters.methods_answered.load(), 1U);
  EXPECT_EQ(context.methods.size(), 0U);
}

TEST_F(ServiceMethods, NullPayloadIsSentAsNullAndEmptyOrTextAnswersAreKept) {
  attach(device, "dev1", bit(Subscription::methods));
  invoke("/twins/dev1/methods", R"({"methodName":"ping"})");
  Sent sent = sent_request(device);
  EXPECT_EQ(sent.body, "null");  // never empty: Node answers an empty body with its own 400
  publish(device, "$iothub/methods/res/200/?$rid=" + sent.rid, "");
  EXPECT_EQ(json_of(*waiter.take_answer()), boost::json::parse(R"({"status":200,"payload":null})"));

  device.sent.clear();
  invoke("/twins/dev1/methods", R"({"methodName":"ping","payload":"x"})");
  sent = sent_request(device);
  EXPECT_EQ(sent.body, "\"x\"");
  publish(device, "$iothub/methods/res/500/?$rid=" + sent.rid, "not json");
  EXPECT_EQ(json_of(*waiter.take_answer()), boost::json::parse(R"({"status":500,"payload":"not json"})"));
}

TEST_F(ServiceMethods, ModuleMethodGoesToTheModulesSession) {
  FakeConnection module;
  attach(device, "dev1", bit(Subscription::methods));
  attach(module, "dev1/mod1", bit(Subscription::methods));
  invoke("/twins/dev1/modules/mod1/methods", R"({"methodName":"calibrate","payload":[1,2]})");
  EXPECT_TRUE(device.sent.empty());
  const Sent sent = sent_request(module);
  EXPECT_EQ(sent.method, "calibrate");
  publish(module, "$iothub/methods/res/200/?$rid=" + sent.rid, "[3]");
  EXPECT_EQ(json_of(*waiter.take_answer()), boost::json::parse(R"({"status":200,"payload":[3]})"));
}

TEST_F(ServiceMethods, AnswersFromAnotherSessionOrForUnknownRidsAreIgnored) {
  FakeConnection other;
  attach(device, "dev1", bit(Subscription::methods));
  attach(other, "dev2", bit(Subscription::methods));
  invoke("/twins/dev1/methods", R"({"methodName":"m"})");
  const Sent sent = sent_request(device);
  EXPECT_EQ(publish(other, "$iothub/methods/res/200/?$rid=" + sent.rid, "1"), Verdict::keep_open);
  EXPECT_EQ(publish(device, "$iothub/methods/res/200/?$rid=ffff", "1"), Verdict::keep_open);
  EXPECT_EQ(publish(device, "$iothub/methods/res/200/?$rid=not-hex", "1"), Verdict::keep_open);
  EXPECT_TRUE(waiter.deferred());
  publish(device, "$iothub/methods/res/200/?$rid=" + sent.rid, "2");
  EXPECT_EQ(json_of(*waiter.take_answer()).at("payload"), 2);
}

TEST_F(ServiceMethods, OfflineOrNotSubscribedIs404103AtOnce) {
  service::Response offline = invoke("/twins/dev1/methods", R"({"methodName":"m"})");
  EXPECT_EQ(offline.status, 404);
  EXPECT_EQ(offline.error_code, "DeviceNotOnline");
  EXPECT_TRUE(message_of(offline).starts_with("ErrorCode:DeviceNotOnline;"));
  EXPECT_FALSE(waiter.deferred());

  attach(device, "dev1", bit(Subscription::twin_response) | bit(Subscription::desired));
  const service::Response unsubscribed = invoke("/twins/dev1/methods", R"({"methodName":"m"})");
  EXPECT_EQ(unsubscribed.status, 404);
  EXPECT_EQ(unsubscribed.error_code, "DeviceNotOnline");
  EXPECT_TRUE(device.sent.empty());
  EXPECT_EQ(context.counters.methods_offline.load(), 2U);
}

TEST_F(ServiceMethods, NoAnswerByTheDeadlineIs504101) {
  attach(device, "dev1", bit(Subscription::methods));
  invoke("/twins/dev1/methods", R"({"methodName":"slow","responseTimeoutInSeconds":5})");
  ASSERT_TRUE(waiter.deferred());
  const auto sent_at = RestWaiter::Clock::now();
  EXPECT_LE(waiter.deadline() - sent_at, std::chrono::seconds(5));
  EXPECT_GT(waiter.deadline() - sent_at, std::chrono::seconds(4));
  EXPECT_FALSE(waiter.check_deadline(waiter.deadline() - std::chrono::milliseconds(1), test::test_now()));
  EXPECT_TRUE(waiter.check_deadline(waiter.deadline(), test::test_now()));
  const auto answer = waiter.take_answer();
  EXPECT_EQ(answer->status, 504U);
  EXPECT_EQ(error_of(*answer), "ErrorCode:GatewayTimeout");
  EXPECT_EQ(context.counters.methods_timed_out.load(), 1U);
  // A late answer finds nobody waiting.
  publish(device, "$iothub/methods/res/200/?$rid=" + sent_request(device).rid, "1");
  EXPECT_EQ(context.counters.methods_answered.load(), 0U);
}

TEST_F(ServiceMethods, SessionClosingWhileACallWaitsAnswers404103AtOnce) {
  attach(device, "dev1", bit(Subscription::methods));
  RestWaiter second{io.get_executor()};
  invoke("/twins/dev1/methods", R"({"methodName":"a"})");
  invoke("/twins/dev1/methods", R"({"methodName":"b"})", &second);
  EXPECT_EQ(context.methods.size(), 2U);
  context.methods.session_closed(device.session(), test::test_now());
  for (RestWaiter* w : {&waiter, &second}) {
    const auto answer = w->take_answer();
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->status, 404U);
    EXPECT_EQ(error_of(*answer), "ErrorCode:DeviceNotOnline");
  }
  EXPECT_EQ(context.methods.size(), 0U);
}

TEST_F(ServiceMethods, ConnectTimeoutWaitsForTheSubscriptionThenSendsAfterTheSuback) {
  invoke("/twins/dev1/methods", R"({"methodName":"late","payload":7,"connectTimeoutInSeconds":20})");
  ASSERT_TRUE(waiter.deferred());
  EXPECT_EQ(context.counters.methods_invoked.load(), 0U);

  attach(device, "dev1");
  const mqtt::Subscription filter{"$iothub/methods/POST/#", 0};
  mqtt::Subscribe subscribe;
  subscribe.packet_id = 4;
  subscribe.filters = std::span(&filter, 1);
  out.clear();
  ASSERT_EQ(handle_packet(context, device, subscribe, test::test_now(), out), Verdict::keep_open);
  const auto packets = test::decode_all(out);
  ASSERT_EQ(packets.size(), 2U);
  EXPECT_TRUE(std::holds_alternative<mqtt::Suback>(packets[0]));
  const auto& request = std::get<mqtt::Publish>(packets[1]);
  const iothub::ParsedTopic topic = iothub::parse_topic(request.topic);
  EXPECT_EQ(topic.method, "late");
  EXPECT_EQ(mqtt::as_string(request.payload), "7");
  EXPECT_EQ(context.counters.methods_invoked.load(), 1U);
  // The response timeout (30 s by default) runs from the send.
  EXPECT_GT(waiter.deadline() - RestWaiter::Clock::now(), std::chrono::seconds(25));

  publish(device, "$iothub/methods/res/200/?$rid=" + std::string(topic.rid), "{}");
  EXPECT_EQ(waiter.take_answer()->status, 200U);
}

TEST_F(ServiceMethods, ConnectTimeoutPassingIs404103) {
  invoke("/twins/dev1/methods", R"({"methodName":"never","connectTimeoutInSeconds":5})");
  ASSERT_TRUE(waiter.deferred());
  EXPECT_TRUE(waiter.check_deadline(waiter.deadline(), test::test_now()));
  const auto answer = waiter.take_answer();
  EXPECT_EQ(answer->status, 404U);
  EXPECT_EQ(error_of(*answer), "ErrorCode:DeviceNotOnline");
  EXPECT_EQ(context.methods.size(), 0U);
}

TEST_F(ServiceMethods, AWaiterGoingAwayIsForgotten) {
  attach(device, "dev1", bit(Subscription::methods));
  {
    RestWaiter short_lived{io.get_executor()};
    invoke("/twins/dev1/methods", R"({"methodName":"m"})", &short_lived);
    EXPECT_EQ(context.methods.size(), 1U);
  }
  EXPECT_EQ(context.methods.size(), 0U);
  invoke("/twins/dev1/methods", R"({"methodName":"m","connectTimeoutInSeconds":9})");
  waiter.abandon();
  EXPECT_EQ(context.methods.size(), 0U);
  EXPECT_FALSE(waiter.take_answer().has_value());
}

TEST_F(ServiceMethods, BadCallsAre400AndUnknownIdentities404) {
  for (const char* body : {R"({"payload":1})", R"({"methodName":""})", R"({"methodName":"a b"})",
                           R"({"methodName":"a/b"})", R"({"methodName":"$x"})", R"({"methodName":"q?"})",
                           R"({"methodName":7})", R"({"methodName":"m","responseTimeoutInSeconds":4})",
                           R"({"methodName":"m","responseTimeoutInSeconds":301})",
                           R"({"methodName":"m","responseTimeoutInSeconds":"30"})",
                           R"({"methodName":"m","responseTimeoutInSeconds":1.5})",
                           R"({"methodName":"m","connectTimeoutInSeconds":-1})",
                           R"({"methodName":"m","connectTimeoutInSeconds":301})"}) {
    const service::Response refused = invoke("/twins/dev1/methods", body);
    EXPECT_EQ(refused.status, 400) << body;
    EXPECT_EQ(refused.error_code, "ArgumentInvalid") << body;
  }
  EXPECT_EQ(invoke("/twins/dev1/methods", "[1]").status, 400);
  EXPECT_EQ(invoke("/twins/dev1/methods", "{").error_code, "IotHubFormatError");
  EXPECT_EQ(invoke("/twins/ghost/methods", R"({"methodName":"m"})").error_code, "DeviceNotFound");
  EXPECT_EQ(invoke("/twins/dev1/modules/ghost/methods", R"({"methodName":"m"})").error_code,
            "ModuleNotFound");
  const std::string big = R"({"methodName":"m","payload":")" + std::string(128 * 1024, 'x') + "\"}";
  const service::Response too_large = invoke("/twins/dev1/methods", big);
  EXPECT_EQ(too_large.status, 413);
  EXPECT_EQ(too_large.error_code, "MessageTooLarge");
  // The limits themselves are accepted; PnP component commands use '*'.
  attach(device, "dev1", bit(Subscription::methods));
  for (const char* body :
       {R"({"methodName":"thermostat*reset","responseTimeoutInSeconds":5})",
        R"({"methodName":"m","responseTimeoutInSeconds":300,"connectTimeoutInSeconds":300})"}) {
    RestWaiter w{io.get_executor()};
    invoke("/twins/dev1/methods", body, &w);
    EXPECT_TRUE(w.deferred()) << body;
  }
  EXPECT_FALSE(waiter.deferred());
}

TEST_F(ServiceMethods, RoutesAndPermission) {
  EXPECT_EQ(service::match_route("POST", "/twins/d/methods").route.operation,
            service::Operation::invoke_method);
  const auto module = service::match_route("POST", "/twins/d/modules/m/methods");
  EXPECT_EQ(module.route.operation, service::Operation::invoke_method);
  EXPECT_EQ(module.route.module_id, "m");
  EXPECT_EQ(service::match_route("GET", "/twins/d/methods").allow, "POST");
  EXPECT_EQ(service::permission_of(service::Operation::invoke_method), service::Permission::service_connect);
  // A registry-only policy may not invoke (ServiceConnect).
  const std::string token = test::policy_token(policy("registryReadWrite"));
  service::Request request;
  request.method = "POST";
  service::set_target(request, "/twins/dev1/methods");
  request.authorization = token;
  request.body = R"({"methodName":"m"})";
  request.waiter = &waiter;
  EXPECT_EQ(api.handle(context, request, test::test_now()).status, 401);
}

}  // namespace
}  // namespace fleetsim::hub
