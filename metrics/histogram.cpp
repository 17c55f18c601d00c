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
