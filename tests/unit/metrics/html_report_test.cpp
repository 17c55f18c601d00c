// format_html: the self-contained page; tests/integration/report_outputs_test.py renders it in
// headless Chromium and checks that the browser drew every line.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <boost/json.hpp>

#include "metrics/html_charts.hpp"
#include "metrics/html_report.hpp"
#include "metrics/report.hpp"
#include "metrics/timeline.hpp"

namespace fleetsim::metrics {
namespace {

namespace json = boost::json;

constexpr std::size_t idx(Op op) {
  return static_cast<std::size_t>(op);
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// 8 seconds: telemetry every second, twin_get only in the first, a few telemetry errors and
// reported_patch throttling in second 5.
json::object report(bool with_timeline = true) {
  TimelineRecorder recorder(1.0);
  auto s = std::make_unique<Snapshot>();
  for (int t = 1; t <= 8; ++t) {
    auto& telemetry = s->ops[idx(Op::telemetry)];
    for (int i = 0; i < 50; ++i) telemetry.latency.record(static_cast<std::uint64_t>(100'000 * t + i * 1000));
    telemetry.ok += 50;
    if (t == 1) {
      s->ops[idx(Op::twin_get)].latency.record(300'000);
      s->ops[idx(Op::twin_get)].ok += 1;
    }
    if (t == 5) {
      telemetry.errors += 3;
      s->ops[idx(Op::reported_patch)].throttled += 2;
    }
    s->sessions_connected = 20;
    recorder.record(t, *s);
  }
  RunInfo info;
  info.scenario = "<plant & co>";
  info.target = "embedded";
  info.duration_s = 8;
  info.shard = "0/1";
  const std::vector<GateSpec> specs = {{"tail", "telemetry.p99 < 50ms"}, {"", "errors == 0"}};
  json::object doc = build_report(info, *s, evaluate_gates(specs, *s, info.duration_s));
  if (with_timeline) doc["timeline"] = timeline_json(recorder.timeline());
  return doc;
}

TEST(HtmlReport, DrawsEveryChartFromTheTimeline) {
  const std::string html = format_html(report());
  // Throughput, errors, latency of telemetry and twin_get, sessions.
  EXPECT_EQ(occurrences(html, "<svg class=\"chart\""), 5u);
  EXPECT_NE(html.find("id=\"chart-latency-telemetry\""), std::string::npos);
  EXPECT_NE(html.find("id=\"chart-latency-twin_get\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"chart-latency-reported_patch\""), std::string::npos) << "never timed";
  // Throughput and errors: one point per interval for each of the three operations; latency
  // lines only where the operation was timed; errors chart has a throttled series.
  EXPECT_NE(html.find("data-series=\"reported_patch throttled\" data-points=\"8\""), std::string::npos);
  EXPECT_EQ(occurrences(html, "data-series=\"telemetry\" data-points=\"8\""), 2u);
  EXPECT_EQ(occurrences(html, "data-series=\"p99\" data-points=\"8\""), 1u);
  EXPECT_EQ(occurrences(html, "data-series=\"p50\" data-points=\"1\""), 1u);  // twin_get: one second
  EXPECT_NE(html.find("<circle class=\"dot\""), std::string::npos);           // ... drawn as a dot
  EXPECT_NE(html.find("data-series=\"connected\" data-points=\"8\""), std::string::npos);
}

TEST(HtmlReport, IsSelfContainedAndEscaped) {
  const std::string html = format_html(report());
  for (const char* external : {"src=", "href=", "url(", "@import", "<link", "<img", "<iframe"}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(html.find("&lt;plant &amp; co&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<plant"), std::string::npos);
  EXPECT_NE(html.find("id=\"verdict\">FAILED"), std::string::npos);  // errors == 0 failed
  EXPECT_EQ(occurrences(html, "<span class=\"fail-label\">FAIL</span>"), 1u);
  EXPECT_EQ(occurrences(html, "<span class=\"pass\">PASS</span>"), 1u);
  EXPECT_NE(html.find("<td class=\"name\">telemetry</td><td>403</td>"), std::string::npos);
}

TEST(HtmlReport, WithoutATimelineSaysSo) {
  const std::string html = format_html(report(false));
  EXPECT_EQ(occurrences(html, "<svg"), 0u);
  EXPECT_NE(html.find("This report has no timeline."), std::string::npos);
  EXPECT_NE(html.find("id=\"operations\""), std::string::npos);
}

TEST(HtmlCharts, NiceStepsAndAxesFromZero) {
  EXPECT_DOUBLE_EQ(nice_step(10, 5), 2);
  EXPECT_DOUBLE_EQ(nice_step(0.9, 5), 0.2);
  EXPECT_DOUBLE_EQ(nice_step(12.5, 5), 2.5);
  EXPECT_DOUBLE_EQ(nice_step(60, 8), 10);
  EXPECT_DOUBLE_EQ(nice_step(0, 5), 1);
  const std::string svg =
      render_chart({"c", "T", "ms", 10, {{"s", "#000", false, {{1, 2}, {2, 4}, {10, 3}}}}});
  // x from 0 to 10 s over the plot's 680 px from x = 64; y from 0 to 4 over 184 px from y = 22.
  EXPECT_NE(svg.find("points=\"132.0,114.0 200.0,22.0 744.0,68.0\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("data-y-max=\"4\""), std::string::npos);
}

}  // namespace
}  // namespace fleetsim::metrics
