#include "hub/service/service.hpp"

#include "hub/service/authorize.hpp"
#include "hub/service/errors.hpp"
#include "hub/service/handlers.hpp"
#include "hub/service/throttle_check.hpp"

namespace fleetsim::hub::service {

Response ServiceApi::handle(HubContext& hub, const Request& request, twin::Timestamp now) {
  const RouteMatch match = match_route(request.method, request.path);
  if (!match.result) {
    Response refusal = error_response(hub, match.result.error(), now);
    refusal.allow = match.allow;
    return refusal;
  }
  const Route& route = match.route;
  const std::string scope = required_scope(hub.host_name, route);
  const twin::Result allowed =
      authorize(hub, state_.policies, request.authorization, {permission_of(route.operation), scope}, now);
  if (!allowed) return error_response(hub, allowed.error(), now);
  if (auto refusal = check_throttle(hub, request, route.operation, now)) return std::move(*refusal);

  Call call{hub, state_, request, route, now};
  switch (route.operation) {
    case Operation::get_device:
    case Operation::get_module:
      return handle_get_identity(call);
    case Operation::put_device:
    case Operation::put_module:
      return handle_put_identity(call);
    case Operation::delete_device:
    case Operation::delete_module:
      return handle_delete_identity(call);
    case Operation::list_devices:
      return handle_list_devices(call);
    case Operation::list_modules:
      return handle_list_modules(call);
    case Operation::statistics:
      return handle_statistics(call);
    case Operation::bulk_devices:
      return handle_bulk(call);
    case Operation::query:
      return handle_query(call);
    case Operation::get_twin:
      return handle_get_twin(call);
    case Operation::patch_twin:
    case Operation::replace_twin:
      return handle_write_twin(call);
    case Operation::invoke_method:
      return handle_invoke_method(call);
    case Operation::send_c2d:
      return handle_send_c2d(call);
  }
  return error_response(hub, make_error(code::route_not_found, "No route."), now);
}

std::string ServiceApi::owner_connection_string(std::string_view host_name) const {
  const Policy* owner = state_.policies.find(Policies::owner);
  return owner != nullptr ? service_connection_string(host_name, *owner) : std::string();
}

}  // namespace fleetsim::hub::service
