// Loading scenario text in tests and reading its diagnostics as the user sees them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario.hpp"

namespace fleetsim::sim::test {

inline constexpr const char* kFile = "s.toml";

// Every diagnostic of loading `text` as file "s.toml", as printed: "s.toml:2:1: error: ...".
inline std::vector<std::string> diagnostics(std::string_view text,
                                            const std::vector<Override>& overrides = {}) {
  std::vector<std::string> out;
  for (const auto& d : load_scenario_text(text, kFile, overrides).diagnostics) out.push_back(d.to_string());
  return out;
}

// The scenario of `text`, which must load without errors.
inline Scenario load_ok(std::string_view text, const std::vector<Override>& overrides = {}) {
  auto result = load_scenario_text(text, kFile, overrides);
  if (!result.ok()) {
    std::string all;
    for (const auto& d : result.diagnostics) all += d.to_string() + "\n";
    throw std::runtime_error("scenario did not load:\n" + all);
  }
  return std::move(*result.scenario);
}

}  // namespace fleetsim::sim::test
