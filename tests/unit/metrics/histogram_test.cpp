#include "metrics/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

namespace fleetsim::metrics {
namespace {

constexpr std::uint64_t kMicrosecond = 1'000;
constexpr std::uint64_t kHour = 3'600'000'000'000;

// The definition the histogram approximates: the ceil(q*n)-th smallest sample.
std::uint64_t exact_quantile(std::vector<std::uint64_t> sorted, double q) {
  const auto rank =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size()))));
  return sorted[rank - 1];
}

void expect_accurate(const std::vector<std::uint64_t>& samples, const char* what) {
  auto h = std::make_unique<Histogram>();
  for (const auto v : samples) h->record(v);
  std::vector<std::uint64_t> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  for (const double q : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = static_cast<double>(exact_quantile(sorted, q));
    const double approx = static_cast<double>(h->quantile_ns(q));
    EXPECT_LE(std::fabs(approx - exact) / exact, 0.01)
        << what << " q=" << q << " exact=" << exact << " approx=" << approx;
  }
}

TEST(HistogramAccuracy, LogUniformFromOneMicrosecondToOneHour) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> exponent(std::log(1e3), std::log(3.6e12));
  std::vector<std::uint64_t> samples(200'000);
  for (auto& v : samples) v = static_cast<std::uint64_t>(std::exp(exponent(rng)));
  expect_accurate(samples, "log-uniform");
}

TEST(HistogramAccuracy, UniformFromOneMicrosecondToOneHour) {
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<std::uint64_t> dist(kMicrosecond, kHour);
  std::vector<std::uint64_t> samples(200'000);
  for (auto& v : samples) v = dist(rng);
  expect_accurate(samples, "uniform");
}

TEST(HistogramAccuracy, ExponentialAroundOneMillisecond) {
  std::mt19937_64 rng(3);
  std::exponential_distribution<double> dist(1.0 / 1e6);
  std::vector<std::uint64_t> samples(200'000);
  for (auto& v : samples) v = static_cast<std::uint64_t>(dist(rng)) + 1;
  expect_accurate(samples, "exponential");
}

TEST(HistogramAccuracy, ConstantValueIsReportedExactly) {
  auto h = std::make_unique<Histogram>();
  for (int i = 0; i < 1000; ++i) h->record(123'456'789);
  for (const double q : {0.0, 0.5, 0.9, 0.99, 0.999, 1.0}) EXPECT_EQ(h->quantile_ns(q), 123'456'789u) << q;
}

TEST(HistogramAccuracy, EveryBucketMidpointIsWithinOnePercentOfItsValues) {
  for (std::size_t i = 0; i < Histogram::kBucketCount; ++i) {
    const std::uint64_t lower = Histogram::bucket_lower(i);
    const std::uint64_t upper = Histogram::bucket_upper(i);
    if (lower < kMicrosecond) continue;
    const double mid = static_cast<double>(lower + (upper - lower) / 2);
    EXPECT_LE((mid - static_cast<double>(lower)) / static_cast<double>(lower), 0.01) << i;
    EXPECT_LE((static_cast<double>(upper - 1) - mid) / static_cast<double>(upper - 1), 0.01) << i;
  }
}

TEST(HistogramBuckets, BoundsTileTheRangeWithoutGaps) {
  EXPECT_EQ(Histogram::bucket_lower(0), 0u);
  for (std::size_t i = 0; i + 1 < Histogram::kBucketCount; ++i) {
    ASSERT_LT(Histogram::bucket_lower(i), Histogram::bucket_upper(i)) << i;
    ASSERT_EQ(Histogram::bucket_upper(i), Histogram::bucket_lower(i + 1)) << i;
  }
  EXPECT_EQ(Histogram::bucket_upper(Histogram::kBucketCount - 1), Histogram::kMaxValue + 1);
}

TEST(HistogramBuckets, IndexOfEachBoundLandsInThatBucket) {
  for (std::size_t i = 0; i < Histogram::kBucketCount; ++i) {
    ASSERT_EQ(Histogram::bucket_index(Histogram::bucket_lower(i)), i);
    ASSERT_EQ(Histogram::bucket_index(Histogram::bucket_upper(i) - 1), i);
  }
}

TEST(HistogramBuckets, IndexIsMonotonicAndBoundsContainTheValue) {
  std::vector<std::uint64_t> values;
  for (int bit = 0; bit < 64; ++bit) {
    const std::uint64_t p = std::uint64_t{1} << bit;
    values.insert(values.end(), {p - 1, p, p + 1});
  }
  std::mt19937_64 rng(4);
  std::uniform_int_distribution<int> bits(0, 44);
  for (int i = 0; i < 100'000; ++i) values.push_back(rng() >> (63 - bits(rng)));
  values.push_back(~std::uint64_t{0});
  std::sort(values.begin(), values.end());

  std::size_t previous = 0;
  for (const auto v : values) {
    const std::size_t index = Histogram::bucket_index(v);
    ASSERT_LT(index, Histogram::kBucketCount) << v;
    ASSERT_GE(index, previous) << v;
    previous = index;
    if (v <= Histogram::kMaxValue) {
      ASSERT_LE(Histogram::bucket_lower(index), v);
      ASSERT_LT(v, Histogram::bucket_upper(index));
    } else {
      ASSERT_EQ(index, Histogram::kBucketCount - 1) << "values past the range share the top bucket";
    }
  }
}

TEST(HistogramBuckets, SmallValuesHaveExactBuckets) {
  for (std::uint64_t v = 0; v < 256; ++v) {
    const std::size_t index = Histogram::bucket_index(v);
    EXPECT_EQ(Histogram::bucket_lower(index), v);
    EXPECT_EQ(Histogram::bucket_upper(index), v + 1);
  }
}

TEST(Histogram, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min_ns(), 0u);
  EXPECT_EQ(h.max_ns(), 0u);
  EXPECT_EQ(h.mean_ns(), 0.0);
  EXPECT_EQ(h.quantile_ns(0.99), 0u);
}

TEST(Histogram, MinMaxMeanAndSumAreExact) {
  Histogram h;
  h.record(1'000);
  h.record(5'000'000);
  h.record(2'000);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.min_ns(), 1'000u);
  EXPECT_EQ(h.max_ns(), 5'000'000u);
  EXPECT_EQ(h.sum_ns(), 5'003'000u);
  EXPECT_DOUBLE_EQ(h.mean_ns(), 5'003'000.0 / 3);
}

TEST(Histogram, QuantileFollowsTheCeilRankDefinition) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);  // exact buckets
  EXPECT_EQ(h.quantile_ns(0.0), 1u);
  EXPECT_EQ(h.quantile_ns(0.5), 50u);
  EXPECT_EQ(h.quantile_ns(0.505), 51u);
  EXPECT_EQ(h.quantile_ns(0.99), 99u);
  EXPECT_EQ(h.quantile_ns(0.07), 7u) << "0.07 * 100 is 7.000000000000001 in binary";
  EXPECT_EQ(h.quantile_ns(0.55), 55u);
  EXPECT_EQ(h.quantile_ns(1.0), 100u);
  EXPECT_EQ(h.quantile_ns(7.0), 100u) << "q is clamped to 1";
}

TEST(Histogram, QuantileIsClampedToTheRecordedRange) {
  // Both values sit in bucket [999'424, 1'003'520) whose midpoint is 1'001'472.
  Histogram below;
  below.record(1'000'001);
  EXPECT_EQ(below.quantile_ns(0.5), 1'000'001u) << "midpoint clamped down to the max";
  Histogram above;
  above.record(1'003'000);
  above.record(1'003'100);
  EXPECT_EQ(above.quantile_ns(0.0), 1'003'000u) << "midpoint clamped up to the min";
  EXPECT_EQ(above.quantile_ns(0.5), 1'003'000u);
}

TEST(Histogram, ValuesPastTheRangeKeepExactMaxAndSum) {
  Histogram h;
  const std::uint64_t huge = Histogram::kMaxValue * 4;
  h.record(huge);
  EXPECT_EQ(h.max_ns(), huge);
  EXPECT_EQ(h.sum_ns(), huge);
  EXPECT_EQ(h.bucket_count_at(Histogram::kBucketCount - 1), 1u);
  EXPECT_EQ(h.quantile_ns(0.5), huge);
}

TEST(Histogram, MergeEqualsRecordingEverythingIntoOne) {
  auto a = std::make_unique<Histogram>();
  auto b = std::make_unique<Histogram>();
  auto all = std::make_unique<Histogram>();
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<std::uint64_t> dist(1, kHour);
  for (int i = 0; i < 10'000; ++i) {
    const auto v = dist(rng);
    (i % 3 == 0 ? *a : *b).record(v);
    all->record(v);
  }
  Histogram merged;
  merged.merge(*a);
  merged.merge(*b);
  EXPECT_EQ(merged, *all);
  a->merge(*b);
  EXPECT_EQ(*a, *all);
  EXPECT_EQ(a->quantile_ns(0.99), all->quantile_ns(0.99));
}

TEST(Histogram, MergingAnEmptyHistogramChangesNothing) {
  Histogram h;
  h.record(42'000);
  const Histogram before = h;
  h.merge(Histogram{});
  EXPECT_EQ(h, before);
  EXPECT_EQ(h.min_ns(), 42'000u);
}

TEST(Histogram, ResetEmptiesEverything) {
  Histogram h;
  h.record(7);
  h.record(9'000'000);
  h.reset();
  EXPECT_EQ(h, Histogram{});
  h.record(500);
  EXPECT_EQ(h.min_ns(), 500u);
  EXPECT_EQ(h.max_ns(), 500u);
}

TEST(Histogram, CopiesAreEqualAndIndependent) {
  Histogram h;
  h.record(3'000);
  h.record(4'000'000);
  Histogram copy(h);
  EXPECT_EQ(copy, h);
  Histogram assigned;
  assigned.record(1);
  assigned = h;
  EXPECT_EQ(assigned, h);
  copy.record(5);
  EXPECT_NE(copy, h);
  EXPECT_EQ(h.count(), 2u);
}

}  // namespace
}  // namespace fleetsim::metrics
