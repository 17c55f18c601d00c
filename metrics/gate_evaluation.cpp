// evaluate_gates: judges each gate on the merged snapshot at the end of a run. Values come from
// report_units.hpp, so a gate compares the very number the report and the summary print.
#include <string>

#include "metrics/gates.hpp"
#include "metrics/report_units.hpp"

namespace fleetsim::metrics {
namespace {

struct Measured {
  double value = 0;
  std::string error;  // set when the statistic does not exist for this run
};

// A latency statistic in ms, or an error when nothing was timed: an absent p99 must fail a gate
// such as "p99 < 50ms", not pass it as 0.
Measured latency_stat(const Histogram& h, std::string_view stat, std::string_view subject) {
  if (h.count() == 0) return {0, "no " + std::string(subject) + " samples"};
  const LatencyStatsMs s = latency_stats_ms(h);
  if (stat == "mean") return {s.mean, {}};
  if (stat == "p50") return {s.p50, {}};
  if (stat == "p90") return {s.p90, {}};
  if (stat == "p99") return {s.p99, {}};
  if (stat == "p999") return {s.p999, {}};
  return {s.max, {}};
}

Measured rate_stat(std::uint64_t count, double duration_s) {
  if (!(duration_s > 0)) return {0, "rate_per_s needs a positive run duration"};
  return {rate_per_s(count, duration_s), {}};
}

Measured measure(const GateExpr& g, const Snapshot& s, double duration_s) {
  switch (g.subject) {
    case GateExpr::Subject::total_errors:
      return {static_cast<double>(s.total_errors()), {}};
    case GateExpr::Subject::sessions_failed:
      return {static_cast<double>(s.sessions_failed), {}};
    case GateExpr::Subject::schedule_lag_stat:
      if (g.stat == "count") return {static_cast<double>(s.schedule_lag.count()), {}};
      if (g.stat == "rate_per_s") return rate_stat(s.schedule_lag.count(), duration_s);
      return latency_stat(s.schedule_lag, g.stat, "schedule_lag");
    case GateExpr::Subject::op_stat:
      break;
  }
  const auto& op = s.ops[static_cast<std::size_t>(g.op)];
  if (g.stat == "count") return {static_cast<double>(op.count()), {}};
  if (g.stat == "ok") return {static_cast<double>(op.ok), {}};
  if (g.stat == "errors") return {static_cast<double>(op.errors), {}};
  if (g.stat == "timeouts") return {static_cast<double>(op.timeouts), {}};
  if (g.stat == "throttled") return {static_cast<double>(op.throttled), {}};
  if (g.stat == "rate_per_s") return rate_stat(op.count(), duration_s);
  return latency_stat(op.latency, g.stat, op_name(g.op));
}

bool compare(double value, std::string_view cmp, double threshold) {
  if (cmp == "<") return value < threshold;
  if (cmp == "<=") return value <= threshold;
  if (cmp == ">") return value > threshold;
  if (cmp == ">=") return value >= threshold;
  if (cmp == "==") return value == threshold;
  return value != threshold;
}

}  // namespace

std::vector<GateResult> evaluate_gates(std::span<const GateSpec> gates, const Snapshot& snapshot,
                                       double duration_s) {
  std::vector<GateResult> results;
  results.reserve(gates.size());
  for (const auto& spec : gates) {
    GateResult r;
    r.name = spec.name.empty() ? spec.expr : spec.name;
    r.expr = spec.expr;
    GateParseError parse_error;
    const auto g = parse_gate(spec.expr, &parse_error);
    if (!g) {
      r.error = "column " + std::to_string(parse_error.column) + ": " + parse_error.message;
    } else {
      const Measured m = measure(*g, snapshot, duration_s);
      r.value = m.value;
      r.error = m.error;
      r.threshold = g->threshold;
      if (g->relative_to_baseline) {
        r.baseline = spec.baseline;
        if (spec.baseline) {
          r.threshold = *spec.baseline * g->baseline_factor + g->baseline_offset;
        } else if (r.error.empty()) {
          r.error = spec.baseline_error.empty() ? "no baseline value (fleetsim run --baseline FILE.json)"
                                                : spec.baseline_error;
        }
      }
      r.passed = r.error.empty() && compare(m.value, g->cmp, r.threshold);
    }
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace fleetsim::metrics
