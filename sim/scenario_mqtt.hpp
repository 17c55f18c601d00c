// The scenario keys of the mqtt target (target.kind = "mqtt"): reading target.username,
// password, protocol and e2e_sample, and the rules between them and the rest of the scenario.
// Internal to the scenario loader.
#pragma once

#include "sim/scenario.hpp"
#include "sim/scenario_reader.hpp"

namespace fleetsim::sim::detail {

// Reads the mqtt-only keys of [target] (after `kind`) and refuses them for another kind.
void parse_mqtt_target_keys(TableReader& r, Target& target);

// The rules of an mqtt target: its topic template, its credentials ("env:NAME" resolved here),
// and the keys that only an IoT Hub target can use.
void validate_mqtt_target(LoadContext& cx, Scenario& scenario);

}  // namespace fleetsim::sim::detail
