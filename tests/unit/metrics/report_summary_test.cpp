#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "metrics/report.hpp"
#include "unit/metrics/sample_snapshot.hpp"

namespace fleetsim::metrics {
namespace {

using testing_data::sample_snapshot;

RunInfo sample_info() {
  RunInfo info;
  info.scenario = "quickstart";
  info.target = "embedded";
  info.started_at = "2026-11-22T18:00:00Z";
  info.duration_s = 10.0;
  info.devices = 1000;
  info.modules = 2000;
  info.sessions_connected_peak = 2990;
  return info;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

const std::string* line_starting_with(const std::vector<std::string>& lines, const std::string& prefix) {
  for (const auto& l : lines) {
    if (l.starts_with(prefix)) return &l;
  }
  return nullptr;
}

std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

TEST(ReportSummary, OneAlignedRowPerOperationThatOccurred) {
  const auto snapshot = sample_snapshot();
  const auto lines = lines_of(format_summary(sample_info(), *snapshot, {}));
  const std::string* header = line_starting_with(lines, "operation ");
  ASSERT_NE(header, nullptr);
  for (const char* column : {"count", "ok", "err", "tmo", "thr", "rate/s", "mean ms", "p50 ms", "p90 ms",
                             "p99 ms", "p999 ms", "max ms"}) {
    EXPECT_NE(header->find(column), std::string::npos) << column;
  }

  const std::string* telemetry = line_starting_with(lines, "telemetry ");
  ASSERT_NE(telemetry, nullptr);
  EXPECT_EQ(telemetry->size(), header->size()) << "columns line up with the header";
  const auto w = words_of(*telemetry);
  ASSERT_EQ(w.size(), 13u) << *telemetry;
  EXPECT_EQ(w[1], "1010");
  EXPECT_EQ(w[2], "1000");
  EXPECT_EQ(w[3], "3");
  EXPECT_EQ(w[4], "2");
  EXPECT_EQ(w[5], "5");
  EXPECT_EQ(w[6], "101.0");
  EXPECT_EQ(w[7], "5.005");
  EXPECT_EQ(w[12], "10.000");

  const std::string* twin_get = line_starting_with(lines, "twin_get ");
  ASSERT_NE(twin_get, nullptr);
  EXPECT_EQ(words_of(*twin_get)[10], "2.000") << "p99";
  EXPECT_NE(line_starting_with(lines, "reported_patch "), nullptr);
  EXPECT_EQ(line_starting_with(lines, "c2d "), nullptr);
  EXPECT_EQ(line_starting_with(lines, "connect "), nullptr);
}

TEST(ReportSummary, SessionsLagAndNonZeroErrors) {
  const auto snapshot = sample_snapshot();
  const std::string text = format_summary(sample_info(), *snapshot, {});
  EXPECT_NE(text.find("devices 1000  modules 2000  peak connected 2990  failed 7"), std::string::npos)
      << text;
  EXPECT_NE(text.find("p99 0.100 ms"), std::string::npos) << text;
  EXPECT_EQ(text.find("SATURATED"), std::string::npos);
  const auto lines = lines_of(text);
  const std::string* errors = line_starting_with(lines, "errors ");
  ASSERT_NE(errors, nullptr);
  EXPECT_NE(errors->find("timeout 2"), std::string::npos) << *errors;
  EXPECT_NE(errors->find("disconnected 1"), std::string::npos) << *errors;
  EXPECT_NE(errors->find("backend_saturated 3"), std::string::npos) << *errors;
  EXPECT_EQ(errors->find("connect_refused"), std::string::npos) << "zero counters stay out";
}

TEST(ReportSummary, WarnsWhenSaturatedAndShowsNotes) {
  auto snapshot = sample_snapshot();
  for (int i = 0; i < 100; ++i) snapshot->schedule_lag.record(20'000'000);
  RunInfo info = sample_info();
  const std::string long_note = "a long note " + std::string(600, 'x') + " ends here";
  info.notes = {"run interrupted before its duration", long_note};
  const std::string text = format_summary(info, *snapshot, {});
  EXPECT_NE(text.find("SATURATED"), std::string::npos) << text;
  EXPECT_NE(text.find("run interrupted before its duration"), std::string::npos) << text;
  EXPECT_NE(text.find(long_note + "\n"), std::string::npos) << "no line is truncated";
}

TEST(ReportSummary, ShowsSasRenewalsAndWarnsWithoutTlsVerification) {
  const auto snapshot = sample_snapshot();
  RunInfo info = sample_info();
  std::string text = format_summary(info, *snapshot, {});
  EXPECT_EQ(text.find("sas renewals"), std::string::npos) << text;
  EXPECT_EQ(text.find("not verified"), std::string::npos) << text;
  info.sas_renewals = 7;
  info.tls_verify = false;
  const auto lines = lines_of(format_summary(info, *snapshot, {}));
  const std::string* renewals = line_starting_with(lines, "sas renewals");
  ASSERT_NE(renewals, nullptr);
  EXPECT_EQ(words_of(*renewals)[2], "7");
  const std::string* tls = line_starting_with(lines, "tls ");
  ASSERT_NE(tls, nullptr);
  EXPECT_NE(tls->find("WARNING: server certificates were not verified (target.tls_verify = false)"),
            std::string::npos);
}

TEST(ReportSummary, GatesShowPassFailAndTheVerdict) {
  const auto snapshot = sample_snapshot();
  const std::vector<GateResult> gates = {{"tail", "telemetry.p99 < 50ms", 9.9, true, ""},
                                         {"errors == 0", "errors == 0", 9, false, ""},
                                         {"c2d.p99 < 5ms", "c2d.p99 < 5ms", 0, false, "no c2d samples"}};
  const std::string text = format_summary(sample_info(), *snapshot, gates);
  EXPECT_NE(text.find("PASS  tail: telemetry.p99 < 50ms  (measured 9.900 ms)"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL  errors == 0  (measured 9)"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL  c2d.p99 < 5ms  (no c2d samples)"), std::string::npos) << text;
  const auto lines = lines_of(text);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(words_of(lines.back()),
            (std::vector<std::string>{"result", "FAILED", "(1", "of", "3", "gates", "held)"}));
}

TEST(ReportSummary, VerdictWithoutGatesAndWhenInterrupted) {
  const auto snapshot = sample_snapshot();
  auto lines = lines_of(format_summary(sample_info(), *snapshot, {}));
  EXPECT_EQ(words_of(lines.back()), (std::vector<std::string>{"result", "PASSED", "(no", "gates)"}));
  RunInfo info = sample_info();
  info.interrupted = true;
  const std::vector<GateResult> gates = {{"tail", "telemetry.p99 < 50ms", 9.9, true, ""}};
  lines = lines_of(format_summary(info, *snapshot, gates));
  EXPECT_EQ(words_of(lines.back()),
            (std::vector<std::string>{"result", "INTERRUPTED", "(1", "of", "1", "gates", "held)"}));
}

TEST(ReportSummary, EmptyRunSaysSo) {
  const auto snapshot = std::make_unique<Snapshot>();
  const std::string text = format_summary(sample_info(), *snapshot, {});
  EXPECT_NE(text.find("no operation was recorded"), std::string::npos) << text;
}

}  // namespace
}  // namespace fleetsim::metrics
