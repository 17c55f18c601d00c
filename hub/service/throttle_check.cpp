#include "hub/service/throttle_check.hpp"

#include <string>

#include <boost/json/parse.hpp>

#include "hub/service/errors.hpp"

namespace fleetsim::hub::service {
namespace {

// Identities in a bulk request (a JSON array); one for a body that is not one, which the bulk
// handler then refuses.
double bulk_identities(std::string_view body) {
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(body, ec);
  if (ec || !value.is_array() || value.as_array().empty()) return 1;
  return static_cast<double>(value.as_array().size());
}

}  // namespace

ThrottleCost throttle_cost(Operation operation, const Request& request) {
  switch (operation) {
    case Operation::list_devices:
    case Operation::statistics:
    case Operation::get_device:
    case Operation::put_device:
    case Operation::delete_device:
    case Operation::list_modules:
    case Operation::get_module:
    case Operation::put_module:
    case Operation::delete_module:
      return {ThrottleClass::registry, 1};
    case Operation::bulk_devices:
      return {ThrottleClass::registry, bulk_identities(request.body)};
    case Operation::query:
      return {ThrottleClass::query, 1};
    case Operation::get_twin:
      return {ThrottleClass::twin_read, 1};
    case Operation::patch_twin:
    case Operation::replace_twin:
      return {ThrottleClass::twin_update, 1};
    case Operation::invoke_method:
      // The payload is a member of the body; the body's size is an upper bound close enough.
      return {ThrottleClass::method, method_chunks(request.body.size())};
    case Operation::send_c2d:
      return {ThrottleClass::c2d, 1};
  }
  return {ThrottleClass::registry, 1};
}

std::optional<Response> check_throttle(HubContext& hub, const Request& request, Operation operation,
                                       twin::Timestamp now) {
  if (!hub.throttle.enabled()) return std::nullopt;
  const ThrottleCost cost = throttle_cost(operation, request);
  const Decision decision = hub.throttle.admit(cost.throttle_class, cost.cost, now);
  switch (decision.admission) {
    case Admission::admitted:
      return std::nullopt;
    case Admission::unavailable: {
      std::string message(to_string(cost.throttle_class));
      message.append(" are not available in the ").append(to_string(*hub.throttle.tier())).append(" tier.");
      return error_response(hub, make_error(403010, std::move(message)), now);
    }
    case Admission::throttled:
      break;
  }
  bump(hub.counters.throttled_rest);
  std::string message = "The hub's throttle for ";
  message.append(to_string(cost.throttle_class)).append(" is exceeded; retry after ");
  message.append(std::to_string(decision.retry_after_s)).append(" s.");
  Response refusal = error_response(hub, make_error(429001, std::move(message)), now);
  refusal.retry_after = std::to_string(decision.retry_after_s);
  return refusal;
}

}  // namespace fleetsim::hub::service
