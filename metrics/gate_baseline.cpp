// resolve_baselines: the values baseline gates ("reported_patch.p99 < baseline * 1.1") compare
// with, read from the JSON report of an earlier run. The numbers are the ones that report printed,
// so a gate with "baseline * 1.0" compares like with like.
#include <string>

#include "metrics/gates.hpp"
#include "metrics/histogram.hpp"
#include "metrics/report_units.hpp"

namespace fleetsim::metrics {
namespace {

namespace json = boost::json;

const json::object* object_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

std::optional<double> number_at(const json::object* o, std::string_view key) {
  if (o == nullptr) return std::nullopt;
  const json::value* v = o->if_contains(key);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}

struct Lookup {
  std::optional<double> value;
  std::string error;
};

Lookup missing(std::string what) {
  return {std::nullopt, "the baseline report has no " + std::move(what)};
}

bool is_latency(std::string_view stat) {
  return stat == "mean" || stat == "p50" || stat == "p90" || stat == "p99" || stat == "p999" || stat == "max";
}

Lookup operation_value(const json::object& report, const GateExpr& g) {
  const std::string name(op_name(g.op));
  const json::object* operations = object_at(report, "operations");
  if (operations == nullptr) return missing("\"operations\"");
  const json::object* op = object_at(*operations, name);
  if (!is_latency(g.stat)) {
    // An operation absent from a report never occurred: its counts and rate were 0.
    if (op == nullptr) return {0.0, {}};
    if (const auto v = number_at(op, g.stat)) return {v, {}};
    return missing(name + "." + g.stat);
  }
  const auto ok = number_at(op, "ok");
  if (op == nullptr || !ok || *ok == 0) return missing(name + " samples");
  if (const auto v = number_at(object_at(*op, "latency_ms"), g.stat)) return {v, {}};
  return missing(name + ".latency_ms." + g.stat);
}

Lookup schedule_lag_value(const json::object& report, const GateExpr& g) {
  const json::object* health = object_at(report, "health");
  if (const auto v = number_at(health != nullptr ? object_at(*health, "schedule_lag_ms") : nullptr, g.stat)) {
    return {v, {}};
  }
  // The other statistics exist only through the histogram the report carries.
  const json::value* text = health != nullptr ? health->if_contains("schedule_lag_histogram") : nullptr;
  const auto h = text != nullptr && text->is_string() ? Histogram::decode(text->get_string()) : std::nullopt;
  if (!h) return missing("schedule_lag." + g.stat);
  if (g.stat == "count") return {static_cast<double>(h->count()), {}};
  if (g.stat == "rate_per_s") {
    const auto duration = number_at(object_at(report, "fleetsim"), "duration_s");
    if (!duration || !(*duration > 0)) return missing("fleetsim.duration_s for schedule_lag.rate_per_s");
    return {rate_per_s(h->count(), *duration), {}};
  }
  if (h->count() == 0) return missing("schedule_lag samples");
  const LatencyStatsMs s = latency_stats_ms(*h);
  if (g.stat == "mean") return {s.mean, {}};
  if (g.stat == "p90") return {s.p90, {}};
  if (g.stat == "p999") return {s.p999, {}};
  return missing("schedule_lag." + g.stat);
}

Lookup total_errors_value(const json::object& report) {
  const json::object* operations = object_at(report, "operations");
  if (operations == nullptr) return missing("\"operations\"");
  double total = 0;
  for (const auto& [name, op] : *operations) {
    if (!op.is_object()) return missing("valid operations." + std::string(name));
    total += number_at(&op.get_object(), "errors").value_or(0) +
             number_at(&op.get_object(), "timeouts").value_or(0);
  }
  return {total, {}};
}

Lookup baseline_value(const json::object& report, const GateExpr& g) {
  switch (g.subject) {
    case GateExpr::Subject::op_stat:
      return operation_value(report, g);
    case GateExpr::Subject::schedule_lag_stat:
      return schedule_lag_value(report, g);
    case GateExpr::Subject::total_errors:
      return total_errors_value(report);
    case GateExpr::Subject::sessions_failed:
      if (const auto v = number_at(object_at(report, "fleet"), "sessions_failed")) return {v, {}};
      return missing("fleet.sessions_failed");
  }
  return missing("such statistic");
}

}  // namespace

bool gates_use_baseline(std::span<const GateSpec> gates) {
  for (const auto& spec : gates) {
    const auto g = parse_gate(spec.expr);
    if (g && g->relative_to_baseline) return true;
  }
  return false;
}

void resolve_baselines(std::span<GateSpec> gates, const boost::json::object& baseline_report) {
  for (auto& spec : gates) {
    const auto g = parse_gate(spec.expr);
    if (!g || !g->relative_to_baseline) continue;
    Lookup found = baseline_value(baseline_report, *g);
    spec.baseline = found.value;
    spec.baseline_error = std::move(found.error);
  }
}

}  // namespace fleetsim::metrics
