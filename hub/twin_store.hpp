// The twin store: one twin::Document per identity, created at first use, kept in the registry
// entry itself so finding a twin costs nothing beyond finding its identity.
//
// Thread safety: none; the hub thread only.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "hub/hub_context.hpp"
#include "hub/registry.hpp"
#include "twin/document.hpp"

namespace fleetsim::hub {

twin::Document& twin_of(Identity& identity);

// The service's view (reference 4.1): deviceId[, moduleId], etag, version, status, tags and
// properties.desired/reported with $metadata and $version.
boost::json::object service_twin(Identity& identity);

// Merge-patches desired and, if the identity's session is connected and subscribed to desired
// notifications, pushes $iothub/twin/PATCH/properties/desired/?$version=v to it (2.9). Nothing
// is queued for offline or unsubscribed sessions.
twin::Result update_desired(HubContext& hub, Identity& identity, const boost::json::value& patch,
                            twin::Timestamp now);

}  // namespace fleetsim::hub
