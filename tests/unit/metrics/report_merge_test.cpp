// merge_reports: shard reports merged are the report of the whole run, exactly.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "metrics/json_text.hpp"
#include "metrics/report_merge.hpp"

namespace fleetsim::metrics {
namespace {

namespace json = boost::json;

constexpr std::size_t idx(Op op) {
  return static_cast<std::size_t>(op);
}

const std::vector<GateSpec> kGates = {{"tail", "telemetry.p99 < 50ms"},
                                      {"patch tail", "reported_patch.p999 < 20ms"},
                                      {"no errors", "errors == 0"},
                                      {"count", "telemetry.count > 1000"}};

// One process's data: what it recorded over 5 one-second intervals, as the cumulative snapshots
// its tick saw, so that both the totals and the timeline can be built from it.
struct Process {
  std::vector<std::shared_ptr<const Snapshot>> cumulative;  // after second 1..5
  RunInfo info;
};

std::shared_ptr<const Snapshot> copy(const Snapshot& s) {
  return std::make_shared<const Snapshot>(s);
}

// Random samples of the whole run, each dealt to one of `shards` processes (shards == 1: the
// single process that recorded everything).
std::vector<Process> simulate(std::size_t shards, std::uint64_t seed) {
  std::vector<Process> processes(shards);
  std::vector<std::unique_ptr<Snapshot>> running;
  for (std::size_t i = 0; i < shards; ++i) {
    running.push_back(std::make_unique<Snapshot>());
    processes[i].info.scenario = "merge-test";
    processes[i].info.target = "embedded";
    processes[i].info.started_at = "2026-11-22T18:00:0" + std::to_string(i % 10) + "Z";
    processes[i].info.duration_s = 5.0;
    processes[i].info.shard = std::to_string(i) + "/" + std::to_string(shards);
  }
  // The deal depends on the seed only, not on the number of shards: the same samples in both.
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> telemetry_ns(13.5, 1.2);
  std::lognormal_distribution<double> patch_ns(12.0, 0.8);
  std::uniform_int_distribution<std::uint64_t> device(0, 999);
  for (int second = 0; second < 5; ++second) {
    for (int n = 0; n < 3000; ++n) {
      const auto d = device(rng);
      Snapshot& s = *running[d % shards];
      const std::uint64_t v = static_cast<std::uint64_t>(telemetry_ns(rng)) + 1;
      const std::uint64_t roll = rng() % 1000;
      if (roll == 0) {
        s.ops[idx(Op::telemetry)].timeouts += 1;
        s.errors[static_cast<std::size_t>(ErrorKind::timeout)] += 1;
      } else {
        s.ops[idx(Op::telemetry)].ok += 1;
        s.ops[idx(Op::telemetry)].latency.record(v);
      }
      if (n % 3 == 0) {
        s.ops[idx(Op::reported_patch)].ok += 1;
        s.ops[idx(Op::reported_patch)].latency.record(static_cast<std::uint64_t>(patch_ns(rng)) + 1);
      }
      s.schedule_lag.record(rng() % 200'000);
    }
    for (std::size_t i = 0; i < shards; ++i) {
      running[i]->sessions_connected = 1000 / shards;
      processes[i].cumulative.push_back(copy(*running[i]));
    }
  }
  for (std::size_t i = 0; i < shards; ++i) {
    processes[i].info.devices = 1000 / shards;
    processes[i].info.sessions_connected_peak = 1000 / shards;
    processes[i].info.connects_per_s = 100.0;
  }
  return processes;
}

// The report file a process writes, read back.
ParsedReport report_of(const Process& p) {
  TimelineRecorder timeline(1.0);
  for (std::size_t k = 0; k < p.cumulative.size(); ++k)
    timeline.record(static_cast<double>(k + 1), *p.cumulative[k]);
  const Snapshot& final_snapshot = *p.cumulative.back();
  json::object doc =
      build_report(p.info, final_snapshot, evaluate_gates(kGates, final_snapshot, p.info.duration_s));
  doc["timeline"] = timeline_json(timeline.timeline());
  std::string error;
  auto parsed = parse_report(json::parse(to_json_text(doc)).as_object(), &error);
  EXPECT_TRUE(parsed.has_value()) << error;
  return std::move(*parsed);
}

std::optional<MergedReport> merge(const std::vector<ParsedReport>& reports, std::string* error) {
  std::vector<MergeInput> inputs;
  for (std::size_t i = 0; i < reports.size(); ++i)
    inputs.push_back({"shard" + std::to_string(i) + ".json", &reports[i]});
  return merge_reports(inputs, error);
}

TEST(ReportMerge, MergedShardsEqualOneProcessExactly) {
  for (const std::size_t shards : {2u, 3u, 7u}) {
    const auto single = report_of(simulate(1, 42).front());
    std::vector<ParsedReport> parts;
    for (const auto& p : simulate(shards, 42)) parts.push_back(report_of(p));
    std::string error;
    const auto merged = merge(parts, &error);
    ASSERT_TRUE(merged.has_value()) << error;
    const json::object doc = json::parse(to_json_text(merged->doc)).as_object();

    // Every operation: counts, every percentile and the histogram text itself.
    EXPECT_EQ(doc.at("operations"), single.doc.at("operations")) << shards << " shards";
    const auto& telemetry = doc.at("operations").at("telemetry").as_object();
    EXPECT_EQ(telemetry.at("count").to_number<std::uint64_t>(), 15000u);
    // The shards' own p99s differ from the merged one; the merged one is the single process's.
    EXPECT_EQ(telemetry.at("latency_ms").at("p99"),
              single.doc.at("operations").at("telemetry").at("latency_ms").at("p99"));
    EXPECT_EQ(doc.at("errors"), single.doc.at("errors"));
    EXPECT_EQ(doc.at("health").at("schedule_lag_ms"), single.doc.at("health").at("schedule_lag_ms"));
    EXPECT_EQ(doc.at("health").at("schedule_lag_histogram"),
              single.doc.at("health").at("schedule_lag_histogram"));
    EXPECT_EQ(doc.at("gates"), single.doc.at("gates"));
    EXPECT_EQ(doc.at("passed"), single.doc.at("passed"));

    EXPECT_EQ(doc.at("fleetsim").at("shard").as_string(), "merged:" + std::to_string(shards));
    EXPECT_EQ(doc.at("fleetsim").at("merged_from").as_array().size(), shards);
    EXPECT_EQ(doc.at("fleetsim").at("started_at").as_string(), "2026-11-22T18:00:00Z");
    EXPECT_EQ(doc.at("fleet").at("devices").to_number<std::uint64_t>(), (1000 / shards) * shards);
    EXPECT_DOUBLE_EQ(doc.at("fleet").at("connects_per_s").to_number<double>(),
                     100.0 * static_cast<double>(shards));

    // The timeline: per interval, counts add and the interval histograms' buckets merge exactly.
    const auto& points = doc.at("timeline").at("points").as_array();
    const auto& single_points = single.doc.at("timeline").at("points").as_array();
    ASSERT_EQ(points.size(), single_points.size());
    for (std::size_t k = 0; k < points.size(); ++k) {
      const auto& a = points[k].at("operations").at("telemetry").as_object();
      const auto& b = single_points[k].at("operations").at("telemetry").as_object();
      EXPECT_EQ(a.at("count"), b.at("count"));
      EXPECT_EQ(a.at("timeouts"), b.at("timeouts"));
      const auto ha = Histogram::decode(a.at("histogram").as_string());
      const auto hb = Histogram::decode(b.at("histogram").as_string());
      ASSERT_TRUE(ha && hb);
      EXPECT_EQ(ha->sum_ns(), hb->sum_ns());
      for (std::size_t i = 0; i < Histogram::kBucketCount; ++i)
        ASSERT_EQ(ha->bucket_count_at(i), hb->bucket_count_at(i));
      EXPECT_NEAR(a.at("p99").to_number<double>(), b.at("p99").to_number<double>(),
                  b.at("p99").to_number<double>() * 0.01);
      EXPECT_EQ(points[k].at("sessions_connected").to_number<std::uint64_t>(), (1000 / shards) * shards);
    }
  }
}

TEST(ReportMerge, AMergedReportMergesAgain) {
  auto parts = simulate(4, 7);
  std::vector<ParsedReport> first, second;
  first.push_back(report_of(parts[0]));
  first.push_back(report_of(parts[1]));
  second.push_back(report_of(parts[2]));
  second.push_back(report_of(parts[3]));
  std::string error;
  // Reports of two halves of a 4-shard run, each merged, then merged together.
  const auto a = merge(first, &error);
  const auto b = merge(second, &error);
  ASSERT_TRUE(a && b) << error;
  std::vector<ParsedReport> halves;
  halves.push_back(std::move(*parse_report(json::parse(to_json_text(a->doc)).as_object(), &error)));
  halves.push_back(std::move(*parse_report(json::parse(to_json_text(b->doc)).as_object(), &error)));
  const auto all = merge(halves, &error);
  ASSERT_TRUE(all.has_value()) << error;
  EXPECT_EQ(all->doc.at("fleetsim").at("shard").as_string(), "merged:4");
  const auto single = report_of(simulate(1, 7).front());
  EXPECT_EQ(json::parse(to_json_text(all->doc)).at("operations"), single.doc.at("operations"));
}

TEST(ReportMerge, RefusesIncompatibleInputs) {
  auto parts = simulate(2, 1);
  const auto check = [&](Process a, Process b, const std::string& expected) {
    std::vector<ParsedReport> reports;
    reports.push_back(report_of(a));
    reports.push_back(report_of(b));
    std::string error;
    EXPECT_FALSE(merge(reports, &error).has_value()) << expected;
    EXPECT_NE(error.find(expected), std::string::npos) << error;
  };
  Process other = parts[1];
  other.info.scenario = "another";
  check(parts[0], other, "shard1.json: scenario 'another', but shard0.json is scenario 'merge-test'");
  other = parts[1];
  other.info.shard = "0/2";
  check(parts[0], other, "shard 0/2 appears twice");
  other = parts[1];
  other.info.shard = "1/3";
  check(parts[0], other, "shard 1/3 is one of 3, the others of 2");
  other = parts[1];
  other.info.target = "mqtt";
  check(parts[0], other, "target 'mqtt'");
}

TEST(ReportMerge, RefusesDifferentGates) {
  auto parts = simulate(2, 1);
  std::vector<ParsedReport> reports;
  reports.push_back(report_of(parts[0]));
  reports.push_back(report_of(parts[1]));
  reports[1].gates.pop_back();
  std::string error;
  EXPECT_FALSE(merge(reports, &error).has_value());
  EXPECT_NE(error.find("gates"), std::string::npos) << error;
}

TEST(ReportMerge, KeepsFieldsItDoesNotKnow) {
  auto parts = simulate(2, 1);
  std::vector<ParsedReport> reports;
  reports.push_back(report_of(parts[0]));
  reports.push_back(report_of(parts[1]));
  for (auto& r : reports) {
    r.doc["fleet"].as_object()["sas_renewals"] = 5;
    r.doc["fleetsim"].as_object()["tls_verify"] = false;
    r.doc["errors"].as_object()["tls_handshake"] = 2;
  }
  reports[1].doc["fleetsim"].as_object()["host"] = "b";  // differs: not kept
  std::string error;
  const auto merged = merge(reports, &error);
  ASSERT_TRUE(merged.has_value()) << error;
  EXPECT_EQ(merged->doc.at("fleet").at("sas_renewals").to_number<std::uint64_t>(), 10u);
  EXPECT_EQ(merged->doc.at("fleetsim").at("tls_verify"), json::value(false));
  EXPECT_EQ(merged->doc.at("errors").at("tls_handshake").to_number<std::uint64_t>(), 4u);
  EXPECT_FALSE(merged->doc.at("fleetsim").as_object().contains("host"));
}

TEST(ReportMerge, AnInterruptedShardFailsTheMergedRun) {
  auto parts = simulate(2, 3);
  parts[1].info.interrupted = true;
  parts[1].info.notes.push_back("run interrupted before its duration");
  std::vector<ParsedReport> reports;
  reports.push_back(report_of(parts[0]));
  reports.push_back(report_of(parts[1]));
  std::string error;
  const auto merged = merge(reports, &error);
  ASSERT_TRUE(merged.has_value()) << error;
  EXPECT_FALSE(merged->doc.at("passed").as_bool());
  EXPECT_TRUE(merged->doc.at("interrupted").as_bool());
  const auto& notes = merged->doc.at("health").at("notes").as_array();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].as_string(), "shard 1/2: run interrupted before its duration");
}

}  // namespace
}  // namespace fleetsim::metrics
