// Device and module twins from the service side (reference 3.5, 4): GET, PATCH (merge of tags and
// desired) and PUT (replace of tags and/or desired), with If-Match on the twin etag. A desired
// change reaches the identity's connected, subscribed session at once (2.9).
#include <boost/json/object.hpp>

#include "hub/service/desired_push.hpp"
#include "hub/service/errors.hpp"
#include "hub/service/handlers.hpp"
#include "hub/twin_store.hpp"

namespace fleetsim::hub::service {
namespace json = boost::json;
namespace {

Response twin_response(Call& call, Identity& identity) {
  Response response = json_response(twin_view(call, identity));
  response.etag = quoted(twin_of(identity).etag());
  return response;
}

// What a write asks of each section: nullptr for "leave it".
struct TwinWrite {
  const json::value* tags = nullptr;
  const json::value* desired = nullptr;
  json::value desired_without_system;  // PUT: desired minus $version/$metadata read from a GET
};

twin::Result read_write(const json::object& body, bool replace, TwinWrite& write) {
  write.tags = body.if_contains("tags");
  const json::value* properties = body.if_contains("properties");
  if (properties == nullptr || properties->is_null()) return {};
  if (!properties->is_object()) {
    return twin::Result(make_error(code::argument_invalid, "properties must be an object."));
  }
  const json::object& sections = properties->get_object();
  // The service writes tags and desired only (hub choice of 3.5). A PUT carries a whole twin,
  // which may hold the reported section it was read with: a replace leaves reported alone.
  if (!replace && sections.contains("reported")) {
    return twin::Result(make_error(code::argument_invalid,
                                   "properties.reported: the service cannot write reported "
                                   "properties; only tags and properties.desired."));
  }
  write.desired = sections.if_contains("desired");
  if (replace && write.desired != nullptr && write.desired->is_object()) {
    json::object contents = write.desired->get_object();
    contents.erase("$version");
    contents.erase("$metadata");
    write.desired_without_system = std::move(contents);
    write.desired = &write.desired_without_system;
  }
  return {};
}

twin::Result write_section(twin::Document& twin, twin::Section section, const json::value& contents,
                           bool replace, twin::Timestamp now) {
  return replace ? twin.replace(section, contents, now) : twin.patch(section, contents, now);
}

}  // namespace

// Note `statusUpdateTime` here where identities say `statusUpdatedTime` (reference 4.1).
json::object twin_view(Call& call, Identity& identity) {
  json::object view = service_twin(identity);
  const IdentityRecord& record = call.state.records.view(identity);
  view["deviceEtag"] = record.etag;
  if (!identity.is_module()) {
    view["statusReason"] = record.status_reason ? json::value(*record.status_reason) : json::value(nullptr);
    view["statusUpdateTime"] = timestamp_or_never(record.status_updated);
  }
  view["lastActivityTime"] = never_timestamp;
  view["cloudToDeviceMessageCount"] = 0;
  view["authenticationType"] = auth_type_name(identity.auth);
  const Thumbprints* thumbprints = identity.thumbprints.get();
  json::object x509;
  x509["primaryThumbprint"] =
      thumbprints && !thumbprints->primary.empty() ? json::value(thumbprints->primary) : json::value(nullptr);
  x509["secondaryThumbprint"] = thumbprints && !thumbprints->secondary.empty()
                                    ? json::value(thumbprints->secondary)
                                    : json::value(nullptr);
  view["x509Thumbprint"] = std::move(x509);
  if (!identity.is_module()) view["capabilities"] = json::object{{"iotEdge", record.iot_edge}};
  return view;
}

Response handle_get_twin(Call& call) {
  Identity* identity = call.hub.registry.find(call.route.device_id, call.route.module_id);
  if (identity == nullptr) return identity_not_found(call);
  return twin_response(call, *identity);
}

Response handle_write_twin(Call& call) {
  Identity* identity = call.hub.registry.find(call.route.device_id, call.route.module_id);
  if (identity == nullptr) return identity_not_found(call);
  const bool replace = call.route.operation == Operation::replace_twin;
  json::value body;
  if (twin::Result r = parse_body(call, body); !r) return refuse(call, r.error());
  TwinWrite write;
  if (twin::Result r = read_write(body.get_object(), replace, write); !r) return refuse(call, r.error());

  twin::Document& twin = twin_of(*identity);
  if (!if_match_holds(call.request.if_match, twin.etag())) {
    return refuse(call, code::precondition_failed,
                  "The etag in If-Match does not match the twin's current etag.");
  }
  // A refusal changes nothing (reference 4.4): when both sections change, the second could be
  // refused after the first was applied, so the whole write is tried on a copy first.
  if (write.tags != nullptr && write.desired != nullptr) {
    twin::Document trial = twin;
    twin::Result r = write_section(trial, twin::Section::tags, *write.tags, replace, call.now);
    if (r) r = write_section(trial, twin::Section::desired, *write.desired, replace, call.now);
    if (!r) return refuse(call, r.error());
  }
  if (write.tags != nullptr) {
    if (twin::Result r = write_section(twin, twin::Section::tags, *write.tags, replace, call.now); !r) {
      return refuse(call, r.error());
    }
  }
  if (write.desired != nullptr) {
    if (replace) {
      if (twin::Result r = twin.replace(twin::Section::desired, *write.desired, call.now); !r) {
        return refuse(call, r.error());
      }
      push_whole_desired(call.hub, *identity);
    } else if (twin::Result r = update_desired(call.hub, *identity, *write.desired, call.now); !r) {
      return refuse(call, r.error());
    }
  }
  return twin_response(call, *identity);
}

}  // namespace fleetsim::hub::service
