// Log-linear (HDR-style) latency histogram.
//
// Values are nanoseconds. Values below 256 ns get one bucket each; above, each power of two
// [2^m, 2^(m+1)) is split into kSubBuckets linear sub-buckets of width 2^(m-7), so a bucket is at
// most 1/128 of its lower bound wide and its midpoint is within 1/256 (0.4%) of any value in it,
// anywhere from 1 microsecond to 1 hour. Values above kMaxValue (2^42 ns ~ 73 min) share the top
// bucket (min, max and sum keep them exactly). Two histograms merge exactly by adding counts, so
// the p99 of merged shards is the true p99.
//
// Thread safety: one writer thread per histogram (record() is a relaxed load+store, no lock, no
// read-modify-write); any thread may read a snapshot concurrently with relaxed loads (it may miss
// the records in flight, never tear a count).
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim::metrics {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr std::uint64_t kSubBuckets = 1u << kSubBucketBits;  // 128
  static constexpr int kMaxExponent = 42;                             // 2^42 ns ~ 73 minutes
  static constexpr std::size_t kBucketCount = (kMaxExponent - kSubBucketBits + 1) * kSubBuckets;
  static constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << kMaxExponent) - 1;

  Histogram() = default;
  Histogram(const Histogram& other);
  Histogram& operator=(const Histogram& other);

  static std::size_t bucket_index(std::uint64_t value_ns) noexcept {
    if (value_ns > kMaxValue) value_ns = kMaxValue;
    if (value_ns < kSubBuckets) return static_cast<std::size_t>(value_ns);
    const int msb = 63 - std::countl_zero(value_ns);  // >= kSubBucketBits
    const int shift = msb - kSubBucketBits;
    const std::uint64_t sub = (value_ns >> shift) - kSubBuckets;  // 0..127
    return static_cast<std::size_t>((shift + 1) * kSubBuckets + sub);
  }
  // Inclusive lower and exclusive upper bound of a bucket, in ns.
  static std::uint64_t bucket_lower(std::size_t index) noexcept;
  static std::uint64_t bucket_upper(std::size_t index) noexcept;

  // Hot path: no lock, no allocation.
  void record(std::uint64_t value_ns) noexcept {
    auto& c = counts_[bucket_index(value_ns)];
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    total_.store(total_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    sum_.store(sum_.load(std::memory_order_relaxed) + value_ns, std::memory_order_relaxed);
    if (value_ns > max_.load(std::memory_order_relaxed)) max_.store(value_ns, std::memory_order_relaxed);
    if (value_ns < min_.load(std::memory_order_relaxed)) min_.store(value_ns, std::memory_order_relaxed);
  }

  // Adds another histogram's counts (exact). Not safe against a concurrent writer of *this.
  void merge(const Histogram& other) noexcept;
  // Turns a snapshot of a cumulative histogram into the values recorded since `earlier`, an
  // earlier snapshot of the same histogram (the per-interval data of a run's timeline). Bucket
  // counts, count and sum subtract exactly. The interval's min (max) is exact when it is a new
  // overall min (max); otherwise it is not recorded anywhere, and the result takes a value inside
  // the interval's first (last) bucket, so within 0.4% of the true one, consistent with the count
  // and the sum. Returns false, leaving *this unchanged, when `earlier` has a bucket count *this
  // does not reach (it is not an earlier snapshot). Not safe against a concurrent writer of *this.
  bool subtract(const Histogram& earlier) noexcept;
  void reset() noexcept;

  std::uint64_t count() const noexcept { return total_.load(std::memory_order_relaxed); }
  std::uint64_t max_ns() const noexcept { return max_.load(std::memory_order_relaxed); }
  std::uint64_t min_ns() const noexcept;  // 0 when empty
  std::uint64_t sum_ns() const noexcept { return sum_.load(std::memory_order_relaxed); }
  double mean_ns() const noexcept;  // 0 when empty
  // Value at quantile q in [0, 1]: the midpoint of the bucket holding the ceil(q*count)-th value
  // (the first value for q = 0), clamped to [min, max]. 0 when empty.
  std::uint64_t quantile_ns(double q) const noexcept;

  // Compact serialisation: "h1:" + base64 (RFC 4648, padded) of unsigned LEB128 varints: one
  // (gap, count) pair per non-empty bucket, the gap being its index minus the previous non-empty
  // index (the first one's minus -1, so every gap is >= 1), then sum, min and max; the count is
  // implied by the pairs. decode() checks every field (indices in range, counts non-zero, minimal
  // varints, min and max inside the first and last buckets, a sum that count values between min
  // and max can make) and returns nullopt on malformed text; decode(encode(h)) == h. encode() of a
  // histogram still being written describes the counts it read, made consistent, so it always
  // decodes.
  std::string encode() const;
  static std::optional<Histogram> decode(std::string_view text);

  // Same counts in every bucket and same count, sum, min and max.
  bool operator==(const Histogram& other) const noexcept;

  std::uint64_t bucket_count_at(std::size_t index) const noexcept {
    return counts_[index].load(std::memory_order_relaxed);
  }

 private:
  std::array<std::atomic<std::uint64_t>, kBucketCount> counts_{};
  std::atomic<std::uint64_t> total_{0};
  std::atomic<std::uint64_t> sum_{0};
  std::atomic<std::uint64_t> max_{0};
  std::atomic<std::uint64_t> min_{~std::uint64_t{0}};
};

}  // namespace fleetsim::metrics
