// The scenario keys of the iothub target (target.kind = "iothub"): reading target.cleanup and
// target.service_port, IoT Hub's defaults for transport, host and port, and the rules between
// them and the rest of the scenario. Internal to the scenario loader.
#pragma once

#include "sim/scenario.hpp"
#include "sim/scenario_reader.hpp"

namespace fleetsim::sim::detail {

// Reads the iothub-only keys of [target] (after `kind`, `connection_string` and `provision`):
// with another kind they have no effect (a warning); with iothub, a transport, host or port left
// out takes IoT Hub's default (completed by validate_iothub_target).
void parse_iothub_target_keys(TableReader& r, Target& target);

// The rules of an iothub target: connection_string required ("env:NAME" resolved here) and a
// service connection string; host defaulting to its HostName, port to the transport's; TLS
// unless the hub is on a loopback address; X.509 and c2d refused for now.
void validate_iothub_target(LoadContext& cx, Scenario& scenario);

// [[backend]] action = "c2d" is refused against IoT Hub: its C2D sends are AMQP only
// (reference 3.8), and fleetsim's HTTPS route exists on its own hub alone.
void refuse_c2d_against_iothub(LoadContext& cx, const Scenario& scenario);

}  // namespace fleetsim::sim::detail
