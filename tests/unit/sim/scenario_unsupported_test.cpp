// What fleetsim reads but refuses: phases other than steady, replay values (and X.509 fleets
// with the iothub target: scenario_iothub_test.cpp). Each is an error at its key. (Transports and
// X.509 work: scenario_transport_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/sim/scenario_test_util.hpp"

namespace fleetsim::sim {
namespace {

using test::diagnostics;
using ::testing::ElementsAre;

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
