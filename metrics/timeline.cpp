// TimelineRecorder and the timeline's JSON: interval deltas of the run's snapshots.
#include "metrics/timeline.hpp"

#include <algorithm>
#include <cmath>

#include <boost/json/array.hpp>

#include "metrics/report_units.hpp"

namespace fleetsim::metrics {
namespace {

// Counters are read with relaxed loads while threads write them; a difference is never negative
// for one reader, but stay safe if it ever were.
std::uint64_t minus(std::uint64_t later, std::uint64_t earlier) {
  return later > earlier ? later - earlier : 0;
}

std::uint64_t connected_now(const Snapshot& s) {
  return minus(s.sessions_connected, s.sessions_disconnected);
}

bool anything_happened(const Snapshot& earlier, const Snapshot& now) {
  for (std::size_t i = 0; i < kOpCount; ++i) {
    if (now.ops[i].count() != earlier.ops[i].count()) return true;
  }
  return connected_now(now) != connected_now(earlier);
}

}  // namespace

TimelinePoint timeline_point(double t_s, const Snapshot& earlier, const Snapshot& now) {
  TimelinePoint point;
  point.t_s = t_s;
  point.sessions_connected = connected_now(now);
  for (std::size_t i = 0; i < kOpCount; ++i) {
    const auto& a = earlier.ops[i];
    const auto& b = now.ops[i];
    TimelineOperation op;
    op.op = static_cast<Op>(i);
    op.ok = minus(b.ok, a.ok);
    op.errors = minus(b.errors, a.errors);
    op.timeouts = minus(b.timeouts, a.timeouts);
    op.throttled = minus(b.throttled, a.throttled);
    if (op.count() == 0) continue;
    auto interval = std::make_unique<Histogram>(b.latency);
    if (!interval->subtract(a.latency)) interval->reset();  // not an earlier snapshot: no latencies
    const LatencyStatsMs stats = latency_stats_ms(*interval);
    op.p50_ms = stats.p50;
    op.p99_ms = stats.p99;
    op.histogram = interval->encode();
    point.operations.push_back(std::move(op));
  }
  return point;
}

TimelineRecorder::TimelineRecorder(double interval_s) : previous_(std::make_unique<Snapshot>()) {
  timeline_.interval_s = interval_s > 0 ? interval_s : kDefaultTimelineIntervalS;
}

TimelineRecorder::~TimelineRecorder() = default;

bool TimelineRecorder::due(double elapsed_s) const noexcept {
  return elapsed_s >= static_cast<double>(last_index_ + 1) * timeline_.interval_s;
}

void TimelineRecorder::record(double elapsed_s, const Snapshot& now) {
  // The last boundary passed names the interval: shards' points line up by index although each
  // process ticks a few milliseconds after its boundaries, and a late tick still takes the
  // boundary it passed rather than skipping one.
  const auto passed = static_cast<std::int64_t>(std::floor(elapsed_s / timeline_.interval_s + 1e-9));
  const std::int64_t index = std::max(last_index_ + 1, passed);
  timeline_.points.push_back(
      timeline_point(static_cast<double>(index) * timeline_.interval_s, *previous_, now));
  *previous_ = now;
  last_index_ = index;
}

void TimelineRecorder::finish(double elapsed_s, const Snapshot& now) {
  if (anything_happened(*previous_, now)) record(elapsed_s, now);
}

boost::json::object timeline_json(const Timeline& timeline) {
  boost::json::array points;
  points.reserve(timeline.points.size());
  for (const auto& p : timeline.points) {
    boost::json::object operations;
    for (const auto& op : p.operations) {
      operations[op_name(op.op)] = {{"count", op.count()},       {"ok", op.ok},
                                    {"errors", op.errors},       {"timeouts", op.timeouts},
                                    {"throttled", op.throttled}, {"p50", op.p50_ms},
                                    {"p99", op.p99_ms},          {"histogram", op.histogram}};
    }
    points.emplace_back(boost::json::object{
        {"t", p.t_s}, {"sessions_connected", p.sessions_connected}, {"operations", std::move(operations)}});
  }
  return {{"interval_s", timeline.interval_s}, {"points", std::move(points)}};
}

}  // namespace fleetsim::metrics
