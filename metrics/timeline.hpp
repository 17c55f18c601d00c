// The run's timeline: what happened in each interval (1 s by default), for the plots of the HTML
// report and the report's "timeline" field. Each point holds, per operation that occurred in the
// interval, the counts and the interval's own latency histogram, so timelines of shards merge
// exactly like the run totals do.
//
// The recorder takes successive Registry snapshots on the run's tick and keeps their differences
// (Histogram::subtract): nothing is added to the hot path. Memory grows with duration / interval:
// per point a few counters and the compact "h1:" text of each operation's interval histogram
// (typically 50-300 bytes), never a full histogram.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "metrics/operations.hpp"

namespace fleetsim::metrics {

struct TimelineOperation {
  Op op = Op::telemetry;
  std::uint64_t ok = 0, errors = 0, timeouts = 0, throttled = 0;
  double p50_ms = 0, p99_ms = 0;  // of this interval's latencies; 0 when none was timed
  std::string histogram;          // Histogram::encode() of this interval's latencies
  std::uint64_t count() const noexcept { return ok + errors + timeouts + throttled; }
};

struct TimelinePoint {
  double t_s = 0;  // end of the interval, seconds since the run started: index * interval_s
  std::uint64_t sessions_connected = 0;       // at the end of the interval
  std::vector<TimelineOperation> operations;  // those with count > 0, in Op order
};

struct Timeline {
  double interval_s = 1;
  std::vector<TimelinePoint> points;  // increasing t_s, every index at most once
};

// The default interval; `fleetsim run --timeline-interval` changes it.
inline constexpr double kDefaultTimelineIntervalS = 1.0;

// Not thread safe: called from the thread that runs the fleet's tick.
class TimelineRecorder {
 public:
  explicit TimelineRecorder(double interval_s);
  ~TimelineRecorder();

  double interval_s() const noexcept { return timeline_.interval_s; }
  // True when the tick at `elapsed_s` ends an interval: the caller then takes a snapshot and
  // calls record(). Checked first so that no snapshot is taken on the other ticks.
  bool due(double elapsed_s) const noexcept;
  // Appends the point for the interval that ends at the last boundary `elapsed_s` passed (at
  // least the one after the last point): the difference between `now` and the previous snapshot.
  void record(double elapsed_s, const Snapshot& now);
  // The last, partial interval at the end of the run (drain included); a no-op if nothing
  // happened since the last point.
  void finish(double elapsed_s, const Snapshot& now);

  const Timeline& timeline() const noexcept { return timeline_; }

 private:
  Timeline timeline_;
  std::unique_ptr<Snapshot> previous_;  // all zero before the first point
  std::int64_t last_index_ = 0;         // index of the last point; 0 before the first
};

// The interval between two snapshots (`earlier` taken first) as a point: operations that
// occurred in it, with their interval histograms.
TimelinePoint timeline_point(double t_s, const Snapshot& earlier, const Snapshot& now);

// {"interval_s": 1.0, "points": [{"t": 1.0, "sessions_connected": 80, "operations": {"telemetry":
// {"count", "ok", "errors", "timeouts", "throttled", "p50", "p99", "histogram"}}}, ...]}
// (latencies in ms, as everywhere in the report).
boost::json::object timeline_json(const Timeline& timeline);

}  // namespace fleetsim::metrics
