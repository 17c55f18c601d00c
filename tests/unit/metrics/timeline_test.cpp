// TimelineRecorder: per-interval points from successive snapshots, and their JSON.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <boost/json.hpp>

#include "metrics/json_text.hpp"
#include "metrics/timeline.hpp"

namespace fleetsim::metrics {
namespace {

namespace json = boost::json;

constexpr std::size_t idx(Op op) {
  return static_cast<std::size_t>(op);
}

// A cumulative snapshot after `seconds` seconds of 100 telemetry messages per second, each taking
// (second + 1) ms, one telemetry error every second from the third on, and 10 sessions connected.
std::unique_ptr<Snapshot> after(int seconds) {
  auto s = std::make_unique<Snapshot>();
  auto& telemetry = s->ops[idx(Op::telemetry)];
  for (int t = 0; t < seconds; ++t) {
    for (int i = 0; i < 100; ++i) telemetry.latency.record(static_cast<std::uint64_t>(t + 1) * 1'000'000);
    telemetry.ok += 100;
    if (t >= 2) telemetry.errors += 1;
  }
  s->sessions_connected = 12;
  s->sessions_disconnected = 2;
  return s;
}

TEST(Timeline, EachPointHoldsOnlyItsIntervalsOperations) {
  TimelineRecorder recorder(1.0);
  for (int t = 1; t <= 5; ++t) {
    const double elapsed = t + 0.004;  // ticks come a few ms after each second
    ASSERT_TRUE(recorder.due(elapsed));
    recorder.record(elapsed, *after(t));
    EXPECT_FALSE(recorder.due(elapsed + 0.5));
  }
  const Timeline& tl = recorder.timeline();
  ASSERT_EQ(tl.points.size(), 5u);
  for (int t = 1; t <= 5; ++t) {
    const TimelinePoint& p = tl.points[static_cast<std::size_t>(t - 1)];
    EXPECT_DOUBLE_EQ(p.t_s, t);
    EXPECT_EQ(p.sessions_connected, 10u);
    ASSERT_EQ(p.operations.size(), 1u);
    const TimelineOperation& op = p.operations[0];
    EXPECT_EQ(op.op, Op::telemetry);
    EXPECT_EQ(op.ok, 100u);
    EXPECT_EQ(op.errors, t >= 3 ? 1u : 0u);
    // Every latency of interval t is exactly t ms: p50 and p99 are t ms, not a cumulative mix.
    EXPECT_NEAR(op.p50_ms, t, t * 0.004);
    EXPECT_NEAR(op.p99_ms, t, t * 0.004);
    const auto h = Histogram::decode(op.histogram);
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->count(), 100u);
    EXPECT_EQ(h->min_ns(), static_cast<std::uint64_t>(t) * 1'000'000u);
  }
}

TEST(Timeline, LateTicksTakeTheNextFreeIndexAndFinishAddsThePartialInterval) {
  TimelineRecorder recorder(1.0);
  recorder.record(1.0, *after(1));
  recorder.record(1.2, *after(2));  // a bunched tick: still the next interval, t = 2
  recorder.record(3.9, *after(3));  // a tick that came late: named by the boundary it passed
  recorder.finish(4.6, *after(4));  // the drain: one more point
  recorder.finish(4.7, *after(4));  // nothing new: no point
  const Timeline& tl = recorder.timeline();
  ASSERT_EQ(tl.points.size(), 4u);
  EXPECT_DOUBLE_EQ(tl.points[0].t_s, 1);
  EXPECT_DOUBLE_EQ(tl.points[1].t_s, 2);
  EXPECT_DOUBLE_EQ(tl.points[2].t_s, 3);
  EXPECT_DOUBLE_EQ(tl.points[3].t_s, 4);
}

TEST(Timeline, IntervalsWithNothingHaveNoOperations) {
  TimelineRecorder recorder(2.0);
  EXPECT_FALSE(recorder.due(1.5));
  EXPECT_TRUE(recorder.due(2.0));
  recorder.record(2.0, *after(2));
  recorder.record(4.0, *after(2));
  ASSERT_EQ(recorder.timeline().points.size(), 2u);
  EXPECT_TRUE(recorder.timeline().points[1].operations.empty());
  EXPECT_DOUBLE_EQ(recorder.timeline().points[1].t_s, 4.0);
}

TEST(Timeline, JsonHasTheDocumentedShapeOneLinePerPoint) {
  TimelineRecorder recorder(1.0);
  for (int t = 1; t <= 3; ++t) recorder.record(t, *after(t));
  const json::object doc{{"timeline", timeline_json(recorder.timeline())}};
  const std::string text = to_json_text(doc);
  const json::object back = json::parse(text).as_object();
  const json::object& tl = back.at("timeline").as_object();
  EXPECT_DOUBLE_EQ(tl.at("interval_s").to_number<double>(), 1.0);
  const json::array& points = tl.at("points").as_array();
  ASSERT_EQ(points.size(), 3u);
  const json::object& p3 = points[2].as_object();
  EXPECT_DOUBLE_EQ(p3.at("t").to_number<double>(), 3.0);
  EXPECT_EQ(p3.at("sessions_connected").to_number<std::uint64_t>(), 10u);
  const json::object& telemetry = p3.at("operations").at("telemetry").as_object();
  EXPECT_EQ(telemetry.at("count").to_number<std::uint64_t>(), 101u);
  EXPECT_EQ(telemetry.at("ok").to_number<std::uint64_t>(), 100u);
  EXPECT_EQ(telemetry.at("errors").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(telemetry.at("timeouts").to_number<std::uint64_t>(), 0u);
  EXPECT_EQ(telemetry.at("throttled").to_number<std::uint64_t>(), 0u);
  EXPECT_NEAR(telemetry.at("p99").to_number<double>(), 3.0, 0.012);
  EXPECT_TRUE(telemetry.at("histogram").as_string().starts_with("h1:"));
  // One line per point: the three points are three lines starting with {"t":.
  std::size_t lines = 0;
  for (std::size_t at = text.find("{\"t\": "); at != std::string::npos; at = text.find("{\"t\": ", at + 1)) {
    ++lines;
    const std::size_t end = text.find('\n', at);
    EXPECT_NE(text.substr(at, end - at).find("\"histogram\": \"h1:"), std::string::npos);
  }
  EXPECT_EQ(lines, 3u);
}

}  // namespace
}  // namespace fleetsim::metrics
