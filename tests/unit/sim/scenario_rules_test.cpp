// Rule violations, each at the offending value: one value out of range, or two values that do not
// fit together. Warnings leave the scenario usable.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/sim/scenario_test_util.hpp"

namespace fleetsim::sim {
namespace {

using test::diagnostics;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ScenarioRules, PositiveDurationsCountsAndRates) {
  EXPECT_THAT(
      diagnostics(R"(duration = "0s"
seed = -1
[fleet]
devices = 0
connect_rate = "0/s"
sas_ttl = "0s"
keep_alive = "20h"
[[telemetry]]
interval = "0ms"
qos = 2
size = 0
[[reported]]
path = "a"
value = { kind = "counter" }
sample = "0s"
st = 0
)"),
      ElementsAre("s.toml:1:12: error: duration must be greater than 0",
                  "s.toml:2:8: error: seed must be at least 0, found -1",
                  "s.toml:4:11: error: devices must be at least 1, found 0",
                  "s.toml:5:16: error: connect_rate must be greater than 0",
                  "s.toml:6:11: error: sas_ttl must be greater than 0",
                  "s.toml:7:14: error: keep_alive must be at most 65535s (MQTT's limit)",
                  "s.toml:9:12: error: interval must be greater than 0",
                  "s.toml:10:7: error: qos must be 0 or 1 (IoT Hub has no QoS 2), found 2",
                  "s.toml:11:8: error: size must be between 1 and 262144 bytes (IoT Hub's message limit), "
                  "found 0",
                  "s.toml:15:10: error: sample must be greater than 0",
                  "s.toml:16:6: error: st must be greater than 0"));
}

TEST(ScenarioRules, JitterBelowIntervalAndNotWithPoisson) {
  EXPECT_THAT(diagnostics(R"([[telemetry]]
interval = "1s"
jitter = "1s"
[[telemetry]]
interval = "1s"
jitter = "100ms"
arrival = "poisson"
[[telemetry]]
interval = "1s"
jitter = "0s"
arrival = "poisson"
)"),
              ElementsAre("s.toml:3:10: error: jitter must be less than interval",
                          "s.toml:6:10: error: jitter cannot be combined with arrival = \"poisson\" (poisson "
                          "arrivals are already random, with mean interval)"));
}

TEST(ScenarioRules, SizeOrPayloadNotBoth) {
  EXPECT_THAT(diagnostics(R"([[telemetry]]
size = 10
payload = "x"
)"),
              ElementsAre("s.toml:3:11: error: set either size or payload, not both"));
}

TEST(ScenarioRules, PayloadPlaceholdersNameValues) {
  EXPECT_THAT(
      diagnostics(R"([[values]]
name = "temp"
value = { kind = "constant", value = 1 }
[[telemetry]]
payload = '{"t": {tmp}, "h": {humidity}}'
)"),
      ElementsAre("s.toml:5:11: error: payload placeholder {tmp} names no [[values]] entry; did you mean "
                  "{temp}?",
                  "s.toml:5:11: error: payload placeholder {humidity} names no [[values]] entry"));
}

TEST(ScenarioRules, ValueNamesAreIdentifiersAndUnique) {
  EXPECT_THAT(
      diagnostics(R"([[values]]
name = "a-b"
value = { kind = "counter" }
[[values]]
name = "x"
value = { kind = "counter" }
[[values]]
name = "x"
value = { kind = "counter" }
)"),
      ElementsAre("s.toml:2:8: error: name \"a-b\" must be a letter or '_' followed by letters, digits or "
                  "'_' (it is used as {a-b} in payloads)",
                  "s.toml:8:8: error: a [[values]] entry named \"x\" exists already"));
}

TEST(ScenarioRules, SelectorsNameFleetModules) {
  EXPECT_THAT(diagnostics(R"([fleet]
modules = ["sensor", "gateway"]
[[telemetry]]
on = "module:sensr"
[[reported]]
on = "module:camera"
path = "a"
value = { kind = "counter" }
[desired]
on = "module:gateway"
)"),
              ElementsAre("s.toml:4:6: error: module \"sensr\" is not in fleet.modules; did you mean "
                          "\"module:sensor\"?",
                          "s.toml:6:6: error: module \"camera\" is not in fleet.modules"));
}

TEST(ScenarioRules, AllModulesWithoutModulesIsAWarning) {
  const auto result = load_scenario_text("[[telemetry]]\non = \"modules\"\n", "s.toml");
  EXPECT_TRUE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].to_string(),
            "s.toml:2:6: warning: \"modules\" selects nothing: fleet.modules is empty");
}

TEST(ScenarioRules, FleetIdAndModuleIds) {
  EXPECT_THAT(
      diagnostics(R"([fleet]
id = "dev-{idx}"
modules = ["ok", "$edgeAgent"]
)"),
      ElementsAre("s.toml:2:6: error: id must contain {index} once (or {index:05} for zero padding), found "
                  "\"dev-{idx}\"",
                  "s.toml:3:11: error: module id \"$edgeAgent\" must not start with '$' (reserved for IoT "
                  "Edge system modules)"));
  EXPECT_THAT(
      diagnostics("[fleet]\nid = \"dev#{index}\"\nmodules = [\"a\", \"a\"]\n"),
      ElementsAre("s.toml:2:6: error: id has '#', which device ids cannot contain (letters, digits and "
                  "- . % _ * ? ! ( ) , : = @ $ ' only)",
                  "s.toml:3:11: error: module id \"a\" is listed twice"));
  EXPECT_THAT(
      diagnostics("[fleet]\nid = \"d{index:3}\"\n"),
      ElementsAre("s.toml:2:6: error: id must contain {index} once (or {index:05} for zero padding), found "
                  "\"d{index:3}\""));
}

TEST(ScenarioRules, ReportedPathSegmentsAreTwinKeys) {
  // As written in TOML (a control character must be escaped there) and as read.
  const char* written[] = {"env.$temp", "env..temp", "env temp", "", "env.\\u0001"};
  const char* bad[] = {"env.$temp", "env..temp", "env temp", "", "env.\x01"};
  const char* problems[] = {"'$' (reserved for $version and $metadata)", "an empty segment", "a space",
                            "an empty segment", "a control character"};
  for (std::size_t i = 0; i < std::size(bad); ++i) {
    const std::string text =
        std::string("[[reported]]\nvalue = { kind = \"counter\" }\npath = \"") + written[i] + "\"\n";
    EXPECT_THAT(diagnostics(text),
                ElementsAre("s.toml:3:8: error: path \"" + std::string(bad[i]) + "\" has " + problems[i] +
                            "; twin keys are dot-separated names"))
        << bad[i];
  }
}

TEST(ScenarioRules, ThresholdsNeedNumbers) {
  EXPECT_THAT(
      diagnostics(R"([[reported]]
path = "a"
value = { kind = "constant", value = "on" }
st = 1
[[reported]]
path = "b"
value = { kind = "choice", values = [1, "x"] }
gt = 1
[[reported]]
path = "c"
value = { kind = "sequence", values = [1, 2] }
lt = 1
gt = 5
st = 1
)"),
      ElementsAre("s.toml:4:6: error: st needs a numeric value (random_walk, sine, counter, or a constant, "
                  "choice or sequence of numbers), but value is a constant string",
                  "s.toml:8:6: error: gt needs a numeric value (random_walk, sine, counter, or a constant, "
                  "choice or sequence of numbers), but value is a choice with non-numeric values"));
}

TEST(ScenarioRules, LtBelowGtAndLtPlusTwoStBelowGt) {
  EXPECT_THAT(
      diagnostics(R"([[reported]]
path = "a"
value = { kind = "counter" }
gt = 10
lt = 10
[[reported]]
path = "b"
value = { kind = "counter" }
gt = 10
lt = 0
st = 5
)"),
      ElementsAre("s.toml:5:6: error: lt (10) must be less than gt (10)",
                  "s.toml:11:6: error: lt + 2*st must be less than gt (LwM2M): 0 + 2*5 = 10 is not less "
                  "than 10"));
}

TEST(ScenarioRules, PmaxBelowPminIsAWarning) {
  const auto result = load_scenario_text(R"([[reported]]
path = "a"
value = { kind = "counter" }
pmin = "10s"
pmax = "5s"
)",
                                         "s.toml");
  EXPECT_TRUE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_TRUE(result.diagnostics[0].warning);
  EXPECT_EQ(result.diagnostics[0].to_string(),
            "s.toml:5:8: warning: pmax (5s) is less than pmin (10s), so it is ignored (LwM2M)");
}

TEST(ScenarioRules, GeneratorParameters) {
  EXPECT_THAT(
      diagnostics(R"([[values]]
name = "a"
value = { kind = "random_walk", start = 70, min = -20, max = 60 }
[[values]]
name = "b"
value = { kind = "random_walk", min = 5, max = 1, step = -1 }
[[values]]
name = "c"
value = { kind = "sine", min = 5, max = 5, period = "0s" }
[[values]]
name = "d"
value = { kind = "choice", values = [1, 2, 3], weights = [1, 2] }
[[values]]
name = "e"
value = { kind = "choice", values = [1, 2], weights = [1, 0] }
[[values]]
name = "f"
value = { kind = "sequence", values = [] }
[[values]]
name = "g"
value = { kind = "choice", values = [] }
)"),
      ElementsAre("s.toml:3:41: error: start (70) must be between min (-20) and max (60)",
                  "s.toml:6:39: error: min (5) must not be greater than max (1)",
                  "s.toml:6:58: error: step must be at least 0",
                  "s.toml:9:32: error: min (5) must be less than max (5)",
                  "s.toml:9:53: error: period must be greater than 0",
                  "s.toml:12:58: error: weights has 2 entries but values has 3; give one weight per value",
                  "s.toml:15:55: error: every weight must be greater than 0",
                  "s.toml:18:39: error: sequence needs at least one value",
                  "s.toml:21:37: error: choice needs at least one value"));
}

TEST(ScenarioRules, PhasesFitInTheDuration) {
  EXPECT_THAT(diagnostics(R"(duration = "30s"
[[phase]]
duration = "20s"
[[phase]]
duration = "15s"
[[phase]]
fraction = 2.0
)"),
              ElementsAre("s.toml:5:12: error: the phases add up to 35s, more than duration (30s)",
                          "s.toml:6:1: error: missing key 'duration' in [[phase]]",
                          "s.toml:7:12: error: fraction must be greater than 0 and at most 1"));
  EXPECT_THAT(diagnostics("duration = \"30s\"\n[[phase]]\nduration = \"30s\"\nkind = \"steady\"\n"),
              IsEmpty());
}

TEST(ScenarioRules, GateExpressionErrorsPointIntoTheString) {
  EXPECT_THAT(diagnostics(R"([[gate]]
expr = "telemetry.p99 < 50parsecs"
[[gate]]
expr = 'bogus.p99 < 1ms'
)"),
              ElementsAre("s.toml:2:27: error: found 'parsecs', expected a unit (ns us ms s) or none for ms",
                          ::testing::StartsWith("s.toml:4:9: error: ")));
}

TEST(ScenarioRules, EveryErrorOfAFileInOneLoad) {
  const auto d = diagnostics(R"(duration = "0s"
[fleet]
devices = 0
[[telemetry]]
qos = 3
intervall = "1s"
)");
  EXPECT_EQ(d.size(), 4u);
}

}  // namespace
}  // namespace fleetsim::sim
