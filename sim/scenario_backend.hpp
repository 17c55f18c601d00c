// The scenario keys of the service side: [[backend]] actions (desired, method, c2d, query) and
// the device side's [methods] table, read and checked against the rest of the scenario.
// Internal to the scenario loader.
#pragma once

#include <string>

#include "sim/scenario.hpp"
#include "sim/scenario_reader.hpp"

namespace fleetsim::sim::detail {

// Reads one [[backend]] entry: types, single-value ranges, the keys its action requires and the
// keys that belong to another action (an error at the key).
Backend parse_backend(LoadContext& cx, const toml::table& table, std::string path);
void parse_methods(LoadContext& cx, const toml::table& table, Methods& methods);

// The rules between backend actions and the fleet: selectors, desired targets that subscribe to
// desired properties, method targets that answer, c2d for devices only, twin paths, method names.
void validate_backends(LoadContext& cx, Scenario& scenario);

}  // namespace fleetsim::sim::detail
