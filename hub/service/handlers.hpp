// The service API's handlers, one file per resource, and what they share: the call being
// answered and the shapes of their answers. Internal to hub/service.
//
// Thread safety: none; the hub thread only.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "hub/hub_context.hpp"
#include "hub/service/identity_json.hpp"
#include "hub/service/route.hpp"
#include "hub/service/service_state.hpp"
#include "hub/service/service_types.hpp"
#include "twin/document.hpp"

namespace fleetsim::hub::service {

struct Call {
  HubContext& hub;
  ServiceState& state;
  const Request& request;
  const Route& route;
  twin::Timestamp now;
};

// 200 (or `status`) with a JSON body and its content type.
Response json_response(const boost::json::value& body, int status = 200);
Response refuse(Call& call, const twin::Error& error);
Response refuse(Call& call, int error_code, std::string message);
// 404 DeviceNotFound (404001), or ModuleNotFound (404010) when the device exists.
Response identity_not_found(Call& call);

// The request body as JSON. Refuses a content type other than JSON (400 400103), an empty body
// or one that is not JSON (400 IotHubFormatError 400006), and (`object_only`) a non-object
// (400 ArgumentInvalid).
twin::Result parse_body(const Call& call, boost::json::value& out, bool object_only = true);

// If-Match against an etag: absent matches (the write is unconditional), "*" matches any, else
// the etag with or without its quotes (reference 3.5, 8.5).
bool if_match_holds(std::string_view if_match, std::string_view etag) noexcept;
// The value of an ETag header: `etag` in quotes.
std::string quoted(std::string_view etag);

// Creating and updating identities, shared by PUT and the bulk route, from a spec parse_identity
// accepted (so an update cannot fail). A refused create changes nothing.
twin::Result create_identity(Call& call, std::string_view device_id, std::string_view module_id,
                             const IdentitySpec& spec, Identity*& created);
void update_identity(Call& call, Identity& identity, const IdentitySpec& spec);
// Deletes an identity (a device with its modules): closes their connections, drops their twins
// and their records.
void delete_identity(Call& call, Identity& identity);

// hub::service_twin plus the identity fields the service side keeps (reference 4.1): what GET
// /twins answers and what queries select from.
boost::json::object twin_view(Call& call, Identity& identity);

Response handle_get_identity(Call& call);
Response handle_put_identity(Call& call);
Response handle_delete_identity(Call& call);
Response handle_list_devices(Call& call);
Response handle_list_modules(Call& call);
Response handle_statistics(Call& call);
Response handle_query(Call& call);
Response handle_bulk(Call& call);
Response handle_get_twin(Call& call);
Response handle_write_twin(Call& call);  // PATCH (merge) and PUT (replace)
// A direct method (reference 3.6): answered later through Request::waiter when it reaches the
// device; the Response returned then is empty and ignored.
Response handle_invoke_method(Call& call);
Response handle_send_c2d(Call& call);  // fleetsim's C2D route (reference 3.8)

}  // namespace fleetsim::hub::service
