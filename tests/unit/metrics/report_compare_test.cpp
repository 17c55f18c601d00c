// compare_reports: which operation and percentile regressed, by how much.
#include <gtest/gtest.h>

#include <string>

#include "metrics/report_compare.hpp"

namespace fleetsim::metrics {
namespace {

constexpr std::size_t idx(Op op) {
  return static_cast<std::size_t>(op);
}

// A report with telemetry at 1000 values k * scale us (k = 1..1000) and reported_patch at 100
// values of patch_us.
ParsedReport report(double telemetry_scale, std::uint64_t patch_us, bool with_twin_get = false) {
  ParsedReport r;
  r.snapshot = std::make_unique<Snapshot>();
  auto& t = r.snapshot->ops[idx(Op::telemetry)];
  for (std::uint64_t k = 1; k <= 1000; ++k)
    t.latency.record(static_cast<std::uint64_t>(k * telemetry_scale * 1000));
  t.ok = 1000;
  auto& p = r.snapshot->ops[idx(Op::reported_patch)];
  for (int i = 0; i < 100; ++i) p.latency.record(patch_us * 1000);
  p.ok = 100;
  if (with_twin_get) {
    r.snapshot->ops[idx(Op::twin_get)].latency.record(1'000'000);
    r.snapshot->ops[idx(Op::twin_get)].ok = 1;
  }
  return r;
}

const StatComparison* find(const CompareResult& r, const std::string& op, const std::string& stat) {
  for (const auto& row : r.rows) {
    if (row.operation == op && row.stat == stat) return &row;
  }
  return nullptr;
}

TEST(ReportCompare, SameDataDoesNotRegress) {
  const auto a = report(10, 500);
  const auto result = compare_reports(a, report(10, 500), {});
  EXPECT_FALSE(result.regressed());
  EXPECT_EQ(result.rows.size(), 8u);  // 2 operations x p50 p90 p99 p999
  const std::string text = format_comparison(result, {});
  EXPECT_NE(text.find("no regression beyond +10.0% (8 values compared)"), std::string::npos) << text;
}

TEST(ReportCompare, NamesTheOperationAndPercentileThatRegressed) {
  // reported_patch 500 us -> 600 us: +20% on every percentile; telemetry unchanged.
  const auto result = compare_reports(report(10, 500), report(10, 600), {});
  ASSERT_TRUE(result.regressed());
  const auto* p99 = find(result, "reported_patch", "p99");
  ASSERT_NE(p99, nullptr);
  EXPECT_TRUE(p99->regressed);
  EXPECT_NEAR(p99->change, 0.2, 0.01);
  EXPECT_FALSE(find(result, "telemetry", "p99")->regressed);
  const std::string text = format_comparison(result, {});
  EXPECT_NE(text.find("REGRESSION: reported_patch p99 +"), std::string::npos) << text;
  EXPECT_NE(text.find("limit +10.0%"), std::string::npos) << text;
  EXPECT_EQ(text.find("REGRESSION: telemetry"), std::string::npos) << text;
}

TEST(ReportCompare, ToleranceDecides) {
  CompareOptions options;
  options.max_regression = 0.25;  // +20% is within 25%
  EXPECT_FALSE(compare_reports(report(10, 500), report(10, 600), options).regressed());
  options.max_regression = 0.10;
  options.min_delta_ms = 0.2;  // +0.1 ms is below the absolute floor
  EXPECT_FALSE(compare_reports(report(10, 500), report(10, 600), options).regressed());
  options.min_delta_ms = 0.05;
  EXPECT_TRUE(compare_reports(report(10, 500), report(10, 600), options).regressed());
}

TEST(ReportCompare, FasterIsNotARegressionAndStatsAreSelectable) {
  EXPECT_FALSE(compare_reports(report(10, 500), report(5, 300), {}).regressed());
  CompareOptions options;
  options.stats = {"max"};
  // Only the max of telemetry grows: 10 ms -> 10 ms x 1.05 is within 10%, 1.5x is not.
  EXPECT_FALSE(compare_reports(report(10, 500), report(10.5, 500), options).regressed());
  const auto result = compare_reports(report(10, 500), report(15, 500), options);
  EXPECT_TRUE(result.regressed());
  EXPECT_EQ(result.rows.size(), 2u);
  EXPECT_TRUE(is_comparable_stat("p999"));
  EXPECT_FALSE(is_comparable_stat("p75"));
}

TEST(ReportCompare, OperationsInOnlyOneReportAreNotedNotCompared) {
  const auto result = compare_reports(report(10, 500, true), report(10, 500, false), {});
  EXPECT_FALSE(result.regressed());
  ASSERT_EQ(result.notes.size(), 1u);
  EXPECT_EQ(result.notes[0], "twin_get: timed in the baseline, not in the new report");
}

}  // namespace
}  // namespace fleetsim::metrics
