// Telemetry intended times and message bodies: fixed by the seed, phased, jittered within bounds.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sim/telemetry.hpp"

namespace fleetsim::sim {
namespace {

using namespace std::chrono_literals;

Telemetry stream(Duration interval, Duration jitter = Duration{0}, bool poisson = false) {
  Telemetry t;
  t.interval = interval;
  t.jitter = jitter;
  t.poisson = poisson;
  return t;
}

std::vector<Duration> times(const Telemetry& spec, Duration open, std::uint64_t seed, int n) {
  TelemetrySchedule s(spec, 0, open, seed);
  std::vector<Duration> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(s.next());
    s.advance(spec);
  }
  return out;
}

TEST(TelemetrySchedule, SameSeedSameTimes) {
  const Telemetry spec = stream(1s, 200ms);
  EXPECT_EQ(times(spec, 3s, 7, 50), times(spec, 3s, 7, 50));
  EXPECT_NE(times(spec, 3s, 7, 50), times(spec, 3s, 8, 50));
}

TEST(TelemetrySchedule, FirstMessageIsPhasedWithinOneInterval) {
  const Telemetry spec = stream(500ms);
  std::vector<Duration> firsts;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const Duration first = TelemetrySchedule(spec, 0, 10s, seed).next();
    EXPECT_GE(first, 10s);
    EXPECT_LT(first, 10s + 500ms);
    firsts.push_back(first);
  }
  // Not in lockstep: the phases spread over the interval.
  const auto [lo, hi] = std::minmax_element(firsts.begin(), firsts.end());
  EXPECT_GT(*hi - *lo, 400ms);
}

TEST(TelemetrySchedule, FixedIntervalWithoutJitter) {
  const auto t = times(stream(250ms), 0s, 1, 10);
  for (std::size_t i = 1; i < t.size(); ++i) EXPECT_EQ(t[i] - t[i - 1], 250ms);
}

TEST(TelemetrySchedule, JitterStaysWithinBounds) {
  const auto t = times(stream(1s, 300ms), 0s, 3, 2000);
  Duration min_gap = Duration::max(), max_gap{0};
  for (std::size_t i = 1; i < t.size(); ++i) {
    const Duration gap = t[i] - t[i - 1];
    EXPECT_GE(gap, 700ms);
    EXPECT_LE(gap, 1300ms);
    min_gap = std::min(min_gap, gap);
    max_gap = std::max(max_gap, gap);
  }
  EXPECT_LT(min_gap, 750ms);
  EXPECT_GT(max_gap, 1250ms);
}

TEST(TelemetrySchedule, PoissonGapsAverageTheInterval) {
  const int n = 20000;
  const auto t = times(stream(100ms, 0s, true), 0s, 11, n);
  const double mean_ms = std::chrono::duration<double, std::milli>(t.back() - t.front()).count() / (n - 1);
  EXPECT_NEAR(mean_ms, 100.0, 3.0);
  for (std::size_t i = 1; i < t.size(); ++i) EXPECT_GT(t[i], t[i - 1]);
}

TEST(TelemetryPayload, SizeGivesThatManyBytes) {
  Telemetry spec = stream(1s);
  spec.size = 300;
  std::string out = "keep";
  append_telemetry_payload(out, spec, {}, 0s);
  EXPECT_EQ(out.size(), 304u);
  EXPECT_EQ(out.substr(0, 4), "keep");
}

TEST(TelemetryPayload, TemplateTakesTheSessionsValues) {
  Telemetry spec = stream(1s);
  spec.payload = R"({"n": {count}})";
  spec.payload_parts = {PayloadPart{R"({"n": )", -1}, PayloadPart{"", 0}, PayloadPart{"}", -1}};
  const ValueSpec counter = CounterGen{5, 2};
  std::vector<ValueGenerator> values{ValueGenerator(counter, 1)};
  std::string first, second;
  append_telemetry_payload(first, spec, values, 0s);
  append_telemetry_payload(second, spec, values, 1s);
  EXPECT_EQ(first, R"({"n": 5})");
  EXPECT_EQ(second, R"({"n": 7})");
}

TEST(TelemetryPayload, NothingWhenNoBodyIsGiven) {
  std::string out;
  append_telemetry_payload(out, stream(1s), {}, 0s);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace fleetsim::sim
