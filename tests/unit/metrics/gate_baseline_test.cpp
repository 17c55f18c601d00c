// Baseline gates: "reported_patch.p99 < baseline * 1.1" parsed, resolved from a baseline report
// and evaluated.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "metrics/gates.hpp"
#include "metrics/report.hpp"
#include "unit/metrics/sample_snapshot.hpp"

namespace fleetsim::metrics {
namespace {

using testing_data::idx;
using testing_data::sample_snapshot;

TEST(GateBaselineParser, AcceptsTheBaselineForms) {
  struct Case {
    std::string expr;
    double factor, offset;
  };
  for (const Case& c :
       {Case{"reported_patch.p99 < baseline * 1.1", 1.1, 0}, Case{"reported_patch.p99 < baseline", 1, 0},
        Case{"telemetry.p50<baseline*1.2+0.05ms", 1.2, 0.05},
        Case{"telemetry.p50 <= baseline + 500us", 1, 0.5}, Case{"telemetry.max < baseline - 1s", 1, -1000},
        Case{"errors <= baseline + 5", 1, 5}, Case{"telemetry.count >= baseline * 0.9", 0.9, 0}}) {
    GateParseError error;
    const auto g = parse_gate(c.expr, &error);
    ASSERT_TRUE(g.has_value()) << c.expr << ": column " << error.column << ": " << error.message;
    EXPECT_TRUE(g->relative_to_baseline) << c.expr;
    EXPECT_DOUBLE_EQ(g->baseline_factor, c.factor) << c.expr;
    EXPECT_DOUBLE_EQ(g->baseline_offset, c.offset) << c.expr;
  }
  const auto plain = parse_gate("telemetry.p99 < 5ms");
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->relative_to_baseline);
}

TEST(GateBaselineParser, RejectsMalformedBaselineForms) {
  struct Case {
    std::string expr;
    std::size_t column;
    std::string message_part;
  };
  for (const Case& c : {Case{"telemetry.p99 < baseline *", 27, "expected a non-negative factor"},
                        Case{"telemetry.p99 < baseline * -2", 28, "expected a non-negative factor"},
                        Case{"telemetry.p99 < baseline + ", 28, "expected a number after 'baseline +'"},
                        Case{"telemetry.p99 < baseline 5", 26, "expected '* FACTOR'"},
                        Case{"telemetry.count < baseline + 5ms", 31, "expected a plain number"},
                        Case{"telemetry.p99 < baselines", 17, "expected a number (or baseline"}}) {
    GateParseError error;
    EXPECT_FALSE(parse_gate(c.expr, &error).has_value()) << c.expr;
    EXPECT_EQ(error.column, c.column) << c.expr << ": " << error.message;
    EXPECT_NE(error.message.find(c.message_part), std::string::npos) << c.expr << ": " << error.message;
  }
}

// The sample snapshot's report is the baseline; gates run against the same data, so the
// measured value equals the baseline.
boost::json::object baseline_report() {
  RunInfo info;
  info.scenario = "s";
  info.duration_s = 10;
  return build_report(info, *sample_snapshot(), {});
}

TEST(GateBaseline, ResolvesEachStatisticFromTheBaselineReport) {
  std::vector<GateSpec> specs = {{"", "telemetry.p99 < baseline * 1.1"},
                                 {"", "telemetry.count <= baseline"},
                                 {"", "errors <= baseline"},
                                 {"", "sessions_failed <= baseline"},
                                 {"", "schedule_lag.p99 <= baseline"},
                                 {"", "schedule_lag.p90 <= baseline"},
                                 {"", "c2d.count <= baseline"},
                                 {"", "twin_get.p99 < baseline"},
                                 {"", "telemetry.p99 < 50ms"}};
  ASSERT_TRUE(gates_use_baseline(specs));
  // The baseline run had no twin reads; this one has.
  boost::json::object baseline = baseline_report();
  baseline["operations"].as_object().erase("twin_get");
  resolve_baselines(specs, baseline);
  const auto s = sample_snapshot();
  const double p99 =
      std::round(static_cast<double>(s->ops[idx(Op::telemetry)].latency.quantile_ns(0.99)) / 1e3) / 1e3;
  ASSERT_TRUE(specs[0].baseline.has_value());
  EXPECT_DOUBLE_EQ(*specs[0].baseline, p99);
  EXPECT_DOUBLE_EQ(specs[1].baseline.value_or(-1), 1010);
  EXPECT_DOUBLE_EQ(specs[2].baseline.value_or(-1), 9);  // telemetry 3 + 2 timeouts, reported_patch 4
  EXPECT_DOUBLE_EQ(specs[3].baseline.value_or(-1), 7);
  EXPECT_DOUBLE_EQ(specs[4].baseline.value_or(-1), 0.1);
  EXPECT_DOUBLE_EQ(specs[5].baseline.value_or(-1), 0.1);  // from the schedule_lag histogram
  EXPECT_DOUBLE_EQ(specs[6].baseline.value_or(-1), 0);    // c2d never occurred: count 0
  EXPECT_FALSE(specs[7].baseline.has_value());            // no twin_get in the baseline
  EXPECT_NE(specs[7].baseline_error.find("no twin_get samples"), std::string::npos)
      << specs[7].baseline_error;
  EXPECT_FALSE(specs[8].baseline.has_value());

  const auto results = evaluate_gates(specs, *s, 10.0);
  for (std::size_t i = 0; i < 7; ++i) {
    EXPECT_TRUE(results[i].passed) << specs[i].expr << ": " << results[i].error;
    EXPECT_TRUE(results[i].baseline.has_value()) << specs[i].expr;
  }
  EXPECT_DOUBLE_EQ(results[0].threshold, p99 * 1.1);
  EXPECT_FALSE(results[7].passed);
  EXPECT_NE(results[7].error.find("baseline report has no twin_get samples"), std::string::npos)
      << results[7].error;
  EXPECT_DOUBLE_EQ(results[8].threshold, 50);
  EXPECT_FALSE(results[8].baseline.has_value());
}

TEST(GateBaseline, RegressionBeyondTheFactorFails) {
  std::vector<GateSpec> specs = {{"tail", "telemetry.p99 < baseline * 1.1"}};
  resolve_baselines(specs, baseline_report());
  // The new run is twice as slow: every latency doubled.
  auto slower = sample_snapshot();
  auto& h = slower->ops[idx(Op::telemetry)].latency;
  h.reset();
  for (std::uint64_t k = 1; k <= 1000; ++k) h.record(k * 20'000);
  const auto results = evaluate_gates(specs, *slower, 10.0);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].passed);
  EXPECT_TRUE(results[0].error.empty());
  EXPECT_NEAR(results[0].value, 2 * *specs[0].baseline, 0.2);
  EXPECT_NEAR(results[0].threshold, 1.1 * *specs[0].baseline, 1e-9);
}

TEST(GateBaseline, TheSummaryShowsTheComputedThresholdAndItsBaseline) {
  const std::vector<GateSpec> specs = {{"patch count", "reported_patch.errors <= baseline * 2", 3.0, ""}};
  const auto s = sample_snapshot();
  RunInfo info;
  info.duration_s = 10;
  const std::string text = format_summary(info, *s, evaluate_gates(specs, *s, 10.0));
  EXPECT_NE(
      text.find("PASS  patch count: reported_patch.errors <= baseline * 2  (measured 4, threshold 6 from "
                "baseline 3)"),
      std::string::npos)
      << text;
}

TEST(GateBaseline, WithoutABaselineValueTheGateFailsWithAnError) {
  const std::vector<GateSpec> specs = {{"", "telemetry.p99 < baseline * 1.1"}};
  EXPECT_TRUE(gates_use_baseline(specs));
  const auto results = evaluate_gates(specs, *sample_snapshot(), 10.0);
  EXPECT_FALSE(results[0].passed);
  EXPECT_NE(results[0].error.find("--baseline"), std::string::npos) << results[0].error;
  const std::vector<GateSpec> plain = {{"", "telemetry.p99 < 1s"}};
  EXPECT_FALSE(gates_use_baseline(plain));
}

}  // namespace
}  // namespace fleetsim::metrics
