// Gates: "OP.STAT CMP VALUE[UNIT]" or "TOTAL CMP VALUE" (DESIGN.md [[gate]]), parsed once when
// the scenario is validated and evaluated on the merged snapshot at the end of a run.
//
//   OP    connect telemetry twin_get reported_patch desired_propagation desired_convergence
//         method c2d query e2e schedule_lag
//   STAT  count ok errors timeouts throttled rate_per_s mean p50 p90 p99 p999 max
//         (schedule_lag: count rate_per_s and the latency statistics)
//   TOTAL errors sessions_failed
//   CMP   < <= > >= == !=
//   UNIT  latency statistics: ns us ms s (default ms); counts and rates: none
// Spaces and tabs may separate any two tokens ("telemetry . p99 < 50 ms").
//
// The threshold may instead be relative to the same statistic in a baseline report (`fleetsim run
// --baseline FILE.json`): "reported_patch.p99 < baseline * 1.1", "errors <= baseline + 5",
// "telemetry.p50 < baseline * 1.2 + 0.05ms", i.e. `baseline [* FACTOR] [+|- VALUE[UNIT]]`.
//
// Meanings: count = ok + errors + timeouts + throttled; rate_per_s = count / duration_s; latency
// statistics are in ms rounded to the microsecond, as in the report (p50 is quantile 0.5, p999 is
// 0.999). The total `errors` is the sum over all operations of errors + timeouts
// (Snapshot::total_errors()); throttled operations are not errors, they are the hub's quota at
// work and are gated per operation. `sessions_failed` is Snapshot::sessions_failed.
// An operation that never occurred has 0 for every count and rate; its latency statistics do not
// exist, so such a gate fails with the error "no OP samples".
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "metrics/operations.hpp"

namespace fleetsim::metrics {

struct GateExpr {
  enum class Subject { op_stat, schedule_lag_stat, total_errors, sessions_failed } subject;
  Op op = Op::telemetry;
  std::string stat;      // for op_stat / schedule_lag_stat
  std::string cmp;       // "<", "<=", ...
  double threshold = 0;  // in the statistic's report unit (ms for latencies)
  // A baseline gate's threshold is baseline * baseline_factor + baseline_offset (offset in the
  // statistic's unit); `threshold` is then unused.
  bool relative_to_baseline = false;
  double baseline_factor = 1;
  double baseline_offset = 0;
};

struct GateParseError {
  std::size_t column = 0;  // 1-based column inside the expression
  std::string message;     // what was found and what was expected
};

// Parses an expression; on failure returns nullopt and fills `error`.
std::optional<GateExpr> parse_gate(std::string_view expr, GateParseError* error = nullptr);

struct GateSpec {
  std::string name;  // defaults to expr
  std::string expr;
  // For a baseline gate: the statistic's value in the baseline report (resolve_baselines), or
  // why there is none.
  std::optional<double> baseline;
  std::string baseline_error;
};

struct GateResult {
  std::string name;
  std::string expr;
  double value = 0;  // the measured value in the threshold's unit (ms for latencies)
  bool passed = false;
  std::string error;               // non-empty when the gate could not be evaluated (then passed = false)
  double threshold = 0;            // what the value was compared with (a baseline gate's computed one)
  std::optional<double> baseline;  // a baseline gate's baseline value
};

// Evaluates every gate on the merged data; `duration_s` gives rate_per_s. A baseline gate whose
// spec carries no baseline value fails with an error.
std::vector<GateResult> evaluate_gates(std::span<const GateSpec> gates, const Snapshot& snapshot,
                                       double duration_s);

// True when some gate's expression compares with a baseline (the run then needs --baseline).
bool gates_use_baseline(std::span<const GateSpec> gates);

// Fills each baseline gate's `baseline` from a report document (the JSON of another run): the
// same statistic, read the way the report prints it (latencies in ms from latency_ms, counts and
// rates from the operation, `errors` summed over operations, sessions_failed from fleet,
// schedule_lag from health). A statistic the baseline lacks (an operation that never occurred
// there) sets `baseline_error` instead, so that the gate fails saying so.
void resolve_baselines(std::span<GateSpec> gates, const boost::json::object& baseline_report);

}  // namespace fleetsim::metrics
