// compare_reports / format_comparison: per operation and percentile, the baseline's latency, the
// new one and the relative change, judged against the tolerance.
#include "metrics/report_compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>

namespace fleetsim::metrics {
namespace {

constexpr std::string_view kStats[] = {"mean", "p50", "p90", "p99", "p999", "max"};

double stat_of(const LatencyStatsMs& s, std::string_view stat) {
  if (stat == "mean") return s.mean;
  if (stat == "p50") return s.p50;
  if (stat == "p90") return s.p90;
  if (stat == "p99") return s.p99;
  if (stat == "p999") return s.p999;
  return s.max;
}

void appendf(std::string& out, const char* format, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string& out, const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  if (n > 0) out.append(buf, std::min(static_cast<std::size_t>(n), sizeof buf - 1));
}

std::string percent(double change) {
  if (std::isinf(change)) return "+inf%";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", change * 100);
  return buf;
}

}  // namespace

bool CompareResult::regressed() const {
  return std::any_of(rows.begin(), rows.end(), [](const StatComparison& r) { return r.regressed; });
}

bool is_comparable_stat(std::string_view stat) {
  return std::find(std::begin(kStats), std::end(kStats), stat) != std::end(kStats);
}

CompareResult compare_reports(const ParsedReport& baseline, const ParsedReport& candidate,
                              const CompareOptions& options) {
  CompareResult result;
  for (std::size_t i = 0; i < kOpCount; ++i) {
    const std::string name(op_name(static_cast<Op>(i)));
    const Histogram& before = baseline.snapshot->ops[i].latency;
    const Histogram& after = candidate.snapshot->ops[i].latency;
    if (before.count() == 0 && after.count() == 0) continue;
    if (after.count() == 0) {
      result.notes.push_back(name + ": timed in the baseline, not in the new report");
      continue;
    }
    if (before.count() == 0) {
      result.notes.push_back(name + ": timed in the new report only");
      continue;
    }
    const LatencyStatsMs b = latency_stats_ms(before);
    const LatencyStatsMs n = latency_stats_ms(after);
    for (const auto& stat : options.stats) {
      StatComparison row{name, stat, stat_of(b, stat), stat_of(n, stat)};
      const double delta = row.new_ms - row.baseline_ms;
      if (row.baseline_ms > 0) {
        row.change = delta / row.baseline_ms;
      } else {
        row.change = delta > 0 ? std::numeric_limits<double>::infinity() : 0.0;
      }
      // The limit in ms, rounded like the values, so that a change exactly at the limit passes.
      row.regressed = row.new_ms > round_3_decimals(row.baseline_ms * (1 + options.max_regression)) &&
                      delta > options.min_delta_ms;
      result.rows.push_back(std::move(row));
    }
  }
  return result;
}

std::string format_comparison(const CompareResult& result, const CompareOptions& options) {
  std::string out;
  const char* const row = "%-20s %-5s %12s %12s %11s%s\n";
  appendf(out, row, "operation", "stat", "baseline ms", "new ms", "change", "");
  for (const auto& r : result.rows) {
    char b[32], n[32];
    std::snprintf(b, sizeof b, "%.3f", r.baseline_ms);
    std::snprintf(n, sizeof n, "%.3f", r.new_ms);
    appendf(out, row, r.operation.c_str(), r.stat.c_str(), b, n, percent(r.change).c_str(),
            r.regressed ? "  REGRESSED" : "");
  }
  for (const auto& note : result.notes) appendf(out, "note: %s\n", note.c_str());
  std::string limit = percent(options.max_regression);
  if (options.min_delta_ms > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " and more than %.3f ms", options.min_delta_ms);
    limit += buf;
  }
  if (!result.regressed()) {
    appendf(out, "no regression beyond %s (%zu values compared)\n", limit.c_str(), result.rows.size());
    return out;
  }
  for (const auto& r : result.rows) {
    if (!r.regressed) continue;
    appendf(out, "REGRESSION: %s %s %s (%.3f ms -> %.3f ms), limit %s\n", r.operation.c_str(), r.stat.c_str(),
            percent(r.change).c_str(), r.baseline_ms, r.new_ms, limit.c_str());
  }
  return out;
}

}  // namespace fleetsim::metrics
