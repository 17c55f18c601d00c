// The report's "provisioning" object (iothub target): written only when set, read back, merged
// across shards (counts added, the longest duration), and on the summary's registry line.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "metrics/report.hpp"
#include "metrics/report_merge.hpp"
#include "metrics/report_read.hpp"

namespace fleetsim::metrics {
namespace {

RunInfo shard_info(std::string shard, Provisioning provisioning) {
  RunInfo info;
  info.scenario = "iothub";
  info.target = "iothub";
  info.started_at = "2026-11-23T16:00:00Z";
  info.duration_s = 3;
  info.shard = std::move(shard);
  info.provisioning = provisioning;
  return info;
}

// "created 1 existing 2 ... duration_s 0.5": the members in order, numbers as %g.
std::string fields(const boost::json::value& object) {
  std::string text;
  for (const auto& [key, value] : object.as_object()) {
    char number[32];
    std::snprintf(number, sizeof number, "%g", value.to_number<double>());
    if (!text.empty()) text += ' ';
    text.append(key).append(" ").append(number);
  }
  return text;
}

ParsedReport written_and_read(const RunInfo& info) {
  std::string error;
  auto parsed = parse_report(build_report(info, Snapshot{}, {}), &error);
  EXPECT_TRUE(parsed) << error;
  return std::move(*parsed);
}

TEST(ReportProvisioning, WrittenOnlyWhenSetAndReadBack) {
  RunInfo plain = shard_info("0/1", {});
  plain.provisioning.reset();
  EXPECT_FALSE(build_report(plain, Snapshot{}, {}).contains("provisioning"));
  EXPECT_FALSE(written_and_read(plain).info.provisioning);

  const RunInfo info = shard_info("0/1", {120, 30, 120, 4, 1.23456});
  const boost::json::object doc = build_report(info, Snapshot{}, {});
  EXPECT_EQ(fields(doc.at("provisioning")),
            "created 120 existing 30 deleted 120 throttled 4 duration_s 1.235");
  const ParsedReport read = written_and_read(info);
  ASSERT_TRUE(read.info.provisioning);
  EXPECT_EQ(read.info.provisioning->created, 120u);
  EXPECT_EQ(read.info.provisioning->existing, 30u);
  EXPECT_EQ(read.info.provisioning->deleted, 120u);
  EXPECT_EQ(read.info.provisioning->throttled, 4u);
  EXPECT_DOUBLE_EQ(read.info.provisioning->duration_s, 1.235);
}

TEST(ReportProvisioning, ShardsAddTheirCountsAndKeepTheLongestDuration) {
  const ParsedReport a = written_and_read(shard_info("0/2", {10, 1, 10, 2, 0.5}));
  const ParsedReport b = written_and_read(shard_info("1/2", {20, 0, 19, 3, 0.75}));
  const std::vector<MergeInput> inputs{{"a.json", &a}, {"b.json", &b}};
  std::string error;
  const auto merged = merge_reports(inputs, &error);
  ASSERT_TRUE(merged) << error;
  EXPECT_EQ(fields(merged->doc.at("provisioning")),
            "created 30 existing 1 deleted 29 throttled 5 duration_s 0.75");
}

TEST(ReportProvisioning, SummaryHasARegistryLine) {
  const std::string summary = format_summary(shard_info("0/1", {36, 0, 36, 2, 0.25}), Snapshot{}, {});
  EXPECT_NE(summary.find("registry       created 36  existing 0  deleted 36  throttled 2  in 0.2 s"),
            std::string::npos)
      << summary;
}

}  // namespace
}  // namespace fleetsim::metrics
