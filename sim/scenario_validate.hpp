// Validation: the rules between values of a parsed scenario (jitter < interval, lt + 2*st < gt,
// payload placeholders naming [[values]], selectors naming fleet.modules, ...) and the refusal of
// what this version does not support yet. Each diagnostic points at the offending value through the
// positions the parser recorded. Internal to the scenario loader.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/scenario.hpp"
#include "sim/scenario_context.hpp"

namespace fleetsim::sim::detail {

// Also fills what validation computes for the run: Telemetry::payload_parts, the default size.
void validate_scenario(LoadContext& cx, Scenario& scenario);

// A selector naming a module of fleet.modules (an error at the value otherwise).
void validate_selector(LoadContext& cx, const Selector& on, const FleetSpec& fleet, const std::string& path);

// Why a dotted twin path ("env.temperature") is not one (reference 4.2), in words; nullopt when it is.
std::optional<std::string> twin_path_problem(std::string_view path);

// Generator and observe rules of one [[reported]], [[values]] or [[backend]] value
// (scenario_validate_values.cpp).
void validate_value_spec(LoadContext& cx, const ValueSpec& spec, const std::string& path);
void validate_reported(LoadContext& cx, const Reported& reported, const std::string& path);

// target.transport, ca_file (resolved to a readable path), tls_verify, fleet.auth and sas_ttl
// (scenario_validate_transport.cpp).
void validate_transport(LoadContext& cx, Scenario& scenario);

}  // namespace fleetsim::sim::detail
