#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "metrics/json_text.hpp"
#include "metrics/report.hpp"
#include "unit/metrics/sample_snapshot.hpp"

namespace fleetsim::metrics {
namespace {

namespace json = boost::json;
using testing_data::idx;
using testing_data::sample_snapshot;

RunInfo sample_info() {
  RunInfo info;
  info.scenario = "quickstart";
  info.target = "embedded";
  info.started_at = "2026-11-22T18:00:00Z";
  info.duration_s = 10.0;
  info.shard = "1/4";
  info.devices = 1000;
  info.modules = 2000;
  info.sessions_connected_peak = 2990;
  info.sessions_failed = 5;
  return info;
}

std::vector<GateResult> sample_gates() {
  GateResult ok{"tail", "telemetry.p99 < 50ms", 9.9, true, ""};
  GateResult failed{"errors == 0", "errors == 0", 9, false, ""};
  GateResult broken{"c2d.p99 < 5ms", "c2d.p99 < 5ms", 0, false, "no c2d samples"};
  return {ok, failed, broken};
}

// The report as a reader sees it: written as the report file is, and parsed back.
json::object round_trip(const json::object& doc) {
  return json::parse(to_json_text(doc)).as_object();
}

std::uint64_t u64(const json::value& v) {
  return v.to_number<std::uint64_t>();
}
double num(const json::value& v) {
  return v.to_number<double>();
}

TEST(ReportJson, HasEverySectionInSchemaOrder) {
  const auto snapshot = sample_snapshot();
  const json::object doc = round_trip(build_report(sample_info(), *snapshot, sample_gates()));
  std::vector<std::string> keys;
  for (const auto& kv : doc) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"fleetsim", "fleet", "operations", "errors", "health", "gates",
                                            "passed"}));
}

TEST(ReportJson, RunAndFleetSections) {
  const auto snapshot = sample_snapshot();
  const json::object doc = round_trip(build_report(sample_info(), *snapshot, {}));
  const auto& run = doc.at("fleetsim").as_object();
  EXPECT_EQ(run.at("version").as_string(), "0.1.0");
  EXPECT_EQ(run.at("scenario").as_string(), "quickstart");
  EXPECT_EQ(run.at("target").as_string(), "embedded");
  EXPECT_EQ(run.at("started_at").as_string(), "2026-11-22T18:00:00Z");
  EXPECT_DOUBLE_EQ(num(run.at("duration_s")), 10.0);
  EXPECT_EQ(run.at("shard").as_string(), "1/4");
  EXPECT_EQ(run.size(), 6u);

  const auto& fleet = doc.at("fleet").as_object();
  EXPECT_EQ(u64(fleet.at("devices")), 1000u);
  EXPECT_EQ(u64(fleet.at("modules")), 2000u);
  EXPECT_EQ(u64(fleet.at("sessions_connected_peak")), 2990u);
  EXPECT_EQ(u64(fleet.at("sessions_failed")), 7u) << "the larger of RunInfo's 5 and the snapshot's 7";
  EXPECT_EQ(fleet.size(), 5u);
}

TEST(ReportJson, OperationsListOnlyWhatOccurredWithCountsAndLatencies) {
  const auto snapshot = sample_snapshot();
  const json::object doc = round_trip(build_report(sample_info(), *snapshot, {}));
  const auto& ops = doc.at("operations").as_object();
  EXPECT_EQ(ops.size(), 3u);
  EXPECT_TRUE(ops.contains("telemetry"));
  EXPECT_TRUE(ops.contains("twin_get"));
  EXPECT_TRUE(ops.contains("reported_patch"));
  EXPECT_FALSE(ops.contains("c2d"));

  for (const auto& kv : ops) {
    const auto& op = kv.value().as_object();
    EXPECT_EQ(u64(op.at("count")),
              u64(op.at("ok")) + u64(op.at("errors")) + u64(op.at("timeouts")) + u64(op.at("throttled")))
        << kv.key();
  }

  const auto& telemetry = ops.at("telemetry").as_object();
  EXPECT_EQ(u64(telemetry.at("count")), 1010u);
  EXPECT_EQ(u64(telemetry.at("ok")), 1000u);
  EXPECT_EQ(u64(telemetry.at("errors")), 3u);
  EXPECT_EQ(u64(telemetry.at("timeouts")), 2u);
  EXPECT_EQ(u64(telemetry.at("throttled")), 5u);
  EXPECT_DOUBLE_EQ(num(telemetry.at("rate_per_s")), 101.0);

  const Histogram& h = snapshot->ops[idx(Op::telemetry)].latency;
  const auto& latency = telemetry.at("latency_ms").as_object();
  EXPECT_EQ(latency.size(), 6u);
  EXPECT_DOUBLE_EQ(num(latency.at("mean")), 5.005);
  EXPECT_DOUBLE_EQ(num(latency.at("max")), 10.0);
  const std::vector<std::pair<const char*, double>> quantiles = {
      {"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}};
  for (const auto& [key, q] : quantiles) {
    const double expected = std::round(static_cast<double>(h.quantile_ns(q)) / 1e3) / 1e3;
    EXPECT_DOUBLE_EQ(num(latency.at(key)), expected) << key;
    const double ms = num(latency.at(key));
    EXPECT_DOUBLE_EQ(ms, std::round(ms * 1000) / 1000) << key << " rounded to the microsecond";
  }

  const auto decoded = Histogram::decode(telemetry.at("histogram").as_string());
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, h);

  const auto& failed_only = ops.at("reported_patch").as_object();
  EXPECT_EQ(u64(failed_only.at("count")), 4u);
  EXPECT_DOUBLE_EQ(num(failed_only.at("latency_ms").at("p99")), 0.0);
  EXPECT_EQ(Histogram::decode(failed_only.at("histogram").as_string())->count(), 0u);
}

TEST(ReportJson, ErrorsListEveryKindIncludingZeros) {
  const auto snapshot = sample_snapshot();
  const json::object doc = round_trip(build_report(sample_info(), *snapshot, {}));
  const auto& errors = doc.at("errors").as_object();
  EXPECT_EQ(errors.size(), kErrorKindCount);
  for (std::size_t i = 0; i < kErrorKindCount; ++i) {
    const auto name = error_kind_name(static_cast<ErrorKind>(i));
    ASSERT_TRUE(errors.contains(name)) << name;
    EXPECT_EQ(u64(errors.at(name)), snapshot->errors[i]) << name;
  }
  EXPECT_EQ(u64(errors.at("timeout")), 2u);
  EXPECT_EQ(u64(errors.at("connect_refused")), 0u);
}

TEST(ReportJson, HealthReportsScheduleLagAndSaturation) {
  auto snapshot = sample_snapshot();
  json::object doc = round_trip(build_report(sample_info(), *snapshot, {}));
  const auto& health = doc.at("health").as_object();
  const auto& lag = health.at("schedule_lag_ms").as_object();
  EXPECT_DOUBLE_EQ(num(lag.at("p50")), 0.1);
  EXPECT_DOUBLE_EQ(num(lag.at("p99")), 0.1);
  EXPECT_DOUBLE_EQ(num(lag.at("max")), 0.1);
  EXPECT_FALSE(health.at("saturated").as_bool());
  EXPECT_FALSE(health.contains("notes"));

  for (int i = 0; i < 100; ++i) snapshot->schedule_lag.record(20'000'000);  // p99 20 ms
  RunInfo info = sample_info();
  info.notes = {"the simulator was saturated"};
  doc = round_trip(build_report(info, *snapshot, {}));
  EXPECT_TRUE(doc.at("health").at("saturated").as_bool());
  ASSERT_TRUE(doc.at("health").as_object().contains("notes"));
  EXPECT_EQ(doc.at("health").at("notes").as_array(), (json::array{"the simulator was saturated"}));
}

TEST(ReportJson, GatesAndVerdict) {
  const auto snapshot = sample_snapshot();
  const json::object doc = round_trip(build_report(sample_info(), *snapshot, sample_gates()));
  const auto& gates = doc.at("gates").as_array();
  ASSERT_EQ(gates.size(), 3u);
  const auto& first = gates[0].as_object();
  EXPECT_EQ(first.at("name").as_string(), "tail");
  EXPECT_EQ(first.at("expr").as_string(), "telemetry.p99 < 50ms");
  EXPECT_DOUBLE_EQ(num(first.at("value")), 9.9);
  EXPECT_TRUE(first.at("passed").as_bool());
  EXPECT_FALSE(first.contains("error"));
  EXPECT_FALSE(gates[1].at("passed").as_bool());
  EXPECT_EQ(gates[2].at("error").as_string(), "no c2d samples");
  EXPECT_FALSE(doc.at("passed").as_bool());
  EXPECT_FALSE(doc.contains("interrupted"));

  const std::vector<GateResult> all_pass = {sample_gates()[0]};
  EXPECT_TRUE(round_trip(build_report(sample_info(), *snapshot, all_pass)).at("passed").as_bool());
  EXPECT_TRUE(round_trip(build_report(sample_info(), *snapshot, {})).at("passed").as_bool()) << "no gates";
}

TEST(ReportJson, InterruptedRunIsMarked) {
  const auto snapshot = sample_snapshot();
  RunInfo info = sample_info();
  info.interrupted = true;
  const json::object doc = round_trip(build_report(info, *snapshot, {}));
  ASSERT_TRUE(doc.contains("interrupted"));
  EXPECT_TRUE(doc.at("interrupted").as_bool());
  EXPECT_FALSE(doc.at("passed").as_bool()) << "an interrupted run did not complete";
}

TEST(ReportJson, TextWritesNumbersAsPeopleDo) {
  const json::object doc{{"duration_s", 30.0}, {"p99", 0.125}, {"count", 12000}, {"neg", -2.5},
                         {"nested", {{"list", json::array{1.0, "x", true, nullptr}}}}};
  const std::string text = to_json_text(doc);
  EXPECT_NE(text.find("\"duration_s\": 30.0"), std::string::npos) << text;
  EXPECT_NE(text.find("\"p99\": 0.125"), std::string::npos) << text;
  EXPECT_NE(text.find("\"count\": 12000"), std::string::npos) << text;
  EXPECT_EQ(text.find('E'), std::string::npos) << text;
  EXPECT_EQ(json::parse(text).as_object(), doc);
}

TEST(ReportJson, FleetCarriesConnectRate) {
  const auto snapshot = sample_snapshot();
  RunInfo info = sample_info();
  info.connects_per_s = 1234.5678;
  const json::object doc = round_trip(build_report(info, *snapshot, {}));
  EXPECT_DOUBLE_EQ(num(doc.at("fleet").at("connects_per_s")), 1234.568);
}

TEST(ReportJson, TransportTlsVerificationAndSasRenewalsWhenKnown) {
  const auto snapshot = sample_snapshot();
  RunInfo info = sample_info();
  json::object doc = round_trip(build_report(info, *snapshot, {}));
  EXPECT_FALSE(doc.at("fleetsim").as_object().contains("tls_verify"));
  EXPECT_FALSE(doc.at("fleet").as_object().contains("sas_renewals"));
  info.transport = "mqtt-wss";
  info.tls_verify = false;
  info.sas_renewals = 12;
  doc = round_trip(build_report(info, *snapshot, {}));
  EXPECT_EQ(doc.at("fleetsim").at("transport").as_string(), "mqtt-wss");
  EXPECT_EQ(doc.at("fleetsim").at("tls_verify"), json::value(false));
  EXPECT_EQ(u64(doc.at("fleet").at("sas_renewals")), 12u);
}

TEST(ReportJson, WriteJsonFileWritesTheDocumentAndANewline) {
  const auto snapshot = sample_snapshot();
  const json::object doc = build_report(sample_info(), *snapshot, sample_gates());
  const std::string path = ::testing::TempDir() + "fleetsim_report_test.json";
  std::string error;
  ASSERT_TRUE(write_json_file(path, doc, &error)) << error;
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.back(), '\n');
  EXPECT_EQ(json::parse(s).as_object(), doc);
  std::remove(path.c_str());
}

TEST(ReportJson, WriteJsonFileReportsIoFailure) {
  std::string error;
  EXPECT_FALSE(write_json_file("/nonexistent-dir/for/sure/report.json", json::object{}, &error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace fleetsim::metrics
