// Which operation a request names (reference 3.4, 3.5, 3.7), with its ids percent-decoded, the
// permission it needs and the resource a token must cover.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "hub/service/policies.hpp"
#include "twin/document.hpp"

namespace fleetsim::hub::service {

enum class Operation {
  list_devices,   // GET /devices[?top=n]
  bulk_devices,   // POST /devices (bulk registry operations)
  query,          // POST /devices/query
  statistics,     // GET /statistics/devices
  get_device,     // GET /devices/{id}
  put_device,     // PUT /devices/{id}
  delete_device,  // DELETE /devices/{id}
  list_modules,   // GET /devices/{id}/modules
  get_module,     // GET /devices/{id}/modules/{mid}
  put_module,     // PUT /devices/{id}/modules/{mid}
  delete_module,  // DELETE /devices/{id}/modules/{mid}
  get_twin,       // GET /twins/{id}[/modules/{mid}]
  patch_twin,     // PATCH /twins/{id}[/modules/{mid}]
  replace_twin,   // PUT /twins/{id}[/modules/{mid}]
  invoke_method,  // POST /twins/{id}[/modules/{mid}]/methods (reference 3.6)
  send_c2d,       // POST /devices/{id}/messages/devicebound (fleetsim extension, reference 3.8)
};

struct Route {
  Operation operation = Operation::get_device;
  std::string device_id;  // decoded; empty for collection routes
  std::string module_id;  // decoded; empty unless the path names a module
};

// A route, or the refusal: 404 for a path no route has, 405 (with `allow`, the methods the path
// has) for a method it does not have, 400 ArgumentInvalid for an id that is not percent-encoded
// properly or breaks the id rules of reference 1.1.
struct RouteMatch {
  Route route;
  twin::Result result;
  std::string allow;
};

RouteMatch match_route(std::string_view method, std::string_view path);

// RegistryRead for reads of identities, RegistryWrite for their changes, ServiceConnect for
// twins and queries (reference 1.4, 3.4, 3.5, 3.7).
Permission permission_of(Operation operation) noexcept;

// The decoded resource a token's `sr` must cover: {host}/devices/{id}[/modules/{mid}] for one
// identity's routes, {host}/devices for the collection and queries, {host} for statistics.
std::string required_scope(std::string_view host, const Route& route);

}  // namespace fleetsim::hub::service
