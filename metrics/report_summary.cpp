// format_summary: the table printed at the end of a run. People read it, so columns line up,
// every latency column says its unit, and the verdict comes last where the eye lands.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "metrics/report.hpp"
#include "metrics/report_units.hpp"

namespace fleetsim::metrics {
namespace {

constexpr int kLabelWidth = 14;  // "schedule lag" plus a gap

[[gnu::format(printf, 2, 3)]] void appendf(std::string& out, const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  if (n > 0) {
    const std::size_t old_size = out.size();
    out.resize(old_size + static_cast<std::size_t>(n) + 1);  // vsnprintf writes a terminator
    std::vsnprintf(out.data() + old_size, static_cast<std::size_t>(n) + 1, format, again);
    out.pop_back();
  }
  va_end(again);
}

// Milliseconds with microsecond digits while they fit a 9-wide column, fewer beyond.
std::string format_ms(double ms) {
  char buf[32];
  if (ms < 10000) {
    std::snprintf(buf, sizeof buf, "%.3f", ms);
  } else if (ms < 1e6) {
    std::snprintf(buf, sizeof buf, "%.1f", ms);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", ms);
  }
  return buf;
}

std::string format_count(std::uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRIu64, n);
  return buf;
}

// Gate values print as integers when they are whole (counts), anything else with three decimals.
std::string format_value(double v) {
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.3f", v);
  }
  return buf;
}

bool is_latency_gate(const std::string& expr) {
  const auto g = parse_gate(expr);
  if (!g) return false;
  const std::string& s = g->stat;
  return s == "mean" || s == "p50" || s == "p90" || s == "p99" || s == "p999" || s == "max";
}

void append_header(std::string& out, const RunInfo& info) {
  appendf(out, "fleetsim %s  scenario '%s'  target %s  shard %s  started %s  duration %.1f s\n",
          info.version.c_str(), info.scenario.c_str(), info.target.c_str(), info.shard.c_str(),
          info.started_at.c_str(), info.duration_s);
}

void append_operations(std::string& out, const RunInfo& info, const Snapshot& snapshot) {
  const char* const row = "%-20s %10s %10s %7s %7s %7s %10s %9s %9s %9s %9s %9s %9s\n";
  appendf(out, row, "operation", "count", "ok", "err", "tmo", "thr", "rate/s", "mean ms", "p50 ms", "p90 ms",
          "p99 ms", "p999 ms", "max ms");
  bool any = false;
  for (std::size_t i = 0; i < kOpCount; ++i) {
    const auto& op = snapshot.ops[i];
    if (op.count() == 0) continue;
    any = true;
    const LatencyStatsMs s = latency_stats_ms(op.latency);
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f", rate_per_s(op.count(), info.duration_s));
    appendf(out, row, std::string(op_name(static_cast<Op>(i))).c_str(), format_count(op.count()).c_str(),
            format_count(op.ok).c_str(), format_count(op.errors).c_str(), format_count(op.timeouts).c_str(),
            format_count(op.throttled).c_str(), rate, format_ms(s.mean).c_str(), format_ms(s.p50).c_str(),
            format_ms(s.p90).c_str(), format_ms(s.p99).c_str(), format_ms(s.p999).c_str(),
            format_ms(s.max).c_str());
  }
  if (!any) appendf(out, "%-20s no operation was recorded\n", "-");
}

void append_fleet(std::string& out, const RunInfo& info, const Snapshot& snapshot) {
  appendf(out,
          "%-*s devices %" PRIu64 "  modules %" PRIu64 "  peak connected %" PRIu64 "  failed %" PRIu64 "\n",
          kLabelWidth, "sessions", info.devices, info.modules, info.sessions_connected_peak,
          std::max(info.sessions_failed, snapshot.sessions_failed));
  if (info.sas_renewals.value_or(0) > 0) {
    appendf(out, "%-*s %" PRIu64 " reconnections renewed SAS tokens before they expired\n", kLabelWidth,
            "sas renewals", *info.sas_renewals);
  }
  if (const auto& p = info.provisioning) {
    appendf(out,
            "%-*s created %" PRIu64 "  existing %" PRIu64 "  deleted %" PRIu64 "  throttled %" PRIu64
            "  in %.1f s\n",
            kLabelWidth, "registry", p->created, p->existing, p->deleted, p->throttled, p->duration_s);
  }
  if (info.tls_verify && !*info.tls_verify) {
    appendf(out, "%-*s WARNING: server certificates were not verified (target.tls_verify = false)\n",
            kLabelWidth, "tls");
  }
  const LatencyStatsMs lag = latency_stats_ms(snapshot.schedule_lag);
  appendf(out, "%-*s p50 %s ms  p99 %s ms  max %s ms\n", kLabelWidth, "schedule lag",
          format_ms(lag.p50).c_str(), format_ms(lag.p99).c_str(), format_ms(lag.max).c_str());
  if (lag.p99 > kSaturatedLagP99Ms) {
    appendf(
        out,
        "%-*s SATURATED: schedule lag p99 above %.0f ms, the results describe the simulator, not the hub\n",
        kLabelWidth, "", kSaturatedLagP99Ms);
  }
}

void append_errors_and_notes(std::string& out, const RunInfo& info, const Snapshot& snapshot) {
  std::string errors;
  for (std::size_t i = 0; i < kErrorKindCount; ++i) {
    if (snapshot.errors[i] == 0) continue;
    appendf(errors, "%s%s %" PRIu64, errors.empty() ? "" : "  ",
            std::string(error_kind_name(static_cast<ErrorKind>(i))).c_str(), snapshot.errors[i]);
  }
  appendf(out, "%-*s %s\n", kLabelWidth, "errors", errors.empty() ? "none" : errors.c_str());
  for (std::size_t i = 0; i < info.notes.size(); ++i) {
    appendf(out, "%-*s %s\n", kLabelWidth, i == 0 ? "notes" : "", info.notes[i].c_str());
  }
}

void append_gates(std::string& out, const std::vector<GateResult>& gates) {
  for (std::size_t i = 0; i < gates.size(); ++i) {
    const GateResult& g = gates[i];
    std::string label = g.name == g.expr ? g.expr : g.name + ": " + g.expr;
    std::string outcome;
    if (!g.error.empty()) {
      outcome = g.error;
    } else {
      const std::string unit = is_latency_gate(g.expr) ? " ms" : "";
      outcome = "measured " + format_value(g.value) + unit;
      // A baseline gate's threshold is computed, so it is shown with the baseline it came from.
      if (g.baseline) {
        outcome += ", threshold " + format_value(g.threshold) + unit + " from baseline " +
                   format_value(*g.baseline) + unit;
      }
    }
    appendf(out, "%-*s %s  %s  (%s)\n", kLabelWidth, i == 0 ? "gates" : "", g.passed ? "PASS" : "FAIL",
            label.c_str(), outcome.c_str());
  }
}

void append_verdict(std::string& out, const RunInfo& info, const std::vector<GateResult>& gates) {
  const auto held = static_cast<std::size_t>(
      std::count_if(gates.begin(), gates.end(), [](const GateResult& g) { return g.passed; }));
  const bool passed = held == gates.size();
  const char* verdict = info.interrupted ? "INTERRUPTED" : passed ? "PASSED" : "FAILED";
  if (gates.empty()) {
    appendf(out, "%-*s %s (no gates)\n", kLabelWidth, "result", verdict);
  } else {
    appendf(out, "%-*s %s (%zu of %zu gates held)\n", kLabelWidth, "result", verdict, held, gates.size());
  }
}

}  // namespace

std::string format_summary(const RunInfo& info, const Snapshot& snapshot,
                           const std::vector<GateResult>& gates) {
  std::string out;
  append_header(out, info);
  out += '\n';
  append_operations(out, info, snapshot);
  out += '\n';
  append_fleet(out, info, snapshot);
  append_errors_and_notes(out, info, snapshot);
  append_gates(out, gates);
  append_verdict(out, info, gates);
  return out;
}

}  // namespace fleetsim::metrics
