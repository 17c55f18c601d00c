#include "metrics/histogram.hpp"

#include <algorithm>
#include <cmath>

namespace fleetsim::metrics {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr std::uint64_t kEmptyMin = ~std::uint64_t{0};

// Index / kSubBuckets is the "group": group 0 holds 0..127 one per bucket; group g >= 1 holds
// [2^(g+6), 2^(g+7)) in buckets 2^(g-1) wide (group 1 is 128..255, still one value per bucket).
int group_shift(std::size_t index) noexcept {
  const auto group = static_cast<int>(index / Histogram::kSubBuckets);
  return group == 0 ? 0 : group - 1;
}

// The largest value bucket `index` holds: the top bucket also takes everything above kMaxValue.
std::uint64_t bucket_last_value(std::size_t index) noexcept {
  return index + 1 < Histogram::kBucketCount ? Histogram::bucket_upper(index) - 1 : ~std::uint64_t{0};
}

// 128-bit products: (count - 1) * value overflows 64 bits for long runs of large values.
__extension__ using U128 = unsigned __int128;

struct Extremes {
  std::uint64_t min, max, sum;
};

// Chooses a min in [min_lo, min_hi] and a max in [max_lo, max_hi] such that `count` values
// between them can add up to `sum` ((count-1)*min + max <= sum <= (count-1)*max + min), which is
// what decode() checks. The true extremes satisfy this, so a solution exists for consistent
// input; `sum` is clamped into the feasible range only for a snapshot read mid-write.
Extremes consistent_extremes(std::uint64_t count, std::uint64_t sum, std::uint64_t min_lo,
                             std::uint64_t min_hi, std::uint64_t max_lo, std::uint64_t max_hi) noexcept {
  const U128 n1 = count - 1;
  const U128 sum_lo = n1 * min_lo + max_lo;
  const U128 sum_hi = n1 * max_hi + min_hi;
  const U128 s = std::max<U128>(sum_lo, std::min<U128>(sum, sum_hi));
  // The smallest min, then the largest max it allows; if that max cannot reach the sum, the
  // min rises to make up the difference (it stays <= min_hi because s <= sum_hi).
  U128 min = min_lo;
  U128 max = std::min<U128>(max_hi, s - n1 * min);
  if (n1 * max + min < s) min = s - n1 * max;
  return {static_cast<std::uint64_t>(min), static_cast<std::uint64_t>(max), static_cast<std::uint64_t>(s)};
}

}  // namespace

Histogram::Histogram(const Histogram& other) {
  *this = other;
}

Histogram& Histogram::operator=(const Histogram& other) {
  if (this == &other) return *this;
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i].store(other.counts_[i].load(kRelaxed), kRelaxed);
  total_.store(other.total_.load(kRelaxed), kRelaxed);
  sum_.store(other.sum_.load(kRelaxed), kRelaxed);
  max_.store(other.max_.load(kRelaxed), kRelaxed);
  min_.store(other.min_.load(kRelaxed), kRelaxed);
  return *this;
}

std::uint64_t Histogram::bucket_lower(std::size_t index) noexcept {
  if (index < kSubBuckets) return index;
  const std::uint64_t sub = index % kSubBuckets;
  return (kSubBuckets + sub) << group_shift(index);
}

std::uint64_t Histogram::bucket_upper(std::size_t index) noexcept {
  return bucket_lower(index) + (std::uint64_t{1} << group_shift(index));
}

void Histogram::merge(const Histogram& other) noexcept {
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    const std::uint64_t n = other.counts_[i].load(kRelaxed);
    if (n != 0) counts_[i].store(counts_[i].load(kRelaxed) + n, kRelaxed);
  }
  total_.store(total_.load(kRelaxed) + other.total_.load(kRelaxed), kRelaxed);
  sum_.store(sum_.load(kRelaxed) + other.sum_.load(kRelaxed), kRelaxed);
  max_.store(std::max(max_.load(kRelaxed), other.max_.load(kRelaxed)), kRelaxed);
  min_.store(std::min(min_.load(kRelaxed), other.min_.load(kRelaxed)), kRelaxed);
}

bool Histogram::subtract(const Histogram& earlier) noexcept {
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    if (earlier.counts_[i].load(kRelaxed) > counts_[i].load(kRelaxed)) return false;
  }
  const std::uint64_t later_min = min_.load(kRelaxed);
  const std::uint64_t later_max = max_.load(kRelaxed);
  const std::uint64_t later_sum = sum_.load(kRelaxed);
  const std::uint64_t earlier_sum = earlier.sum_.load(kRelaxed);
  const bool earlier_empty = earlier.count() == 0;

  // The count comes from the buckets, which a snapshot read mid-write may not agree with total_.
  std::uint64_t total = 0;
  std::size_t first = kBucketCount;
  std::size_t last = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    const std::uint64_t n = counts_[i].load(kRelaxed) - earlier.counts_[i].load(kRelaxed);
    counts_[i].store(n, kRelaxed);
    if (n == 0) continue;
    total += n;
    first = std::min(first, i);
    last = i;
  }
  if (total == 0) {
    reset();
    return true;
  }

  std::uint64_t min_lo = bucket_lower(first);
  std::uint64_t min_hi = bucket_last_value(first);
  std::uint64_t max_lo = bucket_lower(last);
  std::uint64_t max_hi = bucket_last_value(last);
  // A new overall extreme was recorded in the interval, so it is the interval's own; an old one
  // only bounds the interval's from outside.
  if (earlier_empty || later_min < earlier.min_.load(kRelaxed)) {
    min_lo = min_hi = std::clamp(later_min, min_lo, min_hi);
  } else {
    min_lo = std::clamp(later_min, min_lo, min_hi);
  }
  if (earlier_empty || later_max > earlier.max_.load(kRelaxed)) {
    max_lo = max_hi = std::clamp(later_max, max_lo, max_hi);
  } else {
    max_hi = std::clamp(later_max, max_lo, max_hi);
  }
  if (first == last) {  // one bucket holds both extremes
    max_lo = std::max(max_lo, min_lo);
    min_hi = std::min(min_hi, max_hi);
  }
  // Only a snapshot read mid-write can leave a range empty; keep each one a range.
  min_lo = std::min(min_lo, min_hi);
  max_hi = std::max(max_hi, max_lo);
  const std::uint64_t sum = later_sum >= earlier_sum ? later_sum - earlier_sum : 0;
  const Extremes e = consistent_extremes(total, sum, min_lo, min_hi, max_lo, max_hi);
  total_.store(total, kRelaxed);
  sum_.store(e.sum, kRelaxed);
  min_.store(e.min, kRelaxed);
  max_.store(e.max, kRelaxed);
  return true;
}

void Histogram::reset() noexcept {
  for (auto& c : counts_) c.store(0, kRelaxed);
  total_.store(0, kRelaxed);
  sum_.store(0, kRelaxed);
  max_.store(0, kRelaxed);
  min_.store(kEmptyMin, kRelaxed);
}

std::uint64_t Histogram::min_ns() const noexcept {
  return count() == 0 ? 0 : min_.load(kRelaxed);
}

double Histogram::mean_ns() const noexcept {
  const std::uint64_t n = count();
  return n == 0 ? 0.0 : static_cast<double>(sum_.load(kRelaxed)) / static_cast<double>(n);
}

std::uint64_t Histogram::quantile_ns(double q) const noexcept {
  const std::uint64_t n = count();
  if (n == 0) return 0;
  if (!(q > 0)) q = 0;  // also maps NaN to the first value
  if (q > 1) q = 1;
  // q * n is inexact in binary (0.07 * 100 gives 7.000000000000001): shaving a relative 1e-12
  // keeps ceil() from skipping to the next rank, and is far below one rank for any real count.
  const double position = q * static_cast<double>(n);
  const auto rank =
      std::clamp<std::uint64_t>(static_cast<std::uint64_t>(std::ceil(position - position * 1e-12)), 1, n);
  const std::uint64_t lo = min_ns();
  const std::uint64_t hi = max_ns();
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i].load(kRelaxed);
    if (seen >= rank) {
      const std::uint64_t lower = bucket_lower(i);
      const std::uint64_t mid = lower + (bucket_upper(i) - lower) / 2;
      return std::clamp(mid, lo, std::max(lo, hi));
    }
  }
  // Only reachable while a writer is between its count and bucket stores.
  return hi;
}

bool Histogram::operator==(const Histogram& other) const noexcept {
  if (count() != other.count() || sum_ns() != other.sum_ns() || min_ns() != other.min_ns() ||
      max_ns() != other.max_ns()) {
    return false;
  }
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i].load(kRelaxed) != other.counts_[i].load(kRelaxed)) return false;
  }
  return true;
}

}  // namespace fleetsim::metrics
