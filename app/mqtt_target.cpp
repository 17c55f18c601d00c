#include "app/mqtt_target.hpp"

namespace fleetsim::app {

sim::Endpoint mqtt_endpoint(const sim::Scenario& scenario) {
  sim::Endpoint endpoint;
  endpoint.host_name = scenario.target.host;
  endpoint.address = scenario.target.host;  // a name is resolved once, before the run starts
  endpoint.port = scenario.target.port;
  endpoint.transport =
      transports::parse_transport(scenario.target.transport).value_or(transports::Transport::mqtt);
  endpoint.ca_file = scenario.target.ca_file;
  endpoint.tls_verify = scenario.target.tls_verify;
  return endpoint;
}

std::string describe_mqtt_target(const sim::Scenario& scenario) {
  return "broker " + scenario.target.host + ":" + std::to_string(scenario.target.port);
}

}  // namespace fleetsim::app
