#include "metrics/prometheus_exporter.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <utility>

namespace fleetsim::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Sub-bucket offsets (of Histogram's 128 per power of two) nearest to 128 * (2^(k/16) - 1): edges
// about 2^(1/16) = 4.4 % apart; rounding to whole sub-buckets makes the widest step 134/128.
constexpr std::array<std::uint64_t, 16> kEdgeOffsets = {0,  6,  12, 18, 24, 31, 38,  45,
                                                        53, 61, 69, 78, 87, 97, 107, 117};
constexpr int kFirstExponent = 12;  // 4.096 us: loopback twin requests take tens of microseconds
constexpr int kLastExponent = 36;   // 68.7 s: above any request timeout
constexpr std::size_t kBoundCount = (kLastExponent - kFirstExponent) * kEdgeOffsets.size() + 1;

constexpr std::array<std::uint64_t, kBoundCount> make_bounds() {
  std::array<std::uint64_t, kBoundCount> bounds{};
  std::size_t n = 0;
  for (int m = kFirstExponent; m < kLastExponent; ++m) {
    for (const std::uint64_t offset : kEdgeOffsets) {
      bounds[n++] = (Histogram::kSubBuckets + offset) << (m - Histogram::kSubBucketBits);
    }
  }
  bounds[n] = std::uint64_t{1} << kLastExponent;
  return bounds;
}
constexpr std::array<std::uint64_t, kBoundCount> kBoundsNs = make_bounds();

double seconds(std::uint64_t ns) {
  return static_cast<double>(ns) / 1e9;
}

std::uint64_t minus_or_zero(std::uint64_t a, std::uint64_t b) {
  return a > b ? a - b : 0;
}

// PUBLISHes that wait for their answer (PUBACK, twin response or write completion). Derived from
// counters the sessions already keep: each written PUBLISH counts in messages_sent and later ends
// as exactly one telemetry, twin_get or reported_patch outcome, except the answers that end
// nothing (direct method responses, answers_sent), while a message refused before
// sending (window or socket full) counts an outcome and an inflight_full error without a PUBLISH.
// (An overflow of a connecting session's desired-patch buffer also counts inflight_full without
// an outcome: rare, and it makes this read one too high per overflow for the rest of the run.)
std::uint64_t messages_in_flight(const Snapshot& s) {
  std::uint64_t completed = 0;
  for (const Op op : {Op::telemetry, Op::twin_get, Op::reported_patch}) {
    completed += s.ops[static_cast<std::size_t>(op)].count();
  }
  const std::uint64_t refused = s.errors[static_cast<std::size_t>(ErrorKind::inflight_full)];
  return minus_or_zero(minus_or_zero(s.messages_sent, s.answers_sent) + refused, completed);
}

MetricFamily histogram_family(std::string name, std::string help) {
  return make_family(std::move(name), std::move(help), MetricType::Histogram);
}

void add_histogram(MetricFamily& family, std::vector<ClientMetric::Label> labels, const Histogram& h) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.histogram = to_prometheus_histogram(h);
  family.metric.push_back(std::move(metric));
}

}  // namespace

std::span<const std::uint64_t> export_bucket_bounds_ns() noexcept {
  return kBoundsNs;
}

ClientMetric::Histogram to_prometheus_histogram(const Histogram& histogram) {
  ClientMetric::Histogram out;
  out.bucket.reserve(kBoundCount + 1);
  std::uint64_t cumulative = 0;
  std::size_t index = 0;
  for (const std::uint64_t bound : kBoundsNs) {
    // Every bound is a bucket's lower edge: the buckets below it hold exactly the values < bound.
    const std::size_t end = Histogram::bucket_index(bound);
    for (; index < end; ++index) cumulative += histogram.bucket_count_at(index);
    out.bucket.push_back({cumulative, seconds(bound)});
  }
  for (; index < Histogram::kBucketCount; ++index) cumulative += histogram.bucket_count_at(index);
  out.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  out.sample_count = cumulative;
  out.sample_sum = seconds(histogram.sum_ns());
  return out;
}

MetricFamily make_family(std::string name, std::string help, MetricType type) {
  MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

void add_sample(MetricFamily& family, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  if (family.type == MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(std::move(metric));
}

std::vector<MetricFamily> run_metric_families(const Snapshot& s, const RunDescription& run) {
  std::vector<MetricFamily> families;
  const auto as_double = [](std::uint64_t v) { return static_cast<double>(v); };

  auto info =
      make_family("fleetsim_info", "The run: scenario, shard (I/N), target and fleetsim version; always 1",
                  MetricType::Gauge);
  add_sample(
      info,
      {{"scenario", run.scenario}, {"shard", run.shard}, {"target", run.target}, {"version", run.version}},
      1);
  families.push_back(std::move(info));

  auto start = make_family("fleetsim_run_start_time_seconds", "Unix time the run started", MetricType::Gauge);
  add_sample(start, {}, run.start_time_s);
  families.push_back(std::move(start));
  auto duration =
      make_family("fleetsim_run_duration_seconds", "The scenario's planned duration", MetricType::Gauge);
  add_sample(duration, {}, run.duration_s);
  families.push_back(std::move(duration));

  const std::uint64_t connected = minus_or_zero(s.sessions_connected, s.sessions_disconnected);
  auto sessions_connected = make_family("fleetsim_sessions_connected",
                                        "Sessions connected now (CONNACK accepted)", MetricType::Gauge);
  add_sample(sessions_connected, {}, as_double(connected));
  families.push_back(std::move(sessions_connected));

  auto sessions = make_family("fleetsim_sessions",
                              "The shard's sessions by state: connected, failed (never connected, gave up), "
                              "not_connected (waiting for the ramp, connecting, in backoff or closed)",
                              MetricType::Gauge);
  const std::uint64_t failed = s.sessions_failed;
  add_sample(sessions, {{"state", "connected"}}, as_double(connected));
  add_sample(sessions, {{"state", "failed"}}, as_double(failed));
  add_sample(sessions, {{"state", "not_connected"}},
             as_double(minus_or_zero(run.sessions, connected + failed)));
  families.push_back(std::move(sessions));

  auto connects = make_family("fleetsim_session_connects_total", "Accepted CONNACKs, reconnections included",
                              MetricType::Counter);
  add_sample(connects, {}, as_double(s.sessions_connected));
  families.push_back(std::move(connects));
  auto disconnects =
      make_family("fleetsim_session_disconnects_total",
                  "Connected sessions whose connection ended (drain included)", MetricType::Counter);
  add_sample(disconnects, {}, as_double(s.sessions_disconnected));
  families.push_back(std::move(disconnects));

  auto latency = histogram_family("fleetsim_operation_duration_seconds",
                                  "Latency of successful operations (DESIGN.md \"What is measured\")");
  auto operations =
      make_family("fleetsim_operations_total",
                  "Finished operations by outcome: ok, error, timeout, throttled", MetricType::Counter);
  for (std::size_t i = 0; i < kOpCount; ++i) {
    const auto& op = s.ops[i];
    if (op.count() == 0) continue;
    const std::string name(op_name(static_cast<Op>(i)));
    add_histogram(latency, {{"operation", name}}, op.latency);
    add_sample(operations, {{"operation", name}, {"outcome", "ok"}}, as_double(op.ok));
    add_sample(operations, {{"operation", name}, {"outcome", "error"}}, as_double(op.errors));
    add_sample(operations, {{"operation", name}, {"outcome", "timeout"}}, as_double(op.timeouts));
    add_sample(operations, {{"operation", name}, {"outcome", "throttled"}}, as_double(op.throttled));
  }
  // Before the first operation ends there is nothing to say (a family without samples is noise).
  if (!latency.metric.empty()) {
    families.push_back(std::move(latency));
    families.push_back(std::move(operations));
  }

  auto errors = make_family("fleetsim_errors_total", "Errors by kind (the report's \"errors\" object)",
                            MetricType::Counter);
  for (std::size_t i = 0; i < kErrorKindCount; ++i) {
    add_sample(errors, {{"kind", std::string(error_kind_name(static_cast<ErrorKind>(i)))}},
               as_double(s.errors[i]));
  }
  families.push_back(std::move(errors));

  auto in_flight = make_family("fleetsim_messages_in_flight",
                               "PUBLISHes written and not answered yet (QoS 1 telemetry, twin requests)",
                               MetricType::Gauge);
  add_sample(in_flight, {}, as_double(messages_in_flight(s)));
  families.push_back(std::move(in_flight));
  auto sent = make_family("fleetsim_messages_sent_total", "PUBLISH packets written by the sessions",
                          MetricType::Counter);
  add_sample(sent, {}, as_double(s.messages_sent));
  families.push_back(std::move(sent));
  auto bytes = make_family("fleetsim_bytes_sent_total", "Payload bytes of the PUBLISH packets written",
                           MetricType::Counter);
  add_sample(bytes, {}, as_double(s.bytes_sent));
  families.push_back(std::move(bytes));

  auto lag = histogram_family("fleetsim_schedule_lag_seconds",
                              "How late the simulator acted on its schedule: the tool's own health");
  add_histogram(lag, {}, s.schedule_lag);
  families.push_back(std::move(lag));
  return families;
}

RunCollector::RunCollector(const Registry& registry, RunDescription run)
    : registry_(registry), run_(std::move(run)) {}

std::vector<MetricFamily> RunCollector::Collect() const {
  // Merged on the heap: the server's threads have stacks of about 100 KB.
  const auto snapshot = std::make_unique<Snapshot>();
  registry_.merge_into(*snapshot);
  return run_metric_families(*snapshot, run_);
}

}  // namespace fleetsim::metrics
