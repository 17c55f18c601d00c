// [[backend]] actions and [methods]: what each key reads as, its defaults, and every error at its
// place (docs/scenarios.md "[[backend]]" and "[methods]").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/sim/scenario_test_util.hpp"

namespace fleetsim::sim {
namespace {

using test::diagnostics;
using test::load_ok;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ScenarioBackend, EveryActionWithItsKeys) {
  const Scenario s = load_ok(R"(
[fleet]
devices = 10
modules = ["sensor"]
[desired]
on = "all"
ack = "pnp"
[methods]
on = "modules"
status = 201
payload_size = 48
delay = "50ms"
[[backend]]
action = "desired"
rate = "10/s"
on = "module:sensor"
path = "config.interval"
value = { kind = "counter", start = 5 }
[[backend]]
action = "method"
rate = "30/m"
on = "modules"
name = "reboot"
payload_size = 64
timeout = "45s"
[[backend]]
action = "c2d"
rate = "2/s"
size = 1024
properties = { kind = "command", "x-priority" = "high" }
[[backend]]
action = "query"
sql = "SELECT * FROM devices WHERE tags.site = 'a'"
page_size = 50
)");
  ASSERT_EQ(s.backends.size(), 4u);
  const Backend& desired = s.backends[0];
  EXPECT_EQ(desired.action, "desired");
  EXPECT_DOUBLE_EQ(desired.rate_per_s, 10);
  EXPECT_EQ(desired.on.kind, Selector::Kind::module);
  EXPECT_EQ(desired.on.module, "sensor");
  EXPECT_EQ(desired.path, "config.interval");
  ASSERT_TRUE(std::holds_alternative<CounterGen>(desired.value));
  EXPECT_DOUBLE_EQ(std::get<CounterGen>(desired.value).start, 5);

  const Backend& method = s.backends[1];
  EXPECT_DOUBLE_EQ(method.rate_per_s, 0.5);
  EXPECT_EQ(method.on.kind, Selector::Kind::all_modules);
  EXPECT_EQ(method.name, "reboot");
  EXPECT_EQ(method.payload_size, 64u);
  EXPECT_EQ(method.timeout, std::chrono::seconds(45));

  const Backend& c2d = s.backends[2];
  EXPECT_EQ(c2d.on.kind, Selector::Kind::device);
  EXPECT_EQ(c2d.size, 1024u);
  EXPECT_EQ(c2d.properties,
            (std::map<std::string, std::string>{{"kind", "command"}, {"x-priority", "high"}}));

  const Backend& query = s.backends[3];
  EXPECT_EQ(query.sql, "SELECT * FROM devices WHERE tags.site = 'a'");
  EXPECT_EQ(query.page_size, 50u);

  EXPECT_TRUE(s.methods.enabled);
  EXPECT_EQ(s.methods.on.kind, Selector::Kind::all_modules);
  EXPECT_EQ(s.methods.status, 201);
  EXPECT_EQ(s.methods.payload_size, 48u);
  EXPECT_EQ(s.methods.delay, std::chrono::milliseconds(50));
}

TEST(ScenarioBackend, Defaults) {
  const Scenario s = load_ok(R"(
[[backend]]
action = "method"
name = "ping"
[[backend]]
action = "c2d"
[[backend]]
action = "query"
sql = "SELECT * FROM devices"
)");
  ASSERT_EQ(s.backends.size(), 3u);
  EXPECT_DOUBLE_EQ(s.backends[0].rate_per_s, 1);
  EXPECT_EQ(s.backends[0].on.kind, Selector::Kind::device);
  EXPECT_EQ(s.backends[0].payload_size, 16u);
  EXPECT_EQ(s.backends[0].timeout, std::chrono::seconds(30));
  EXPECT_EQ(s.backends[1].size, 64u);
  EXPECT_TRUE(s.backends[1].properties.empty());
  EXPECT_EQ(s.backends[2].page_size, 100u);
  EXPECT_FALSE(s.methods.enabled);
  EXPECT_EQ(s.methods.on.kind, Selector::Kind::all);
  EXPECT_EQ(s.methods.status, 200);
  EXPECT_EQ(s.methods.payload_size, 16u);
  EXPECT_EQ(s.methods.delay, Duration{0});
}

TEST(ScenarioBackend, RequiredKeysOfEachAction) {
  EXPECT_THAT(diagnostics(R"([desired]
[[backend]]
rate = "1/s"
[[backend]]
action = "desired"
[[backend]]
action = "method"
[[backend]]
action = "query"
)"),
              ElementsAre("s.toml:2:1: error: missing key 'action' in [[backend]]",
                          "s.toml:4:1: error: missing key 'path' in [[backend]] with action = \"desired\"",
                          "s.toml:4:1: error: missing key 'value' in [[backend]] with action = \"desired\"",
                          "s.toml:6:1: error: missing key 'name' in [[backend]] with action = \"method\"",
                          "s.toml:8:1: error: missing key 'sql' in [[backend]] with action = \"query\""));
}

TEST(ScenarioBackend, KeysOfAnotherActionAreErrorsAtTheKey) {
  EXPECT_THAT(diagnostics(R"([[backend]]
action = "query"
sql = "SELECT * FROM devices"
on = "device"
name = "reboot"
[[backend]]
action = "c2d"
page_size = 10
)"),
              ElementsAre("s.toml:4:1: error: key 'on' is not used by action = \"query\" (a query targets no "
                          "session)",
                          "s.toml:5:1: error: key 'name' is not used by action = \"query\" (it belongs to "
                          "action = \"method\")",
                          "s.toml:8:1: error: key 'page_size' is not used by action = \"c2d\" (it belongs to "
                          "action = \"query\")"));
}

TEST(ScenarioBackend, ValueRanges) {
  EXPECT_THAT(
      diagnostics(R"([[backend]]
action = "method"
name = "m"
rate = "0/s"
timeout = "2s"
payload_size = 200000
[[backend]]
action = "c2d"
size = 70000
[[backend]]
action = "query"
sql = ""
page_size = 1001
)"),
      ElementsAre("s.toml:4:8: error: rate must be greater than 0",
                  "s.toml:5:11: error: timeout must be between 5s and 300s (IoT Hub's method response "
                  "timeout), found 2s",
                  "s.toml:6:16: error: payload_size must be between 0 and 131072 (IoT Hub's method payload "
                  "limit), found "
                  "200000",
                  "s.toml:9:8: error: size must be between 0 and 65536 (IoT Hub's cloud-to-device limit), "
                  "found 70000",
                  "s.toml:12:7: error: sql must have 1 to 8192 characters (IoT Hub's query limit), found 0",
                  "s.toml:13:13: error: page_size must be between 1 and 1000, found 1001"));
}

TEST(ScenarioBackend, UnknownKeysSuggestTheClosest) {
  EXPECT_THAT(diagnostics("[[backend]]\naction = \"method\"\nname = \"m\"\ntimeuot = \"30s\"\n"
                          "[methods]\ndelya = \"1s\"\n"),
              ElementsAre("s.toml:4:1: error: unknown key 'timeuot' in [[backend]]; did you mean 'timeout'?",
                          "s.toml:6:1: error: unknown key 'delya' in [methods]; did you mean 'delay'?"));
}

TEST(ScenarioBackend, DesiredTargetsMustSubscribeToDesired) {
  EXPECT_THAT(diagnostics(R"([[backend]]
action = "desired"
path = "a"
value = { kind = "constant", value = 1 }
)"),
              ElementsAre("s.toml:2:1: error: action = \"desired\" needs a [desired] table: only sessions "
                          "subscribed to desired properties can time their arrival"));
  EXPECT_THAT(
      diagnostics(R"([fleet]
modules = ["m"]
[desired]
on = "devices"
[[backend]]
action = "desired"
on = "all"
path = "a.$b"
value = { kind = "constant", value = 1 }
)"),
      ElementsAre("s.toml:7:6: error: on selects sessions that [desired] on does not: they would never "
                  "see the change (desired targets must subscribe to desired properties)",
                  "s.toml:8:8: error: path \"a.$b\" has '$' (reserved for $version and $metadata); twin "
                  "keys are dot-separated names"));
}

TEST(ScenarioBackend, MethodNamesAndTargetsThatAnswer) {
  EXPECT_THAT(
      diagnostics(R"([fleet]
modules = ["m"]
[methods]
on = "device"
[[backend]]
action = "method"
on = "module:m"
name = "re boot"
)"),
      ElementsAre("s.toml:7:6: error: on selects sessions that [methods] on does not: they would not "
                  "answer",
                  "s.toml:8:8: error: method name \"re boot\" must be 1 to 128 printable ASCII characters "
                  "without spaces or $ ( ) < > @ , ; : \\ \" / [ ] ? = { }"));
}

TEST(ScenarioBackend, CloudToDeviceGoesToDevicesOnly) {
  EXPECT_THAT(
      diagnostics(R"([fleet]
modules = ["m"]
[[backend]]
action = "c2d"
on = "all"
)"),
      ElementsAre("s.toml:5:6: error: cloud-to-device messages go to devices only: on must be \"device\""));
  EXPECT_THAT(
      diagnostics(R"([[backend]]
action = "c2d"
properties = { "a b" = "x", fleetsim-sent = "1", ok = "tab\there" }
)"),
      ElementsAre("s.toml:3:24: error: property \"a b\": names may have letters, digits and "
                  "!#$%&'*+-.^_`|~ only (they travel as HTTP header names)",
                  "s.toml:3:45: error: property \"fleetsim-sent\": the name is fleetsim's own (it carries "
                  "the send time)",
                  "s.toml:3:55: error: property \"ok\": values must be printable ASCII (they travel as HTTP "
                  "header values)"));
}

TEST(ScenarioBackend, MethodsTableRanges) {
  EXPECT_THAT(
      diagnostics(R"([methods]
status = 42
delay = "10m"
payload_size = -1
on = "module:x"
)"),
      ElementsAre("s.toml:2:10: error: status must be between 100 and 999, found 42",
                  "s.toml:3:9: error: delay must be at most 300s (the longest method timeout), found 600s",
                  "s.toml:4:16: error: payload_size must be between 0 and 131072 (IoT Hub's method "
                  "payload limit), found -1",
                  "s.toml:5:6: error: module \"x\" is not in fleet.modules"));
}

TEST(ScenarioBackend, MethodsTableIsRefusedForAPlainBroker) {
  EXPECT_THAT(
      diagnostics("[target]\nkind = \"mqtt\"\n[methods]\nstatus = 200\n"),
      ElementsAre("s.toml:3:1: error: [methods] cannot be used with target.kind = \"mqtt\": direct "
                  "methods are IoT Hub's ($iothub/methods topics), which a plain MQTT broker does not "
                  "route"));
}

TEST(ScenarioBackend, EchoAcknowledgementsAndStringValuesLoadCleanly) {
  EXPECT_THAT(diagnostics(R"([fleet]
devices = 2
[desired]
ack = "echo"
[[backend]]
action = "desired"
path = "x"
value = { kind = "sequence", values = ["a", "b"] }
)"),
              IsEmpty());
}

}  // namespace
}  // namespace fleetsim::sim
