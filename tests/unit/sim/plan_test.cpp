// Identities, keys, sharding and ramp times derived from indices.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "sim/plan.hpp"
#include "transports/iothub/sas.hpp"

namespace fleetsim::sim {
namespace {

Scenario fleet(std::uint64_t devices, std::vector<std::string> modules, std::uint64_t seed = 42) {
  Scenario s;
  s.seed = seed;
  s.fleet.devices = devices;
  s.fleet.id = "dev-{index:05}";
  s.fleet.modules = std::move(modules);
  s.fleet.connect_rate_per_s = 100;
  return s;
}

using Identity = std::tuple<std::string, std::string, std::string>;

std::vector<Identity> identities(const Scenario& s, std::uint32_t shard, std::uint32_t count) {
  std::vector<Identity> out;
  for_each_identity(s, shard, count, [&](std::string_view d, std::string_view m, std::string_view k) {
    out.emplace_back(std::string(d), std::string(m), std::string(k));
  });
  return out;
}

TEST(Plan, DeviceIdsFollowThePattern) {
  const Scenario s = fleet(3, {});
  EXPECT_EQ(device_id(s, 0), "dev-00000");
  EXPECT_EQ(device_id(s, 42), "dev-00042");
  Scenario plain = s;
  plain.fleet.id = "sensor{index}";
  EXPECT_EQ(device_id(plain, 7), "sensor7");
}

TEST(Plan, ModuleSlotsNameTheModules) {
  const Scenario s = fleet(1, {"sensor", "gateway"});
  EXPECT_EQ(module_id(s, 0), "");
  EXPECT_EQ(module_id(s, 1), "sensor");
  EXPECT_EQ(module_id(s, 2), "gateway");
  EXPECT_EQ(module_id(s, 3), "");
}

TEST(Plan, KeysAreDeterministicDistinctAndHubShaped) {
  const Scenario s = fleet(50, {"sensor"});
  const auto first = identities(s, 0, 1);
  EXPECT_EQ(first, identities(s, 0, 1));
  std::set<std::string> keys;
  for (const auto& [d, m, k] : first) {
    keys.insert(k);
    const auto decoded = iothub::base64_decode(k);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->size(), 32u);  // like a hub-generated key (reference 1.2)
    EXPECT_EQ(k, identity_key(s, d, m));
  }
  EXPECT_EQ(keys.size(), first.size());
}

TEST(Plan, KeysDependOnTheSeed) {
  EXPECT_NE(identity_key(fleet(1, {}, 1), "dev-00000", ""), identity_key(fleet(1, {}, 2), "dev-00000", ""));
}

TEST(Plan, IdentitiesListDevicesThenTheirModules) {
  const Scenario s = fleet(2, {"a", "b"});
  const auto ids = identities(s, 0, 1);
  ASSERT_EQ(ids.size(), 6u);
  EXPECT_EQ(std::get<0>(ids[0]), "dev-00000");
  EXPECT_EQ(std::get<1>(ids[0]), "");
  EXPECT_EQ(std::get<1>(ids[1]), "a");
  EXPECT_EQ(std::get<1>(ids[2]), "b");
  EXPECT_EQ(std::get<0>(ids[3]), "dev-00001");
}

TEST(Plan, ShardsPartitionTheFleet) {
  const Scenario s = fleet(103, {"m"});
  const auto whole = identities(s, 0, 1);
  for (std::uint32_t count : {1u, 2u, 4u, 7u, 200u}) {
    std::multiset<Identity> together;
    std::uint64_t sessions = 0;
    for (std::uint32_t shard = 0; shard < count; ++shard) {
      const auto part = identities(s, shard, count);
      EXPECT_EQ(part.size(), shard_session_count(s, shard, count)) << shard << "/" << count;
      sessions += part.size();
      together.insert(part.begin(), part.end());
    }
    EXPECT_EQ(sessions, s.sessions()) << count;
    EXPECT_EQ(together, std::multiset<Identity>(whole.begin(), whole.end())) << count;
  }
}

TEST(Plan, ShardTakesDevicesByIndexModulo) {
  const Scenario s = fleet(10, {"m"});
  EXPECT_EQ(shard_device_count(s, 1, 3), 3u);  // 1, 4, 7
  EXPECT_EQ(shard_session(s, 1, 3, 0), (SessionId{1, 0}));
  EXPECT_EQ(shard_session(s, 1, 3, 1), (SessionId{1, 1}));
  EXPECT_EQ(shard_session(s, 1, 3, 2), (SessionId{4, 0}));
  EXPECT_EQ(shard_session(s, 1, 3, 5), (SessionId{7, 1}));
  EXPECT_EQ(global_session_index(s, SessionId{7, 1}), 15u);
  EXPECT_EQ(shard_device_count(s, 5, 20), 1u);
  EXPECT_EQ(shard_device_count(s, 15, 20), 0u);
}

TEST(Plan, RampSpreadsTheConnectRateOverShards) {
  const Scenario s = fleet(1000, {});  // 100 sessions/s for the whole fleet
  EXPECT_EQ(open_time(s, 1, 0), Duration{0});
  EXPECT_EQ(open_time(s, 1, 100), std::chrono::seconds(1));
  // Four shards each open at 25/s, so together they still open 100/s.
  EXPECT_EQ(open_time(s, 4, 25), std::chrono::seconds(1));
}

TEST(Plan, SelectorsPickSessions) {
  const Scenario s = fleet(1, {"sensor", "gateway"});
  const Selector device{Selector::Kind::device, {}};
  const Selector sensor{Selector::Kind::module, "sensor"};
  const Selector modules{Selector::Kind::all_modules, {}};
  const Selector all{Selector::Kind::all, {}};
  EXPECT_TRUE(selects(device, s, 0));
  EXPECT_FALSE(selects(device, s, 1));
  EXPECT_FALSE(selects(sensor, s, 0));
  EXPECT_TRUE(selects(sensor, s, 1));
  EXPECT_FALSE(selects(sensor, s, 2));
  EXPECT_FALSE(selects(modules, s, 0));
  EXPECT_TRUE(selects(modules, s, 2));
  EXPECT_TRUE(selects(all, s, 0));
  EXPECT_TRUE(selects(all, s, 2));
}

TEST(Plan, FleetPlanPreparesBehaviours) {
  Scenario s = fleet(1, {});
  Telemetry t;
  t.properties = {{"type", "env"}, {"note", "a b&c"}};
  s.telemetry.push_back(t);
  s.desired.enabled = true;
  s.desired.ack = "pnp";
  const FleetPlan plan = make_fleet_plan(s, 0, 1);
  ASSERT_EQ(plan.telemetry.size(), 1u);
  EXPECT_EQ(plan.telemetry[0].bag, "note=a%20b%26c&type=env");
  EXPECT_EQ(plan.ack, AckMode::pnp);
}

}  // namespace
}  // namespace fleetsim::sim
