// parse_report / read_report: reports read back, and every malformed field named.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <boost/json.hpp>

#include "metrics/json_text.hpp"
#include "metrics/report_read.hpp"
#include "unit/metrics/sample_snapshot.hpp"

namespace fleetsim::metrics {
namespace {

namespace json = boost::json;
using testing_data::idx;
using testing_data::sample_snapshot;

json::object sample_doc() {
  RunInfo info;
  info.scenario = "quickstart";
  info.target = "embedded";
  info.started_at = "2026-11-22T18:00:00Z";
  info.duration_s = 10.0;
  info.shard = "1/4";
  info.devices = 250;
  info.sessions_connected_peak = 240;
  info.notes.push_back("a note");
  const auto s = sample_snapshot();
  std::vector<GateSpec> specs = {{"tail", "telemetry.p99 < 50ms"},
                                 {"vs base", "telemetry.p99 < baseline * 2", 3.5, ""}};
  json::object doc = build_report(info, *s, evaluate_gates(specs, *s, info.duration_s));
  return json::parse(to_json_text(doc)).as_object();
}

TEST(ReportRead, ReadsBackWhatBuildReportWrote) {
  std::string error;
  const auto r = parse_report(sample_doc(), &error);
  ASSERT_TRUE(r.has_value()) << error;
  const auto s = sample_snapshot();
  for (std::size_t i = 0; i < kOpCount; ++i) {
    EXPECT_EQ(r->snapshot->ops[i].ok, s->ops[i].ok) << i;
    EXPECT_EQ(r->snapshot->ops[i].errors, s->ops[i].errors) << i;
    EXPECT_EQ(r->snapshot->ops[i].timeouts, s->ops[i].timeouts) << i;
    EXPECT_EQ(r->snapshot->ops[i].throttled, s->ops[i].throttled) << i;
    EXPECT_EQ(r->snapshot->ops[i].latency, s->ops[i].latency) << i;
  }
  EXPECT_EQ(r->snapshot->errors, s->errors);
  EXPECT_TRUE(r->has_schedule_lag_histogram);
  EXPECT_EQ(r->snapshot->schedule_lag, s->schedule_lag);
  EXPECT_EQ(r->snapshot->sessions_failed, 7u);
  EXPECT_EQ(r->info.scenario, "quickstart");
  EXPECT_EQ(r->info.shard, "1/4");
  EXPECT_EQ(r->info.devices, 250u);
  EXPECT_EQ(r->info.sessions_connected_peak, 240u);
  EXPECT_DOUBLE_EQ(r->info.duration_s, 10.0);
  ASSERT_EQ(r->info.notes.size(), 1u);
  ASSERT_EQ(r->gates.size(), 2u);
  EXPECT_EQ(r->gates[0].name, "tail");
  EXPECT_EQ(r->gates[0].expr, "telemetry.p99 < 50ms");
  EXPECT_FALSE(r->gates[0].baseline.has_value());
  EXPECT_DOUBLE_EQ(r->gates[1].baseline.value_or(0), 3.5);
  EXPECT_FALSE(r->timeline.has_value());
  EXPECT_EQ(r->snapshot->errors[static_cast<std::size_t>(ErrorKind::backend_saturated)], 3u);
}

// Reports written before an error kind existed lack its key: it reads as zero, the rest as written.
TEST(ReportRead, ReadsAReportWithoutANewerErrorKind) {
  json::object doc = sample_doc();
  ASSERT_EQ(doc.at("errors").as_object().erase("backend_saturated"), 1u);
  std::string error;
  const auto r = parse_report(doc, &error);
  ASSERT_TRUE(r.has_value()) << error;
  EXPECT_EQ(r->snapshot->errors[static_cast<std::size_t>(ErrorKind::backend_saturated)], 0u);
  EXPECT_EQ(r->snapshot->errors[static_cast<std::size_t>(ErrorKind::disconnected)], 1u);
  EXPECT_EQ(r->snapshot->errors[static_cast<std::size_t>(ErrorKind::timeout)], 2u);
}

struct Broken {
  std::string what;
  void (*edit)(json::object&);
  std::string message;
};

TEST(ReportRead, NamesTheMalformedField) {
  const std::vector<Broken> cases = {
      {"no fleetsim", [](json::object& d) { d.erase("fleetsim"); }, "fleetsim: missing (expected an object)"},
      {"scenario type", [](json::object& d) { d["fleetsim"].as_object()["scenario"] = 3; },
       "fleetsim.scenario: expected a string"},
      {"negative count", [](json::object& d) { d["fleet"].as_object()["devices"] = -1; },
       "fleet.devices: expected a non-negative integer"},
      {"count sum",
       [](json::object& d) { d["operations"].as_object()["telemetry"].as_object()["count"] = 1; },
       "operations.telemetry.count: is 1, expected ok + errors + timeouts + throttled = 1010"},
      {"histogram text",
       [](json::object& d) { d["operations"].as_object()["telemetry"].as_object()["histogram"] = "h1:xyz"; },
       "operations.telemetry.histogram: not a valid h1 histogram"},
      {"histogram count",
       [](json::object& d) { d["operations"].as_object()["telemetry"].as_object()["ok"] = 999; },
       "operations.telemetry.count: is 1010, expected ok + errors + timeouts + throttled = 1009"},
      {"unknown operation",
       [](json::object& d) { d["operations"].as_object()["frobnicate"] = json::object(); },
       "operations.frobnicate: unknown operation (written by a newer fleetsim?)"},
      {"gates", [](json::object& d) { d["gates"] = 1; }, "gates: expected an array"},
      {"gate name", [](json::object& d) { d["gates"].as_array()[0].as_object().erase("name"); },
       "gates[0].name: missing (expected a string)"},
      {"lag histogram", [](json::object& d) { d["health"].as_object()["schedule_lag_histogram"] = "h1:"; },
       "health.schedule_lag_histogram: not a valid h1 histogram"},
      {"timeline order",
       [](json::object& d) {
         d["timeline"] = json::parse(R"({"interval_s": 1.0, "points": [{"t": 2.0, "operations": {}},
                                                                      {"t": 1.0, "operations": {}}]})");
       },
       "timeline.points[1].t: expected times increasing from 0"},
      {"timeline interval",
       [](json::object& d) { d["timeline"] = json::parse(R"({"interval_s": 0, "points": []})"); },
       "timeline.interval_s: expected a positive number"},
  };
  for (const auto& c : cases) {
    json::object doc = sample_doc();
    c.edit(doc);
    std::string error;
    EXPECT_FALSE(parse_report(doc, &error).has_value()) << c.what;
    EXPECT_EQ(error, c.message) << c.what;
  }
  // A histogram that holds other than `ok` values is caught too.
  json::object doc = sample_doc();
  auto& telemetry = doc["operations"].as_object()["telemetry"].as_object();
  telemetry["ok"] = 999;
  telemetry["count"] = 1009;
  std::string error;
  EXPECT_FALSE(parse_report(doc, &error).has_value());
  EXPECT_EQ(error,
            "operations.telemetry.histogram: holds 1000 values, expected 999 (the operation's ok count)");
}

TEST(ReportRead, FileErrorsNameThePath) {
  const auto dir = std::filesystem::temp_directory_path() / ("fleetsim-read-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string error;
  EXPECT_FALSE(read_report((dir / "absent.json").string(), &error).has_value());
  EXPECT_EQ(error, (dir / "absent.json").string() + ": No such file or directory");

  std::ofstream(dir / "bad.json") << "{\"fleetsim\": ";
  EXPECT_FALSE(read_report((dir / "bad.json").string(), &error).has_value());
  EXPECT_NE(error.find("bad.json: not valid JSON"), std::string::npos) << error;

  std::ofstream(dir / "array.json") << "[1]";
  EXPECT_FALSE(read_report((dir / "array.json").string(), &error).has_value());
  EXPECT_NE(error.find("array.json: expected a JSON object"), std::string::npos) << error;

  std::ofstream(dir / "ok.json") << to_json_text(sample_doc());
  EXPECT_TRUE(read_report((dir / "ok.json").string(), &error).has_value()) << error;

  json::object doc = sample_doc();
  doc.erase("gates");
  std::ofstream(dir / "nogates.json") << to_json_text(doc);
  EXPECT_FALSE(read_report((dir / "nogates.json").string(), &error).has_value());
  EXPECT_EQ(error, (dir / "nogates.json").string() + ": gates: missing (expected an array)");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fleetsim::metrics
