#include <charconv>
#include <cmath>

#include "sim/scenario.hpp"

namespace fleetsim::sim {
namespace {

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
  if (unit == "ns") ns_per_unit = 1;
  else if (unit == "us") ns_per_unit = 1e3;
  else if (unit == "ms") ns_per_unit = 1e6;
  else if (unit == "s") ns_per_unit = 1e9;
  else if (unit == "m") ns_per_unit = 60e9;
  else if (unit == "h") ns_per_unit = 3600e9;
  else return std::nullopt;
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
