// The notification a replaced desired section sends (reference 2.9, 4.4: after a replace the
// device gets the whole desired section). Patches go through hub::update_desired, which pushes
// the patch itself.
//
// Thread safety: none; the hub thread only.
#pragma once

#include "hub/hub_context.hpp"
#include "hub/registry.hpp"

namespace fleetsim::hub::service {

// Sends $iothub/twin/PATCH/properties/desired/?$version={v} with the whole desired section and
// its "$version" to the identity's session if it is connected and subscribed to desired
// notifications; nothing is queued otherwise.
void push_whole_desired(HubContext& hub, Identity& identity);

}  // namespace fleetsim::hub::service
