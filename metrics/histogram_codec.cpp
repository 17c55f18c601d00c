// Histogram::encode / decode: the "h1:" text form carried in JSON reports, so that shards'
// reports merge exactly (`fleetsim report merge`). Reports come from files a user may have
// edited, so decode trusts nothing.
#include <algorithm>
#include <array>
#include <cstdint>

#include "metrics/histogram.hpp"

namespace fleetsim::metrics {
namespace {

constexpr std::string_view kPrefix = "h1:";
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::size_t kMaxVarintBytes = 10;  // ceil(64 / 7)

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads one minimal LEB128 varint; false on truncation, overflow or a redundant trailing zero
// group (which would let two texts describe one histogram).
bool get_varint(std::string_view& in, std::uint64_t& out) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < in.size() && i < kMaxVarintBytes; ++i) {
    const auto byte = static_cast<std::uint8_t>(in[i]);
    const std::uint64_t bits = byte & 0x7f;
    if (i == kMaxVarintBytes - 1 && bits > 1) return false;  // beyond 64 bits
    v |= bits << (7 * i);
    if ((byte & 0x80) == 0) {
      if (i > 0 && byte == 0) return false;
      in.remove_prefix(i + 1);
      out = v;
      return true;
    }
  }
  return false;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[i])) << 16 |
                            static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[i + 1])) << 8 |
                            static_cast<std::uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[n >> 18]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[i])) << 16;
    if (rest == 2) n |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[i + 1])) << 8;
    out.push_back(kAlphabet[n >> 18]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

constexpr std::array<std::int8_t, 256> make_base64_table() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    t[static_cast<std::uint8_t>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return t;
}
constexpr auto kBase64Table = make_base64_table();

// Strict RFC 4648 decoding: padded to a multiple of 4, padding only at the end, and the unused
// low bits of the last symbol zero (so the text is canonical).
std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t symbols = last ? 4 - pad : 4;
    std::uint32_t n = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      std::int8_t v = 0;
      if (k < symbols) {
        v = kBase64Table[static_cast<std::uint8_t>(text[i + k])];
        if (v < 0) return std::nullopt;
      }
      n = n << 6 | static_cast<std::uint32_t>(v);
    }
    out.push_back(static_cast<char>(n >> 16));
    if (symbols >= 3) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (symbols == 4) out.push_back(static_cast<char>(n & 0xff));
    if (symbols == 2 && (n & 0xffff) != 0) return std::nullopt;
    if (symbols == 3 && (n & 0xff) != 0) return std::nullopt;
  }
  return out;
}

// The largest value bucket `index` holds: the top bucket also takes everything above kMaxValue.
std::uint64_t bucket_last_value(std::size_t index) {
  return index + 1 < Histogram::kBucketCount ? Histogram::bucket_upper(index) - 1 : ~std::uint64_t{0};
}

// The sums `total` values from min to max can have: min and max are two of them, every other
// value lies between. False when even the smallest sum overflows.
bool sum_bounds(std::uint64_t total, std::uint64_t min, std::uint64_t max, std::uint64_t& lo,
                std::uint64_t& hi) {
  std::uint64_t rest = 0;
  if (__builtin_mul_overflow(total - 1, min, &rest) || __builtin_add_overflow(rest, max, &lo)) return false;
  if (__builtin_mul_overflow(total - 1, max, &rest) || __builtin_add_overflow(rest, min, &hi))
    hi = ~std::uint64_t{0};
  return true;
}

}  // namespace

std::string Histogram::encode() const {
  std::string bytes;
  std::uint64_t total = 0;
  std::size_t first = kBucketCount;
  std::size_t last = 0;
  std::size_t prev = 0;  // index + 1 of the previous non-empty bucket: the first gap is index + 1
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    const std::uint64_t n = bucket_count_at(i);
    if (n == 0) continue;
    put_varint(bytes, i + 1 - prev);
    put_varint(bytes, n);
    prev = i + 1;
    total += n;
    first = std::min(first, i);
    last = i;
  }
  std::uint64_t sum = 0;
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  if (total > 0) {
    // Clamped so that a histogram read mid-write still yields text decode() accepts; for a
    // quiescent histogram every clamp is a no-op.
    min = std::clamp(min_.load(std::memory_order_relaxed), bucket_lower(first), bucket_last_value(first));
    max = std::clamp(max_.load(std::memory_order_relaxed), std::max(min, bucket_lower(last)),
                     bucket_last_value(last));
    if (total == 1) max = min;
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    sum = sum_.load(std::memory_order_relaxed);
    if (sum_bounds(total, min, max, lo, hi)) sum = std::clamp(sum, lo, hi);
  }
  put_varint(bytes, sum);
  put_varint(bytes, min);
  put_varint(bytes, max);
  std::string out(kPrefix);
  out += base64_encode(bytes);
  return out;
}

std::optional<Histogram> Histogram::decode(std::string_view text) {
  if (!text.starts_with(kPrefix)) return std::nullopt;
  const auto bytes = base64_decode(text.substr(kPrefix.size()));
  if (!bytes) return std::nullopt;

  std::vector<std::uint64_t> fields;
  std::string_view in = *bytes;
  while (!in.empty()) {
    std::uint64_t v = 0;
    if (!get_varint(in, v)) return std::nullopt;
    fields.push_back(v);
  }
  if (fields.size() < 3 || (fields.size() - 3) % 2 != 0) return std::nullopt;

  std::optional<Histogram> h(std::in_place);
  const std::size_t pairs = (fields.size() - 3) / 2;
  std::uint64_t total = 0;
  std::size_t next = 0;  // lowest index the next bucket may have
  std::size_t first = 0;
  std::size_t last = 0;
  for (std::size_t p = 0; p < pairs; ++p) {
    const std::uint64_t gap = fields[2 * p];
    const std::uint64_t n = fields[2 * p + 1];
    if (gap == 0 || gap > kBucketCount || n == 0) return std::nullopt;
    const std::size_t index = next + static_cast<std::size_t>(gap) - 1;
    if (index >= kBucketCount || total + n < total) return std::nullopt;
    h->counts_[index].store(n, std::memory_order_relaxed);
    total += n;
    if (p == 0) first = index;
    last = index;
    next = index + 1;
  }
  const std::uint64_t sum = fields[fields.size() - 3];
  const std::uint64_t min = fields[fields.size() - 2];
  const std::uint64_t max = fields[fields.size() - 1];
  if (total == 0) {
    if (sum != 0 || min != 0 || max != 0) return std::nullopt;
    return h;
  }
  if (min > max || bucket_index(min) != first || bucket_index(max) != last) return std::nullopt;
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
  if (!sum_bounds(total, min, max, lo, hi) || sum < lo || sum > hi) return std::nullopt;
  h->total_.store(total, std::memory_order_relaxed);
  h->sum_.store(sum, std::memory_order_relaxed);
  h->min_.store(min, std::memory_order_relaxed);
  h->max_.store(max, std::memory_order_relaxed);
  return h;
}

}  // namespace fleetsim::metrics
