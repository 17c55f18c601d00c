// Histogram::subtract: the interval histograms of the run's timeline, taken as differences of
// cumulative snapshots.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

#include "metrics/histogram.hpp"

namespace fleetsim::metrics {
namespace {

std::unique_ptr<Histogram> of(const std::vector<std::uint64_t>& values) {
  auto h = std::make_unique<Histogram>();
  for (const auto v : values) h->record(v);
  return h;
}

std::vector<std::uint64_t> random_values(std::mt19937_64& rng, std::size_t n) {
  std::lognormal_distribution<double> d(13.0, 1.5);  // ~0.4 ms median, long tail
  std::vector<std::uint64_t> v(n);
  for (auto& x : v) x = static_cast<std::uint64_t>(d(rng)) + 1;
  return v;
}

// The cumulative histogram after `earlier` then `interval`, minus the one after `earlier` alone.
std::unique_ptr<Histogram> interval_of(const std::vector<std::uint64_t>& earlier,
                                       const std::vector<std::uint64_t>& interval) {
  auto before = of(earlier);
  auto after = of(earlier);
  for (const auto v : interval) after->record(v);
  EXPECT_TRUE(after->subtract(*before));
  return after;
}

TEST(HistogramSubtract, FromAnEmptyEarlierSnapshotIsTheWholeHistogram) {
  std::mt19937_64 rng(3);
  const auto values = random_values(rng, 5000);
  const auto interval = interval_of({}, values);
  EXPECT_EQ(*interval, *of(values));
}

TEST(HistogramSubtract, BucketsCountAndSumAreExact) {
  std::mt19937_64 rng(4);
  for (int round = 0; round < 20; ++round) {
    const auto earlier = random_values(rng, 2000);
    const auto later = random_values(rng, 1 + round * 97);
    const auto interval = interval_of(earlier, later);
    const auto expected = of(later);
    EXPECT_EQ(interval->count(), expected->count());
    EXPECT_EQ(interval->sum_ns(), expected->sum_ns());
    for (std::size_t i = 0; i < Histogram::kBucketCount; ++i) {
      ASSERT_EQ(interval->bucket_count_at(i), expected->bucket_count_at(i)) << "bucket " << i;
    }
    // Percentiles come from buckets alone, clamped to min and max: the same within a bucket.
    for (const double q : {0.5, 0.9, 0.99}) {
      const double a = static_cast<double>(interval->quantile_ns(q));
      const double b = static_cast<double>(expected->quantile_ns(q));
      EXPECT_LE(std::abs(a - b), b * 0.008) << "q=" << q;
    }
  }
}

TEST(HistogramSubtract, NewExtremesAreExactOldOnesStayInTheirBuckets) {
  // The interval holds a new overall max (exact) but not the overall min, which is older.
  const auto interval = interval_of({500, 9'000}, {2'000'003, 7'777, 10'001});
  EXPECT_EQ(interval->max_ns(), 2'000'003u);
  const std::uint64_t min = interval->min_ns();
  EXPECT_EQ(Histogram::bucket_index(min), Histogram::bucket_index(7'777));
  EXPECT_GE(min, 500u);

  // And the other way round: a new overall min, the max older.
  const auto second = interval_of({500, 9'000'000}, {100, 2'000'000});
  EXPECT_EQ(second->min_ns(), 100u);
  EXPECT_EQ(Histogram::bucket_index(second->max_ns()), Histogram::bucket_index(2'000'000));
}

TEST(HistogramSubtract, ResultAlwaysEncodesAndDecodesToItself) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 200; ++round) {
    const auto earlier = random_values(rng, static_cast<std::size_t>(rng() % 50));
    const auto later = random_values(rng, 1 + static_cast<std::size_t>(rng() % 40));
    const auto interval = interval_of(earlier, later);
    const auto decoded = Histogram::decode(interval->encode());
    ASSERT_TRUE(decoded.has_value()) << "round " << round;
    EXPECT_EQ(*decoded, *interval);
  }
}

TEST(HistogramSubtract, OneValueIntervalIsThatValue) {
  const auto interval = interval_of({1'000, 5'000'000}, {123'457});
  EXPECT_EQ(interval->count(), 1u);
  EXPECT_EQ(interval->min_ns(), 123'457u);
  EXPECT_EQ(interval->max_ns(), 123'457u);
}

TEST(HistogramSubtract, NothingNewGivesAnEmptyHistogram) {
  auto h = of({10, 20, 30});
  const auto same = of({10, 20, 30});
  ASSERT_TRUE(h->subtract(*same));
  EXPECT_EQ(*h, Histogram());
}

TEST(HistogramSubtract, RefusesALaterSnapshotAndLeavesItselfUnchanged) {
  auto earlier = of({10, 20});
  const auto later = of({10, 20, 30});
  const Histogram before = *earlier;
  EXPECT_FALSE(earlier->subtract(*later));
  EXPECT_EQ(*earlier, before);
}

}  // namespace
}  // namespace fleetsim::metrics
