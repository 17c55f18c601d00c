// The tier throttles' token buckets (hub/throttle.hpp) on a fake clock: the rates of every tier
// and class of reference 5.1, refill, burst, Retry-After, Basic tiers' missing features, the
// held-PUBACK ring.
#include <gtest/gtest.h>

#include <chrono>
#include <tuple>

#include "hub/registry.hpp"
#include "hub/throttle.hpp"

namespace fleetsim::hub {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const twin::Timestamp t0 = twin::Timestamp(seconds(1'800'000'000));

ClassLimit limit_of(Tier tier, unsigned units, ThrottleClass c) {
  return throttle_limits(tier, units)[static_cast<std::size_t>(c)];
}

TEST(Tier, ParsesAndPrintsEveryTier) {
  for (const auto* name : {"F1", "B1", "B2", "B3", "S1", "S2", "S3"}) {
    const auto tier = parse_tier(name);
    ASSERT_TRUE(tier.has_value()) << name;
    EXPECT_EQ(to_string(*tier), name);
  }
  EXPECT_EQ(parse_tier("s2"), Tier::s2);
  EXPECT_FALSE(parse_tier("S4"));
  EXPECT_FALSE(parse_tier("S"));
  EXPECT_FALSE(parse_tier("S11"));
  EXPECT_FALSE(parse_tier(""));
  EXPECT_TRUE(is_basic(Tier::b2));
  EXPECT_FALSE(is_basic(Tier::s1));
  EXPECT_FALSE(is_basic(Tier::f1));
}

TEST(Tier, UnitsAtLeastOneAndFreeHasOne) {
  EXPECT_FALSE(check_units(Tier::s1, 1));
  EXPECT_FALSE(check_units(Tier::s3, 10));
  EXPECT_TRUE(check_units(Tier::s1, 0));
  EXPECT_FALSE(check_units(Tier::f1, 1));
  EXPECT_TRUE(check_units(Tier::f1, 2));
}

// Reference 5.1, row by row: {class, tier, units, per second, burst}.
TEST(ThrottleLimits, MatchThePublishedTable) {
  using C = ThrottleClass;
  const std::tuple<C, Tier, unsigned, double, double> rows[] = {
      // Registry operations: 100/min/unit; 5,000/min/unit on *3. Burst: a minute's worth.
      {C::registry, Tier::f1, 1, 100 / 60.0, 100},
      {C::registry, Tier::s1, 3, 300 / 60.0, 300},
      {C::registry, Tier::b2, 2, 200 / 60.0, 200},
      {C::registry, Tier::s3, 2, 10'000 / 60.0, 10'000},
      // New connections and D2C: max(100/s, 12/s/unit); 120/s/unit; 6,000/s/unit.
      {C::connect, Tier::s1, 1, 100, 100},
      {C::connect, Tier::s1, 10, 120, 120},
      {C::connect, Tier::b1, 20, 240, 240},
      {C::connect, Tier::s2, 2, 240, 240},
      {C::connect, Tier::b3, 1, 6000, 6000},
      {C::d2c, Tier::f1, 1, 100, 100},
      {C::d2c, Tier::s1, 9, 108, 108},
      {C::d2c, Tier::s1, 8, 100, 100},
      {C::d2c, Tier::b2, 1, 120, 120},
      {C::d2c, Tier::s3, 3, 18'000, 18'000},
      // C2D: 100/min/unit; 5,000/min/unit.
      {C::c2d, Tier::s1, 1, 100 / 60.0, 100},
      {C::c2d, Tier::s2, 4, 400 / 60.0, 400},
      {C::c2d, Tier::s3, 1, 5000 / 60.0, 5000},
      // Methods in 4 KB chunks: 160 KB/s/unit = 40/s; 480 KB/s = 120/s; 24 MB/s = 6,144/s.
      {C::method, Tier::f1, 1, 40, 40},
      {C::method, Tier::s1, 2, 80, 80},
      {C::method, Tier::s2, 1, 120, 120},
      {C::method, Tier::s3, 1, 6144, 6144},
      // Queries: 20/min/unit; 1,000/min/unit.
      {C::query, Tier::s1, 1, 20 / 60.0, 20},
      {C::query, Tier::b2, 5, 100 / 60.0, 100},
      {C::query, Tier::s3, 1, 1000 / 60.0, 1000},
      // Twin reads: 100/s flat on F1/S1; max(100/s, 10/s/unit); 500/s/unit.
      {C::twin_read, Tier::s1, 50, 100, 100},
      {C::twin_read, Tier::s2, 5, 100, 100},
      {C::twin_read, Tier::s2, 20, 200, 200},
      {C::twin_read, Tier::s3, 2, 1000, 1000},
      // Twin updates: 50/s flat; max(50/s, 5/s/unit); 250/s/unit.
      {C::twin_update, Tier::f1, 1, 50, 50},
      {C::twin_update, Tier::s2, 4, 50, 50},
      {C::twin_update, Tier::s2, 30, 150, 150},
      {C::twin_update, Tier::s3, 1, 250, 250},
  };
  for (const auto& [c, tier, units, rate, burst] : rows) {
    const ClassLimit limit = limit_of(tier, units, c);
    SCOPED_TRACE(std::string(to_string(tier)) + " x" + std::to_string(units) + " " +
                 std::string(to_string(c)));
    EXPECT_TRUE(limit.available);
    EXPECT_DOUBLE_EQ(limit.per_second, rate);
    EXPECT_DOUBLE_EQ(limit.burst, burst);
  }
}

TEST(ThrottleLimits, BasicTiersLackTwinsMethodsAndC2d) {
  for (const Tier tier : {Tier::b1, Tier::b2, Tier::b3}) {
    for (const ThrottleClass c :
         {ThrottleClass::c2d, ThrottleClass::method, ThrottleClass::twin_read, ThrottleClass::twin_update}) {
      EXPECT_FALSE(limit_of(tier, 1, c).available) << to_string(tier) << " " << to_string(c);
    }
    for (const ThrottleClass c :
         {ThrottleClass::registry, ThrottleClass::connect, ThrottleClass::d2c, ThrottleClass::query}) {
      EXPECT_TRUE(limit_of(tier, 1, c).available) << to_string(tier) << " " << to_string(c);
    }
  }
  for (const Tier tier : {Tier::f1, Tier::s1, Tier::s2, Tier::s3}) {
    for (const ClassLimit& limit : throttle_limits(tier, 1)) EXPECT_TRUE(limit.available);
  }
}

TEST(ThrottleLimits, DescribedForThePrintout) {
  EXPECT_EQ(describe(throttle_limits(Tier::s1, 1)),
            "registry operations 100/min, new connections 100/s, device-to-cloud sends 100/s, "
            "cloud-to-device sends 100/min, direct methods 160 KB/s, queries 20/min, twin reads 100/s, "
            "twin updates 50/s");
  EXPECT_NE(describe(throttle_limits(Tier::b1, 1)).find("twin reads unavailable"), std::string::npos);
}

TEST(TokenBucket, BurstThenRefillAtTheRate) {
  TokenBucket bucket(100, 100, t0);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(bucket.try_take(1, t0)) << i;
  EXPECT_FALSE(bucket.try_take(1, t0));
  EXPECT_FALSE(bucket.try_take(1, t0 + milliseconds(9)));
  EXPECT_TRUE(bucket.try_take(1, t0 + milliseconds(10)));
  EXPECT_FALSE(bucket.try_take(1, t0 + milliseconds(10)));
  // Half a second refills 50 tokens, not more.
  int taken = 0;
  while (bucket.try_take(1, t0 + milliseconds(510))) ++taken;
  EXPECT_EQ(taken, 50);
}

TEST(TokenBucket, NeverHoldsMoreThanTheBurst) {
  TokenBucket bucket(10, 20, t0);
  EXPECT_DOUBLE_EQ(bucket.tokens(t0 + seconds(3600)), 20);
}

TEST(TokenBucket, WallClockSteppingBackRefillsNothing) {
  TokenBucket bucket(1, 1, t0);
  ASSERT_TRUE(bucket.try_take(1, t0));
  EXPECT_FALSE(bucket.try_take(1, t0 - seconds(10)));
  EXPECT_FALSE(bucket.try_take(1, t0 + milliseconds(500)));
  EXPECT_TRUE(bucket.try_take(1, t0 + seconds(1)));
}

TEST(TokenBucket, WaitUntilTheNextToken) {
  TokenBucket bucket(20 / 60.0, 20, t0);  // S1 queries
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(bucket.try_take(1, t0));
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(bucket.wait_for(1, t0)), milliseconds(3000));
  EXPECT_EQ(bucket.wait_for(1, t0 + seconds(3)), std::chrono::nanoseconds(0));
}

TEST(TokenBucket, CostAboveTheBurstNeedsAFullBucketAndLeavesDebt) {
  TokenBucket bucket(100 / 60.0, 100, t0);  // S1 registry
  ASSERT_TRUE(bucket.try_take(1, t0));
  EXPECT_FALSE(bucket.try_take(500, t0));  // a bulk of 500: waits for a full bucket
  EXPECT_TRUE(bucket.try_take(500, t0 + milliseconds(600)));
  EXPECT_DOUBLE_EQ(bucket.tokens(t0 + milliseconds(600)), -400);
  // The debt is paid back at the rate: 4 minutes and then one token.
  EXPECT_FALSE(bucket.try_take(1, t0 + milliseconds(600) + seconds(240)));
  EXPECT_TRUE(bucket.try_take(1, t0 + milliseconds(600) + seconds(241)));
}

TEST(MethodChunks, FourKilobytesEach) {
  EXPECT_EQ(method_chunks(0), 1);
  EXPECT_EQ(method_chunks(1), 1);
  EXPECT_EQ(method_chunks(4096), 1);
  EXPECT_EQ(method_chunks(4097), 2);
  EXPECT_EQ(method_chunks(128 * 1024), 32);
}

TEST(Throttle, OffUntilConfigured) {
  Throttle throttle;
  EXPECT_FALSE(throttle.enabled());
  throttle.configure(Tier::s1, 1, t0);
  EXPECT_TRUE(throttle.enabled());
  EXPECT_EQ(throttle.tier(), Tier::s1);
  throttle.disable();
  EXPECT_FALSE(throttle.enabled());
}

TEST(Throttle, AdmitsThenThrottlesWithRetryAfter) {
  Throttle throttle;
  throttle.configure(Tier::s1, 1, t0);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(throttle.admit(ThrottleClass::query, 1, t0).admission, Admission::admitted) << i;
  }
  const Decision refused = throttle.admit(ThrottleClass::query, 1, t0);
  EXPECT_EQ(refused.admission, Admission::throttled);
  EXPECT_EQ(refused.retry_after_s, 3U);  // 20/min: one token every 3 s
  // A wait below a second still says 1 (Retry-After counts whole seconds).
  for (int i = 0; i < 100; ++i) throttle.admit(ThrottleClass::twin_read, 1, t0);
  const Decision twin = throttle.admit(ThrottleClass::twin_read, 1, t0);
  EXPECT_EQ(twin.admission, Admission::throttled);
  EXPECT_EQ(twin.retry_after_s, 1U);
  // Classes do not share buckets.
  EXPECT_EQ(throttle.admit(ThrottleClass::registry, 1, t0).admission, Admission::admitted);
  EXPECT_EQ(throttle.admit(ThrottleClass::query, 1, t0 + seconds(3)).admission, Admission::admitted);
}

TEST(Throttle, BasicTierAnswersUnavailable) {
  Throttle throttle;
  throttle.configure(Tier::b1, 1, t0);
  EXPECT_EQ(throttle.admit(ThrottleClass::twin_read, 1, t0).admission, Admission::unavailable);
  EXPECT_EQ(throttle.admit(ThrottleClass::twin_update, 1, t0).admission, Admission::unavailable);
  EXPECT_EQ(throttle.admit(ThrottleClass::method, 1, t0).admission, Admission::unavailable);
  EXPECT_EQ(throttle.admit(ThrottleClass::c2d, 1, t0).admission, Admission::unavailable);
  EXPECT_EQ(throttle.admit(ThrottleClass::d2c, 1, t0).admission, Admission::admitted);
}

TEST(Throttle, HeldPubacksAreARingFirstInFirstOut) {
  Registry registry;
  Identity* a = registry.add_device("a", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
  Identity* b = registry.add_device("b", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
  Throttle throttle;
  throttle.configure(Tier::s1, 1, t0, 3);
  EXPECT_FALSE(throttle.holding());
  for (std::uint16_t round = 0; round < 4; ++round) {  // wraps around the ring
    EXPECT_TRUE(throttle.hold({a, nullptr, static_cast<std::uint16_t>(10 * round + 1)}));
    EXPECT_TRUE(throttle.hold({b, nullptr, static_cast<std::uint16_t>(10 * round + 2)}));
    EXPECT_TRUE(throttle.hold({a, nullptr, static_cast<std::uint16_t>(10 * round + 3)}));
    EXPECT_FALSE(throttle.hold({a, nullptr, 99}));  // full
    EXPECT_EQ(throttle.held_count(), 3U);
    for (std::uint16_t i = 1; i <= 3; ++i) {
      ASSERT_TRUE(throttle.holding());
      EXPECT_EQ(throttle.front_held().packet_id, 10 * round + i);
      throttle.pop_held();
    }
    EXPECT_FALSE(throttle.holding());
  }
  throttle.hold({a, nullptr, 1});
  throttle.hold({b, nullptr, 2});
  throttle.hold({a, nullptr, 3});
  throttle.forget_held(a);
  EXPECT_EQ(throttle.front_held().identity, nullptr);
  throttle.pop_held();
  EXPECT_EQ(throttle.front_held().identity, b);
  throttle.pop_held();
  EXPECT_EQ(throttle.front_held().identity, nullptr);
}

}  // namespace
}  // namespace fleetsim::hub
