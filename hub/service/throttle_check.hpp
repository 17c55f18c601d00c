// The service API's one throttle check (reference 5.1, 5.2), made after a request is routed and
// authorized, before it is served: each operation counts against its class (registry
// operations, one per identity of a bulk request; queries; twin reads; twin updates; direct
// methods by 4 KB chunks of the request body; C2D sends).
//
// Thread safety: none; the hub thread only.
#pragma once

#include <optional>

#include "hub/hub_context.hpp"
#include "hub/service/route.hpp"
#include "hub/service/service_types.hpp"
#include "hub/throttle.hpp"
#include "twin/document.hpp"

namespace fleetsim::hub::service {

// The class an operation counts against, and its cost in tokens.
struct ThrottleCost {
  ThrottleClass throttle_class = ThrottleClass::registry;
  double cost = 1;
};
ThrottleCost throttle_cost(Operation operation, const Request& request);

// nullopt when the request may be served (always, without a tier). Otherwise the refusal: 429
// 429001 ThrottlingException with Retry-After (counted as throttled_rest), or 403 403010 for what
// a Basic tier lacks (twins, methods, C2D).
std::optional<Response> check_throttle(HubContext& hub, const Request& request, Operation operation,
                                       twin::Timestamp now);

}  // namespace fleetsim::hub::service
