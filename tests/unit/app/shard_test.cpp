// resolve_shard: --shard, replica/N from a compose replica's DNS name, a Kubernetes Indexed Job's
// environment, in that order.
#include <gtest/gtest.h>

#include <string>

#include "app/commands.hpp"

namespace fleetsim::app {
namespace {

std::optional<std::string> compose_name() {
  return "fleetsim-sim-3.fleetsim_default";
}
std::optional<std::string> no_name() {
  return std::nullopt;
}

std::optional<Shard> resolve(ShardSources s, std::string* error = nullptr) {
  std::string e;
  auto shard = resolve_shard(s, &e);
  if (error != nullptr) *error = e;
  return shard;
}

TEST(Shard, FlagWins) {
  ShardSources s;
  s.flag = "2/5";
  s.job_completion_index = "1";
  s.fleetsim_shards = "3";
  const auto shard = resolve(s);
  ASSERT_TRUE(shard.has_value());
  EXPECT_EQ(shard->index, 2u);
  EXPECT_EQ(shard->count, 5u);
}

TEST(Shard, DefaultIsTheWholeFleet) {
  const auto shard = resolve({});
  ASSERT_TRUE(shard.has_value());
  EXPECT_EQ(shard->index, 0u);
  EXPECT_EQ(shard->count, 1u);
}

TEST(Shard, IndexedJobEnvironment) {
  ShardSources s;
  s.job_completion_index = "3";
  s.job_completions = "4";
  auto shard = resolve(s);
  ASSERT_TRUE(shard.has_value());
  EXPECT_EQ(shard->index, 3u);
  EXPECT_EQ(shard->count, 4u);
  s.fleetsim_shards = "8";  // FLEETSIM_SHARDS before JOB_COMPLETIONS
  shard = resolve(s);
  ASSERT_TRUE(shard.has_value());
  EXPECT_EQ(shard->count, 8u);

  std::string error;
  s = {};
  s.job_completion_index = "3";
  EXPECT_FALSE(resolve(s, &error).has_value());
  EXPECT_NE(error.find("set FLEETSIM_SHARDS (or JOB_COMPLETIONS)"), std::string::npos) << error;
  s.fleetsim_shards = "3";
  EXPECT_FALSE(resolve(s, &error).has_value());
  EXPECT_EQ(error, "JOB_COMPLETION_INDEX=3 is not below FLEETSIM_SHARDS=3");
  s.job_completion_index = "x";
  EXPECT_FALSE(resolve(s, &error).has_value());
  EXPECT_EQ(error, "JOB_COMPLETION_INDEX=x: expected an integer");
  s.job_completion_index = "0";
  s.fleetsim_shards = "0";
  EXPECT_FALSE(resolve(s, &error).has_value());
  EXPECT_EQ(error, "FLEETSIM_SHARDS=0: expected an integer >= 1");
}

TEST(Shard, ComposeReplicaNumberFromTheDnsName) {
  EXPECT_EQ(replica_index_from_dns_name("fleetsim-sim-3.fleetsim_default"), 2u);
  EXPECT_EQ(replica_index_from_dns_name("fleetsim_sim_1"), 0u);  // Compose v1 names
  EXPECT_EQ(replica_index_from_dns_name("load-test-sim-12.net"), 11u);
  EXPECT_FALSE(replica_index_from_dns_name("3f2c9a1b7d0e").has_value());
  EXPECT_FALSE(replica_index_from_dns_name("project-sim-0").has_value());
  EXPECT_FALSE(replica_index_from_dns_name("project-sim-x1").has_value());

  ShardSources s;
  s.flag = "replica/4";
  s.own_dns_name = compose_name;
  auto shard = resolve(s);
  ASSERT_TRUE(shard.has_value());
  EXPECT_EQ(shard->index, 2u);
  EXPECT_EQ(shard->count, 4u);

  std::string error;
  s.flag = "replica/2";  // replica 3 of a service said to have 2
  EXPECT_FALSE(resolve(s, &error).has_value());
  EXPECT_NE(error.find("this is replica 3"), std::string::npos) << error;
  s.flag = "replica/4";
  s.own_dns_name = no_name;
  EXPECT_FALSE(resolve(s, &error).has_value());
  EXPECT_NE(error.find("cannot find this container's DNS name"), std::string::npos) << error;
  s.flag = "replica/0";
  EXPECT_FALSE(resolve(s, &error).has_value());
  EXPECT_NE(error.find("expected replica/N with N >= 1"), std::string::npos) << error;
}

TEST(Shard, MalformedFlag) {
  std::string error;
  for (const char* flag : {"2/2", "1/0", "a/b", "1/2x", "-1/2"}) {
    ShardSources s;
    s.flag = flag;
    EXPECT_FALSE(resolve(s, &error).has_value()) << flag;
    EXPECT_NE(error.find("expected I/N with 0 <= I < N"), std::string::npos) << flag << ": " << error;
  }
}

}  // namespace
}  // namespace fleetsim::app
