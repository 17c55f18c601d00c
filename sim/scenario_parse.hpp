// TOML tree -> scenario model, with every type error and single-value rule reported at its place.
// Internal to the scenario loader.
#pragma once

#include <optional>
#include <string_view>

#include "sim/scenario.hpp"
#include "sim/scenario_reader.hpp"

namespace fleetsim::sim::detail {

Scenario parse_scenario(LoadContext& cx, const toml::table& root);

// The generator table under `key` of the reader's table (`value = { kind = "sine", ... }`).
// nullopt when absent (not reported: the caller knows whether it is required) or invalid.
std::optional<ValueSpec> parse_value_spec(TableReader& owner, std::string_view key);

}  // namespace fleetsim::sim::detail
