// A scenario file read into the model: every key lands in its field, absent keys take their
// documented defaults.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sim/observe.hpp"
#include "unit/sim/scenario_test_util.hpp"

namespace fleetsim::sim {
namespace {

using namespace std::chrono_literals;
using test::load_ok;
using ::testing::ElementsAre;

constexpr std::string_view kFull = R"(name = "full"
duration = "2m"
seed = 7

[target]
kind = "embedded"
transport = "mqtt"
ca_file = "ca.pem"

[fleet]
devices = 25
id = "unit-{index:03}"
modules = ["sensor", "gateway"]
connect_rate = "30/m"
auth = "sas"
keep_alive = "30s"
sas_ttl = "2h"

[[telemetry]]
on = "module:sensor"
interval = "10s"
arrival = "poisson"
qos = 0
payload = '{"t": {temp}, "s": "{state}"}'
properties = { type = "env", site = "p7" }

[[telemetry]]
on = "modules"
interval = "1s"
jitter = "100ms"
size = 64

[[reported]]
on = "all"
path = "env.temperature"
value = { kind = "random_walk", start = 21.0, step = 0.5, min = -20, max = 60 }
sample = "2s"
pmin = "5s"
pmax = "1m"
st = 0.5
gt = 30
lt = 0.0

[desired]
on = "devices"
ack = "echo"

[[values]]
name = "temp"
value = { kind = "sine", min = 10, max = 20, period = "1m" }

[[values]]
name = "state"
value = { kind = "sequence", values = ["a", "b"], loop = false }

[[phase]]
name = "warm"
duration = "1m"

[[gate]]
name = "fast"
expr = "telemetry.p99 < 100ms"

[[gate]]
expr = "errors == 0"
)";

TEST(ScenarioModel, EveryKeyLandsInItsField) {
  const Scenario s = load_ok(kFull);
  EXPECT_EQ(s.file, "s.toml");
  EXPECT_EQ(s.name, "full");
  EXPECT_EQ(s.duration, 2min);
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.target.ca_file, "ca.pem");
  EXPECT_EQ(s.fleet.devices, 25u);
  EXPECT_EQ(s.fleet.id, "unit-{index:03}");
  EXPECT_THAT(s.fleet.modules, ElementsAre("sensor", "gateway"));
  EXPECT_DOUBLE_EQ(s.fleet.connect_rate_per_s, 0.5);
  EXPECT_EQ(s.fleet.keep_alive, 30s);
  EXPECT_EQ(s.fleet.sas_ttl, 2h);
  EXPECT_EQ(s.sessions(), 75u);

  ASSERT_EQ(s.telemetry.size(), 2u);
  const Telemetry& t0 = s.telemetry[0];
  EXPECT_EQ(t0.pos.line, 19u);
  EXPECT_EQ(t0.on.kind, Selector::Kind::module);
  EXPECT_EQ(t0.on.module, "sensor");
  EXPECT_EQ(t0.interval, 10s);
  EXPECT_TRUE(t0.poisson);
  EXPECT_EQ(t0.qos, 0);
  EXPECT_EQ(t0.size, std::nullopt);
  EXPECT_EQ(t0.properties, (std::map<std::string, std::string>{{"site", "p7"}, {"type", "env"}}));
  const Telemetry& t1 = s.telemetry[1];
  EXPECT_EQ(t1.on.kind, Selector::Kind::all_modules);
  EXPECT_EQ(t1.jitter, 100ms);
  EXPECT_FALSE(t1.poisson);
  EXPECT_EQ(t1.size, 64u);

  ASSERT_EQ(s.reported.size(), 1u);
  const Reported& r = s.reported[0];
  EXPECT_EQ(r.on.kind, Selector::Kind::all);
  EXPECT_EQ(r.path, "env.temperature");
  const auto* walk = std::get_if<RandomWalkGen>(&r.value);
  ASSERT_NE(walk, nullptr);
  EXPECT_EQ(walk->start, 21.0);
  EXPECT_EQ(walk->step, 0.5);
  EXPECT_EQ(walk->min, -20.0);
  EXPECT_EQ(walk->max, 60.0);
  EXPECT_EQ(r.sample, 2s);
  EXPECT_EQ(r.pmin, 5s);
  EXPECT_EQ(r.pmax, 1min);
  EXPECT_EQ(r.st, 0.5);
  EXPECT_EQ(r.gt, 30.0);
  EXPECT_EQ(r.lt, 0.0);

  EXPECT_TRUE(s.desired.enabled);
  EXPECT_EQ(s.desired.on.kind, Selector::Kind::device);
  EXPECT_EQ(s.desired.ack, "echo");

  ASSERT_EQ(s.values.size(), 2u);
  EXPECT_EQ(s.values[0].name, "temp");
  const auto* sine = std::get_if<SineGen>(&s.values[0].value);
  ASSERT_NE(sine, nullptr);
  EXPECT_EQ(sine->period, 1min);
  const auto* sequence = std::get_if<SequenceGen>(&s.values[1].value);
  ASSERT_NE(sequence, nullptr);
  EXPECT_FALSE(sequence->loop);
  EXPECT_EQ(sequence->values.size(), 2u);

  ASSERT_EQ(s.phases.size(), 1u);
  EXPECT_EQ(s.phases[0].name, "warm");
  EXPECT_EQ(s.phases[0].duration, 1min);
  EXPECT_EQ(s.phases[0].kind, "steady");

  ASSERT_EQ(s.gates.size(), 2u);
  EXPECT_EQ(s.gates[0].name, "fast");
  EXPECT_EQ(s.gates[0].expr, "telemetry.p99 < 100ms");
  EXPECT_EQ(s.gates[1].name, "errors == 0");  // the name defaults to the expression
  EXPECT_EQ(s.gates[1].pos.line, 64u);
}

TEST(ScenarioModel, PayloadIsCutAtItsPlaceholders) {
  // Braces that do not enclose a value name ({"t": ..., { "x": 1 }) stay literal JSON.
  const Scenario s = load_ok(R"(
[[values]]
name = "temp"
value = { kind = "constant", value = 1 }
[[values]]
name = "state"
value = { kind = "constant", value = "on" }
[[telemetry]]
payload = '{"t": {temp}, "s": "{state}", "n": { "x": 1 }}'
)");
  const auto& parts = s.telemetry[0].payload_parts;
  ASSERT_EQ(parts.size(), 5u);
  EXPECT_EQ(parts[0].literal, "{\"t\": ");
  EXPECT_EQ(parts[0].value, -1);
  EXPECT_EQ(parts[1].value, 0);
  EXPECT_EQ(parts[2].literal, ", \"s\": \"");
  EXPECT_EQ(parts[3].value, 1);
  EXPECT_EQ(parts[4].literal, "\", \"n\": { \"x\": 1 }}");
  EXPECT_EQ(s.telemetry[0].size, std::nullopt);
}

TEST(ScenarioModel, DefaultsOfAnEmptyFile) {
  const Scenario s = load_ok("");
  EXPECT_EQ(s.name, "s");  // the file name without its extension
  EXPECT_EQ(s.duration, 30s);
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.target.kind, "embedded");
  EXPECT_EQ(s.target.transport, "mqtt");
  EXPECT_EQ(s.fleet.devices, 1u);
  EXPECT_EQ(s.fleet.id, "dev-{index:05}");
  EXPECT_TRUE(s.fleet.modules.empty());
  EXPECT_EQ(s.fleet.connect_rate_per_s, 500.0);
  EXPECT_EQ(s.fleet.auth, "sas");
  EXPECT_EQ(s.fleet.keep_alive, 60s);
  EXPECT_EQ(s.fleet.sas_ttl, 1h);
  EXPECT_FALSE(s.desired.enabled);
  EXPECT_TRUE(s.telemetry.empty());
  EXPECT_TRUE(s.gates.empty());
}

TEST(ScenarioModel, DefaultsOfEntries) {
  const Scenario s = load_ok(R"(
[[telemetry]]
[[reported]]
path = "a"
value = { kind = "counter" }
[desired]
)");
  const Telemetry& t = s.telemetry[0];
  EXPECT_EQ(t.on.kind, Selector::Kind::device);
  EXPECT_EQ(t.interval, 5s);
  EXPECT_EQ(t.jitter, 0s);
  EXPECT_FALSE(t.poisson);
  EXPECT_EQ(t.qos, 1);
  EXPECT_EQ(t.size, 256u);  // neither size nor payload: 256 bytes
  const Reported& r = s.reported[0];
  EXPECT_EQ(r.on.kind, Selector::Kind::device);
  EXPECT_EQ(r.sample, 1s);
  EXPECT_EQ(r.pmin, 0s);
  EXPECT_EQ(r.pmax, 0s);
  EXPECT_FALSE(r.st || r.gt || r.lt);
  const auto* counter = std::get_if<CounterGen>(&r.value);
  ASSERT_NE(counter, nullptr);
  EXPECT_EQ(counter->start, 0.0);
  EXPECT_EQ(counter->step, 1.0);
  EXPECT_TRUE(s.desired.enabled);
  EXPECT_EQ(s.desired.on.kind, Selector::Kind::device);
  EXPECT_EQ(s.desired.ack, "none");
}

TEST(ScenarioModel, GeneratorsOfEveryKind) {
  const Scenario s = load_ok(R"(
[[values]]
name = "c"
value = { kind = "constant", value = true }
[[values]]
name = "ch"
value = { kind = "choice", values = [1, "two", false], weights = [1, 2.5, 3] }
[[values]]
name = "sq"
value = { kind = "sequence", values = [3, 4] }
)");
  EXPECT_EQ(std::get<ConstantGen>(s.values[0].value).value, (std::variant<double, std::string, bool>(true)));
  const auto& choice = std::get<ChoiceGen>(s.values[1].value);
  EXPECT_EQ(choice.values[1], (std::variant<double, std::string, bool>(std::string("two"))));
  EXPECT_THAT(choice.weights, ElementsAre(1.0, 2.5, 3.0));
  EXPECT_TRUE(std::get<SequenceGen>(s.values[2].value).loop);
  EXPECT_FALSE(is_numeric(s.values[0].value));
  EXPECT_FALSE(is_numeric(s.values[1].value));
  EXPECT_TRUE(is_numeric(s.values[2].value));
}

TEST(ScenarioModel, ObserveParamsComeFromTheReportedEntry) {
  const Scenario s = load_ok(R"(
[[reported]]
path = "a"
value = { kind = "counter" }
sample = "3s"
pmin = "1s"
pmax = "9s"
st = 2
)");
  const ObserveParams p = observe_params(s.reported[0]);
  EXPECT_EQ(p.sample, 3s);
  EXPECT_EQ(p.pmin, 1s);
  EXPECT_EQ(p.pmax, 9s);
  EXPECT_EQ(p.st, 2.0);
  EXPECT_EQ(p.gt, std::nullopt);
}

TEST(DeviceId, ExpandsIndexWithAndWithoutPadding) {
  std::string id;
  append_device_id(id, "dev-{index:05}", 42);
  EXPECT_EQ(id, "dev-00042");
  id.clear();
  append_device_id(id, "{index}-x", 1234567);
  EXPECT_EQ(id, "1234567-x");
  id.clear();
  append_device_id(id, "d{index:02}", 123);  // wider than the padding: all digits
  EXPECT_EQ(id, "d123");
}

}  // namespace
}  // namespace fleetsim::sim
