// The mqtt target against a real Mosquitto (tests/support/mosquitto.hpp) on free loopback ports:
// short fleets over every transport, MQTT 3.1.1 and 5, QoS 0 and 1, with telemetry, reported
// properties and e2e measured and nothing failing; desired patches published by a test client
// coming back as reported echoes; broker credentials; the fleetsim binary with the example
// scenario.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <tuple>

#include "metrics/operations.hpp"
#include "sim/fleet.hpp"
#include "sim/plan.hpp"
#include "support/mosquitto.hpp"
#include "support/mqtt_test_client.hpp"
#include "support/process.hpp"

namespace fleetsim {
namespace {

using metrics::ErrorKind;
using metrics::Op;
using test::Mosquitto;

// 3 devices with one module each, 2.5 s: telemetry every 200 ms from every session, a counter
// reported by the modules, desired patches echoed by the devices, every session measuring e2e.
std::string scenario_text(std::string_view transport, int protocol, int qos) {
  return R"(
name = "mqtt-target"
duration = "2500ms"
seed = 3

[target]
kind = "mqtt"
transport = ")" +
         std::string(transport) + R"("
topic = "fleet/{device}/{module}/{stream}"
protocol = )" +
         std::to_string(protocol) + R"(
e2e_sample = 1.0

[fleet]
devices = 3
modules = ["sensor"]
connect_rate = "100/s"

[[telemetry]]
on = "all"
interval = "200ms"
qos = )" +
         std::to_string(qos) + R"(
size = 100
properties = { type = "env" }

[[reported]]
on = "module:sensor"
path = "env.count"
value = { kind = "counter" }
sample = "500ms"

[desired]
on = "devices"
ack = "echo"
)";
}

sim::Scenario load(const std::string& text, const std::vector<sim::Override>& overrides = {}) {
  auto loaded = sim::load_scenario_text(text, "mqtt_target_test.toml", overrides);
  for (const auto& d : loaded.diagnostics) {
    if (!d.warning) ADD_FAILURE() << d.to_string();
  }
  return loaded.ok() ? *loaded.scenario : sim::Scenario{};
}

const metrics::Snapshot::PerOp& op(const metrics::Snapshot& s, Op o) {
  return s.ops[static_cast<std::size_t>(o)];
}
std::uint64_t errors(const metrics::Snapshot& s, ErrorKind k) {
  return s.errors[static_cast<std::size_t>(k)];
}

sim::Endpoint endpoint_of(const Mosquitto& broker, std::string_view transport) {
  sim::Endpoint endpoint;
  // An IP as the server name: the certificate is checked against its IP address entry.
  endpoint.host_name = "127.0.0.1";
  endpoint.address = "127.0.0.1";
  endpoint.transport = transports::parse_transport(transport).value();
  const auto listener = transport == "mqtt"       ? Mosquitto::Listener::tcp
                        : transport == "mqtt-tls" ? Mosquitto::Listener::tls
                        : transport == "mqtt-ws"  ? Mosquitto::Listener::ws
                                                  : Mosquitto::Listener::wss;
  endpoint.port = broker.port(listener);
  endpoint.ca_file = broker.ca_file();
  return endpoint;
}

// Publishes a retained desired patch for dev-00001 (retained, so it reaches the session whenever
// it subscribes) and returns what then appears on the device's reported topic, or "" after 5 s.
std::string desired_round_trip(std::uint16_t port, std::string_view patch) {
  test::MqttTestClient client(port);
  if (client.connect("desired-tester", "", "") != mqtt::ConnackCode::accepted) return "connect failed";
  if (client.subscribe("fleet/dev-00001/reported") != 0) return "subscribe failed";
  mqtt::Publish publish;
  publish.topic = "fleet/dev-00001/desired";
  publish.payload = mqtt::as_bytes(patch);
  publish.qos = 1;
  publish.packet_id = 1;
  publish.retain = true;
  client.send(publish);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    auto received = client.receive(std::chrono::duration_cast<test::MqttTestClient::Duration>(
        deadline - std::chrono::steady_clock::now()));
    if (!received) break;
    if (const auto* p = std::get_if<mqtt::Publish>(&received->packet))
      return std::string(mqtt::as_string(p->payload));
  }
  return "";
}

using Combination = std::tuple<std::string, int, int>;  // transport, protocol, qos

class MqttTarget : public ::testing::TestWithParam<Combination> {};

TEST_P(MqttTarget, ShortFleetRunsCleanAndMeasuresRoundTrips) {
  ASSERT_TRUE(Mosquitto::available()) << "mosquitto is not installed (scripts/setup.sh installs it)";
  const auto& [transport, protocol, qos] = GetParam();
  Mosquitto broker;
  ASSERT_TRUE(broker.running()) << broker.log();

  const sim::Scenario scenario = load(scenario_text(transport, protocol, qos));
  ASSERT_EQ(scenario.sessions(), 6u);
  metrics::Registry registry(2);
  sim::FleetOptions options;
  options.threads = 2;
  std::string echo;
  std::thread tester(
      [&] { echo = desired_round_trip(broker.port(Mosquitto::Listener::tcp), R"({"mode":"eco"})"); });
  sim::Fleet fleet(scenario, endpoint_of(broker, transport), registry, options);
  const sim::RunOutcome outcome = fleet.run();
  tester.join();
  const metrics::Snapshot snap = registry.snapshot();

  EXPECT_EQ(outcome.sessions_connected_peak, 6u) << outcome.first_connect_failure << "\n" << broker.log();
  EXPECT_EQ(outcome.sessions_failed, 0u);
  EXPECT_EQ(snap.total_errors(), 0u);
  for (std::size_t k = 0; k < metrics::kErrorKindCount; ++k) {
    EXPECT_EQ(snap.errors[k], 0u) << metrics::error_kind_name(static_cast<ErrorKind>(k));
  }
  EXPECT_EQ(op(snap, Op::connect).ok, 6u);
  // 6 sessions x about 12 messages in 2.5 s.
  const auto& telemetry = op(snap, Op::telemetry);
  EXPECT_GE(telemetry.ok, 6u * 9);
  EXPECT_EQ(telemetry.ok, telemetry.count());
  // Every session measures e2e, and at most the messages sent in the last moments are not back.
  const auto& e2e = op(snap, Op::e2e);
  EXPECT_GE(e2e.ok + 12, telemetry.ok);
  EXPECT_EQ(e2e.ok, e2e.count());
  EXPECT_GT(e2e.latency.count(), 0u);
  // Modules report their counter at open and on every change (every 500 ms), plus the echo.
  const auto& reported = op(snap, Op::reported_patch);
  EXPECT_GE(reported.ok, 3u * 4 + 1);
  EXPECT_EQ(reported.ok, reported.count());
  EXPECT_EQ(echo, R"({"mode":"eco"})");
}

INSTANTIATE_TEST_SUITE_P(TransportsProtocolsQos, MqttTarget,
                         ::testing::Combine(::testing::Values("mqtt", "mqtt-tls", "mqtt-ws", "mqtt-wss"),
                                            ::testing::Values(4, 5), ::testing::Values(0, 1)),
                         [](const ::testing::TestParamInfo<Combination>& info) {
                           std::string name = std::get<0>(info.param) + "_v" +
                                              std::to_string(std::get<1>(info.param)) + "_qos" +
                                              std::to_string(std::get<2>(info.param));
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

TEST(MqttTargetAuth, CredentialsOpenTheBrokerAndAWrongPasswordIsRefused) {
  ASSERT_TRUE(Mosquitto::available()) << "mosquitto is not installed (scripts/setup.sh installs it)";
  Mosquitto broker({.username = "fleet", .password = "s3cret"});
  ASSERT_TRUE(broker.running()) << broker.log();
  for (const int protocol : {4, 5}) {
    for (const bool right : {true, false}) {
      SCOPED_TRACE("protocol " + std::to_string(protocol) +
                   (right ? ", right password" : ", wrong password"));
      sim::Scenario scenario =
          load(scenario_text("mqtt", protocol, 1), {{"target.username", "fleet"},
                                                    {"target.password", right ? "s3cret" : "wrong"},
                                                    {"duration", "1s"}});
      metrics::Registry registry(1);
      sim::Fleet fleet(scenario, endpoint_of(broker, "mqtt"), registry, sim::FleetOptions{});
      const sim::RunOutcome outcome = fleet.run();
      const metrics::Snapshot snap = registry.snapshot();
      if (right) {
        EXPECT_EQ(outcome.sessions_connected_peak, 6u);
        EXPECT_EQ(snap.total_errors(), 0u);
        EXPECT_GT(op(snap, Op::telemetry).ok, 0u);
      } else {
        // CONNACK 5 / reason 0x86 or 0x87: refused, counted as such, never connected.
        EXPECT_EQ(outcome.sessions_connected_peak, 0u);
        EXPECT_EQ(outcome.sessions_failed, 6u);
        EXPECT_EQ(errors(snap, ErrorKind::connect_refused), 6u);
        EXPECT_EQ(op(snap, Op::connect).errors, 6u);
      }
    }
  }
}

TEST(MqttTargetCli, TheExampleScenarioRunsAgainstMosquitto) {
  ASSERT_TRUE(Mosquitto::available()) << "mosquitto is not installed (scripts/setup.sh installs it)";
  Mosquitto broker;
  ASSERT_TRUE(broker.running()) << broker.log();
  const std::string report = ::testing::TempDir() + "mqtt_target_cli_report.json";
  test::Process run({FLEETSIM_BINARY,
                     "run",
                     std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/mosquitto.toml",
                     "--set",
                     "target.port=" + std::to_string(broker.port(Mosquitto::Listener::tcp)),
                     "--set",
                     "duration=3s",
                     "--set",
                     "fleet.devices=20",
                     "--set",
                     "fleet.connect_rate=100/s",
                     "--set",
                     "telemetry.0.interval=500ms",
                     "--set",
                     "telemetry.0.jitter=100ms",
                     "--set",
                     "target.e2e_sample=0.5",
                     "--report",
                     report,
                     "--quiet"});
  ASSERT_TRUE(run.started());
  const int code = run.wait(std::chrono::seconds(60));
  ASSERT_EQ(code, 0) << run.stderr_text() << broker.log();
  std::ifstream in(report);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const boost::json::value parsed = boost::json::parse(text);
  EXPECT_EQ(parsed.at("fleetsim").at("target"), "mqtt");
  EXPECT_EQ(parsed.at("fleet").at("sessions_connected_peak").to_number<int>(), 40);
  EXPECT_GT(parsed.at("operations").at("e2e").at("ok").to_number<int>(), 0);
  EXPECT_GT(parsed.at("operations").at("telemetry").at("ok").to_number<int>(), 0);
  EXPECT_EQ(parsed.at("passed"), true);
}

}  // namespace
}  // namespace fleetsim
