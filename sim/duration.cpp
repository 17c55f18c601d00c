#include <charconv>
#include <cmath>

#include "sim/scenario.hpp"

namespace fleetsim::sim {
namespace {

struct UnitScale {
  std::string_view name;
  double ns;
};
constexpr UnitScale kUnits[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};

// Splits "12.5ms" into 12.5 and "ms"; nullopt when the number part is missing or negative.
std::optional<std::pair<double, std::string_view>> number_and_unit(std::string_view text) {
  double number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc{} || end == text.data() || !std::isfinite(number) || number < 0) {
    return std::nullopt;
  }
  return std::pair{number, text.substr(static_cast<std::size_t>(end - text.data()))};
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  const auto parsed = number_and_unit(text);
  if (!parsed) return std::nullopt;
  const auto [number, unit] = *parsed;
  double ns_per_unit = 0;
  for (const auto& [name, ns] : kUnits) {
    if (unit == name) ns_per_unit = ns;
  }
  if (ns_per_unit == 0) return std::nullopt;
  const double ns = number * ns_per_unit;
  if (ns > 9.2e18) return std::nullopt;
  return Duration{static_cast<std::int64_t>(std::llround(ns))};
}

std::optional<double> parse_rate(std::string_view text) {
  const auto parsed = number_and_unit(text);
  if (!parsed) return std::nullopt;
  const auto [number, unit] = *parsed;
  if (unit == "/s") return number;
  if (unit == "/m") return number / 60.0;
  if (unit == "/h") return number / 3600.0;
  return std::nullopt;
}

}  // namespace fleetsim::sim
