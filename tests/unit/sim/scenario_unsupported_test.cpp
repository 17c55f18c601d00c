// What fleetsim reads but refuses: other targets, [[backend]], phases other than steady, replay
// values. Each is an error at its key. (Transports and X.509 work: scenario_transport_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/sim/scenario_test_util.hpp"

namespace fleetsim::sim {
namespace {

using test::diagnostics;
using ::testing::ElementsAre;

TEST(ScenarioUnsupported, TargetKindButNotTransport) {
  EXPECT_THAT(
      diagnostics(R"([target]
kind = "iothub"
connection_string = "env:HUB"
transport = "mqtt-wss"
)"),
      ElementsAre("s.toml:2:1: error: target.kind = \"iothub\": not supported yet (fleetsim 0.1 supports "
                  "\"embedded\" and \"mqtt\")"));
}

TEST(ScenarioUnsupported, AnyBackendAction) {
  EXPECT_THAT(
      diagnostics(R"([[backend]]
action = "desired"
rate = "10/s"
path = "config.interval"
value = { kind = "counter" }
[[backend]]
sql = "SELECT * FROM devices"
)"),
      ElementsAre("s.toml:2:1: error: [[backend]] action = \"desired\": not supported yet (fleetsim 0.1 "
                  "supports no [[backend]] actions; the service side comes in a later version)",
                  "s.toml:6:1: error: missing key 'action' in [[backend]]",
                  "s.toml:6:1: error: [[backend]]: not supported yet (fleetsim 0.1 supports no [[backend]] "
                  "actions; the service side comes in a later version)"));
}

TEST(ScenarioUnsupported, BackendKeysAreStillChecked) {
  EXPECT_THAT(
      diagnostics("[[backend]]\naction = \"method\"\ntimeuot = \"30s\"\n"),
      ElementsAre("s.toml:2:1: error: [[backend]] action = \"method\": not supported yet (fleetsim 0.1 "
                  "supports no [[backend]] actions; the service side comes in a later version)",
                  "s.toml:3:1: error: unknown key 'timeuot' in [[backend]]; did you mean 'timeout'?"));
}

TEST(ScenarioUnsupported, PhasesOtherThanSteady) {
  EXPECT_THAT(
      diagnostics(R"([[phase]]
name = "steady"
duration = "10s"
[[phase]]
duration = "10s"
kind = "disconnect"
fraction = 0.2
)"),
      ElementsAre("s.toml:6:1: error: [[phase]] kind = \"disconnect\": not supported yet (fleetsim 0.1 "
                  "supports \"steady\")"));
}

TEST(ScenarioUnsupported, ReplayValues) {
  EXPECT_THAT(
      diagnostics(R"([[reported]]
path = "a"
value = { kind = "replay", file = "trace.csv" }
)"),
      ElementsAre("s.toml:3:11: error: value kind \"replay\": not supported yet (fleetsim 0.1 supports "
                  "constant, random_walk, sine, choice, sequence and counter)"));
}

}  // namespace
}  // namespace fleetsim::sim
