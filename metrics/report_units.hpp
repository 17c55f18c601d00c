// Statistics in the units the report shows (milliseconds rounded to the microsecond, rates per
// second), shared by the JSON report, the summary table and the gates, so that a gate judges
// exactly the number printed next to it.
#pragma once

#include <cstdint>

#include "metrics/histogram.hpp"

namespace fleetsim::metrics {

// Rounds to 3 decimals: microseconds for milliseconds. Finer digits would be noise, since a
// histogram bucket is 0.8% wide.
double round_3_decimals(double v) noexcept;

// Nanoseconds to milliseconds, rounded to the microsecond.
double ns_to_ms(double ns) noexcept;

struct LatencyStatsMs {
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
};
// All zero for an empty histogram.
LatencyStatsMs latency_stats_ms(const Histogram& h) noexcept;

// count / duration_s rounded to 3 decimals; 0 when the duration is not positive.
double rate_per_s(std::uint64_t count, double duration_s) noexcept;

}  // namespace fleetsim::metrics
