// The run's live metrics in Prometheus' data model (README "Live metrics"; the metric names are a
// stable interface: add, never rename).
//
// Recording stays where it is, in the per-thread ThreadMetrics written without locks. At scrape
// time RunCollector takes one merged Registry::snapshot() and builds the metric families directly:
// prometheus-cpp's own Histogram and Family objects take a mutex per Observe/Add, so none exists
// here and nothing on an event-loop thread ever touches prometheus-cpp.
//
// Exported histograms use a subset of metrics::Histogram's own bucket edges (export_bucket_bounds_ns),
// so their cumulative counts are exact sums of our counts, not re-binned estimates. The edges are
// 16 per power of two from 4.096 us to 68.7 s, at most 4.7 % apart: histogram_quantile's linear
// interpolation inside one bucket then lands within 4.7 % of the true quantile for any
// distribution, and within 5 % of the report's value (the midpoint of a bucket 1/128 wide).
//
// Thread safety: the functions are pure; RunCollector::Collect() may run on any thread at any time
// while the Registry it reads lives (Registry::snapshot() is safe against concurrent writers).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "metrics/histogram.hpp"
#include "metrics/operations.hpp"

namespace fleetsim::metrics {

// Upper bounds ("le") of the exported buckets in ns, ascending; +Inf follows implicitly. Each is
// the lower edge of one of Histogram's buckets, so "le" counts exactly the values below it.
std::span<const std::uint64_t> export_bucket_bounds_ns() noexcept;

// One of our histograms as a Prometheus histogram in seconds. sample_count is the sum of the
// bucket counts read (so it always equals the +Inf bucket, even while a writer is mid-record).
prometheus::ClientMetric::Histogram to_prometheus_histogram(const Histogram& histogram);

// Builders of families by hand, for the collectors (here and the hub's): a family, then one
// sample per label set. Names and label values are the caller's and must be valid Prometheus names.
prometheus::MetricFamily make_family(std::string name, std::string help, prometheus::MetricType type);
void add_sample(prometheus::MetricFamily& family, std::vector<prometheus::ClientMetric::Label> labels,
                double value);  // counter or gauge, by the family's type

// What identifies a run in fleetsim_info and the run-level gauges.
struct RunDescription {
  std::string version = "0.1.0";
  std::string scenario;
  std::string target;          // embedded | iothub | mqtt
  std::string shard = "0/1";   // "I/N": lets Prometheus sum shards
  std::uint64_t sessions = 0;  // sessions of this shard (devices + modules)
  double duration_s = 0;       // the scenario's planned duration
  double start_time_s = 0;     // Unix time the run started
};

// Every family of the simulator's exposition, from one merged snapshot. Operations appear once
// they occurred (histogram and all four outcomes together); error kinds and session states always
// appear, zeros included, so rates and ratios over them are defined from the first scrape.
std::vector<prometheus::MetricFamily> run_metric_families(const Snapshot& snapshot,
                                                          const RunDescription& run);

class RunCollector final : public prometheus::Collectable {
 public:
  // `registry` must outlive every Collect() call (the exposer holds collectors by weak_ptr, so
  // destroying the collector before the registry is enough).
  RunCollector(const Registry& registry, RunDescription run);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const Registry& registry_;
  RunDescription run_;
};

}  // namespace fleetsim::metrics
