// Between the HTTP listener's hook (hub/rest.hpp: RestRequest/RestResponse) and this library's
// Request/Response. The views of the Request point into the RestRequest.
//
// Thread safety: pure functions.
#pragma once

#include "hub/rest.hpp"
#include "hub/service/service_types.hpp"

namespace fleetsim::hub::service {

Request from_rest(const RestRequest& rest);
RestResponse to_rest(Response response);

}  // namespace fleetsim::hub::service
