// A plain MQTT broker as the target of a run (target.kind = "mqtt"): nothing to start or
// register, only where the fleet connects.
#pragma once

#include <string>

#include "sim/fleet.hpp"
#include "sim/scenario.hpp"

namespace fleetsim::app {

// target.host and target.port over target.transport; the host is also the TLS server name and
// the WebSocket Host.
sim::Endpoint mqtt_endpoint(const sim::Scenario& scenario);

// "broker mqtt.example.com:8883" for the first line a run prints.
std::string describe_mqtt_target(const sim::Scenario& scenario);

}  // namespace fleetsim::app
