// Every example in scenarios/ loads with no diagnostic at all, and quickstart says what it promises.
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sim/scenario.hpp"

namespace fleetsim::sim {
namespace {

using namespace std::chrono_literals;

std::string example(const char* name) {
  return std::string(FLEETSIM_SCENARIOS_DIR) + "/" + name;
}

TEST(ScenarioExamples, EveryFileValidatesClean) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(FLEETSIM_SCENARIOS_DIR)) {
    if (entry.path().extension() != ".toml") continue;
    ++files;
    const auto result = load_scenario_file(entry.path().string());
    EXPECT_TRUE(result.ok()) << entry.path();
    for (const auto& d : result.diagnostics) ADD_FAILURE() << d.to_string();
  }
  EXPECT_GE(files, 3u);
}

TEST(ScenarioExamples, Quickstart) {
  const auto result = load_scenario_file(example("quickstart.toml"));
  ASSERT_TRUE(result.ok());
  const Scenario& s = *result.scenario;
  EXPECT_EQ(s.name, "quickstart");
  EXPECT_EQ(s.duration, 30s);
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.fleet.devices, 1000u);
  EXPECT_EQ(s.fleet.modules, (std::vector<std::string>{"sensor", "gateway"}));
  EXPECT_EQ(s.sessions(), 3000u);
  EXPECT_EQ(s.fleet.connect_rate_per_s, 1000.0);
  ASSERT_EQ(s.telemetry.size(), 1u);
  EXPECT_EQ(s.telemetry[0].on.kind, Selector::Kind::device);
  EXPECT_EQ(s.telemetry[0].interval, 5s);
  EXPECT_EQ(s.telemetry[0].jitter, 500ms);
  EXPECT_EQ(s.telemetry[0].qos, 1);
  EXPECT_TRUE(s.telemetry[0].payload.has_value());
  EXPECT_FALSE(s.telemetry[0].properties.empty());
  ASSERT_GE(s.reported.size(), 2u);
  EXPECT_EQ(s.reported[0].on.module, "sensor");
  EXPECT_TRUE(s.reported[0].st && s.reported[0].pmin > 0s && s.reported[0].pmax > 0s);
  EXPECT_EQ(s.reported[1].on.module, "gateway");
  EXPECT_GT(s.reported[1].pmax, 0s);
  EXPECT_TRUE(s.desired.enabled);
  EXPECT_EQ(s.desired.ack, "pnp");
  std::vector<std::string> exprs;
  for (const auto& g : s.gates) exprs.push_back(g.expr);
  EXPECT_THAT(exprs, ::testing::IsSupersetOf({"errors == 0", "twin_get.count > 0"}));
}

TEST(ScenarioExamples, Minimal) {
  const auto result = load_scenario_file(example("minimal.toml"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.scenario->fleet.devices, 10u);
  EXPECT_EQ(result.scenario->duration, 10s);
}

TEST(ScenarioExamples, ObserveShowsEveryAttributeCombination) {
  const auto result = load_scenario_file(example("observe.toml"));
  ASSERT_TRUE(result.ok());
  std::set<std::string> combinations;
  for (const auto& r : result.scenario->reported) {
    std::string key;
    if (r.pmin > 0s) key += "pmin ";
    if (r.pmax > 0s) key += "pmax ";
    if (r.st) key += "st ";
    if (r.gt) key += "gt ";
    if (r.lt) key += "lt ";
    combinations.insert(key);
  }
  EXPECT_THAT(combinations,
              ::testing::IsSupersetOf({"", "pmin ", "pmax ", "pmin pmax ", "st ", "pmin pmax st ", "gt ",
                                       "lt ", "gt lt ", "pmin pmax st gt lt "}));
}

}  // namespace
}  // namespace fleetsim::sim
