// The device side of desired_propagation and desired_convergence: events and expectations match
// in any order, once each, and what is never matched times out.
#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "sim/desired_probe.hpp"

namespace fleetsim::sim {
namespace {

using metrics::Op;
using metrics::Outcome;
using ms = std::chrono::milliseconds;
using Recorded = std::tuple<Op, Outcome, std::uint64_t>;

struct Log {
  std::vector<Recorded> entries;
  auto recorder() {
    return [this](Op op, Outcome outcome, std::uint64_t ns) { entries.emplace_back(op, outcome, ns); };
  }
};

constexpr std::uint64_t ns(ms d) {
  return static_cast<std::uint64_t>(std::chrono::nanoseconds(d).count());
}

TEST(DesiredProbe, NotificationBeforeTheAnswerOfThePatch) {
  DesiredProbe probe(true);
  Log log;
  probe.on_received(5, ms(12), log.recorder());
  probe.on_ack_sent(5, 3, ms(12), log.recorder());
  EXPECT_TRUE(log.entries.empty());
  probe.on_expected(5, ms(10), ms(13), log.recorder());  // the HTTP answer arrives after
  ASSERT_EQ(log.entries.size(), 1u);
  EXPECT_EQ(log.entries[0], Recorded(Op::desired_propagation, Outcome::ok, ns(ms(2))));
  EXPECT_TRUE(probe.on_ack_answered(3, Outcome::ok, ms(15), log.recorder()));
  ASSERT_EQ(log.entries.size(), 2u);
  EXPECT_EQ(log.entries[1], Recorded(Op::desired_convergence, Outcome::ok, ns(ms(5))));
  EXPECT_FALSE(probe.expecting());
  EXPECT_FALSE(probe.next_expiry());  // done: nothing left
}

TEST(DesiredProbe, ExpectationFirstThenEvents) {
  DesiredProbe probe(true);
  Log log;
  probe.on_expected(8, ms(100), ms(101), log.recorder());
  EXPECT_TRUE(probe.expecting());
  probe.on_received(8, ms(104), log.recorder());
  probe.on_ack_sent(8, 9, ms(104), log.recorder());
  probe.on_ack_answered(9, Outcome::ok, ms(107), log.recorder());
  ASSERT_EQ(log.entries.size(), 2u);
  EXPECT_EQ(log.entries[0], Recorded(Op::desired_propagation, Outcome::ok, ns(ms(4))));
  EXPECT_EQ(log.entries[1], Recorded(Op::desired_convergence, Outcome::ok, ns(ms(7))));
  // A duplicate notification of a finished version measures nothing more.
  probe.on_received(8, ms(110), log.recorder());
  EXPECT_EQ(log.entries.size(), 2u);
}

TEST(DesiredProbe, WithoutAcknowledgementsOnlyPropagation) {
  DesiredProbe probe(false);
  Log log;
  probe.on_expected(2, ms(0), ms(1), log.recorder());
  probe.on_received(2, ms(3), log.recorder());
  probe.on_ack_sent(2, 4, ms(3), log.recorder());
  EXPECT_FALSE(probe.on_ack_answered(4, Outcome::ok, ms(5), log.recorder()));
  ASSERT_EQ(log.entries.size(), 1u);
  EXPECT_EQ(std::get<0>(log.entries[0]), Op::desired_propagation);
  EXPECT_FALSE(probe.expecting());
}

TEST(DesiredProbe, ThrottledAcknowledgementIsThrottledConvergence) {
  DesiredProbe probe(true);
  Log log;
  probe.on_expected(3, ms(0), ms(1), log.recorder());
  probe.on_received(3, ms(2), log.recorder());
  probe.on_ack_sent(3, 1, ms(2), log.recorder());
  probe.on_ack_answered(1, Outcome::throttled, ms(4), log.recorder());
  ASSERT_EQ(log.entries.size(), 2u);
  EXPECT_EQ(log.entries[1], Recorded(Op::desired_convergence, Outcome::throttled, 0));
}

TEST(DesiredProbe, UnmatchedExpectationsTimeOutAndStrayEventsAreForgotten) {
  DesiredProbe probe(true);
  Log log;
  probe.on_received(1, ms(0), log.recorder());          // nobody will expect this one
  probe.on_expected(2, ms(5), ms(10), log.recorder());  // and this one never arrives
  ASSERT_TRUE(probe.next_expiry());
  EXPECT_EQ(*probe.next_expiry(), ms(0) + DesiredProbe::kMatchTimeout);
  probe.expire(ms(9) + DesiredProbe::kMatchTimeout, log.recorder());
  EXPECT_TRUE(log.entries.empty());  // the stray event is gone, silently
  EXPECT_TRUE(probe.expecting());
  probe.expire(ms(10) + DesiredProbe::kMatchTimeout, log.recorder());
  ASSERT_EQ(log.entries.size(), 2u);
  EXPECT_EQ(log.entries[0], Recorded(Op::desired_propagation, Outcome::timeout, 0));
  EXPECT_EQ(log.entries[1], Recorded(Op::desired_convergence, Outcome::timeout, 0));
  EXPECT_FALSE(probe.next_expiry());
}

TEST(DesiredProbe, AFullRingEvictsTheOldestVersion) {
  DesiredProbe probe(false);
  Log log;
  for (std::uint64_t v = 1; v <= DesiredProbe::kCapacity; ++v) {
    probe.on_expected(v, ms(static_cast<int>(v)), ms(static_cast<int>(v)), log.recorder());
  }
  EXPECT_TRUE(log.entries.empty());
  probe.on_received(100, ms(50), log.recorder());  // version 1 gives way
  ASSERT_EQ(log.entries.size(), 1u);
  EXPECT_EQ(log.entries[0], Recorded(Op::desired_propagation, Outcome::timeout, 0));
  probe.on_received(2, ms(51), log.recorder());
  ASSERT_EQ(log.entries.size(), 2u);
  EXPECT_EQ(log.entries[1], Recorded(Op::desired_propagation, Outcome::ok, ns(ms(49))));
}

TEST(DesiredProbe, TheEndOfTheRunTimesOutWhatIsExpected) {
  DesiredProbe probe(true);
  Log log;
  probe.on_expected(4, ms(0), ms(0), log.recorder());
  probe.on_received(4, ms(1), log.recorder());
  probe.expire(std::chrono::nanoseconds::max(), log.recorder());
  ASSERT_EQ(log.entries.size(), 2u);
  EXPECT_EQ(log.entries[1], Recorded(Op::desired_convergence, Outcome::timeout, 0));
  EXPECT_FALSE(probe.expecting());
}

}  // namespace
}  // namespace fleetsim::sim
