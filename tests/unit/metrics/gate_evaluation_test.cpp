#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "metrics/gates.hpp"
#include "unit/metrics/sample_snapshot.hpp"

namespace fleetsim::metrics {
namespace {

using testing_data::idx;
using testing_data::sample_snapshot;

constexpr double kDurationS = 10.0;

GateResult evaluate_one(const std::string& expr, double duration_s = kDurationS) {
  const auto snapshot = sample_snapshot();
  const std::vector<GateSpec> specs = {{"", expr}};
  auto results = evaluate_gates(specs, *snapshot, duration_s);
  EXPECT_EQ(results.size(), 1u);
  return results.front();
}

double rounded_ms(std::uint64_t ns) {
  return std::round(static_cast<double>(ns) / 1e3) / 1e3;
}

struct StatCase {
  std::string stat;
  double expected;
};

TEST(GateEvaluation, EveryStatisticOfAnOperation) {
  const auto s = sample_snapshot();
  const Histogram& h = s->ops[idx(Op::telemetry)].latency;
  const std::vector<StatCase> cases = {{"count", 1010},
                                       {"ok", 1000},
                                       {"errors", 3},
                                       {"timeouts", 2},
                                       {"throttled", 5},
                                       {"rate_per_s", 101},
                                       {"mean", 5.005},
                                       {"p50", rounded_ms(h.quantile_ns(0.5))},
                                       {"p90", rounded_ms(h.quantile_ns(0.9))},
                                       {"p99", rounded_ms(h.quantile_ns(0.99))},
                                       {"p999", rounded_ms(h.quantile_ns(0.999))},
                                       {"max", 10.0}};
  for (const auto& c : cases) {
    const GateResult r = evaluate_one("telemetry." + c.stat + " >= 0");
    EXPECT_TRUE(r.error.empty()) << c.stat << ": " << r.error;
    EXPECT_TRUE(r.passed) << c.stat;
    EXPECT_DOUBLE_EQ(r.value, c.expected) << c.stat;
  }
}

TEST(GateEvaluation, PercentilesAreTheRightQuantilesInMilliseconds) {
  // Exact percentiles of k * 10 us, k = 1..1000; each within the histogram's 1%.
  const std::vector<StatCase> cases = {{"p50", 5.0}, {"p90", 9.0}, {"p99", 9.9}, {"p999", 9.99}};
  for (const auto& c : cases) {
    const GateResult r = evaluate_one("telemetry." + c.stat + " > 0");
    EXPECT_NEAR(r.value, c.expected, c.expected * 0.01) << c.stat;
  }
  EXPECT_LT(evaluate_one("telemetry.p99 > 0").value, evaluate_one("telemetry.p999 > 0").value);
}

struct ComparatorCase {
  std::string expr;
  bool passed;
};

TEST(GateEvaluation, EveryComparatorPassesAndFails) {
  // twin_get's p99 is exactly 2 ms.
  const std::vector<ComparatorCase> cases = {
      {"twin_get.p99 < 2.5", true},        {"twin_get.p99 < 2", false},
      {"twin_get.p99 <= 2", true},         {"twin_get.p99 <= 1.999", false},
      {"twin_get.p99 > 1.5", true},        {"twin_get.p99 > 2", false},
      {"twin_get.p99 >= 2", true},         {"twin_get.p99 >= 2.001", false},
      {"twin_get.p99 == 2", true},         {"twin_get.p99 == 2.5", false},
      {"twin_get.p99 != 3", true},         {"twin_get.p99 != 2", false},
      {"twin_get.p99 <= 2000us", true},    {"twin_get.p99 < 0.002s", false},
      {"twin_get.p99 == 2000000ns", true}, {"telemetry.count == 1010", true},
      {"telemetry.count > 1010", false}};
  for (const auto& c : cases) {
    const GateResult r = evaluate_one(c.expr);
    EXPECT_TRUE(r.error.empty()) << c.expr << ": " << r.error;
    EXPECT_EQ(r.passed, c.passed) << c.expr << " measured " << r.value;
  }
  EXPECT_DOUBLE_EQ(evaluate_one("twin_get.p99 < 2").value, 2.0);
}

TEST(GateEvaluation, TotalErrorsCountErrorsAndTimeoutsButNotThrottled) {
  const GateResult failing = evaluate_one("errors == 0");
  EXPECT_FALSE(failing.passed);
  EXPECT_DOUBLE_EQ(failing.value, 9.0) << "telemetry 3 + 2, reported_patch 4";
  EXPECT_TRUE(evaluate_one("errors <= 9").passed);
}

TEST(GateEvaluation, SessionsFailedComesFromTheSnapshot) {
  const GateResult r = evaluate_one("sessions_failed == 0");
  EXPECT_FALSE(r.passed);
  EXPECT_DOUBLE_EQ(r.value, 7.0);
  EXPECT_TRUE(evaluate_one("sessions_failed < 8").passed);
}

TEST(GateEvaluation, OperationThatNeverOccurredHasZeroCounts) {
  for (const std::string stat : {"count", "ok", "errors", "timeouts", "throttled", "rate_per_s"}) {
    const GateResult r = evaluate_one("c2d." + stat + " == 0");
    EXPECT_TRUE(r.passed) << stat << ": " << r.error;
    EXPECT_DOUBLE_EQ(r.value, 0.0);
  }
}

TEST(GateEvaluation, LatencyOfAnOperationWithoutSamplesIsAnError) {
  const GateResult never = evaluate_one("c2d.p99 < 100ms");
  EXPECT_FALSE(never.passed) << "an absent p99 must not pass a bound";
  EXPECT_EQ(never.error, "no c2d samples");
  const GateResult only_errors = evaluate_one("reported_patch.mean > 0");
  EXPECT_FALSE(only_errors.passed);
  EXPECT_EQ(only_errors.error, "no reported_patch samples");
  EXPECT_TRUE(evaluate_one("reported_patch.count == 4").passed);
}

TEST(GateEvaluation, ScheduleLagStatistics) {
  EXPECT_DOUBLE_EQ(evaluate_one("schedule_lag.p99 < 10ms").value, 0.1);
  EXPECT_TRUE(evaluate_one("schedule_lag.p99 < 10ms").passed);
  EXPECT_FALSE(evaluate_one("schedule_lag.max < 50us").passed);
  EXPECT_DOUBLE_EQ(evaluate_one("schedule_lag.count == 100").value, 100.0);
  EXPECT_DOUBLE_EQ(evaluate_one("schedule_lag.rate_per_s > 0").value, 10.0);
}

TEST(GateEvaluation, RateNeedsAPositiveDuration) {
  const GateResult r = evaluate_one("telemetry.rate_per_s > 0", 0.0);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.error.find("positive run duration"), std::string::npos) << r.error;
}

TEST(GateEvaluation, UnparsableGateFailsWithItsColumn) {
  const GateResult r = evaluate_one("telemetry.p95 < 5ms");
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(r.error.starts_with("column 11: found 'p95'")) << r.error;
}

TEST(GateEvaluation, OneResultPerGateInOrderWithNames) {
  const auto snapshot = sample_snapshot();
  const std::vector<GateSpec> specs = {{"telemetry tail", "telemetry.p99 < 50ms"}, {"", "errors == 0"}};
  const auto results = evaluate_gates(specs, *snapshot, kDurationS);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].name, "telemetry tail");
  EXPECT_EQ(results[0].expr, "telemetry.p99 < 50ms");
  EXPECT_TRUE(results[0].passed);
  EXPECT_EQ(results[1].name, "errors == 0") << "the name defaults to the expression";
  EXPECT_FALSE(results[1].passed);
  EXPECT_TRUE(evaluate_gates({}, *snapshot, kDurationS).empty());
}

}  // namespace
}  // namespace fleetsim::metrics
