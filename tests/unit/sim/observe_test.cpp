// Observe/notify on a simulated clock: one test per rule of DESIGN.md "Observe/notify" and
// reference 7.2. Times are seconds since the session opened.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sim/observe.hpp"

namespace fleetsim::sim {
namespace {

using namespace std::chrono_literals;
using Time = Observer::Time;
using ::testing::ElementsAre;

Value num(double x) {
  Value v;
  v.number = x;
  return v;
}

// A value that steps at given instants: {{0s, 1}, {3s, 5}} is 1 until 3 s, then 5.
struct Script {
  std::vector<std::pair<Time, double>> steps;
  Value operator()(Time t) const {
    double v = steps.front().second;
    for (const auto& [at, x] : steps) {
      if (at <= t) v = x;
    }
    return num(v);
  }
};

struct Sent {
  Time at;
  double value;
  friend bool operator==(const Sent&, const Sent&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Sent& s) {
    return os << "{" << std::chrono::duration<double>(s.at).count() << "s, " << s.value << "}";
  }
};

Sent sent(double seconds, double value) {
  return Sent{std::chrono::duration_cast<Time>(std::chrono::duration<double>(seconds)), value};
}

// A punctual session: the first notification at open (t = 0), then it wakes at every deadline up to
// `until` and publishes what advance() asks for.
std::vector<Sent> run(const ObserveParams& p, const Script& script, Time until) {
  Observer o(p);
  std::vector<Sent> out;
  o.open(0s, script(0s));
  out.push_back({0s, o.current().number});
  while (o.next_deadline() <= until) {
    const Time now = o.next_deadline();
    while (const auto at = o.advance(now, script)) {
      EXPECT_EQ(*at, now);  // a punctual caller is never asked for an earlier notification
      out.push_back({*at, o.current().number});
      o.notified(*at);
    }
  }
  return out;
}

const Script kConstant{{{0s, 5}}};

TEST(Observe, FirstNotificationAtOpen) {
  const ObserveParams p{};
  Observer o(p);
  o.open(3s, num(7));
  EXPECT_EQ(o.last_time(), 3s);
  EXPECT_EQ(o.current(), num(7));
  EXPECT_FALSE(o.pending());
  EXPECT_EQ(o.next_deadline(), 4s);  // samples are phased from the open
  EXPECT_THAT(run(p, kConstant, 30s), ElementsAre(sent(0, 5)));
}

TEST(Observe, ConstantValueWithPmaxNotifiesEveryPmax) {
  struct Case {
    Time sample, pmax, until;
  };
  for (const Case c : {Case{1s, 7s, 60s}, Case{1s, 5s, 60s}, Case{3s, 7s, 60s}, Case{2s, 10s, 35s}}) {
    const ObserveParams p{c.sample, 0s, c.pmax, {}, {}, {}};
    const auto out = run(p, kConstant, c.until);
    ASSERT_EQ(out.size(), 1u + static_cast<std::size_t>(c.until / c.pmax)) << c.pmax.count();
    for (std::size_t k = 0; k < out.size(); ++k) EXPECT_EQ(out[k].at, static_cast<std::int64_t>(k) * c.pmax);
  }
}

TEST(Observe, PminHoldsChangesBackAndSendsTheLatestValue) {
  const ObserveParams p{1s, 5s, 0s, {}, {}, {}};
  const Script script{{{0s, 0}, {1s, 1}, {2s, 2}}};
  EXPECT_THAT(run(p, script, 30s), ElementsAre(sent(0, 0), sent(5, 2)));
}

TEST(Observe, PendingChangeGoesOutWithoutRecheck) {
  // The value comes back to the notified one before pmin expires: the notification still goes out.
  const ObserveParams p{1s, 5s, 0s, {}, {}, {}};
  const Script script{{{0s, 0}, {1s, 1}, {2s, 0}}};
  EXPECT_THAT(run(p, script, 30s), ElementsAre(sent(0, 0), sent(5, 0)));
}

TEST(Observe, ChangeAfterPminGoesOutAtOnce) {
  const ObserveParams p{1s, 2s, 0s, {}, {}, {}};
  const Script script{{{0s, 0}, {5s, 1}}};
  EXPECT_THAT(run(p, script, 30s), ElementsAre(sent(0, 0), sent(5, 1)));
}

TEST(Observe, StepThresholdAgainstTheLastNotifiedValue) {
  const ObserveParams p{1s, 0s, 0s, 1.0, {}, {}};
  const Script script{{{0s, 0}, {1s, 0.5}, {2s, 0.9}, {3s, 1.0}, {4s, 1.4}, {5s, 2.1}, {6s, 1.5}}};
  // 0.5 and 0.9 are within st of 0; 1.0 meets it exactly; 1.4 is within st of 1.0, 2.1 is not;
  // 1.5 is within st of 2.1.
  EXPECT_THAT(run(p, script, 30s), ElementsAre(sent(0, 0), sent(3, 1.0), sent(5, 2.1)));
}

TEST(Observe, GreaterThanCrossingUpAndDown) {
  const ObserveParams p{1s, 0s, 0s, {}, 30.0, {}};
  // Reaching 30 is not crossing it (not above); 31 is; 35 stays above; 29 crosses back.
  const Script script{{{0s, 29}, {1s, 30}, {2s, 31}, {3s, 35}, {4s, 29}, {5s, 20}}};
  EXPECT_THAT(run(p, script, 30s), ElementsAre(sent(0, 29), sent(2, 31), sent(4, 29)));
}

TEST(Observe, LessThanCrossingDownAndUp) {
  const ObserveParams p{1s, 0s, 0s, {}, {}, 10.0};
  const Script script{{{0s, 12}, {1s, 10}, {2s, 9}, {3s, 5}, {4s, 11}, {5s, 15}}};
  EXPECT_THAT(run(p, script, 30s), ElementsAre(sent(0, 12), sent(2, 9), sent(4, 11)));
}

TEST(Observe, CrossingWithAStepThresholdEitherSuffices) {
  const ObserveParams p{1s, 0s, 0s, 5.0, 30.0, 10.0};
  const Script script{{{0s, 20}, {1s, 24}, {2s, 25}, {3s, 29}, {4s, 31}}};
  // 25 moved by st from 20; 29 did not move by st from 25 nor cross; 31 crossed gt.
  EXPECT_THAT(run(p, script, 30s), ElementsAre(sent(0, 20), sent(2, 25), sent(4, 31)));
}

TEST(Observe, WithoutThresholdsAnyChangeCounts) {
  const ObserveParams p{1s, 0s, 0s, {}, {}, {}};
  const Script script{{{0s, 1}, {1s, 1}, {2s, 1.000001}, {3s, 1.000001}, {4s, 1}}};
  EXPECT_THAT(run(p, script, 30s), ElementsAre(sent(0, 1), sent(2, 1.000001), sent(4, 1)));
}

TEST(Observe, WithoutThresholdsStringChangesCount) {
  const std::string on = "on", on_again = "on", off = "off";
  const ObserveParams p{1s, 0s, 0s, {}, {}, {}};
  Observer o(p);
  Value v;
  v.kind = Value::Kind::string;
  v.str = &on;
  o.open(0s, v);
  auto sample = [&](Time t) {
    Value s = v;
    s.str = t == 1s ? &on_again : &off;  // equal content first, then a different one
    return s;
  };
  const auto at = o.advance(2s, sample);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(*at, 2s);
  EXPECT_EQ(*o.current().str, "off");
}

TEST(Observe, PmaxBelowPminIsIgnored) {
  const ObserveParams p{1s, 10s, 5s, {}, {}, {}};
  EXPECT_THAT(run(p, kConstant, 60s), ElementsAre(sent(0, 5)));
  const Script script{{{0s, 0}, {3s, 1}}};
  EXPECT_THAT(run(p, script, 60s), ElementsAre(sent(0, 0), sent(10, 1)));
}

TEST(Observe, PmaxZeroMeansNone) {
  const ObserveParams p{1s, 2s, 0s, {}, {}, {}};
  EXPECT_THAT(run(p, kConstant, 100s), ElementsAre(sent(0, 5)));
}

TEST(Observe, PmaxRestartsAtEveryNotification) {
  const ObserveParams p{1s, 0s, 10s, {}, {}, {}};
  const Script script{{{0s, 0}, {3s, 1}}};
  EXPECT_THAT(run(p, script, 25s), ElementsAre(sent(0, 0), sent(3, 1), sent(13, 1), sent(23, 1)));
}

TEST(Observe, PminRestartsAtEveryNotification) {
  const ObserveParams p{1s, 4s, 0s, {}, {}, {}};
  const Script script{{{0s, 0}, {1s, 1}, {6s, 2}}};
  // The change at 6 s is 2 s after the notification at 4 s: held until 8 s, not sent at once.
  EXPECT_THAT(run(p, script, 30s), ElementsAre(sent(0, 0), sent(4, 1), sent(8, 2)));
}

TEST(Observe, LateCallerGetsEventsAtTheirIntendedTimes) {
  const ObserveParams p{1s, 0s, 0s, {}, {}, {}};
  Observer o(p);
  std::vector<Time> sampled;
  auto ramp = [&](Time t) {
    sampled.push_back(t);
    return num(static_cast<double>(t / 1s));
  };
  o.open(0s, ramp(0s));
  std::vector<Sent> out;
  while (const auto at = o.advance(5500ms, ramp)) {  // woke up 5.5 s late
    out.push_back({*at, o.current().number});
    o.notified(*at);
  }
  EXPECT_THAT(out, ElementsAre(sent(1, 1), sent(2, 2), sent(3, 3), sent(4, 4), sent(5, 5)));
  EXPECT_THAT(sampled, ElementsAre(0s, 1s, 2s, 3s, 4s, 5s));
  EXPECT_EQ(o.next_deadline(), 6s);
}

TEST(Observe, LateCallerGetsEveryPmaxAndPendingPmin) {
  const ObserveParams heartbeat{1s, 0s, 2s, {}, {}, {}};
  Observer o(heartbeat);
  o.open(0s, num(5));
  std::vector<Time> at_times;
  while (const auto at = o.advance(7s, kConstant)) {
    at_times.push_back(*at);
    o.notified(*at);
  }
  EXPECT_THAT(at_times, ElementsAre(2s, 4s, 6s));
  EXPECT_EQ(o.next_deadline(), 8s);

  const ObserveParams held{1s, 3s, 0s, {}, {}, {}};
  const Script script{{{0s, 0}, {1s, 1}, {2s, 2}, {4s, 3}}};
  Observer h(held);
  h.open(0s, script(0s));
  std::vector<Sent> out;
  while (const auto at = h.advance(10s, script)) {
    out.push_back({*at, h.current().number});
    h.notified(*at);
  }
  // At 3 s the pending change goes out with the value sampled at 3 s; the change at 4 s waits for 6 s.
  EXPECT_THAT(out, ElementsAre(sent(3, 2), sent(6, 3)));
}

TEST(Observe, SampleAndPmaxAtTheSameInstantGiveOneNotification) {
  const ObserveParams p{1s, 0s, 5s, {}, {}, {}};
  const Script script{{{0s, 0}, {5s, 1}}};
  EXPECT_THAT(run(p, script, 12s), ElementsAre(sent(0, 0), sent(5, 1), sent(10, 1)));
}

TEST(Observe, SampleAndPminExpiryAtTheSameInstantGiveOneNotificationWithTheFreshValue) {
  const ObserveParams p{1s, 3s, 0s, {}, {}, {}};
  const Script script{{{0s, 0}, {1s, 1}, {3s, 2}}};
  EXPECT_THAT(run(p, script, 12s), ElementsAre(sent(0, 0), sent(3, 2)));
}

TEST(Observe, NextDeadlineIsTheEarliestEvent) {
  const ObserveParams p{4s, 10s, 30s, {}, {}, {}};
  Observer o(p);
  o.open(0s, num(0));
  EXPECT_EQ(o.next_deadline(), 4s);
  EXPECT_FALSE(o.advance(4s, Script{{{0s, 1}}}).has_value());  // changed, but pmin holds it
  EXPECT_TRUE(o.pending());
  EXPECT_EQ(o.next_deadline(), 8s);
  EXPECT_FALSE(o.advance(8s, Script{{{0s, 1}}}).has_value());
  EXPECT_EQ(o.next_deadline(), 10s);  // pmin expiry comes before the sample at 12 s
  EXPECT_EQ(o.advance(10s, Script{{{0s, 1}}}), Time(10s));
}

}  // namespace
}  // namespace fleetsim::sim
