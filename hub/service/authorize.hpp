// Who may call a route (reference 1.3, 1.4, 3.1): the Authorization header's SAS token is checked
// for signature, expiry, scope and permission.
//
// * A policy token ("skn" names a shared access policy) is signed with the policy's primary or
//   secondary key and grants the policy's permissions within its `sr` ({host} for the whole hub,
//   {host}/devices/{id} for one device).
// * A device- or module-scoped token (no "skn", sr = {host}/devices/{id}[/modules/{mid}]) is
//   signed with that identity's key and grants DeviceConnect for that identity only, so it opens
//   the device-facing routes and none of the registry or service routes.
//
// Every refusal is 401 IotHubUnauthorizedAccess (401002), with a message saying why.
//
// Thread safety: none (reads the registry); the hub thread only.
#pragma once

#include <cstdint>
#include <string_view>

#include "hub/hub_context.hpp"
#include "hub/service/policies.hpp"
#include "twin/document.hpp"

namespace fleetsim::hub::service {

struct AccessRequest {
  Permission permission;            // what the route needs
  std::string_view required_scope;  // decoded resource the token must cover: {host}[/devices[/{id}...]]
};

// ok() or the 401 refusal.
twin::Result authorize(const HubContext& hub, const Policies& policies, std::string_view authorization,
                       const AccessRequest& access, twin::Timestamp now);

}  // namespace fleetsim::hub::service
