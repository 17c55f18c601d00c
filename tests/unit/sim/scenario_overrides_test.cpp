// --set KEY=VALUE: applied to the TOML tree before validation; errors name the override.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/sim/scenario_test_util.hpp"

namespace fleetsim::sim {
namespace {

using namespace std::chrono_literals;
using test::diagnostics;
using test::load_ok;
using ::testing::ElementsAre;

constexpr std::string_view kBase = R"(name = "base"
duration = "30s"
[fleet]
devices = 10
modules = ["sensor"]
[[reported]]
path = "a"
value = { kind = "counter" }
pmin = "1s"
[[reported]]
path = "b"
value = { kind = "counter" }
[[gate]]
expr = "errors == 0"
[[gate]]
expr = "telemetry.p99 < 10ms"
)";

TEST(ScenarioOverrides, ScalarsAsTomlValues) {
  const Scenario s = load_ok(kBase, {{"fleet.devices", "200"}, {"seed", "9"}, {"name", "\"two words\""}});
  EXPECT_EQ(s.fleet.devices, 200u);
  EXPECT_EQ(s.seed, 9u);
  EXPECT_EQ(s.name, "two words");
}

TEST(ScenarioOverrides, PlainStringFallback) {
  const Scenario s = load_ok(kBase, {{"duration", "10s"}, {"fleet.id", "unit-{index}"}, {"name", "run 7"}});
  EXPECT_EQ(s.duration, 10s);
  EXPECT_EQ(s.fleet.id, "unit-{index}");
  EXPECT_EQ(s.name, "run 7");
}

TEST(ScenarioOverrides, ArrayOfTablesEntriesByIndex) {
  const Scenario s =
      load_ok(kBase, {{"reported.1.pmax", "10s"}, {"gate.1.expr", "\"telemetry.p99 < 20ms\""}});
  EXPECT_EQ(s.reported[0].pmax, 0s);
  EXPECT_EQ(s.reported[1].pmax, 10s);
  EXPECT_EQ(s.gates[1].expr, "telemetry.p99 < 20ms");
}

TEST(ScenarioOverrides, ArraysAndInlineTables) {
  const Scenario s = load_ok(kBase, {{"fleet.modules", "[\"a\", \"b\"]"},
                                     {"reported.0.value", "{ kind = \"constant\", value = 3 }"},
                                     {"reported.1.value.step", "2.5"}});
  EXPECT_EQ(s.fleet.modules, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(std::get<ConstantGen>(s.reported[0].value).value, (std::variant<double, std::string, bool>(3.0)));
  EXPECT_EQ(std::get<CounterGen>(s.reported[1].value).step, 2.5);
}

TEST(ScenarioOverrides, TelemetryPropertiesTakeAnyKey) {
  const Scenario s = load_ok("[[telemetry]]\nproperties = { type = \"env\" }\n",
                             {{"telemetry.0.properties.type", "raw"}, {"telemetry.0.properties.site", "p7"}});
  EXPECT_EQ(s.telemetry[0].properties, (std::map<std::string, std::string>{{"site", "p7"}, {"type", "raw"}}));
  EXPECT_THAT(
      diagnostics("[[telemetry]]\n", {{"telemetry.0.properties.a.b", "x"}}),
      ElementsAre("--set:1:1: error: --set telemetry.0.properties.a.b=x: 'a' is a string, not a table"));
}

TEST(ScenarioOverrides, MissingTablesAreCreated) {
  const Scenario s = load_ok(kBase, {{"desired.ack", "pnp"}, {"target.kind", "embedded"}});
  EXPECT_TRUE(s.desired.enabled);
  EXPECT_EQ(s.desired.ack, "pnp");
}

TEST(ScenarioOverrides, ReplaceAWholeEntry) {
  const Scenario s = load_ok(kBase, {{"gate.0", "{ expr = \"sessions_failed == 0\", name = \"sf\" }"}});
  EXPECT_EQ(s.gates[0].name, "sf");
  EXPECT_EQ(s.gates[0].expr, "sessions_failed == 0");
}

TEST(ScenarioOverrides, LaterOverridesWin) {
  const Scenario s = load_ok(kBase, {{"fleet.devices", "3"}, {"fleet.devices", "4"}});
  EXPECT_EQ(s.fleet.devices, 4u);
}

TEST(ScenarioOverrides, UnknownPathNamesTheOverride) {
  EXPECT_THAT(
      diagnostics(kBase, {{"fleet.devicez", "3"}}),
      ElementsAre("--set:1:1: error: --set fleet.devicez=3: unknown key 'devicez' in [fleet]; did you mean "
                  "'devices'?"));
  EXPECT_THAT(
      diagnostics(kBase, {{"seed", "1"}, {"fleets.devices", "3"}}),
      ElementsAre("--set:2:1: error: --set fleets.devices=3: unknown key 'fleets' in the top-level table; "
                  "did you mean 'fleet'?"));
  EXPECT_THAT(
      diagnostics(kBase, {{"reported.0.value.stpe", "3"}}),
      ElementsAre("--set:1:1: error: --set reported.0.value.stpe=3: unknown key 'stpe' in value; did you "
                  "mean 'step'?"));
}

TEST(ScenarioOverrides, IndexOutOfRangeOrMissing) {
  EXPECT_THAT(
      diagnostics(kBase, {{"reported.2.pmax", "10s"}}),
      ElementsAre("--set:1:1: error: --set reported.2.pmax=10s: index 2 out of range: the scenario has 2 "
                  "[[reported]] entries"));
  EXPECT_THAT(
      diagnostics(kBase, {{"telemetry.0.qos", "0"}}),
      ElementsAre("--set:1:1: error: --set telemetry.0.qos=0: index 0 out of range: the scenario has 0 "
                  "[[telemetry]] entries"));
  EXPECT_THAT(diagnostics(kBase, {{"reported.first.pmax", "10s"}}),
              ElementsAre("--set:1:1: error: --set reported.first.pmax=10s: expected an entry index after "
                          "'reported' ([[reported]] entries are numbered from 0), found 'first'"));
}

TEST(ScenarioOverrides, PathThroughAValue) {
  EXPECT_THAT(diagnostics(kBase, {{"duration.unit", "s"}}),
              ElementsAre("--set:1:1: error: --set duration.unit=s: 'duration' is not a table"));
}

TEST(ScenarioOverrides, LaterErrorsPointAtTheOverride) {
  EXPECT_THAT(diagnostics(kBase, {{"seed", "1"}, {"fleet.devices", "0"}, {"duration", "10"}}),
              ElementsAre("--set:2:1: error: devices must be at least 1, found 0",
                          "--set:3:1: error: expected a duration string like \"5s\", found integer 10"));
  EXPECT_THAT(diagnostics(kBase, {{"reported.0.value", "{ kind = \"counter\", stpe = 1 }"}}),
              ElementsAre("--set:1:1: error: unknown key 'stpe' in counter value; did you mean 'step'?"));
  EXPECT_THAT(
      diagnostics(kBase, {{"reported.1.pmax", "500ms"}, {"reported.1.pmin", "1s"}}),
      ElementsAre("--set:1:1: warning: pmax (500ms) is less than pmin (1s), so it is ignored (LwM2M)"));
}

TEST(ScenarioOverrides, FileErrorsComeFirstThenOverrides) {
  EXPECT_THAT(diagnostics("[fleet]\ndevices = 0\n", {{"duration", "0s"}}),
              ElementsAre("s.toml:2:11: error: devices must be at least 1, found 0",
                          "--set:1:1: error: duration must be greater than 0"));
}

}  // namespace
}  // namespace fleetsim::sim
