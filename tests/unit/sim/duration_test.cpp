#include <gtest/gtest.h>

#include "sim/scenario.hpp"

namespace fleetsim::sim {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, EveryUnit) {
  EXPECT_EQ(parse_duration("7ns"), Duration(7));
  EXPECT_EQ(parse_duration("100us"), Duration(100us));
  EXPECT_EQ(parse_duration("250ms"), Duration(250ms));
  EXPECT_EQ(parse_duration("5s"), Duration(5s));
  EXPECT_EQ(parse_duration("2m"), Duration(2min));
  EXPECT_EQ(parse_duration("1h"), Duration(1h));
}

TEST(ParseDuration, FractionsAndZero) {
  EXPECT_EQ(parse_duration("1.5s"), Duration(1500ms));
  EXPECT_EQ(parse_duration("0.25ms"), Duration(250us));
  EXPECT_EQ(parse_duration("0s"), Duration(0));
}

TEST(ParseDuration, RefusesMalformedText) {
  for (const char* text :
       {"", "5", "s", "5 s", "5sec", "-5s", "+5s", "5S", "1e400s", "nan s", "5s ", "10000000h"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
  }
}

TEST(ParseRate, PerSecondMinuteHour) {
  EXPECT_EQ(parse_rate("500/s"), 500.0);
  EXPECT_EQ(parse_rate("30/m"), 0.5);
  EXPECT_EQ(parse_rate("7200/h"), 2.0);
  EXPECT_EQ(parse_rate("0.5/s"), 0.5);
}

TEST(ParseRate, RefusesMalformedText) {
  for (const char* text : {"", "500", "500/", "/s", "500/d", "500 /s", "-1/s", "fast"}) {
    EXPECT_EQ(parse_rate(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace fleetsim::sim
