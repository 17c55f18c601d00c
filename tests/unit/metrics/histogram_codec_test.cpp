#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "metrics/histogram.hpp"

namespace fleetsim::metrics {
namespace {

// An independent writer of the documented format, to craft malformed texts field by field.
std::string encode_fields(const std::vector<std::uint64_t>& fields) {
  std::string bytes;
  for (auto v : fields) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<char>(v));
  }
  return bytes;
}

std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = 0;
    const std::size_t chunk = std::min<std::size_t>(3, bytes.size() - i);
    for (std::size_t k = 0; k < 3; ++k) {
      n = n << 8 | (k < chunk ? static_cast<std::uint8_t>(bytes[i + k]) : 0u);
    }
    for (std::size_t k = 0; k < 4; ++k) out.push_back(k <= chunk ? kAlphabet[(n >> (18 - 6 * k)) & 63] : '=');
  }
  return out;
}

std::string text(const std::vector<std::uint64_t>& fields) {
  return "h1:" + base64(encode_fields(fields));
}

void expect_round_trip(const Histogram& h) {
  const std::string encoded = h.encode();
  ASSERT_TRUE(encoded.starts_with("h1:")) << encoded;
  const auto decoded = Histogram::decode(encoded);
  ASSERT_TRUE(decoded.has_value()) << encoded;
  EXPECT_EQ(*decoded, h);
  EXPECT_EQ(decoded->encode(), encoded);
}

TEST(HistogramCodec, EmptyRoundTrips) {
  Histogram h;
  EXPECT_EQ(h.encode(), text({0, 0, 0}));
  expect_round_trip(h);
}

TEST(HistogramCodec, FormatIsGapCountPairsThenSumMinMax) {
  Histogram h;
  h.record(5);
  h.record(5);
  h.record(200);
  // Buckets 5 (gap 6 from the virtual -1) and 200 (gap 195), then sum, min, max.
  EXPECT_EQ(h.encode(), text({6, 2, 195, 1, 210, 5, 200}));
}

TEST(HistogramCodec, SingleValuesAcrossTheRangeRoundTrip) {
  for (const std::uint64_t v :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{127}, std::uint64_t{128}, std::uint64_t{999'999},
        Histogram::kMaxValue, Histogram::kMaxValue + 1, ~std::uint64_t{0} / 2}) {
    Histogram h;
    h.record(v);
    expect_round_trip(h);
  }
}

TEST(HistogramCodec, ManyRandomValuesRoundTrip) {
  auto h = std::make_unique<Histogram>();
  std::mt19937_64 rng(6);
  std::uniform_int_distribution<int> bits(0, 42);
  for (int i = 0; i < 50'000; ++i) h->record(rng() >> (63 - bits(rng)));
  expect_round_trip(*h);
  EXPECT_LT(h->encode().size(), 4 * Histogram::kBucketCount) << "compact: a few bytes per non-empty bucket";
}

TEST(HistogramCodec, DecodesTextWrittenByTheFormat) {
  const auto h = Histogram::decode(text({6, 2, 195, 1, 210, 5, 200}));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->count(), 3u);
  EXPECT_EQ(h->bucket_count_at(5), 2u);
  EXPECT_EQ(h->bucket_count_at(200), 1u);
  EXPECT_EQ(h->sum_ns(), 210u);
  EXPECT_EQ(h->min_ns(), 5u);
  EXPECT_EQ(h->max_ns(), 200u);
}

TEST(HistogramCodec, RejectsNonZeroBitsUnderPadding) {
  // 10 bytes of fields: the last group carries one byte, so its second symbol has 4 unused bits.
  const std::string valid = text({6, 2, 195, 1, 210, 5, 200});
  ASSERT_TRUE(valid.ends_with("==")) << valid;
  ASSERT_TRUE(Histogram::decode(valid).has_value());
  std::string tampered = valid;
  char& symbol = tampered[tampered.size() - 3];
  symbol = symbol == 'A' ? 'B' : static_cast<char>(symbol + 1);
  EXPECT_FALSE(Histogram::decode(tampered).has_value()) << tampered;
}

struct Malformed {
  const char* why;
  std::string text;
};

class HistogramCodecRejects : public testing::TestWithParam<Malformed> {};

TEST_P(HistogramCodecRejects, Malformed) {
  EXPECT_FALSE(Histogram::decode(GetParam().text).has_value());
}

INSTANTIATE_TEST_SUITE_P(
    All, HistogramCodecRejects,
    testing::Values(
        Malformed{"empty", ""}, Malformed{"prefix only", "h1:"},
        Malformed{"no prefix", base64(encode_fields({0, 0, 0}))},
        Malformed{"other version", "h2:" + base64(encode_fields({0, 0, 0}))},
        Malformed{"length not a multiple of 4", "h1:AAA"}, Malformed{"padding in the middle", "h1:AA==AAAA"},
        Malformed{"character outside the alphabet", "h1:AA*A"}, Malformed{"url-safe alphabet", "h1:-_AA"},
        Malformed{"truncated varint", "h1:" + base64(encode_fields({0, 0}) + "\x80")},
        Malformed{"varint past 64 bits",
                  "h1:" + base64(std::string(10, '\xff') + "\x01" + encode_fields({0, 0}))},
        Malformed{"non-minimal varint", "h1:" + base64(std::string("\x80\x00", 2) + encode_fields({0, 0}))},
        Malformed{"too few fields", text({0, 0})},
        Malformed{"a pair without its count", text({6, 2, 9, 5, 5, 5})},
        Malformed{"zero gap", text({6, 1, 0, 1, 10, 5, 5})}, Malformed{"zero count", text({6, 0, 0, 0, 0})},
        Malformed{"index past the last bucket", text({Histogram::kBucketCount + 1, 1, 5, 5, 5})},
        Malformed{"huge gap", text({~std::uint64_t{0}, 1, 5, 5, 5})},
        Malformed{"min outside the first bucket", text({6, 1, 4, 4, 5})},
        Malformed{"max outside the last bucket", text({6, 1, 195, 1, 210, 5, 201})},
        Malformed{"min above max", text({6, 2, 10, 5, 4})},
        Malformed{"sum below count times min", text({6, 2, 9, 5, 5})},
        Malformed{"sum above min plus the rest at max", text({6, 2, 195, 1, 406, 5, 200})},
        Malformed{"sum below max plus the rest at min", text({6, 2, 195, 1, 209, 5, 200})},
        Malformed{"one value whose sum differs", text({6, 1, 6, 5, 5})},
        Malformed{"empty with a sum", text({7, 0, 0})}, Malformed{"empty with a max", text({0, 0, 3})},
        Malformed{"total overflows", text({1, ~std::uint64_t{0}, 1, 1, 0, 0, 0})}),
    [](const testing::TestParamInfo<Malformed>& info) {
      std::string name;
      for (const char c : std::string(info.param.why))
        name.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
      return name;
    });

}  // namespace
}  // namespace fleetsim::metrics
