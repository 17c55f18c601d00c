// The throttle check of the MQTT twin requests (reference 5.1, 5.2, 2.11): a twin GET counts as
// a twin read, a reported PATCH as a twin update. Over the rate the device gets
// `$iothub/twin/res/429/?$rid=` with {"errorCode":429001,"message":…} (the Node SDK needs the
// numeric errorCode to see an error, 8.4); in a Basic tier, which has no twins,
// `res/403` with 403010. Either way the request is not served.
//
// Thread safety: none; the hub thread only.
#pragma once

#include <string_view>

#include "hub/connection.hpp"
#include "hub/handlers.hpp"
#include "hub/throttle.hpp"

namespace fleetsim::hub {

// true when the request may go on. Otherwise answers the refusal (to a session subscribed to
// twin responses) and counts `throttled_twin` (for 429). Call only with the throttle enabled.
bool admit_twin_request(HubContext& hub, const SessionState& session, ThrottleClass c, std::string_view rid,
                        twin::Timestamp now, Output& out);

}  // namespace fleetsim::hub
