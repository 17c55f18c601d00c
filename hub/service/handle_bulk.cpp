// Bulk registry operations: POST /devices with an array of up to 100 entries, the body of Node's
// Registry.addDevices/updateDevices/removeDevices and .NET's AddDevices2Async: each entry a device identity
// with "id" instead of "deviceId", an "importMode" and, for the IfMatchETag modes, an "eTag".
//
// A malformed request (not an array, too many entries, an entry without an id or with an unknown
// mode) is refused whole with 400 ArgumentInvalid and changes nothing. Otherwise every entry is
// applied on its own and the answer is 200 with {"isSuccessful":…, "errors":[{"deviceId":…,
// "errorCode":404001,"errorStatus":"…"}], "warnings":[]} (errorCode numeric, as the real hub's
// import logs show it).
#include <array>
#include <optional>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "hub/ids.hpp"
#include "hub/service/errors.hpp"
#include "hub/service/handlers.hpp"
#include "transports/iothub/ascii.hpp"

namespace fleetsim::hub::service {
namespace json = boost::json;
namespace {

constexpr std::size_t max_entries = 100;

enum class ImportMode {
  create,
  update,
  update_if_match_etag,
  create_or_update,
  remove,
  remove_if_match_etag
};

std::optional<ImportMode> import_mode(const json::value* value) {
  // .NET's ImportMode defaults to CreateOrUpdate; names match without case (Node sends "create"
  // and "Update", .NET "createOrUpdate").
  if (value == nullptr || value->is_null()) return ImportMode::create_or_update;
  if (!value->is_string()) return std::nullopt;
  constexpr std::array<std::pair<std::string_view, ImportMode>, 6> names{{
      {"create", ImportMode::create},
      {"update", ImportMode::update},
      {"updateIfMatchETag", ImportMode::update_if_match_etag},
      {"createOrUpdate", ImportMode::create_or_update},
      {"delete", ImportMode::remove},
      {"deleteIfMatchETag", ImportMode::remove_if_match_etag},
  }};
  for (const auto& [name, mode] : names) {
    if (iothub::detail::iequals_ascii(value->get_string(), name)) return mode;
  }
  return std::nullopt;
}

struct Entry {
  const json::object* body = nullptr;
  std::string_view id;
  ImportMode mode = ImportMode::create_or_update;
};

// The whole request's shape, checked before anything is applied.
twin::Result read_entries(const json::value& body, std::vector<Entry>& entries) {
  const auto invalid = [](std::string message) {
    return twin::Result(make_error(code::argument_invalid, std::move(message)));
  };
  if (!body.is_array()) return invalid("The body of a bulk registry operation must be a JSON array.");
  const json::array& items = body.get_array();
  if (items.size() > max_entries) {
    return invalid("A bulk registry operation takes at most " + std::to_string(max_entries) + " devices.");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string where = "Entry " + std::to_string(i) + ": ";
    if (!items[i].is_object()) return invalid(where + "not a JSON object.");
    Entry entry;
    entry.body = &items[i].get_object();
    const json::value* id = entry.body->if_contains("id");
    if (id == nullptr) id = entry.body->if_contains("deviceId");
    if (id == nullptr || !id->is_string() || !is_valid_device_id(id->get_string())) {
      return invalid(where + "\"id\" must be a valid device id.");
    }
    if (entry.body->contains("moduleId")) {
      return invalid(where + "bulk operations on modules are not supported.");
    }
    entry.id = id->get_string();
    const auto mode = import_mode(entry.body->if_contains("importMode"));
    if (!mode) {
      return invalid(where +
                     "importMode must be create, update, updateIfMatchETag, createOrUpdate, delete or "
                     "deleteIfMatchETag.");
    }
    entry.mode = *mode;
    entries.push_back(entry);
  }
  return {};
}

// The entry's eTag against the device's, for the IfMatchETag modes.
bool etag_holds(Call& call, const Entry& entry, const Identity& identity) {
  const json::value* etag = entry.body->if_contains("eTag");
  const std::string_view wanted =
      etag != nullptr && etag->is_string() ? std::string_view(etag->get_string()) : "";
  return !wanted.empty() && if_match_holds(wanted, call.state.records.view(identity).etag);
}

twin::Result apply(Call& call, const Entry& entry) {
  Identity* identity = call.hub.registry.find(entry.id);
  const bool create =
      entry.mode == ImportMode::create || (entry.mode == ImportMode::create_or_update && identity == nullptr);
  if (!create && identity == nullptr) {
    return twin::Result(
        make_error(code::device_not_found, "Device " + std::string(entry.id) + " not found."));
  }
  const bool if_match =
      entry.mode == ImportMode::update_if_match_etag || entry.mode == ImportMode::remove_if_match_etag;
  if (if_match && !etag_holds(call, entry, *identity)) {
    return twin::Result(
        make_error(code::precondition_failed, "The eTag does not match the device's current etag."));
  }
  if (entry.mode == ImportMode::remove || entry.mode == ImportMode::remove_if_match_etag) {
    delete_identity(call, *identity);
    return {};
  }
  IdentitySpec spec;
  if (twin::Result r = parse_identity(*entry.body, entry.id, {}, spec); !r) return r;
  if (create) {
    Identity* created = nullptr;
    return create_identity(call, entry.id, {}, spec, created);
  }
  update_identity(call, *identity, spec);
  return {};
}

}  // namespace

Response handle_bulk(Call& call) {
  json::value body;
  if (twin::Result r = parse_body(call, body, false); !r) return refuse(call, r.error());
  std::vector<Entry> entries;
  if (twin::Result r = read_entries(body, entries); !r) return refuse(call, r.error());

  json::array errors;
  for (const Entry& entry : entries) {
    const twin::Result result = apply(call, entry);
    if (result) continue;
    json::object error;
    error["deviceId"] = entry.id;
    error["errorCode"] = result.error().error_code;
    error["errorStatus"] = result.error().message;
    errors.push_back(std::move(error));
  }
  json::object answer;
  answer["isSuccessful"] = errors.empty();
  answer["errors"] = std::move(errors);
  answer["warnings"] = json::array();
  return json_response(answer);
}

}  // namespace fleetsim::hub::service
