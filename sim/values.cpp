#include "sim/values.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>

namespace fleetsim::sim {
namespace {

std::uint64_t mix(std::uint64_t x) noexcept {
  return Rng{x}.next();
}

Value from_scalar(const std::variant<double, std::string, bool>& scalar) noexcept {
  Value v;
  if (const auto* d = std::get_if<double>(&scalar)) {
    v.kind = Value::Kind::number;
    v.number = *d;
  } else if (const auto* s = std::get_if<std::string>(&scalar)) {
    v.kind = Value::Kind::string;
    v.str = s;
  } else {
    v.kind = Value::Kind::boolean;
    v.boolean = std::get<bool>(scalar);
  }
  return v;
}

Value number(double x) noexcept {
  Value v;
  v.number = x;
  return v;
}

void append_escaped(std::string& out, std::string_view s) {
  constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[(c >> 4) & 0xF]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

bool operator==(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Value::Kind::number:
      return a.number == b.number;
    case Value::Kind::boolean:
      return a.boolean == b.boolean;
    case Value::Kind::string:
      return a.str == b.str || (a.str && b.str && *a.str == *b.str);
  }
  return false;
}

void append_json(std::string& out, const Value& v) {
  switch (v.kind) {
    case Value::Kind::number: {
      if (!std::isfinite(v.number)) {  // JSON has no NaN or infinity
        out.append("null");
        return;
      }
      char buffer[32];
      out.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, v.number).ptr);
      return;
    }
    case Value::Kind::boolean:
      out.append(v.boolean ? "true" : "false");
      return;
    case Value::Kind::string:
      append_escaped(out, v.str ? std::string_view(*v.str) : std::string_view());
      return;
  }
}

std::uint64_t stream_seed(std::uint64_t run_seed, std::uint64_t session, std::uint64_t stream) noexcept {
  // Each input goes through the mixer before it is combined, so nearby sessions and streams
  // (0, 1, 2, ...) land on unrelated seeds.
  return mix(mix(mix(run_seed) ^ session) ^ (stream * 0xd1b54a32d192ed03ull));
}

ValueGenerator::ValueGenerator(const ValueSpec& spec, std::uint64_t seed) noexcept
    : spec_(&spec), rng_{seed} {}

Value ValueGenerator::next(std::chrono::nanoseconds t) noexcept {
  const bool first = !started_;
  started_ = true;
  return std::visit(
      [&](const auto& gen) -> Value {
        using Gen = std::decay_t<decltype(gen)>;
        if constexpr (std::is_same_v<Gen, ConstantGen>) {
          return from_scalar(gen.value);
        } else if constexpr (std::is_same_v<Gen, RandomWalkGen>) {
          // A step uniform in [-step, step], then clamped: the walk lingers at a bound it hits.
          if (first)
            state_ = gen.start;
          else
            state_ = std::clamp(state_ + gen.step * (2 * rng_.uniform01() - 1), gen.min, gen.max);
          return number(state_);
        } else if constexpr (std::is_same_v<Gen, SineGen>) {
          // Phase from integer nanoseconds, so long runs lose no precision.
          const double phase =
              static_cast<double>(t.count() % gen.period.count()) / static_cast<double>(gen.period.count());
          return number(gen.min + (gen.max - gen.min) * (1 + std::sin(2 * std::numbers::pi * phase)) / 2);
        } else if constexpr (std::is_same_v<Gen, ChoiceGen>) {
          const std::size_t n = gen.values.size();
          if (gen.weights.empty()) {
            return from_scalar(gen.values[std::min(n - 1, static_cast<std::size_t>(rng_.uniform01() * n))]);
          }
          double total = 0;
          for (const double w : gen.weights) total += w;
          double pick = rng_.uniform01() * total;
          for (std::size_t i = 0; i + 1 < n; ++i) {
            if (pick < gen.weights[i]) return from_scalar(gen.values[i]);
            pick -= gen.weights[i];
          }
          return from_scalar(gen.values[n - 1]);
        } else if constexpr (std::is_same_v<Gen, SequenceGen>) {
          const Value v = from_scalar(gen.values[index_]);
          if (index_ + 1 < gen.values.size())
            ++index_;
          else if (gen.loop)
            index_ = 0;
          return v;
        } else if constexpr (std::is_same_v<Gen, CounterGen>) {
          state_ = first ? gen.start : state_ + gen.step;
          return number(state_);
        } else {
          // replay is refused when the scenario is loaded, so no generator of it ever runs.
          static_assert(std::is_same_v<Gen, ReplayGen>);
          return number(0);
        }
      },
      *spec_);
}

}  // namespace fleetsim::sim
