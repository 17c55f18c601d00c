// The Prometheus exposition of a run: read back from prometheus-cpp's own text format, and the
// accuracy of histogram_quantile over the exported buckets against Histogram::quantile_ns.
#include <gtest/gtest.h>
#include <pthread.h>

#include <prometheus/text_serializer.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "metrics/prometheus_exporter.hpp"
#include "sample_snapshot.hpp"

namespace fleetsim::metrics {
namespace {

using testing_data::idx;

// One exposition parsed back: samples by "name{label="value",...}" exactly as written (labels in
// the order prometheus-cpp writes them, which is ours), and each family's TYPE.
struct Exposition {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;
  std::vector<std::string> sample_order;

  bool has(const std::string& key) const { return samples.count(key) != 0; }
  double at(const std::string& key) const {
    const auto it = samples.find(key);
    if (it == samples.end()) ADD_FAILURE() << "no sample " << key;
    return it == samples.end() ? NAN : it->second;
  }
};

Exposition parse(const std::string& text) {
  Exposition e;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      const auto space = line.find(' ', 7);
      e.types[line.substr(7, space - 7)] = line.substr(space + 1);
      continue;
    }
    if (line[0] == '#') continue;
    // Label values here never hold spaces: the value is after the last space.
    const auto space = line.rfind(' ');
    const std::string key = line.substr(0, space);
    EXPECT_EQ(e.samples.count(key), 0u) << "duplicate sample " << key;
    e.samples[key] = std::strtod(line.c_str() + space + 1, nullptr);
    e.sample_order.push_back(key);
  }
  return e;
}

Exposition expose(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return parse(out.str());
}

struct Bucket {
  double le;
  double count;
};

// The buckets of one histogram series: every "<name>_bucket{<labels>le=...}" in written order.
std::vector<Bucket> buckets_of(const Exposition& e, const std::string& name, const std::string& labels) {
  std::vector<Bucket> out;
  const std::string prefix = name + "_bucket{" + labels + "le=\"";
  for (const auto& key : e.sample_order) {
    if (key.rfind(prefix, 0) != 0) continue;
    const std::string le = key.substr(prefix.size(), key.size() - prefix.size() - 2);
    out.push_back({le == "+Inf" ? INFINITY : std::strtod(le.c_str(), nullptr), e.samples.at(key)});
  }
  return out;
}

// Prometheus' histogram_quantile over classic buckets (promql/quantile.go, bucketQuantile): find
// the first bucket whose cumulative count reaches q * total and interpolate linearly inside it.
double histogram_quantile(double q, const std::vector<Bucket>& buckets) {
  if (buckets.size() < 2 || !std::isinf(buckets.back().le)) return NAN;
  const double total = buckets.back().count;
  if (total == 0) return NAN;
  double rank = q * total;
  std::size_t b = 0;
  while (b < buckets.size() - 1 && buckets[b].count < rank) ++b;
  if (b == buckets.size() - 1) return buckets[buckets.size() - 2].le;
  if (b == 0 && buckets[0].le <= 0) return buckets[0].le;
  double start = 0;
  double count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].le;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return start + (buckets[b].le - start) * (rank / count);
}

std::vector<Bucket> exported_buckets(const Histogram& h) {
  std::vector<Bucket> out;
  for (const auto& b : to_prometheus_histogram(h).bucket) {
    out.push_back({b.upper_bound, static_cast<double>(b.cumulative_count)});
  }
  return out;
}

TEST(PrometheusBuckets, AreHistogramEdgesDenseAndSpanFourMicrosecondsToOneMinute) {
  const auto bounds = export_bucket_bounds_ns();
  ASSERT_GT(bounds.size(), 2u);
  EXPECT_LE(bounds.front(), 5'000u);
  EXPECT_GE(bounds.back(), 60'000'000'000u);
  double widest = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    EXPECT_EQ(Histogram::bucket_lower(Histogram::bucket_index(bounds[i])), bounds[i])
        << "bound " << bounds[i] << " is not an edge of metrics::Histogram";
    if (i > 0) {
      ASSERT_GT(bounds[i], bounds[i - 1]);
      widest = std::max(widest, static_cast<double>(bounds[i]) / static_cast<double>(bounds[i - 1]));
    }
  }
  EXPECT_LE(widest, 1.047);
  EXPECT_GE(widest, 1.04) << "denser than needed: more series for nothing";
}

TEST(PrometheusExposition, RunFamiliesCarryTheSnapshotsValues) {
  auto snapshot = testing_data::sample_snapshot();
  snapshot->sessions_connected = 12;
  snapshot->sessions_disconnected = 2;
  snapshot->messages_sent = 1500;
  snapshot->bytes_sent = 4096;
  RunDescription run;
  run.scenario = "quickstart";
  run.target = "embedded";
  run.shard = "1/4";
  run.sessions = 30;
  run.duration_s = 60;
  run.start_time_s = 1.7e9;
  const Exposition e = expose(run_metric_families(*snapshot, run));

  EXPECT_EQ(e.at(R"(fleetsim_info{scenario="quickstart",shard="1/4",target="embedded",version="0.1.0"})"), 1);
  EXPECT_EQ(e.at("fleetsim_run_duration_seconds"), 60);
  EXPECT_EQ(e.at("fleetsim_run_start_time_seconds"), 1.7e9);
  EXPECT_EQ(e.at("fleetsim_sessions_connected"), 10);
  EXPECT_EQ(e.at(R"(fleetsim_sessions{state="connected"})"), 10);
  EXPECT_EQ(e.at(R"(fleetsim_sessions{state="failed"})"), 7);
  EXPECT_EQ(e.at(R"(fleetsim_sessions{state="not_connected"})"), 13);
  EXPECT_EQ(e.at("fleetsim_session_connects_total"), 12);
  EXPECT_EQ(e.at("fleetsim_session_disconnects_total"), 2);

  EXPECT_EQ(e.at(R"(fleetsim_operations_total{operation="telemetry",outcome="ok"})"), 1000);
  EXPECT_EQ(e.at(R"(fleetsim_operations_total{operation="telemetry",outcome="error"})"), 3);
  EXPECT_EQ(e.at(R"(fleetsim_operations_total{operation="telemetry",outcome="timeout"})"), 2);
  EXPECT_EQ(e.at(R"(fleetsim_operations_total{operation="telemetry",outcome="throttled"})"), 5);
  EXPECT_EQ(e.at(R"(fleetsim_operations_total{operation="reported_patch",outcome="error"})"), 4);
  EXPECT_EQ(e.at(R"(fleetsim_operations_total{operation="reported_patch",outcome="ok"})"), 0);
  EXPECT_FALSE(e.has(R"(fleetsim_operations_total{operation="c2d",outcome="ok"})"))
      << "operations that never occurred are left out";
  EXPECT_FALSE(e.has(R"(fleetsim_operation_duration_seconds_count{operation="c2d"})"));

  EXPECT_EQ(e.at(R"(fleetsim_errors_total{kind="timeout"})"), 2);
  EXPECT_EQ(e.at(R"(fleetsim_errors_total{kind="disconnected"})"), 1);
  EXPECT_EQ(e.at(R"(fleetsim_errors_total{kind="inflight_full"})"), 0) << "every kind, zeros included";
  EXPECT_EQ(e.at(R"(fleetsim_errors_total{kind="backend_saturated"})"), 3);
  // 1500 written; telemetry 1010 + twin_get 10 + reported_patch 4 outcomes, none refused unsent
  // (backend calls not made for want of a client are no PUBLISHes and do not count here).
  EXPECT_EQ(e.at("fleetsim_messages_in_flight"), 1500 - 1024);
  EXPECT_EQ(e.at("fleetsim_messages_sent_total"), 1500);
  EXPECT_EQ(e.at("fleetsim_bytes_sent_total"), 4096);

  EXPECT_EQ(e.types.at("fleetsim_operation_duration_seconds"), "histogram");
  EXPECT_EQ(e.types.at("fleetsim_operations_total"), "counter");
  EXPECT_EQ(e.types.at("fleetsim_sessions"), "gauge");
  EXPECT_EQ(e.types.at("fleetsim_schedule_lag_seconds"), "histogram");

  // telemetry holds k * 10 us for k = 1..1000: "le" counts exactly the values at or below it.
  EXPECT_EQ(e.at(R"(fleetsim_operation_duration_seconds_count{operation="telemetry"})"), 1000);
  EXPECT_NEAR(e.at(R"(fleetsim_operation_duration_seconds_sum{operation="telemetry"})"), 5.005, 1e-9);
  const auto telemetry = buckets_of(e, "fleetsim_operation_duration_seconds", R"(operation="telemetry",)");
  ASSERT_EQ(telemetry.size(), export_bucket_bounds_ns().size() + 1);
  for (std::size_t i = 0; i < telemetry.size(); ++i) {
    if (i > 0) {
      EXPECT_GE(telemetry[i].count, telemetry[i - 1].count) << "at le=" << telemetry[i].le;
    }
    const double le_us = telemetry[i].le * 1e6;
    const double expected = std::isinf(le_us) ? 1000 : std::min(1000.0, std::floor(le_us / 10));
    EXPECT_EQ(telemetry[i].count, expected) << "at le=" << telemetry[i].le;
  }
  EXPECT_EQ(telemetry.back().count, 1000);

  EXPECT_EQ(e.at("fleetsim_schedule_lag_seconds_count"), 100);
  EXPECT_NEAR(e.at("fleetsim_schedule_lag_seconds_sum"), 0.01, 1e-12);
  const auto lag = buckets_of(e, "fleetsim_schedule_lag_seconds", "");
  ASSERT_FALSE(lag.empty());
  for (const auto& b : lag) EXPECT_EQ(b.count, b.le >= 100e-6 ? 100 : 0) << "at le=" << b.le;
}

TEST(PrometheusExposition, InFlightCountsRefusedSendsAsCompletedWithoutAPublish) {
  auto s = std::make_unique<Snapshot>();
  s->messages_sent = 10;
  s->ops[idx(Op::telemetry)].ok = 6;
  s->ops[idx(Op::telemetry)].errors = 3;  // 2 of them refused before sending
  s->errors[static_cast<std::size_t>(ErrorKind::inflight_full)] = 2;
  const Exposition e = expose(run_metric_families(*s, RunDescription{}));
  EXPECT_EQ(e.at("fleetsim_messages_in_flight"), 10 + 2 - 9);
  // Method responses are PUBLISHes no answer follows: sent, never in flight.
  s->messages_sent += 5;
  s->answers_sent = 5;
  EXPECT_EQ(expose(run_metric_families(*s, RunDescription{})).at("fleetsim_messages_in_flight"), 10 + 2 - 9);
  s->ops[idx(Op::telemetry)].ok = 100;  // a reading taken mid-update never goes negative
  EXPECT_EQ(expose(run_metric_families(*s, RunDescription{})).at("fleetsim_messages_in_flight"), 0);
}

TEST(PrometheusExposition, CollectorReadsTheRegistryAtScrapeTime) {
  Registry registry(2);
  RunDescription run;
  run.sessions = 4;
  const auto collector = std::make_shared<RunCollector>(registry, run);
  const Exposition before = expose(collector->Collect());
  EXPECT_EQ(before.types.count("fleetsim_operation_duration_seconds"), 0u) << "no family without samples";
  EXPECT_EQ(before.at(R"(fleetsim_sessions{state="not_connected"})"), 4);

  registry.thread(0).record(Op::connect, Outcome::ok, 300'000);
  registry.thread(1).record(Op::connect, Outcome::ok, 500'000);
  registry.thread(1).record(Op::connect, Outcome::timeout, 0);
  registry.thread(0).sessions_connected.add(2);
  const Exposition e = expose(collector->Collect());
  EXPECT_EQ(e.at(R"(fleetsim_operation_duration_seconds_count{operation="connect"})"), 2);
  EXPECT_NEAR(e.at(R"(fleetsim_operation_duration_seconds_sum{operation="connect"})"), 0.0008, 1e-12);
  EXPECT_EQ(e.at(R"(fleetsim_operations_total{operation="connect",outcome="timeout"})"), 1);
  EXPECT_EQ(e.at(R"(fleetsim_sessions{state="not_connected"})"), 2);
}

TEST(PrometheusExposition, CollectorRunsOnAThreadWithASmallStack) {
  // civetweb's worker threads (where prometheus-cpp calls Collect) get 100 KB of stack: a
  // merged Snapshot (a histogram per operation) on the stack would overflow it.
  Registry registry(2);
  registry.thread(1).record(Op::telemetry, Outcome::ok, 1'000'000);
  const auto collector = std::make_shared<RunCollector>(registry, RunDescription{});
  struct Job {
    const RunCollector* collector;
    std::size_t families = 0;
  } job{collector.get()};
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 100 * 1024), 0);
  pthread_t thread;
  ASSERT_EQ(pthread_create(
                &thread, &attr,
                [](void* arg) -> void* {
                  auto* j = static_cast<Job*>(arg);
                  j->families = j->collector->Collect().size();
                  return nullptr;
                },
                &job),
            0);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  pthread_attr_destroy(&attr);
  EXPECT_GT(job.families, 5u);
}

// histogram_quantile over the exported buckets against the report's own quantile.
void expect_quantiles_within_five_percent(const Histogram& h, const char* what) {
  const auto buckets = exported_buckets(h);
  for (const double q : {0.5, 0.9, 0.99, 0.999}) {
    const double report = static_cast<double>(h.quantile_ns(q)) / 1e9;
    const double prometheus = histogram_quantile(q, buckets);
    EXPECT_NEAR(prometheus / report, 1.0, 0.05)
        << what << " q=" << q << ": report " << report << " s, histogram_quantile " << prometheus << " s";
  }
}

TEST(PrometheusQuantiles, MatchTheReportWithinFivePercent) {
  std::mt19937_64 rng(20261123);
  auto record = [&](auto&& distribution, const char* what) {
    auto h = std::make_unique<Histogram>();
    for (int i = 0; i < 200'000; ++i) {
      const double ns = distribution(rng);
      h->record(static_cast<std::uint64_t>(std::clamp(ns, 5'000.0, 60e9)));
    }
    expect_quantiles_within_five_percent(*h, what);
  };
  record(std::uniform_real_distribution<double>(50e3, 50e6), "uniform 50 us .. 50 ms");
  record(std::exponential_distribution<double>(1 / 2e6), "exponential, mean 2 ms");
  record(std::lognormal_distribution<double>(std::log(1e6), 1.0), "lognormal, median 1 ms");
  record(std::lognormal_distribution<double>(std::log(30e3), 0.3), "lognormal, median 30 us");
  std::normal_distribution<double> fast(200e3, 20e3), slow(40e6, 5e6);
  std::bernoulli_distribution slow_one(0.03);
  record([&](std::mt19937_64& g) { return slow_one(g) ? slow(g) : fast(g); }, "bimodal 200 us / 40 ms");
}

TEST(PrometheusQuantiles, PointMassesAnywhereInTheRangeStayWithinFivePercent) {
  // The worst case for interpolation: every value equal, so the true quantile may sit anywhere
  // in its exported bucket. Sweep values across many buckets, 1.3 % apart.
  for (double ns = 5'000; ns < 60e9; ns *= 1.013) {
    auto h = std::make_unique<Histogram>();
    for (int i = 0; i < 100; ++i) h->record(static_cast<std::uint64_t>(ns));
    const double report = static_cast<double>(h->quantile_ns(0.99)) / 1e9;
    const double prometheus = histogram_quantile(0.99, exported_buckets(*h));
    ASSERT_NEAR(prometheus / report, 1.0, 0.05) << "all values " << ns << " ns";
  }
}

}  // namespace
}  // namespace fleetsim::metrics
