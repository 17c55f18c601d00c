#include <cstdio>

#include "app/commands.hpp"
#include "app/scenario_loading.hpp"

namespace fleetsim::app {

int validate_command(const std::string& scenario_path, const std::vector<std::string>& sets) {
  const auto scenario = load_scenario(scenario_path, sets);
  if (!scenario) return kExitUsage;
  std::printf("%s: ok (scenario '%s': %llu devices, %llu sessions, %zu telemetry streams, "
              "%zu reported properties, %zu gates)\n",
              scenario_path.c_str(), scenario->name.c_str(),
              static_cast<unsigned long long>(scenario->fleet.devices),
              static_cast<unsigned long long>(scenario->sessions()), scenario->telemetry.size(),
              scenario->reported.size(), scenario->gates.size());
  return kExitOk;
}

}  // namespace fleetsim::app
