#include "metrics/report_units.hpp"

#include <cmath>

namespace fleetsim::metrics {

double round_3_decimals(double v) noexcept {
  return std::round(v * 1000.0) / 1000.0;
}

double ns_to_ms(double ns) noexcept {
  return round_3_decimals(ns / 1e6);
}

LatencyStatsMs latency_stats_ms(const Histogram& h) noexcept {
  LatencyStatsMs s;
  if (h.count() == 0) return s;
  s.mean = ns_to_ms(h.mean_ns());
  s.p50 = ns_to_ms(static_cast<double>(h.quantile_ns(0.5)));
  s.p90 = ns_to_ms(static_cast<double>(h.quantile_ns(0.9)));
  s.p99 = ns_to_ms(static_cast<double>(h.quantile_ns(0.99)));
  s.p999 = ns_to_ms(static_cast<double>(h.quantile_ns(0.999)));
  s.max = ns_to_ms(static_cast<double>(h.max_ns()));
  return s;
}

double rate_per_s(std::uint64_t count, double duration_s) noexcept {
  if (!(duration_s > 0)) return 0.0;
  return round_3_decimals(static_cast<double>(count) / duration_s);
}

}  // namespace fleetsim::metrics
