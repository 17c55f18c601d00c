#include <gtest/gtest.h>

#include "unit/twin/twin_test_helpers.hpp"

namespace fleetsim::twin {
namespace {

TEST(FormatTimestamp, SevenFractionalDigitsInUtc) {
  EXPECT_EQ(format_timestamp(test::time_at(0, 2612586)), "2022-06-01T22:27:50.2612586Z");
}

TEST(FormatTimestamp, PadsEveryFieldWithZeros) {
  using namespace std::chrono;
  const Timestamp t =
      Timestamp(sys_days{year{2023} / 1 / 2} + hours{3} + minutes{4} + seconds{5} + microseconds{6});
  EXPECT_EQ(format_timestamp(t), "2023-01-02T03:04:05.0000060Z");
}

TEST(FormatTimestamp, TruncatesBelowHundredNanoseconds) {
  const Timestamp t = test::time_at(0) + std::chrono::nanoseconds{199};
  EXPECT_EQ(format_timestamp(t), "2022-06-01T22:27:50.0000001Z");
}

TEST(FormatTimestamp, Epoch) {
  EXPECT_EQ(format_timestamp(Timestamp{}), "1970-01-01T00:00:00.0000000Z");
}

}  // namespace
}  // namespace fleetsim::twin
