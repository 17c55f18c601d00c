// Value generators: exact values where the spec fixes them, bounds and determinism where they draw.
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "sim/values.hpp"

namespace fleetsim::sim {
namespace {

using namespace std::chrono_literals;
using Scalar = std::variant<double, std::string, bool>;

std::vector<double> numbers(const ValueSpec& spec, std::uint64_t seed, int n) {
  ValueGenerator gen(spec, seed);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(gen.next(std::chrono::seconds(i)).number);
  return out;
}

TEST(Values, ConstantOfEachType) {
  const ValueSpec number = ConstantGen{Scalar{21.5}};
  const ValueSpec text = ConstantGen{Scalar{std::string("on")}};
  const ValueSpec flag = ConstantGen{Scalar{true}};
  ValueGenerator n(number, 1), t(text, 1), f(flag, 1);
  EXPECT_EQ(n.next(0s).number, 21.5);
  EXPECT_EQ(n.next(5s).number, 21.5);
  const Value v = t.next(0s);
  ASSERT_EQ(v.kind, Value::Kind::string);
  EXPECT_EQ(v.str, &std::get<std::string>(std::get<ConstantGen>(text).value));  // points into the spec
  EXPECT_EQ(f.next(0s).kind, Value::Kind::boolean);
  EXPECT_TRUE(f.next(0s).boolean);
}

TEST(Values, CounterCountsFromStartByStep) {
  const ValueSpec spec = CounterGen{10, 2.5};
  EXPECT_EQ(numbers(spec, 1, 4), (std::vector<double>{10, 12.5, 15, 17.5}));
}

TEST(Values, SequenceLoopsOrHoldsTheLast) {
  const ValueSpec looping = SequenceGen{{Scalar{1.0}, Scalar{2.0}, Scalar{3.0}}, true};
  const ValueSpec holding = SequenceGen{{Scalar{1.0}, Scalar{2.0}, Scalar{3.0}}, false};
  EXPECT_EQ(numbers(looping, 1, 7), (std::vector<double>{1, 2, 3, 1, 2, 3, 1}));
  EXPECT_EQ(numbers(holding, 1, 6), (std::vector<double>{1, 2, 3, 3, 3, 3}));
}

TEST(Values, SequenceOfStrings) {
  const ValueSpec spec = SequenceGen{{Scalar{std::string("a")}, Scalar{std::string("b")}}, true};
  ValueGenerator gen(spec, 1);
  EXPECT_EQ(*gen.next(0s).str, "a");
  EXPECT_EQ(*gen.next(0s).str, "b");
  EXPECT_EQ(*gen.next(0s).str, "a");
}

TEST(Values, SineFollowsTheFormula) {
  const ValueSpec spec = SineGen{10, 30, 40s};
  ValueGenerator gen(spec, 1);
  EXPECT_DOUBLE_EQ(gen.next(0s).number, 20);
  EXPECT_DOUBLE_EQ(gen.next(10s).number, 30);
  EXPECT_NEAR(gen.next(20s).number, 20, 1e-9);
  EXPECT_DOUBLE_EQ(gen.next(30s).number, 10);
  EXPECT_DOUBLE_EQ(gen.next(50s).number, 30);  // periodic
  const double t = 3.7;
  EXPECT_NEAR(gen.next(3700ms).number, 10 + 20 * (1 + std::sin(2 * std::numbers::pi * t / 40)) / 2, 1e-9);
}

TEST(Values, RandomWalkStartsAtStartStepsWithinStepAndStaysInBounds) {
  const ValueSpec spec = RandomWalkGen{0.0, 0.5, -1.0, 2.0};
  const auto walk = numbers(spec, 7, 5000);
  EXPECT_EQ(walk[0], 0.0);
  bool moved = false, reached_max_region = false;
  for (std::size_t i = 1; i < walk.size(); ++i) {
    EXPECT_GE(walk[i], -1.0);
    EXPECT_LE(walk[i], 2.0);
    EXPECT_LE(std::fabs(walk[i] - walk[i - 1]), 0.5 + 1e-12);
    moved = moved || walk[i] != walk[0];
    reached_max_region = reached_max_region || walk[i] > 1.5;
  }
  EXPECT_TRUE(moved);
  EXPECT_TRUE(reached_max_region);
}

TEST(Values, SameSeedSameValues) {
  const ValueSpec walk = RandomWalkGen{20, 1, 0, 40};
  const ValueSpec choice = ChoiceGen{{Scalar{1.0}, Scalar{2.0}, Scalar{3.0}}, {}};
  const std::uint64_t seed = stream_seed(42, 17, 3);
  EXPECT_EQ(seed, stream_seed(42, 17, 3));
  EXPECT_EQ(numbers(walk, seed, 100), numbers(walk, seed, 100));
  EXPECT_EQ(numbers(choice, seed, 100), numbers(choice, seed, 100));
}

TEST(Values, DifferentSessionsAndStreamsDiffer) {
  const ValueSpec walk = RandomWalkGen{20, 1, 0, 40};
  const auto base = numbers(walk, stream_seed(42, 0, 0), 50);
  EXPECT_NE(base, numbers(walk, stream_seed(42, 1, 0), 50));
  EXPECT_NE(base, numbers(walk, stream_seed(42, 0, 1), 50));
  EXPECT_NE(base, numbers(walk, stream_seed(43, 0, 0), 50));
  EXPECT_NE(stream_seed(42, 1, 0), stream_seed(42, 0, 1));
}

TEST(Values, ChoiceDrawsOnlyItsValuesByWeight) {
  const ValueSpec spec = ChoiceGen{{Scalar{1.0}, Scalar{2.0}}, {1, 3}};
  const auto draws = numbers(spec, stream_seed(1, 2, 3), 20000);
  std::size_t twos = 0;
  for (const double d : draws) {
    ASSERT_TRUE(d == 1.0 || d == 2.0);
    twos += d == 2.0;
  }
  EXPECT_NEAR(static_cast<double>(twos) / draws.size(), 0.75, 0.02);
}

TEST(Values, UnweightedChoiceDrawsEveryValue) {
  const ValueSpec spec = ChoiceGen{{Scalar{std::string("a")}, Scalar{std::string("b")}, Scalar{true}}, {}};
  ValueGenerator gen(spec, 5);
  std::size_t a = 0, b = 0, t = 0;
  for (int i = 0; i < 3000; ++i) {
    const Value v = gen.next(0s);
    if (v.kind == Value::Kind::boolean)
      ++t;
    else if (*v.str == "a")
      ++a;
    else
      ++b;
  }
  EXPECT_GT(a, 800u);
  EXPECT_GT(b, 800u);
  EXPECT_GT(t, 800u);
}

TEST(Values, AppendJson) {
  const std::string on = "on \"x\"\\\n\x01";
  std::string out;
  Value v;
  v.number = 21;
  append_json(out, v);
  out += ',';
  v.number = 0.1;
  append_json(out, v);
  out += ',';
  v.number = std::nan("");
  append_json(out, v);
  out += ',';
  v.kind = Value::Kind::boolean;
  v.boolean = false;
  append_json(out, v);
  out += ',';
  v.kind = Value::Kind::string;
  v.str = &on;
  append_json(out, v);
  EXPECT_EQ(out, "21,0.1,null,false,\"on \\\"x\\\"\\\\\\n\\u0001\"");
}

TEST(Values, EqualityComparesContent) {
  const std::string a1 = "a", a2 = "a", b = "b";
  Value x, y;
  x.kind = y.kind = Value::Kind::string;
  x.str = &a1;
  y.str = &a2;
  EXPECT_EQ(x, y);
  y.str = &b;
  EXPECT_NE(x, y);
  Value n1, n2;
  n1.number = 1;
  n2.number = 1;
  EXPECT_EQ(n1, n2);
  n2.kind = Value::Kind::boolean;
  EXPECT_NE(n1, n2);
}

}  // namespace
}  // namespace fleetsim::sim
