// The hub's MQTT device endpoint over real loopback TCP, driven by the codec-built test client.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <boost/json/parse.hpp>

#include "hub/hub.hpp"
#include "support/mqtt_test_client.hpp"
#include "transports/iothub/sas.hpp"

namespace fleetsim::hub {
namespace {

using mqtt::ConnackCode;
using test::MqttTestClient;

// base64 of "0123456789abcdef0123456789abcdef" and of "module-key-module-key-module-key"
constexpr std::string_view device_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
constexpr std::string_view module_key = "bW9kdWxlLWtleS1tb2R1bGUta2V5LW1vZHVsZS1rZXk=";

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

// Polls a hub-side condition until it holds or a generous deadline passes (counters are updated
// on the hub thread, a moment after the client observed the effect).
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

class HubEndpoint : public ::testing::Test {
 protected:
  HubEndpoint() : hub_(HubConfig{}) {
    EXPECT_TRUE(hub_.add_device("dev1", device_key));
    EXPECT_TRUE(hub_.add_device("dev2", device_key));
    EXPECT_TRUE(hub_.add_module("dev1", "mod1", module_key));
    hub_.start();
  }

  static std::string username(std::string_view device, std::string_view module = {}) {
    std::string u = "localhost/" + std::string(device) + "/";
    if (!module.empty()) u += std::string(module) + "/";
    return u + "?api-version=2021-04-12";
  }
  static std::string token(std::string_view device, std::string_view module = {},
                           std::string_view key = device_key, std::int64_t ttl_s = 3600) {
    const auto t = iothub::make_sas_token(iothub::resource_uri("localhost", device, module), key,
                                          unix_now() + static_cast<std::uint64_t>(ttl_s));
    EXPECT_TRUE(t.has_value());
    return t.value_or("");
  }

  std::unique_ptr<MqttTestClient> client() { return std::make_unique<MqttTestClient>(hub_.mqtt_port()); }
  // A session connected as `device`, subscribed to twin responses.
  std::unique_ptr<MqttTestClient> session(std::string_view device, std::uint16_t keep_alive = 60) {
    auto c = client();
    EXPECT_EQ(c->connect(device, username(device), token(device), keep_alive), ConnackCode::accepted);
    EXPECT_EQ(c->subscribe("$iothub/twin/res/#"), 0);
    return c;
  }

  // Publishes on `topic` and returns the twin response: topic and parsed body (null if empty).
  std::pair<std::string, boost::json::value> twin_request(MqttTestClient& c, std::string_view topic,
                                                          std::string_view body) {
    c.publish(topic, body);
    const auto response = c.receive_as<mqtt::Publish>();
    if (!response) return {"<none>", nullptr};
    boost::json::value json = nullptr;
    if (!response->payload.empty()) json = boost::json::parse(mqtt::as_string(response->payload));
    return {std::string(response->topic), json};
  }

  Hub hub_;
};

TEST_F(HubEndpoint, AcceptsADeviceAndAModule) {
  auto device = client();
  EXPECT_EQ(device->connect("dev1", username("dev1"), token("dev1")), ConnackCode::accepted);
  auto module = client();
  EXPECT_EQ(module->connect("dev1/mod1", username("dev1", "mod1"), token("dev1", "mod1", module_key)),
            ConnackCode::accepted);
  EXPECT_TRUE(eventually([&] { return hub_.stats().connects_accepted == 2; }));
  EXPECT_EQ(hub_.stats().connections_open, 2U);
  EXPECT_EQ(hub_.twin_json("dev1", "")->at("connectionState"), "Connected");
}

TEST_F(HubEndpoint, RefusesWithConnackThenCloses) {
  ASSERT_TRUE(hub_.add_device("off", device_key));
  ASSERT_TRUE(hub_.set_enabled("off", "", false));
  struct Case {
    const char* name;
    std::string client_id, username, password;
    std::uint8_t level;
    ConnackCode expected;
  };
  const Case cases[] = {
      {"bad sas", "dev1", username("dev1"), token("dev1", "", module_key), 4, ConnackCode::not_authorized},
      {"expired", "dev1", username("dev1"), token("dev1", "", device_key, -10), 4,
       ConnackCode::not_authorized},
      {"unknown device", "ghost", username("ghost"), token("ghost"), 4, ConnackCode::not_authorized},
      {"wrong client id", "dev2", username("dev1"), token("dev1"), 4, ConnackCode::not_authorized},
      {"disabled", "off", username("off"), token("off"), 4, ConnackCode::not_authorized},
      {"mqtt 3.1", "dev1", username("dev1"), token("dev1"), 3, ConnackCode::unacceptable_protocol_version},
  };
  for (const Case& c : cases) {
    auto refused = client();
    EXPECT_EQ(refused->connect(c.client_id, c.username, c.password, 60, c.level), c.expected) << c.name;
    EXPECT_TRUE(refused->wait_closed()) << c.name;
  }
  EXPECT_TRUE(eventually([&] { return hub_.stats().connects_refused == std::size(cases); }));
  EXPECT_TRUE(eventually([&] { return hub_.stats().connections_open == 0; }));
}

TEST_F(HubEndpoint, TwinGetReturnsBothSectionVersions) {
  auto device = session("dev1");
  const auto [topic, body] = twin_request(*device, "$iothub/twin/GET/?$rid=abc-1", " ");
  EXPECT_EQ(topic, "$iothub/twin/res/200/?$rid=abc-1");
  EXPECT_EQ(body, boost::json::parse(R"({"desired":{"$version":1},"reported":{"$version":1}})"));
}

TEST_F(HubEndpoint, ReportedPatchBumpsTheVersionAndGetShowsIt) {
  auto device = session("dev1");
  const auto [topic, body] =
      twin_request(*device, "$iothub/twin/PATCH/properties/reported/?$rid=2", R"({"fw":"1.0"})");
  EXPECT_EQ(topic, "$iothub/twin/res/204/?$rid=2&$version=2");
  EXPECT_TRUE(body.is_null());
  const auto [get_topic, twin] = twin_request(*device, "$iothub/twin/GET/?$rid=3", "");
  EXPECT_EQ(get_topic, "$iothub/twin/res/200/?$rid=3");
  EXPECT_EQ(twin.at("reported"), boost::json::parse(R"({"fw":"1.0","$version":2})"));
  EXPECT_EQ(hub_.twin_json("dev1", "")->at("properties").at("reported").at("fw"), "1.0");
}

TEST_F(HubEndpoint, InvalidReportedPatchIs400WithAnErrorCode) {
  auto device = session("dev1");
  std::string deep;
  for (int i = 0; i < 12; ++i) deep += R"({"k":)";
  deep += "1" + std::string(12, '}');
  for (const std::string& patch : {std::string(R"({"$bad":1})"), deep}) {
    const auto [topic, body] = twin_request(*device, "$iothub/twin/PATCH/properties/reported/?$rid=9", patch);
    EXPECT_EQ(topic, "$iothub/twin/res/400/?$rid=9") << patch;
    ASSERT_TRUE(body.is_object()) << patch;
    EXPECT_EQ(body.at("errorCode").to_number<int>() / 1000, 400) << patch;
    EXPECT_TRUE(body.as_object().contains("message"));
  }
  const auto [topic, twin] = twin_request(*device, "$iothub/twin/GET/?$rid=10", "");
  EXPECT_EQ(twin.at("reported").at("$version"), 1);
}

TEST_F(HubEndpoint, DesiredChangeReachesOnlySubscribedSessions) {
  auto subscribed = session("dev1");
  ASSERT_EQ(subscribed->subscribe("$iothub/twin/PATCH/properties/desired/#", 0, 2), 0);
  auto unsubscribed = session("dev2");

  ASSERT_TRUE(hub_.update_desired("dev1", "", boost::json::parse(R"({"interval":10})")));
  ASSERT_TRUE(hub_.update_desired("dev2", "", boost::json::parse(R"({"interval":20})")));
  const auto push = subscribed->receive_as<mqtt::Publish>();
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->topic, "$iothub/twin/PATCH/properties/desired/?$version=2");
  EXPECT_EQ(boost::json::parse(mqtt::as_string(push->payload)),
            boost::json::parse(R"({"interval":10,"$version":2})"));
  EXPECT_TRUE(unsubscribed->nothing_within(std::chrono::milliseconds(200)));
  EXPECT_EQ(hub_.stats().desired_pushed, 1U);
  EXPECT_FALSE(hub_.update_desired("ghost", "", boost::json::parse(R"({"a":1})")));
}

// A desired patch of about 28 KB (seven 4 KB strings, the largest a twin string may be).
boost::json::value big_desired_patch(int n) {
  boost::json::object patch;
  for (int i = 0; i < 7; ++i) {
    const char key[] = {'k', static_cast<char>('0' + i), '\0'};
    patch[key] = std::string(4000, static_cast<char>('a' + (n + i) % 26));
  }
  return patch;
}

TEST_F(HubEndpoint, LargeOutputToASlowReaderArrivesInOrder) {
  auto device = std::make_unique<MqttTestClient>(hub_.mqtt_port(), "127.0.0.1", 8 * 1024);
  ASSERT_EQ(device->connect("dev1", username("dev1"), token("dev1")), ConnackCode::accepted);
  ASSERT_EQ(device->subscribe("$iothub/twin/PATCH/properties/desired/#", 0, 2), 0);
  // About 850 KB pushed while the client, with an 8 KB receive buffer, reads nothing; all of it
  // must arrive, in order (below the hub's bound on unsent output).
  constexpr int pushes = 30;
  for (int n = 0; n < pushes; ++n) ASSERT_TRUE(hub_.update_desired("dev1", "", big_desired_patch(n)));
  for (int n = 0; n < pushes; ++n) {
    const auto push = device->receive_as<mqtt::Publish>();
    ASSERT_TRUE(push.has_value()) << n;
    std::string expected = "$iothub/twin/PATCH/properties/desired/?$version=";
    expected.append(std::to_string(n + 2));
    EXPECT_EQ(push->topic, expected);
  }
  EXPECT_EQ(hub_.stats().slow_consumers, 0U);
}

TEST_F(HubEndpoint, ASessionThatNeverReadsIsClosedOnceItsOutputIsBounded) {
  auto device = session("dev1");
  ASSERT_EQ(device->subscribe("$iothub/twin/PATCH/properties/desired/#", 0, 2), 0);
  // Socket buffers absorb a few MB; past them the hub queues at most 1 MB, then gives up.
  int n = 0;
  while (hub_.stats().slow_consumers == 0 && n < 2000) {
    ASSERT_TRUE(hub_.update_desired("dev1", "", big_desired_patch(n++)));
  }
  EXPECT_EQ(hub_.stats().slow_consumers, 1U);
  EXPECT_TRUE(eventually([&] { return hub_.stats().connections_open == 0; }));
  EXPECT_TRUE(device->wait_closed());
}

TEST_F(HubEndpoint, TelemetryQos1IsAcknowledgedWithTheSameId) {
  auto device = session("dev1");
  device->publish("devices/dev1/messages/events/%24.ct=application%2Fjson", R"({"t":21.5})", 1, 7);
  const auto puback = device->receive_as<mqtt::Puback>();
  ASSERT_TRUE(puback.has_value());
  EXPECT_EQ(puback->packet_id, 7);
  EXPECT_EQ(hub_.stats().telemetry_received, 1U);
}

TEST_F(HubEndpoint, AnotherDevicesTopicsDisconnectWithoutHarmingIt) {
  auto a = session("dev1");
  auto b = session("dev2");
  a->publish("devices/dev2/messages/events/", "spoof", 1, 1);
  EXPECT_TRUE(a->wait_closed());

  auto a2 = session("dev1");
  mqtt::Subscription filter{"devices/dev2/messages/devicebound/#", 1};
  mqtt::Subscribe subscribe;
  subscribe.packet_id = 3;
  subscribe.filters = std::span(&filter, 1);
  a2->send(subscribe);
  EXPECT_TRUE(a2->wait_closed());
  EXPECT_TRUE(eventually([&] { return hub_.stats().forbidden_topics == 2; }));

  b->send(mqtt::Pingreq{});
  EXPECT_TRUE(b->receive_as<mqtt::Pingresp>().has_value());
  b->publish("devices/dev2/messages/events/", "mine", 1, 4);
  EXPECT_TRUE(b->receive_as<mqtt::Puback>().has_value());
}

TEST_F(HubEndpoint, Qos2PublishDisconnects) {
  auto device = session("dev1");
  device->publish("devices/dev1/messages/events/", "x", 2, 5);
  EXPECT_TRUE(device->wait_closed());
}

TEST_F(HubEndpoint, GarbageClosesOnlyThatConnection) {
  auto good = session("dev2");
  auto bad = session("dev1");
  const std::uint8_t garbage[] = {0xf0, 0x00, 0xde, 0xad, 0xbe, 0xef};  // reserved type 15
  bad->send_raw(garbage);
  EXPECT_TRUE(bad->wait_closed());
  EXPECT_TRUE(eventually([&] { return hub_.stats().protocol_errors == 1; }));

  auto never_connected = client();
  never_connected->send_raw(garbage);
  EXPECT_TRUE(never_connected->wait_closed());

  const auto [topic, body] = twin_request(*good, "$iothub/twin/GET/?$rid=1", "");
  EXPECT_EQ(topic, "$iothub/twin/res/200/?$rid=1");
}

TEST_F(HubEndpoint, OversizedPacketCloses) {
  auto device = session("dev1");
  // PUBLISH announcing 1 MB (remaining length 0x80 0x80 0x40): refused from its header alone.
  const std::uint8_t header[] = {0x30, 0x80, 0x80, 0x40, 0x00, 0x01, 'x'};
  device->send_raw(header);
  EXPECT_TRUE(device->wait_closed());
  EXPECT_TRUE(eventually([&] { return hub_.stats().protocol_errors == 1; }));
}

TEST_F(HubEndpoint, PacketsSplitAcrossWritesAreReassembled) {
  auto device = session("dev1");
  std::vector<std::uint8_t> bytes;
  mqtt::Publish publish;
  publish.topic = "devices/dev1/messages/events/";
  const std::string payload(100 * 1024, 'p');  // larger than one read of the hub
  publish.payload = mqtt::as_bytes(payload);
  publish.qos = 1;
  publish.packet_id = 42;
  mqtt::encode(publish, bytes);
  mqtt::encode(mqtt::Pingreq{}, bytes);
  const std::size_t cuts[] = {1, 3, 70'000, bytes.size() - 1, bytes.size()};
  std::size_t from = 0;
  for (const std::size_t to : cuts) {
    device->send_raw(mqtt::Bytes(bytes).subspan(from, to - from));
    from = to;
  }
  const auto puback = device->receive_as<mqtt::Puback>();
  ASSERT_TRUE(puback.has_value());
  EXPECT_EQ(puback->packet_id, 42);
  EXPECT_TRUE(device->receive_as<mqtt::Pingresp>().has_value());
}

TEST_F(HubEndpoint, SecondConnectOfTheSameIdentityClosesTheFirst) {
  auto first = session("dev1");
  auto second = session("dev1");
  EXPECT_TRUE(first->wait_closed());
  const auto [topic, body] = twin_request(*second, "$iothub/twin/GET/?$rid=1", "");
  EXPECT_EQ(topic, "$iothub/twin/res/200/?$rid=1");
}

TEST_F(HubEndpoint, DisablingDropsTheLiveConnection) {
  auto device = session("dev1");
  ASSERT_TRUE(hub_.set_enabled("dev1", "", false));
  EXPECT_TRUE(device->wait_closed());
  auto again = client();
  EXPECT_EQ(again->connect("dev1", username("dev1"), token("dev1")), ConnackCode::not_authorized);
}

TEST_F(HubEndpoint, SilentClientIsDroppedAfterOneAndAHalfKeepAlives) {
  auto silent = session("dev1", 1);
  auto chatty = session("dev2", 1);
  // chatty pings every 500 ms for a while; silent says nothing. Bounded: 1.5 s of silence is
  // allowed and the sweep runs every second, so 5 s is ample.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool silent_closed = false;
  while (!silent_closed && std::chrono::steady_clock::now() < deadline) {
    chatty->send(mqtt::Pingreq{});
    ASSERT_TRUE(chatty->receive_as<mqtt::Pingresp>().has_value());
    silent_closed = silent->wait_closed(std::chrono::milliseconds(500));
  }
  EXPECT_TRUE(silent_closed);
  EXPECT_GE(hub_.stats().keep_alive_expired, 1U);
  chatty->send(mqtt::Pingreq{});
  EXPECT_TRUE(chatty->receive_as<mqtt::Pingresp>().has_value());
}

TEST_F(HubEndpoint, StopClosesEveryConnection) {
  auto device = session("dev1");
  hub_.stop();
  EXPECT_TRUE(device->wait_closed());
  EXPECT_EQ(hub_.stats().connections_open, 0U);
}

TEST(HubStart, ThrowsWhenThePortIsTaken) {
  Hub first(HubConfig{});
  first.start();
  HubConfig config;
  config.mqtt_port = first.mqtt_port();
  Hub second(config);
  EXPECT_THROW(second.start(), std::system_error);
}

}  // namespace
}  // namespace fleetsim::hub
