// The IoT Hub service REST API (reference/iothub-protocol.md section 3) as a sans-I/O library:
// a Request in, a Response out, on the hub thread. The HTTP(S) listener (hub/rest.hpp) feeds it.
//
// Routes (ids percent-encoded in paths; any api-version accepted, 3.1):
//   PUT    /devices/{id}                    create (no If-Match) or update (If-Match)   RegistryWrite
//   GET    /devices/{id}                                                                 RegistryRead
//   DELETE /devices/{id}                    with its modules and twins (If-Match)        RegistryWrite
//   GET    /devices[?top=n]                 at most 1000, ascending id                   RegistryRead
//   PUT    /devices/{id}/modules/{mid}      create or update (at most 50 per device)     RegistryWrite
//   GET    /devices/{id}/modules/{mid}                                                   RegistryRead
//   DELETE /devices/{id}/modules/{mid}      (If-Match)                                   RegistryWrite
//   GET    /devices/{id}/modules                                                         RegistryRead
//   GET    /statistics/devices              total, enabled, disabled device counts      RegistryRead
//   POST   /devices                         bulk registry operations                    RegistryWrite
//   POST   /devices/query                   hub/query, paged by x-ms-max-item-count /   ServiceConnect
//                                           x-ms-continuation
//   GET    /twins/{id}[/modules/{mid}]      service twin view                            ServiceConnect
//   PATCH  /twins/{id}[/modules/{mid}]      merge tags and desired (If-Match)            ServiceConnect
//   PUT    /twins/{id}[/modules/{mid}]      replace tags and/or desired (If-Match)       ServiceConnect
//   POST   /twins/{id}[/modules/{mid}]/methods  direct method, answered once the device     ServiceConnect
//                                           answers (hub/methods.hpp, reference 3.6)
//   POST   /devices/{id}/messages/devicebound  C2D send, fleetsim's own route (hub/c2d.hpp,  ServiceConnect
//                                           reference 3.8; docs/hub.md)
// Every answer with a body is JSON with Content-Type application/json (8.5); every refusal has
// IoT Hub's error shape and code (3.2, 3.3): 400 ArgumentInvalid / IotHubFormatError /
// InvalidContentEncodingOrType, 401 IotHubUnauthorizedAccess, 404 DeviceNotFound /
// ModuleNotFound (NotFound for an unknown route), 405 for a method a route lacks (with Allow),
// 409 DeviceAlreadyExists / ModuleAlreadyExistsOnDevice, 412 PreconditionFailed, 413
// TooManyModulesOnDevice. With a tier (HubConfig::tier), after authorization: 429
// ThrottlingException with Retry-After, 403 IotHubNotAvailableInTier (throttle_check.hpp).
//
// Thread safety: none. A ServiceApi and the HubContext it serves belong to the hub thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "hub/service/key_generator.hpp"
#include "hub/service/policies.hpp"
#include "hub/service/service_state.hpp"
#include "hub/service/service_types.hpp"
#include "twin/document.hpp"

// Declared, not included: HubContext may hold the ServiceApi that serves it.
namespace fleetsim::hub {
struct HubContext;
}  // namespace fleetsim::hub

namespace fleetsim::hub::service {

class ServiceApi {
 public:
  // The default shared access policies get keys from `keys`, as do identities created without.
  explicit ServiceApi(KeyGenerator keys = KeyGenerator{}) : state_(std::move(keys)) {}

  // Routes, authorizes and answers one request. `now` (wall clock) checks token expiry and
  // stamps twin metadata.
  Response handle(HubContext& hub, const Request& request, twin::Timestamp now);

  const Policies& policies() const noexcept { return state_.policies; }
  // Replaces the policies (keys kept across restarts: policy_store.hpp).
  void set_policies(Policies policies) { state_.policies = std::move(policies); }
  // The service connection string of the iothubowner policy, for `fleetsim hub` to print.
  std::string owner_connection_string(std::string_view host_name) const;

 private:
  ServiceState state_;
};

}  // namespace fleetsim::hub::service
