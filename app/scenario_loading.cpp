#include "app/scenario_loading.hpp"

#include <cstdio>

namespace fleetsim::app {

std::optional<sim::Scenario> load_scenario(const std::string& path, const std::vector<std::string>& sets) {
  std::vector<sim::Override> overrides;
  for (const auto& set : sets) {
    const auto eq = set.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "--set %s: expected KEY=VALUE (for example --set fleet.devices=200)\n", set.c_str());
      return std::nullopt;
    }
    overrides.push_back({set.substr(0, eq), set.substr(eq + 1)});
  }
  auto result = sim::load_scenario_file(path, overrides);
  for (const auto& d : result.diagnostics) std::fprintf(stderr, "%s\n", d.to_string().c_str());
  if (!result.ok()) return std::nullopt;
  return std::move(result.scenario);
}

}  // namespace fleetsim::app
