// Histogram costs: record() sits on every timed operation of every device, so it must stay a few
// nanoseconds; merge runs per thread on the snapshot timer; quantile and encode run per scrape
// and per report.
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "metrics/histogram.hpp"

namespace {

using fleetsim::metrics::Histogram;

// Log-uniform values from 1 us to 1 h, generated up front so the RNG is not measured.
std::vector<std::uint64_t> sample_values(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> exponent(std::log(1e3), std::log(3.6e12));
  std::vector<std::uint64_t> values(n);
  for (auto& v : values) v = static_cast<std::uint64_t>(std::exp(exponent(rng)));
  return values;
}

std::unique_ptr<Histogram> full_histogram(std::uint64_t seed) {
  auto h = std::make_unique<Histogram>();
  for (const auto v : sample_values(1 << 20, seed)) h->record(v);
  return h;
}

void BM_record(benchmark::State& state) {
  const auto values = sample_values(1 << 16, 1);
  auto h = std::make_unique<Histogram>();
  std::size_t i = 0;
  for (auto _ : state) {
    h->record(values[i]);
    i = (i + 1) & (values.size() - 1);
  }
  benchmark::DoNotOptimize(h->count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_record);

void BM_merge(benchmark::State& state) {
  const auto a = full_histogram(2);
  const auto b = full_histogram(3);
  auto target = std::make_unique<Histogram>();
  for (auto _ : state) {
    *target = *a;
    target->merge(*b);
    benchmark::DoNotOptimize(target->count());
  }
}
BENCHMARK(BM_merge);

void BM_quantile(benchmark::State& state) {
  const auto h = full_histogram(4);
  for (auto _ : state) benchmark::DoNotOptimize(h->quantile_ns(0.99));
}
BENCHMARK(BM_quantile);

void BM_encode(benchmark::State& state) {
  const auto h = full_histogram(5);
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = h->encode();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_encode);

void BM_decode(benchmark::State& state) {
  const std::string text = full_histogram(6)->encode();
  for (auto _ : state) {
    auto h = Histogram::decode(text);
    benchmark::DoNotOptimize(h->count());
  }
}
BENCHMARK(BM_decode);

}  // namespace

BENCHMARK_MAIN();
