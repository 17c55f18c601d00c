// Reading JSON reports back (`fleetsim report merge|compare`, `fleetsim run --baseline`): the
// document of DESIGN.md "The report (JSON)" parsed with Boost.JSON and checked field by field,
// because report files travel between machines and people edit them. Every error names the file
// and the field ("b.json: operations.telemetry.histogram: not a valid h1 histogram").
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "metrics/gates.hpp"
#include "metrics/operations.hpp"
#include "metrics/report.hpp"
#include "metrics/report_units.hpp"
#include "metrics/timeline.hpp"

namespace fleetsim::metrics {

struct ParsedReport {
  RunInfo info;  // fleetsim.*, fleet.*, health.notes, interrupted
  // operations (counts and decoded histograms), errors (the kinds this version knows),
  // schedule_lag (when health.schedule_lag_histogram is present), sessions_failed.
  std::unique_ptr<Snapshot> snapshot;
  bool has_schedule_lag_histogram = false;
  LatencyStatsMs schedule_lag_ms;  // health.schedule_lag_ms as written: p50, p99, max
  std::vector<GateSpec> gates;     // name, expr and, for baseline gates, the baseline used
  std::optional<Timeline> timeline;
  bool passed = false;
  boost::json::object doc;  // the whole document, for fields this version does not interpret
};

// Reads a file and parses it as one JSON object; nullopt with "PATH: reason" in `error`.
std::optional<boost::json::object> read_json_object(const std::string& path, std::string* error);

// Checks and interprets a report document; nullopt with "FIELD: reason" in `error`. Checked:
// the types of every field read, count = ok + errors + timeouts + throttled, histograms that
// decode and hold exactly `ok` values, operation names this version knows.
std::optional<ParsedReport> parse_report(boost::json::object doc, std::string* error);

// read_json_object + parse_report, errors prefixed with the path.
std::optional<ParsedReport> read_report(const std::string& path, std::string* error);

}  // namespace fleetsim::metrics
