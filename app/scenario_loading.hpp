// Loading a scenario for a subcommand: --set parsing and diagnostics on stderr.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario.hpp"

namespace fleetsim::app {

// Loads and validates; prints every diagnostic ("file:line:col: error: ...") to stderr.
// nullopt when there is any error (exit code 2).
std::optional<sim::Scenario> load_scenario(const std::string& path, const std::vector<std::string>& sets);

}  // namespace fleetsim::app
