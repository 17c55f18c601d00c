// format_junit: one testcase per gate, failures with the measured value and the threshold. The
// XML's well-formedness is checked by a real parser in tests/integration/report_outputs_test.py.
#include <gtest/gtest.h>

#include <string>

#include <boost/json.hpp>

#include "metrics/junit.hpp"
#include "metrics/report.hpp"
#include "unit/metrics/sample_snapshot.hpp"

namespace fleetsim::metrics {
namespace {

namespace json = boost::json;
using testing_data::sample_snapshot;

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

json::object report_with(const std::vector<GateSpec>& specs, bool interrupted = false) {
  RunInfo info;
  info.scenario = "plant <7> & \"co\"";
  info.target = "embedded";
  info.started_at = "2026-11-22T18:00:00Z";
  info.duration_s = 10;
  info.shard = "0/2";
  info.interrupted = interrupted;
  const auto s = sample_snapshot();
  return build_report(info, *s, evaluate_gates(specs, *s, info.duration_s));
}

TEST(Junit, OneTestcasePerGateWithMeasuredValueAndThreshold) {
  const std::string xml =
      format_junit(report_with({{"tail", "telemetry.p99 < 50ms"},
                                {"errors == 0", "errors == 0"},
                                {"", "c2d.p99 < 5ms"},
                                {"vs baseline", "telemetry.p99 < baseline * 1.1", 2.0, ""}}));
  EXPECT_TRUE(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
  EXPECT_EQ(occurrences(xml, "<testcase "), 4u);
  EXPECT_EQ(occurrences(xml, "<failure "), 3u);
  EXPECT_NE(xml.find("tests=\"4\" failures=\"3\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"tail\""), std::string::npos);
  // errors == 0 measured 9 (3 errors + 2 timeouts + 4 reported_patch errors).
  EXPECT_NE(xml.find("message=\"measured 9, threshold == 0\""), std::string::npos) << xml;
  // A gate that could not be evaluated says why.
  EXPECT_NE(xml.find("message=\"no c2d samples\""), std::string::npos) << xml;
  // A baseline gate: the threshold computed from the baseline, and the baseline itself.
  EXPECT_NE(xml.find("threshold &lt; 2.200 ms (baseline 2 ms)"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<property name=\"shard\" value=\"0/2\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"duration_s\" value=\"10\"/>"), std::string::npos);
  EXPECT_NE(xml.find("timestamp=\"2026-11-22T18:00:00\""), std::string::npos);
}

TEST(Junit, EscapesEverythingUserWritten) {
  const std::string xml = format_junit(report_with({{"a<b & \"c\" 'd'\x01", "telemetry.p99 < 50ms"}}));
  EXPECT_NE(xml.find("name=\"a&lt;b &amp; &quot;c&quot; &#39;d&#39;\xEF\xBF\xBD\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("fleetsim.plant &lt;7&gt; &amp; &quot;co&quot;"), std::string::npos) << xml;
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_NE(xml.find("telemetry.p99 &lt; 50ms"), std::string::npos);
}

TEST(Junit, AnInterruptedRunFailsEvenWithPassingGates) {
  const std::string xml = format_junit(report_with({{"tail", "telemetry.p99 < 50ms"}}, true));
  EXPECT_EQ(occurrences(xml, "<testcase "), 2u);
  EXPECT_NE(xml.find("name=\"run completed\""), std::string::npos);
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\""), std::string::npos) << xml;
}

TEST(Junit, NoGatesIsAnEmptyPassingSuite) {
  const std::string xml = format_junit(report_with({}));
  EXPECT_EQ(occurrences(xml, "<testcase "), 0u);
  EXPECT_NE(xml.find("tests=\"0\" failures=\"0\""), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"passed\" value=\"true\"/>"), std::string::npos);
}

}  // namespace
}  // namespace fleetsim::metrics
