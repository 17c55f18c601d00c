// Direct methods and cloud-to-device messages through the hub over real loopback sockets: the
// service side speaks HTTP/1.1 to the hub's REST listener, the device side MQTT (reference 3.6,
// 3.8, 2.7, 2.10). A method call's answer is deferred while the hub thread keeps serving others.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>

#include "hub/hub.hpp"
#include "support/mqtt_test_client.hpp"
#include "transports/iothub/sas.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::hub {
namespace {

namespace http = boost::beast::http;
using mqtt::ConnackCode;
using test::MqttTestClient;
using test::TestConnection;
using test::TestTransport;
using Clock = std::chrono::steady_clock;

constexpr std::string_view device_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
constexpr std::string_view module_key = "bW9kdWxlLWtleS1tb2R1bGUta2V5LW1vZHVsZS1rZXk=";

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

using Response = http::response<http::string_body>;

// Concatenation by appending: GCC 12 warns (-Wrestrict, falsely) on `"a" + std::string + "b"`.
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string text;
  (text.append(std::string_view(parts)), ...);
  return text;
}

// Reads one HTTP response from `connection` by `deadline`; nullopt if the connection closed or
// the time passed first.
std::optional<Response> read_response(TestConnection& connection, Clock::time_point deadline) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  std::vector<std::uint8_t> in;
  for (;;) {
    if (!in.empty()) {
      boost::system::error_code ec;
      const std::size_t used = parser.put(boost::asio::buffer(in), ec);
      in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(used));
      if (parser.is_done()) return parser.release();
      if (ec && ec != http::error::need_more) return std::nullopt;
      if (used > 0 && !in.empty()) continue;
    }
    if (connection.read_more(in, deadline) != TestConnection::ReadResult::data) return std::nullopt;
  }
}

class HubCalls : public ::testing::Test {
 protected:
  HubCalls() : hub_(config()) {
    EXPECT_TRUE(hub_.add_device("dev1", device_key));
    EXPECT_TRUE(hub_.add_module("dev1", "mod1", module_key));
    hub_.start();
    const auto cs = iothub::parse_connection_string(hub_.service_connection_string());
    EXPECT_TRUE(cs.has_value());
    const auto token = iothub::make_sas_token("localhost", cs->shared_access_key, unix_now() + 3600,
                                              cs->shared_access_key_name);
    EXPECT_TRUE(token.has_value());
    service_token_ = token.value_or("");
  }

  static HubConfig config() {
    HubConfig c;
    c.http_port = 0;
    return c;
  }

  // A session connected as `device`[/`module`] and subscribed to `filter`.
  std::unique_ptr<MqttTestClient> session(std::string_view filter, std::uint8_t qos = 0,
                                          std::string_view module = {}) {
    auto c = std::make_unique<MqttTestClient>(hub_.mqtt_port());
    std::string client_id = "dev1";
    std::string username = "localhost/dev1/";
    if (!module.empty()) {
      client_id = cat("dev1/", module);
      username = cat(username, module, "/");
    }
    username += "?api-version=2021-04-12";
    const auto token = iothub::make_sas_token(iothub::resource_uri("localhost", "dev1", module),
                                              module.empty() ? device_key : module_key, unix_now() + 3600);
    EXPECT_EQ(c->connect(client_id, username, token.value_or("")), ConnackCode::accepted);
    EXPECT_EQ(c->subscribe(filter, qos), qos);
    return c;
  }

  std::unique_ptr<TestConnection> http_connection() {
    return std::make_unique<TestConnection>(hub_.http_port(), TestTransport::tcp());
  }

  // Writes a POST with `headers` (each "Name: value\r\n").
  void post(TestConnection& connection, std::string_view target, std::string_view body,
            std::string_view headers = "Content-Type: application/json; charset=utf-8\r\n") {
    const std::string length = std::to_string(body.size());
    const std::string request =
        cat("POST ", target, "?api-version=2021-04-12 HTTP/1.1\r\nHost: localhost\r\n",
            "Authorization: ", service_token_, "\r\n", headers, "Content-Length: ", length, "\r\n\r\n", body);
    connection.write(mqtt::as_bytes(request));
  }

  static boost::json::value json_of(const Response& response) { return boost::json::parse(response.body()); }

  Hub hub_;
  std::string service_token_;
};

TEST_F(HubCalls, MethodAnsweredByTheDeviceOnAKeepAliveConnection) {
  auto device = session("$iothub/methods/POST/#");
  auto service = http_connection();
  for (int round = 0; round < 2; ++round) {
    post(*service, "/twins/dev1/methods",
         R"({"methodName":"reboot","payload":{"delay":5},"responseTimeoutInSeconds":10})");
    const auto request = device->receive_as<mqtt::Publish>();
    ASSERT_TRUE(request.has_value());
    const iothub::ParsedTopic topic = iothub::parse_topic(request->topic);
    ASSERT_EQ(topic.kind, iothub::TopicKind::method_request);
    EXPECT_EQ(topic.method, "reboot");
    EXPECT_EQ(boost::json::parse(mqtt::as_string(request->payload)), boost::json::parse(R"({"delay":5})"));
    device->publish(cat("$iothub/methods/res/202/?$rid=", topic.rid), R"({"rebooting":true})");

    const auto response = read_response(*service, Clock::now() + std::chrono::seconds(5));
    ASSERT_TRUE(response.has_value()) << round;
    EXPECT_EQ(response->result_int(), 200U);
    EXPECT_EQ((*response)[http::field::content_type], "application/json; charset=utf-8");
    EXPECT_EQ(json_of(*response), boost::json::parse(R"({"status":202,"payload":{"rebooting":true}})"));
  }
}

TEST_F(HubCalls, ModuleMethodAndTheHubKeepsServingWhileACallWaits) {
  auto module = session("$iothub/methods/POST/#", 0, "mod1");
  auto caller = http_connection();
  post(*caller, "/twins/dev1/modules/mod1/methods", R"({"methodName":"calibrate"})");
  const auto request = module->receive_as<mqtt::Publish>();
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(mqtt::as_string(request->payload), "null");
  const std::string rid(iothub::parse_topic(request->topic).rid);  // views end with the next receive

  // Meanwhile: another REST client and the module's twin are served.
  auto other = http_connection();
  const std::string get = cat("GET /devices/dev1?api-version=2021-04-12 HTTP/1.1\r\nHost: localhost\r\n",
                              "Authorization: ", service_token_, "\r\n\r\n");
  other->write(mqtt::as_bytes(get));
  const auto device_info = read_response(*other, Clock::now() + std::chrono::seconds(5));
  ASSERT_TRUE(device_info.has_value());
  EXPECT_EQ(device_info->result_int(), 200U);
  EXPECT_EQ(module->subscribe("$iothub/twin/res/#", 0, 2), 0);
  module->publish("$iothub/twin/GET/?$rid=g1", " ");
  const auto twin = module->receive_as<mqtt::Publish>();
  ASSERT_TRUE(twin.has_value());
  EXPECT_EQ(twin->topic, "$iothub/twin/res/200/?$rid=g1");

  module->publish(cat("$iothub/methods/res/200/?$rid=", rid), "");
  const auto response = read_response(*caller, Clock::now() + std::chrono::seconds(5));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(json_of(*response), boost::json::parse(R"({"status":200,"payload":null})"));
}

TEST_F(HubCalls, OfflineIs404103) {
  auto service = http_connection();
  post(*service, "/twins/dev1/methods", R"({"methodName":"m"})");
  const auto response = read_response(*service, Clock::now() + std::chrono::seconds(5));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 404U);
  EXPECT_EQ((*response)["iothub-errorcode"], "DeviceNotOnline");
}

TEST_F(HubCalls, DisconnectWhileACallWaitsAnswers404103AtOnce) {
  auto device = session("$iothub/methods/POST/#");
  auto service = http_connection();
  post(*service, "/twins/dev1/methods", R"({"methodName":"m","responseTimeoutInSeconds":60})");
  ASSERT_TRUE(device->receive_as<mqtt::Publish>().has_value());
  const auto dropped_at = Clock::now();
  device.reset();  // the socket closes without an answer
  const auto response = read_response(*service, Clock::now() + std::chrono::seconds(5));
  ASSERT_TRUE(response.has_value());
  EXPECT_LT(Clock::now() - dropped_at, std::chrono::seconds(3));
  EXPECT_EQ(response->result_int(), 404U);
  EXPECT_EQ((*response)["iothub-errorcode"], "DeviceNotOnline");
}

TEST_F(HubCalls, NoAnswerWithinTheResponseTimeoutIs504101) {
  auto device = session("$iothub/methods/POST/#");
  auto service = http_connection();
  const auto sent_at = Clock::now();
  post(*service, "/twins/dev1/methods", R"({"methodName":"m","responseTimeoutInSeconds":5})");
  ASSERT_TRUE(device->receive_as<mqtt::Publish>().has_value());
  const auto response = read_response(*service, Clock::now() + std::chrono::seconds(10));
  ASSERT_TRUE(response.has_value());
  const auto waited = Clock::now() - sent_at;
  EXPECT_GE(waited, std::chrono::milliseconds(4900));
  EXPECT_LT(waited, std::chrono::seconds(8));
  EXPECT_EQ(response->result_int(), 504U);
  EXPECT_EQ((*response)["iothub-errorcode"], "GatewayTimeout");
}

TEST_F(HubCalls, ConnectTimeoutWaitsForTheDeviceToSubscribe) {
  auto service = http_connection();
  post(*service, "/twins/dev1/methods", R"({"methodName":"hello","connectTimeoutInSeconds":20})");
  auto device = session("$iothub/methods/POST/#");  // SUBACK first, then the call
  const auto request = device->receive_as<mqtt::Publish>();
  ASSERT_TRUE(request.has_value());
  const iothub::ParsedTopic topic = iothub::parse_topic(request->topic);
  EXPECT_EQ(topic.method, "hello");
  device->publish(cat("$iothub/methods/res/200/?$rid=", topic.rid), "\"hi\"");
  const auto response = read_response(*service, Clock::now() + std::chrono::seconds(5));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(json_of(*response), boost::json::parse(R"({"status":200,"payload":"hi"})"));
}

TEST_F(HubCalls, StoppingTheHubWhileACallWaitsEndsCleanly) {
  auto device = session("$iothub/methods/POST/#");
  auto waiting_for_device = http_connection();
  auto waiting_for_answer = http_connection();
  post(*waiting_for_device, "/twins/dev1/modules/mod1/methods",
       R"({"methodName":"m","connectTimeoutInSeconds":60})");
  post(*waiting_for_answer, "/twins/dev1/methods", R"({"methodName":"m","responseTimeoutInSeconds":60})");
  ASSERT_TRUE(device->receive_as<mqtt::Publish>().has_value());
  const auto stopping = Clock::now();
  hub_.stop();
  EXPECT_LT(Clock::now() - stopping, std::chrono::seconds(5));
  // Neither caller gets an answer: their connections just end.
  EXPECT_FALSE(read_response(*waiting_for_device, Clock::now() + std::chrono::seconds(5)).has_value());
  EXPECT_FALSE(read_response(*waiting_for_answer, Clock::now() + std::chrono::seconds(5)).has_value());
  // And the hub serves again after a restart.
  hub_.start();
  auto again = session("$iothub/methods/POST/#");
  EXPECT_TRUE(again->nothing_within(std::chrono::milliseconds(200)));
}

TEST_F(HubCalls, C2dQueuedOfflineDeliveredOnSubscribeAndRedeliveredWithoutPuback) {
  auto service = http_connection();
  post(*service, "/devices/dev1/messages/devicebound", "switch on",
       "Content-Type: text/plain\r\niothub-messageid: order-1\r\niothub-correlationid: c-9\r\n"
       "iothub-ack: full\r\niothub-app-priority: high\r\n");
  const auto accepted = read_response(*service, Clock::now() + std::chrono::seconds(5));
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(accepted->result_int(), 204U);
  EXPECT_EQ((*accepted)["iothub-messageid"], "order-1");

  {
    auto device = session("devices/dev1/messages/devicebound/#", 1);
    const auto message = device->receive_as<mqtt::Publish>();
    ASSERT_TRUE(message.has_value());
    EXPECT_EQ(message->qos, 1);
    EXPECT_FALSE(message->dup);
    EXPECT_EQ(mqtt::as_string(message->payload), "switch on");
    const iothub::ParsedTopic topic = iothub::parse_topic(message->topic);
    ASSERT_EQ(topic.kind, iothub::TopicKind::c2d);
    std::map<std::string, std::string> bag;
    iothub::for_each_property(topic.bag, [&](std::string_view k, std::string_view v) {
      bag.emplace(std::string(k), std::string(v));
    });
    EXPECT_EQ(bag["$.mid"], "order-1");
    EXPECT_EQ(bag["$.cid"], "c-9");
    EXPECT_EQ(bag["iothub-ack"], "full");
    EXPECT_EQ(bag["priority"], "high");
  }  // gone without a PUBACK

  auto device = session("devices/dev1/messages/devicebound/#", 1);
  const auto again = device->receive_as<mqtt::Publish>();
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->dup);
  EXPECT_EQ(mqtt::as_string(again->payload), "switch on");
  device->send(mqtt::Puback{again->packet_id});

  auto third = session("devices/dev1/messages/devicebound/#", 1);  // takes over; nothing left
  EXPECT_TRUE(third->nothing_within(std::chrono::milliseconds(300)));
}

TEST_F(HubCalls, C2dToAConnectedDeviceAndTheLimits) {
  auto device = session("devices/dev1/messages/devicebound/#", 1);
  auto service = http_connection();
  post(*service, "/devices/dev1/messages/devicebound", R"({"n":1})");
  const auto accepted = read_response(*service, Clock::now() + std::chrono::seconds(5));
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(accepted->result_int(), 204U);
  EXPECT_EQ((*accepted)["iothub-messageid"].size(), 36U);
  const auto message = device->receive_as<mqtt::Publish>();
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(mqtt::as_string(message->payload), R"({"n":1})");
  device->send(mqtt::Puback{message->packet_id});

  post(*service, "/devices/dev1/messages/devicebound", std::string(64 * 1024 + 1, 'x'));
  const auto too_large = read_response(*service, Clock::now() + std::chrono::seconds(5));
  ASSERT_TRUE(too_large.has_value());
  EXPECT_EQ(too_large->result_int(), 413U);
  EXPECT_EQ((*too_large)["iothub-errorcode"], "MessageTooLarge");

  post(*service, "/devices/ghost/messages/devicebound", "x");
  const auto unknown = read_response(*service, Clock::now() + std::chrono::seconds(5));
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->result_int(), 404U);
  EXPECT_EQ((*unknown)["iothub-errorcode"], "DeviceNotFound");
}

}  // namespace
}  // namespace fleetsim::hub
