// The $rid table of twin requests.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "sim/session_requests.hpp"

namespace fleetsim::sim {
namespace {

using Time = TwinRequests::Time;
using metrics::Op;

TEST(TwinRequests, MatchesAnswersByRid) {
  TwinRequests t;
  const auto get = t.begin(Op::twin_get, Time{10});
  const auto patch = t.begin(Op::reported_patch, Time{20});
  ASSERT_TRUE(get && patch);
  EXPECT_NE(*get, *patch);
  const auto answered = t.complete(*patch);
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->op, Op::reported_patch);
  EXPECT_EQ(answered->sent, Time{20});
  EXPECT_FALSE(t.complete(*patch));  // a second answer is not ours any more
  EXPECT_EQ(t.size(), 1u);
}

TEST(TwinRequests, TableIsBounded) {
  TwinRequests t;
  std::set<std::uint32_t> rids;
  for (std::size_t i = 0; i < TwinRequests::kCapacity; ++i)
    rids.insert(*t.begin(Op::reported_patch, Time{0}));
  EXPECT_EQ(rids.size(), TwinRequests::kCapacity);
  EXPECT_FALSE(t.begin(Op::reported_patch, Time{0}));
  EXPECT_EQ(rids.count(0), 0u);
}

TEST(TwinRequests, ExpiresTheOldOnes) {
  TwinRequests t;
  const auto a = t.begin(Op::twin_get, Time{100});
  t.begin(Op::reported_patch, Time{300});
  EXPECT_EQ(t.oldest(), Time{100});
  std::vector<std::uint32_t> expired;
  t.expire(Time{200}, [&](const TwinRequests::Entry& e) { expired.push_back(e.rid); });
  EXPECT_EQ(expired, std::vector<std::uint32_t>{*a});
  EXPECT_EQ(t.oldest(), Time{300});
}

TEST(TwinRequests, RidsParseStrictly) {
  EXPECT_EQ(parse_rid("42"), 42u);
  EXPECT_FALSE(parse_rid(""));
  EXPECT_FALSE(parse_rid("4x"));
  EXPECT_FALSE(parse_rid("b2f4c2a0-uuid"));
  EXPECT_FALSE(parse_rid("99999999999"));
}

}  // namespace
}  // namespace fleetsim::sim
