// The real `fleetsim` binary: sharded runs merged by `fleetsim report merge`, `report compare`,
// baseline gates, the shard taken from a Kubernetes Indexed Job's environment, and the timeline.
#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "metrics/histogram.hpp"
#include "metrics/report_units.hpp"
#include "support/process.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using fleetsim::metrics::Histogram;
using namespace std::chrono_literals;

// 24 devices sending telemetry every 200 ms and a reported property every 500 ms for 4 s: a few
// hundred samples per shard, enough that p99 is not simply the max.
constexpr const char* kScenario = R"(
name = "report-cli"
duration = "4s"
seed = 11

[fleet]
devices = 24
connect_rate = "4000/s"

[[telemetry]]
on = "device"
interval = "200ms"
qos = 1
size = 64

[[reported]]
on = "device"
path = "fw.version"
value = { kind = "counter", start = 1.0, step = 1.0 }
sample = "500ms"
pmax = "500ms"

[[gate]]
name = "telemetry tail"
expr = "telemetry.p99 < 5000ms"

[[gate]]
expr = "errors == 0"
)";

class ReportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fleetsim-report-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    scenario_ = (dir_ / "scenario.toml").string();
    std::ofstream(scenario_) << kScenario;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  struct Result {
    int exit_code = -1;
    std::string out, err;
  };

  static Result run(std::vector<std::string> args, std::chrono::milliseconds timeout = 90s) {
    args.insert(args.begin(), FLEETSIM_BINARY);
    fleetsim::test::Process p(args);
    Result r;
    r.exit_code = p.wait(timeout);
    r.out = p.stdout_text();
    r.err = p.stderr_text();
    return r;
  }

  static json::object read(const std::string& file) {
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str()).as_object();
  }

  static const json::object& op(const json::object& report, const char* name) {
    return report.at("operations").at(name).as_object();
  }
  static std::uint64_t u64(const json::value& v) { return v.to_number<std::uint64_t>(); }

  fs::path dir_;
  std::string scenario_;
};

TEST_F(ReportCli, ShardReportsMergeExactly) {
  // Both shards at once, as two machines would run them.
  fleetsim::test::Process a({FLEETSIM_BINARY, "run", scenario_, "--shard", "0/2", "--quiet", "--threads", "1",
                             "--report", path("a.json")});
  fleetsim::test::Process b({FLEETSIM_BINARY, "run", scenario_, "--shard", "1/2", "--quiet", "--threads", "1",
                             "--report", path("b.json")});
  ASSERT_EQ(a.wait(60s), 0) << a.stderr_text();
  ASSERT_EQ(b.wait(60s), 0) << b.stderr_text();

  const Result m = run({"report", "merge", path("a.json"), path("b.json"), "-o", path("all.json")});
  ASSERT_EQ(m.exit_code, 0) << m.out << m.err;
  EXPECT_NE(m.out.find("merged:2"), std::string::npos) << m.out;  // the summary table
  const json::object ra = read(path("a.json"));
  const json::object rb = read(path("b.json"));
  const json::object all = read(path("all.json"));

  EXPECT_EQ(all.at("fleetsim").at("shard").as_string(), "merged:2");
  EXPECT_EQ(u64(all.at("fleet").at("devices")), 24u);
  EXPECT_EQ(u64(ra.at("fleet").at("devices")) + u64(rb.at("fleet").at("devices")), 24u);
  EXPECT_TRUE(all.at("passed").as_bool());

  for (const char* name : {"connect", "twin_get", "telemetry", "reported_patch"}) {
    SCOPED_TRACE(name);
    const auto& x = op(ra, name);
    const auto& y = op(rb, name);
    const auto& z = op(all, name);
    // Counts add up exactly.
    for (const char* field : {"count", "ok", "errors", "timeouts", "throttled"}) {
      EXPECT_EQ(u64(z.at(field)), u64(x.at(field)) + u64(y.at(field))) << field;
    }
    // The histogram is the exact merge of the shards' ...
    auto merged = Histogram::decode(x.at("histogram").as_string());
    const auto hy = Histogram::decode(y.at("histogram").as_string());
    const auto hz = Histogram::decode(z.at("histogram").as_string());
    ASSERT_TRUE(merged && hy && hz);
    merged->merge(*hy);
    EXPECT_EQ(*hz, *merged);
    // ... and the percentiles are recomputed from it, not averaged from the shards'.
    const auto stats = fleetsim::metrics::latency_stats_ms(*merged);
    const auto& lat = z.at("latency_ms").as_object();
    EXPECT_DOUBLE_EQ(lat.at("p50").to_number<double>(), stats.p50);
    EXPECT_DOUBLE_EQ(lat.at("p99").to_number<double>(), stats.p99);
    EXPECT_DOUBLE_EQ(lat.at("p999").to_number<double>(), stats.p999);
    EXPECT_DOUBLE_EQ(lat.at("max").to_number<double>(),
                     std::max(x.at("latency_ms").at("max").to_number<double>(),
                              y.at("latency_ms").at("max").to_number<double>()));
  }
  // Gates were evaluated again on the merged data.
  const auto& gates = all.at("gates").as_array();
  ASSERT_EQ(gates.size(), 2u);
  EXPECT_EQ(gates[0].at("name").as_string(), "telemetry tail");
  EXPECT_DOUBLE_EQ(gates[0].at("value").to_number<double>(),
                   op(all, "telemetry").at("latency_ms").at("p99").to_number<double>());

  // Timelines merge per interval: the per-interval telemetry counts add up to the total.
  std::uint64_t timeline_telemetry = 0;
  for (const auto& p : all.at("timeline").at("points").as_array()) {
    if (const auto* t = p.at("operations").as_object().if_contains("telemetry"))
      timeline_telemetry += u64(t->at("count"));
  }
  EXPECT_EQ(timeline_telemetry, u64(op(all, "telemetry").at("count")));
  std::printf(
      "merged telemetry: shard counts %llu + %llu = %llu; p99 shard 0 %.3f ms, shard 1 %.3f ms, merged %.3f "
      "ms\n",
      static_cast<unsigned long long>(u64(op(ra, "telemetry").at("count"))),
      static_cast<unsigned long long>(u64(op(rb, "telemetry").at("count"))),
      static_cast<unsigned long long>(u64(op(all, "telemetry").at("count"))),
      op(ra, "telemetry").at("latency_ms").at("p99").to_number<double>(),
      op(rb, "telemetry").at("latency_ms").at("p99").to_number<double>(),
      op(all, "telemetry").at("latency_ms").at("p99").to_number<double>());
}

TEST_F(ReportCli, MergeRefusesUnreadableOrIncompatibleReports) {
  ASSERT_EQ(
      run({"run", scenario_, "--shard", "0/2", "--quiet", "--set", "duration=1s", "--report", path("a.json")})
          .exit_code,
      0);
  const Result missing =
      run({"report", "merge", path("a.json"), path("absent.json"), "-o", path("all.json")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("absent.json: No such file or directory"), std::string::npos) << missing.err;
  const Result twice = run({"report", "merge", path("a.json"), path("a.json"), "-o", path("all.json")});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("shard 0/2 appears twice"), std::string::npos) << twice.err;
  EXPECT_FALSE(fs::exists(path("all.json")));
}

TEST_F(ReportCli, ShardFromTheIndexedJobEnvironment) {
  ::setenv("JOB_COMPLETION_INDEX", "1", 1);
  ::setenv("FLEETSIM_SHARDS", "3", 1);
  // "{shard}" in an output path names the shard, so that pods sharing a volume write apart.
  const Result r =
      run({"run", scenario_, "--quiet", "--set", "duration=1s", "--report", path("r-{shard}.json")});
  ::unsetenv("FLEETSIM_SHARDS");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(path("r-1-of-3.json")));
  const json::object report = read(path("r-1-of-3.json"));
  EXPECT_EQ(report.at("fleetsim").at("shard").as_string(), "1/3");
  EXPECT_EQ(u64(report.at("fleet").at("devices")), 8u);

  // Without the number of shards the index means nothing: a usage error.
  const Result no_count = run({"run", scenario_, "--quiet", "--set", "duration=1s"});
  ::unsetenv("JOB_COMPLETION_INDEX");
  EXPECT_EQ(no_count.exit_code, 2);
  EXPECT_NE(no_count.err.find("set FLEETSIM_SHARDS (or JOB_COMPLETIONS)"), std::string::npos) << no_count.err;
}

TEST_F(ReportCli, BaselineGates) {
  ASSERT_EQ(
      run({"run", scenario_, "--quiet", "--set", "duration=2s", "--report", path("base.json")}).exit_code, 0);
  const std::vector<std::string> baseline_gate = {"--set",
                                                  "gate.1.expr=reported_patch.count >= baseline * 0.5"};

  std::vector<std::string> without = {"run", scenario_, "--quiet", "--set", "duration=2s"};
  without.insert(without.end(), baseline_gate.begin(), baseline_gate.end());
  const Result usage = run(without);
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("compares with a baseline: give the baseline report with --baseline"),
            std::string::npos)
      << usage.err;

  std::vector<std::string> with = without;
  with.insert(with.end(), {"--baseline", path("base.json"), "--report", path("new.json")});
  const Result r = run(with);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const json::object base = read(path("base.json"));
  const json::object report = read(path("new.json"));
  const auto& gate = report.at("gates").as_array()[1].as_object();
  EXPECT_TRUE(gate.at("passed").as_bool());
  EXPECT_DOUBLE_EQ(gate.at("baseline").to_number<double>(),
                   op(base, "reported_patch").at("count").to_number<double>());
  EXPECT_DOUBLE_EQ(gate.at("threshold").to_number<double>(), gate.at("baseline").to_number<double>() * 0.5);

  std::vector<std::string> unreadable = without;
  unreadable.insert(unreadable.end(), {"--baseline", path("absent.json")});
  EXPECT_EQ(run(unreadable).exit_code, 2);
}

// A copy of `report` whose `name` latencies are all twice as long.
json::object slowed(json::object report, const char* name) {
  auto& o = report["operations"].as_object()[name].as_object();
  const auto h = Histogram::decode(o["histogram"].as_string());
  Histogram twice;
  for (std::size_t i = 0; i < Histogram::kBucketCount; ++i) {
    for (std::uint64_t n = 0; n < h->bucket_count_at(i); ++n)
      twice.record(Histogram::bucket_lower(i) * 2 + 1);
  }
  o["histogram"] = twice.encode();
  return report;
}

TEST_F(ReportCli, CompareFindsTheRegressedOperationAndPercentile) {
  ASSERT_EQ(
      run({"run", scenario_, "--quiet", "--set", "duration=2s", "--report", path("base.json")}).exit_code, 0);
  const Result same = run({"report", "compare", path("base.json"), path("base.json")});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("no regression beyond +10.0%"), std::string::npos) << same.out;

  std::ofstream(path("slow.json")) << json::serialize(slowed(read(path("base.json")), "reported_patch"));
  const Result slow =
      run({"report", "compare", path("base.json"), path("slow.json"), "--max-regression", "10%"});
  EXPECT_EQ(slow.exit_code, 1) << slow.out << slow.err;
  EXPECT_NE(slow.out.find("REGRESSION: reported_patch p99 +"), std::string::npos) << slow.out;
  EXPECT_EQ(slow.out.find("REGRESSION: telemetry"), std::string::npos) << slow.out;
  // Twice as slow is within a 150% tolerance.
  EXPECT_EQ(
      run({"report", "compare", path("base.json"), path("slow.json"), "--max-regression", "150%"}).exit_code,
      0);

  const Result bad = run({"report", "compare", path("base.json"), path("absent.json")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("absent.json"), std::string::npos) << bad.err;
  std::ofstream(path("junk.json")) << "{\"operations\": 5}";
  EXPECT_EQ(run({"report", "compare", path("base.json"), path("junk.json")}).exit_code, 2);
  EXPECT_EQ(
      run({"report", "compare", path("base.json"), path("base.json"), "--max-regression", "ten"}).exit_code,
      2);
}

TEST_F(ReportCli, TimelineHasOnePointPerSecond) {
  ASSERT_EQ(run({"run", scenario_, "--quiet", "--report", path("r.json")}).exit_code, 0);
  const json::object report = read(path("r.json"));
  const auto& timeline = report.at("timeline").as_object();
  EXPECT_DOUBLE_EQ(timeline.at("interval_s").to_number<double>(), 1.0);
  const auto& points = timeline.at("points").as_array();
  // 4 s of run, then the drain's partial interval (a tick delayed past a boundary merges two).
  ASSERT_GE(points.size(), 3u);
  ASSERT_LE(points.size(), 6u);
  std::uint64_t telemetry = 0;
  double previous_t = 0;
  for (const auto& p : points) {
    const double t = p.at("t").to_number<double>();
    EXPECT_EQ(t, std::floor(t)) << "t on a whole second";
    EXPECT_GT(t, previous_t);
    const auto* entry = p.at("operations").as_object().if_contains("telemetry");
    const std::uint64_t n = entry != nullptr ? u64(entry->at("count")) : 0;
    telemetry += n;
    // Each point holds its own interval, not the run so far: at most 24 devices x 5 messages a
    // second over the seconds it covers (plus the messages of a seeded first phase).
    EXPECT_LE(static_cast<double>(n), 24.0 * 5.0 * (t - previous_t) + 24.0) << "t = " << t;
    previous_t = t;
  }
  EXPECT_EQ(telemetry, u64(op(report, "telemetry").at("count")));
  EXPECT_GE(telemetry, 24u * 5u * 3u);

  EXPECT_EQ(run({"run", scenario_, "--quiet", "--timeline-interval", "0.5"}).exit_code, 2);
}

}  // namespace
