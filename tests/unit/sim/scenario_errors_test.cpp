// Syntax errors, unknown keys and values of the wrong type: each reported at its exact
// file:line:col, all of them in one load.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/sim/scenario_test_util.hpp"

namespace fleetsim::sim {
namespace {

using test::diagnostics;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ScenarioErrors, TomlSyntaxErrorAtTomlsPosition) {
  const auto d = diagnostics("name = \"x\"\nduration = \"5s\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_THAT(d[0], ::testing::StartsWith("s.toml:2:15: error: "));
}

TEST(ScenarioErrors, UnknownKeyAtTheKeyWithSuggestion) {
  EXPECT_THAT(
      diagnostics(R"([[telemetry]]
intervall = "5s"
)"),
      ElementsAre("s.toml:2:1: error: unknown key 'intervall' in [[telemetry]]; did you mean 'interval'?"));
}

TEST(ScenarioErrors, UnknownKeysInEveryTable) {
  EXPECT_THAT(
      diagnostics(R"(durration = "5s"
colour = "red"
[fleet]
  device = 3
[target]
kind = "embedded"
trasport = "mqtt"
[[reported]]
path = "a"
value = { kind = "random_walk", stpe = 1 }
smaple = "1s"
[desired]
akc = "pnp"
[[gate]]
expr = "errors == 0"
nmae = "x"
)"),
      ElementsAre(
          "s.toml:1:1: error: unknown key 'durration' in the top-level table; did you mean 'duration'?",
          "s.toml:2:1: error: unknown key 'colour' in the top-level table",
          "s.toml:4:3: error: unknown key 'device' in [fleet]; did you mean 'devices'?",
          "s.toml:7:1: error: unknown key 'trasport' in [target]; did you mean 'transport'?",
          "s.toml:10:33: error: unknown key 'stpe' in random_walk value; did you mean 'step'?",
          "s.toml:11:1: error: unknown key 'smaple' in [[reported]]; did you mean 'sample'?",
          "s.toml:13:1: error: unknown key 'akc' in [desired]; did you mean 'ack'?",
          "s.toml:16:1: error: unknown key 'nmae' in [[gate]]; did you mean 'name'?"));
}

TEST(ScenarioErrors, KeyValidForAnotherGeneratorOnly) {
  // `period` belongs to sine; a counter does not take it.
  EXPECT_THAT(diagnostics(R"([[values]]
name = "n"
value = { kind = "counter", period = "1s" }
)"),
              ElementsAre("s.toml:3:29: error: unknown key 'period' in counter value"));
}

TEST(ScenarioErrors, WrongTypes) {
  EXPECT_THAT(diagnostics(R"(duration = 5
seed = "42"
name = 3
[fleet]
devices = "10"
modules = "sensor"
connect_rate = 500
[[telemetry]]
qos = 1.0
jitter = 0.5
properties = { type = 1 }
[[reported]]
path = ["a"]
value = 21.5
st = "big"
[target]
provision = "yes"
)"),
              ElementsAre("s.toml:1:12: error: expected a duration string like \"5s\", found integer 5",
                          "s.toml:2:8: error: expected an integer, found string \"42\"",
                          "s.toml:3:8: error: expected a string, found integer 3",
                          "s.toml:5:11: error: expected an integer, found string \"10\"",
                          "s.toml:6:11: error: expected an array of strings, found string \"sensor\"",
                          "s.toml:7:16: error: expected a rate string like \"500/s\", found integer 500",
                          "s.toml:9:7: error: expected an integer, found float 1.0",
                          "s.toml:10:10: error: expected a duration string like \"5s\", found float 0.5",
                          "s.toml:11:23: error: expected a string, found integer 1",
                          "s.toml:13:8: error: expected a string, found an array",
                          "s.toml:14:9: error: expected a value generator table like { kind = \"constant\", "
                          "value = 1 }, found float 21.5",
                          "s.toml:15:6: error: expected a number, found string \"big\"",
                          "s.toml:17:13: error: expected a boolean (true or false), found string \"yes\""));
}

TEST(ScenarioErrors, WrongTypeInsideAnArray) {
  EXPECT_THAT(diagnostics(R"([fleet]
modules = ["sensor", 2]
)"),
              ElementsAre("s.toml:2:22: error: expected a string, found integer 2"));
}

TEST(ScenarioErrors, TableWhereAnArrayOfTablesBelongs) {
  EXPECT_THAT(diagnostics(R"([telemetry]
interval = "5s"
)"),
              ElementsAre("s.toml:1:1: error: expected an array of tables ([[telemetry]]), found a table"));
}

TEST(ScenarioErrors, MalformedDurationsAndRates) {
  EXPECT_THAT(
      diagnostics(R"(duration = "5 seconds"
[fleet]
connect_rate = "fast"
keep_alive = "-1s"
)"),
      ElementsAre("s.toml:1:12: error: malformed duration \"5 seconds\": expected a number and a unit "
                  "(ns, us, ms, s, m, h) like \"250ms\" or \"5s\"",
                  "s.toml:3:16: error: malformed rate \"fast\": expected a number per unit (/s, /m, /h) "
                  "like \"500/s\"",
                  "s.toml:4:14: error: malformed duration \"-1s\": expected a number and a unit "
                  "(ns, us, ms, s, m, h) like \"250ms\" or \"5s\""));
}

TEST(ScenarioErrors, WordsOutsideTheirSet) {
  EXPECT_THAT(
      diagnostics(R"([desired]
ack = "pnpp"
[[telemetry]]
arrival = "exponential"
on = "devcie"
[target]
kind = "cloud"
)"),
      ElementsAre(
          "s.toml:2:7: error: expected \"none\", \"echo\" or \"pnp\", found string \"pnpp\"; did you mean "
          "\"pnp\"?",
          "s.toml:4:11: error: expected \"uniform\" or \"poisson\", found string \"exponential\"",
          "s.toml:5:6: error: expected \"device\", \"devices\", \"modules\", \"all\" or \"module:NAME\", "
          "found string \"devcie\"",
          "s.toml:7:8: error: expected \"embedded\", \"iothub\" or \"mqtt\", found string \"cloud\""));
}

TEST(ScenarioErrors, GeneratorKindMissingOrUnknown) {
  EXPECT_THAT(
      diagnostics(R"([[values]]
name = "a"
value = { start = 1 }
[[values]]
name = "b"
value = { kind = "randomwalk", start = 1 }
)"),
      ElementsAre("s.toml:3:9: error: missing key 'kind' in value (one of constant, random_walk, sine, "
                  "choice, sequence, counter or replay)",
                  "s.toml:6:18: error: unknown value kind \"randomwalk\"; expected constant, random_walk, "
                  "sine, choice, sequence, counter or replay; did you mean \"random_walk\"?"));
}

TEST(ScenarioErrors, MissingRequiredKeysAtTheirTable) {
  EXPECT_THAT(diagnostics(R"(
[[reported]]
on = "device"

[[values]]
value = { kind = "constant" }

[[gate]]
name = "g"
)"),
              ElementsAre("s.toml:2:1: error: missing key 'path' in [[reported]]",
                          "s.toml:2:1: error: missing key 'value' in [[reported]]",
                          "s.toml:5:1: error: missing key 'name' in [[values]]",
                          "s.toml:6:9: error: missing key 'value' in constant value",
                          "s.toml:8:1: error: missing key 'expr' in [[gate]]"));
}

TEST(ScenarioErrors, NoDiagnosticForAValidFile) {
  EXPECT_THAT(diagnostics("duration = \"5s\"\n[fleet]\ndevices = 3\n"), IsEmpty());
}

TEST(ScenarioErrors, UnreadableFileNamesTheFile) {
  const auto result = load_scenario_file("/nonexistent/dir/x.toml");
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.diagnostics[0].to_string(),
            "/nonexistent/dir/x.toml: error: cannot read the scenario file: No such file or directory");
}

TEST(ScenarioErrors, WarningsPrintAsWarnings) {
  Diagnostic d{SourcePos{"f.toml", 3, 9}, "pmax is ignored", true};
  EXPECT_EQ(d.to_string(), "f.toml:3:9: warning: pmax is ignored");
}

}  // namespace
}  // namespace fleetsim::sim
