// Where an iothub target's devices connect and where its service API is (the registry work
// around the run is app/iothub_registry.cpp).
#include "app/iothub_target.hpp"

namespace fleetsim::app {

sim::Endpoint iothub_endpoint(const sim::Scenario& scenario) {
  // The loader checked the connection string and completed host and port from it.
  const transports::http::ServiceEndpoint service = iothub_service_endpoint(scenario);
  sim::Endpoint endpoint;
  endpoint.host_name = service.host_name;
  endpoint.address = scenario.target.host;  // a name is resolved once, before the run starts
  endpoint.port = scenario.target.port;
  endpoint.transport =
      transports::parse_transport(scenario.target.transport).value_or(transports::Transport::mqtt_tls);
  endpoint.ca_file = scenario.target.ca_file;
  endpoint.tls_verify = scenario.target.tls_verify;
  return endpoint;
}

transports::http::ServiceEndpoint iothub_service_endpoint(const sim::Scenario& scenario) {
  transports::http::ServiceEndpoint service;
  std::string error;
  transports::http::parse_service_connection_string(scenario.target.connection_string, service, error);
  service.address = scenario.target.host;
  service.port = scenario.target.service_port;
  return service;
}

std::string describe_iothub_target(const sim::Scenario& scenario) {
  const transports::http::ServiceEndpoint service = iothub_service_endpoint(scenario);
  // Built by appending: "literal" + std::string trips GCC 12's false -Wrestrict positive.
  std::string text = "IoT Hub ";
  text.append(service.host_name);
  if (scenario.target.host != service.host_name) text.append(" at ").append(scenario.target.host);
  text.append(":").append(std::to_string(scenario.target.port));
  return text;
}

}  // namespace fleetsim::app
