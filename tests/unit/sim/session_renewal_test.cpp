// When a session renews its SAS token: the margin before expiry, and the expiry a fresh token
// carries (whole Unix seconds, never shorter than the TTL).
#include <gtest/gtest.h>

#include <chrono>

#include "sim/session.hpp"

namespace fleetsim::sim {
namespace {

using namespace std::chrono_literals;

TEST(SasRenewal, MarginIsAFifthOfTheTtlAtMostFiveMinutes) {
  EXPECT_EQ(sas_renewal_margin(5s), 1s);
  EXPECT_EQ(sas_renewal_margin(10min), 2min);
  EXPECT_EQ(sas_renewal_margin(25min), 5min);
  EXPECT_EQ(sas_renewal_margin(1h), 5min);
  EXPECT_EQ(sas_renewal_margin(24h), 5min);
}

TEST(SasRenewal, ExpiryIsWholeSecondsAndAtLeastTheTtl) {
  for (const Duration ttl : {Duration{5s}, Duration{1h}, Duration{1500ms}}) {
    const auto before = std::chrono::system_clock::now().time_since_epoch();
    const SasExpiry e = sas_expiry(ttl);
    const auto after = std::chrono::system_clock::now().time_since_epoch();
    EXPECT_GE(Duration{std::chrono::seconds(e.unix_s)}, before + ttl);
    EXPECT_LE(Duration{std::chrono::seconds(e.unix_s)}, after + ttl + 1s);
    EXPECT_GE(e.remaining, ttl);
    EXPECT_LE(e.remaining, ttl + 1s);
  }
}

}  // namespace
}  // namespace fleetsim::sim
