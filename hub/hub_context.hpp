// Everything the protocol handlers share on the hub thread: configuration, registry (with the
// twins), counters, and scratch buffers reused from packet to packet so that answering does not
// allocate once they have grown.
//
// Thread safety: none; one HubContext belongs to the hub thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hub/c2d.hpp"
#include "hub/counters.hpp"
#include "hub/methods.hpp"
#include "hub/registry.hpp"
#include "hub/rest.hpp"
#include "hub/service/service.hpp"
#include "hub/throttle.hpp"

namespace fleetsim::hub {

struct HubContext {
  explicit HubContext(std::string host) : host_name(std::move(host)) {}

  std::string host_name;  // HostName: usernames and SAS scopes must name it
  Registry registry;
  Counters counters;
  // The IoT Hub service API (hub/service/): registry, twins, queries, shared access policies.
  service::ServiceApi service_api;
  // Answers HTTP requests that are not WebSocket upgrades (rest.hpp): the service API.
  RestDispatcher rest_dispatcher = &dispatch_to_service_api;
  // Direct method calls in flight and cloud-to-device queues (reference 3.6, 2.7).
  MethodCalls methods{*this};
  C2dQueues c2d{*this};
  // Tier throttles (--tier/--units, reference 5.1): off unless configured.
  Throttle throttle;

  std::string topic_scratch;
  std::string body_scratch;
  std::string scope_scratch;
  std::vector<std::uint8_t> suback_scratch;
  std::vector<std::uint8_t> push_scratch;  // packets for another connection (desired pushes)
  std::uint64_t last_tracking_id = 0;      // error bodies carry a unique trackingId
};

}  // namespace fleetsim::hub
