// `fleetsim report compare BASELINE.json NEW.json`: which operation's latency percentiles
// regressed beyond a tolerance. The numbers compared are the reports' own (latency_ms), the ones
// people read in both reports.
#pragma once

#include <string>
#include <vector>

#include "metrics/report_read.hpp"

namespace fleetsim::metrics {

struct CompareOptions {
  double max_regression = 0.10;  // a relative increase above this is a regression (0.10 = 10%)
  double min_delta_ms = 0;       // increases smaller than this, in ms, never count
  std::vector<std::string> stats = {"p50", "p90", "p99", "p999"};  // of mean p50 p90 p99 p999 max
};

struct StatComparison {
  std::string operation;
  std::string stat;
  double baseline_ms = 0;
  double new_ms = 0;
  double change = 0;  // relative: (new - baseline) / baseline
  bool regressed = false;
};

struct CompareResult {
  std::vector<StatComparison> rows;  // every operation timed in both reports, per stat
  std::vector<std::string> notes;    // operations timed in only one of the two
  bool regressed() const;
};

// True for the stat names CompareOptions::stats accepts.
bool is_comparable_stat(std::string_view stat);

CompareResult compare_reports(const ParsedReport& baseline, const ParsedReport& candidate,
                              const CompareOptions& options);

// The table and the verdict for the terminal.
std::string format_comparison(const CompareResult& result, const CompareOptions& options);

}  // namespace fleetsim::metrics
