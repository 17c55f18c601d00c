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

#include "metrics/operations.hpp"

namespace fleetsim::metrics {

struct GateExpr {
  enum class Subject { op_stat, schedule_lag_stat, total_errors, sessions_failed } subject;
  Op op = Op::telemetry;
  std::string stat;      // for op_stat / schedule_lag_stat
  std::string cmp;       // "<", "<=", ...
  double threshold = 0;  // in the statistic's report unit (ms for latencies)
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
};

struct GateResult {
  std::string name;
  std::string expr;
  double value = 0;  // the measured value in the threshold's unit (ms for latencies)
  bool passed = false;
  std::string error;  // non-empty when the gate could not be evaluated (then passed = false)
};

// Evaluates every gate on the merged data; `duration_s` gives rate_per_s.
std::vector<GateResult> evaluate_gates(std::span<const GateSpec> gates, const Snapshot& snapshot,
                                       double duration_s);

}  // namespace fleetsim::metrics
