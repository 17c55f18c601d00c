// GET, PUT and DELETE of one device or module identity (reference 3.4).
#include "hub/service/errors.hpp"
#include "hub/service/handlers.hpp"

namespace fleetsim::hub::service {
namespace {

Response identity_response(Call& call, Identity& identity) {
  const IdentityRecord& record = call.state.records.view(identity);
  Response response = json_response(identity_json(identity, record, call.hub.c2d));
  response.etag = quoted(record.etag);
  return response;
}

}  // namespace

Response handle_get_identity(Call& call) {
  Identity* identity = call.hub.registry.find(call.route.device_id, call.route.module_id);
  if (identity == nullptr) return identity_not_found(call);
  return identity_response(call, *identity);
}

// Without If-Match a PUT creates (409 if the identity exists); with one (an etag or "*") it
// updates (404 if there is nothing to update, 412 on a stale etag).
Response handle_put_identity(Call& call) {
  boost::json::value body;
  if (twin::Result r = parse_body(call, body); !r) return refuse(call, r.error());
  IdentitySpec spec;
  if (twin::Result r = parse_identity(body.get_object(), call.route.device_id, call.route.module_id, spec);
      !r) {
    return refuse(call, r.error());
  }

  if (call.request.if_match.empty()) {
    Identity* created = nullptr;
    if (twin::Result r = create_identity(call, call.route.device_id, call.route.module_id, spec, created);
        !r) {
      return refuse(call, r.error());
    }
    return identity_response(call, *created);
  }

  Identity* identity = call.hub.registry.find(call.route.device_id, call.route.module_id);
  if (identity == nullptr) return identity_not_found(call);
  if (!if_match_holds(call.request.if_match, call.state.records.view(*identity).etag)) {
    return refuse(call, code::precondition_failed,
                  "The etag in If-Match does not match the identity's current etag.");
  }
  update_identity(call, *identity, spec);
  return identity_response(call, *identity);
}

// 204 with no body. Deleting a device deletes its modules; both lose their twins and their
// live connections.
Response handle_delete_identity(Call& call) {
  Identity* identity = call.hub.registry.find(call.route.device_id, call.route.module_id);
  if (identity == nullptr) return identity_not_found(call);
  if (!if_match_holds(call.request.if_match, call.state.records.view(*identity).etag)) {
    return refuse(call, code::precondition_failed,
                  "The etag in If-Match does not match the identity's current etag.");
  }
  delete_identity(call, *identity);
  Response response;
  response.status = 204;
  return response;
}

}  // namespace fleetsim::hub::service
