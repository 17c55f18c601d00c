// The mqtt target's scenario keys: what loads, and every refusal with its place and reason.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "scenario_test_util.hpp"

namespace fleetsim::sim {
namespace {

using test::diagnostics;
using test::load_ok;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ScenarioMqtt, AFullTargetLoads) {
  const Scenario s = load_ok(R"([target]
kind = "mqtt"
host = "broker.example"
port = 8883
transport = "mqtt-tls"
topic = "plant/{device}/{module}/{stream}"
username = "fleet"
password = "secret"
protocol = 5
e2e_sample = 0.25
)");
  EXPECT_EQ(s.target.kind, "mqtt");
  EXPECT_EQ(s.target.username, "fleet");
  EXPECT_EQ(s.target.password, "secret");
  EXPECT_EQ(s.target.protocol, 5);
  EXPECT_EQ(s.target.e2e_sample, 0.25);
}

TEST(ScenarioMqtt, Defaults) {
  const Scenario s = load_ok("[target]\nkind = \"mqtt\"\n");
  EXPECT_EQ(s.target.topic, "fleet/{device}/{stream}");
  EXPECT_EQ(s.target.protocol, 4);
  EXPECT_EQ(s.target.e2e_sample, 0.01);
  EXPECT_FALSE(s.target.username.has_value());
  EXPECT_FALSE(s.target.password.has_value());
}

TEST(ScenarioMqtt, CredentialsFromTheEnvironment) {
  ::setenv("FLEETSIM_TEST_MQTT_PASSWORD", "from-env", 1);
  const Scenario s = load_ok(R"([target]
kind = "mqtt"
username = "u"
password = "env:FLEETSIM_TEST_MQTT_PASSWORD"
)");
  EXPECT_EQ(s.target.password, "from-env");
  ::unsetenv("FLEETSIM_TEST_MQTT_UNSET");
  EXPECT_THAT(
      diagnostics(R"([target]
kind = "mqtt"
username = "env:FLEETSIM_TEST_MQTT_UNSET"
)"),
      ElementsAre("s.toml:3:12: error: username = \"env:FLEETSIM_TEST_MQTT_UNSET\": environment variable "
                  "\"FLEETSIM_TEST_MQTT_UNSET\" is not set"));
}

TEST(ScenarioMqtt, TopicPlaceholders) {
  EXPECT_THAT(
      diagnostics("[target]\nkind = \"mqtt\"\ntopic = \"fleet/{devise}/{stream}\"\n"),
      ElementsAre("s.toml:3:9: error: topic has the placeholder {devise}; expected {device}, {module} or "
                  "{stream}; did you mean {device}?"));
  EXPECT_THAT(
      diagnostics("[target]\nkind = \"mqtt\"\ntopic = \"fleet/{device}/data\"\n"),
      ElementsAre("s.toml:3:9: error: topic \"fleet/{device}/data\" must contain {device} and {stream}: each "
                  "session publishes its telemetry and reported properties and receives its desired "
                  "properties on topics of its own"));
  EXPECT_THAT(
      diagnostics("[target]\nkind = \"mqtt\"\ntopic = \"fleet/{device}-{module}/{stream}\"\n"),
      ElementsAre("s.toml:3:9: error: topic \"fleet/{device}-{module}/{stream}\": {module} must have a topic "
                  "level to itself (not with {device} or {stream}), since a device's own session leaves "
                  "that level out"));
  // A level that decorates {module} alone is fine: it is left out whole.
  EXPECT_THAT(diagnostics("[target]\nkind = \"mqtt\"\ntopic = \"fleet/{device}/m-{module}/{stream}\"\n"),
              IsEmpty());
}

TEST(ScenarioMqtt, TopicShapes) {
  EXPECT_THAT(
      diagnostics("[target]\nkind = \"mqtt\"\ntopic = \"fleet/+/{device}/{stream}\"\n"),
      ElementsAre("s.toml:3:9: error: topic \"fleet/+/{device}/{stream}\" has a wildcard (+ or #): sessions "
                  "publish to it"));
  EXPECT_THAT(
      diagnostics("[target]\nkind = \"mqtt\"\ntopic = \"$fleet/{device}/{stream}\"\n"),
      ElementsAre("s.toml:3:9: error: topic \"$fleet/{device}/{stream}\" starts with '$', which brokers "
                  "keep for themselves ($SYS)"));
  EXPECT_THAT(
      diagnostics("[target]\nkind = \"mqtt\"\n[fleet]\nmodules = [\"m\"]\n"),
      ElementsAre("s.toml:1:1: warning: topic \"fleet/{device}/{stream}\" has no {module}: a device and its "
                  "modules publish and subscribe on the same topics"));
}

TEST(ScenarioMqtt, ValuesOutOfRange) {
  EXPECT_THAT(diagnostics("[target]\nkind = \"mqtt\"\nprotocol = 3\n"),
              ElementsAre("s.toml:3:12: error: protocol must be 4 (MQTT 3.1.1) or 5 (MQTT 5), found 3"));
  EXPECT_THAT(
      diagnostics("[target]\nkind = \"mqtt\"\ne2e_sample = 1.5\n"),
      ElementsAre("s.toml:3:14: error: e2e_sample must be between 0 and 1 (the share of sessions that "
                  "measure e2e)"));
}

TEST(ScenarioMqtt, MessagePropertiesNeedMqtt5) {
  const std::string text = R"([target]
kind = "mqtt"

[[telemetry]]
properties = { type = "env" }
)";
  EXPECT_THAT(
      diagnostics(text),
      ElementsAre("s.toml:5:14: warning: properties are not sent with target.protocol = 4: MQTT 3.1.1 "
                  "messages have no properties (protocol = 5 sends them as user properties)"));
  EXPECT_THAT(diagnostics(text, {{"target.protocol", "5"}}), IsEmpty());
}

TEST(ScenarioMqtt, PasswordWithoutUserNameNeedsMqtt5) {
  EXPECT_THAT(
      diagnostics("[target]\nkind = \"mqtt\"\npassword = \"p\"\n"),
      ElementsAre("s.toml:3:12: error: MQTT 3.1.1 sends a password only with a user name (MQTT-3.1.2-22): "
                  "set target.username, or target.protocol = 5"));
  EXPECT_THAT(diagnostics("[target]\nkind = \"mqtt\"\npassword = \"p\"\nprotocol = 5\n"), IsEmpty());
}

TEST(ScenarioMqtt, MqttKeysOnAnotherTarget) {
  EXPECT_THAT(
      diagnostics("[target]\nprotocol = 5\nusername = \"u\"\n"),
      ElementsAre("s.toml:2:1: error: target.protocol is a key of target.kind = \"mqtt\" (a plain MQTT "
                  "broker); this target is \"embedded\"",
                  "s.toml:3:1: error: target.username is a key of target.kind = \"mqtt\" (a plain MQTT "
                  "broker); this target is \"embedded\""));
}

TEST(ScenarioMqtt, IotHubOnlyKeysOnAnMqttTarget) {
  EXPECT_THAT(
      diagnostics(R"([target]
kind = "mqtt"
connection_string = "HostName=h;SharedAccessKeyName=n;SharedAccessKey=k"

[[backend]]
action = "query"
sql = "SELECT * FROM devices"
)"),
      ElementsAre("s.toml:3:1: error: target.connection_string cannot be used with target.kind = \"mqtt\": "
                  "it names an IoT Hub; a broker is target.host and target.port",
                  "s.toml:6:1: error: [[backend]] cannot be used with target.kind = \"mqtt\": it drives the "
                  "IoT Hub service API, which a plain MQTT broker does not have"));
  EXPECT_THAT(
      diagnostics(R"([target]
kind = "mqtt"
transport = "mqtt-tls"

[fleet]
auth = "x509"
)"),
      ElementsAre("s.toml:6:1: error: fleet.auth = \"x509\" cannot be used with target.kind = \"mqtt\": "
                  "X.509 device identities are IoT Hub's; a broker authenticates sessions with "
                  "target.username and target.password"));
}

}  // namespace
}  // namespace fleetsim::sim
