// What the handlers share: JSON answers, refusals, request bodies, If-Match.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "hub/service/errors.hpp"
#include "hub/service/handlers.hpp"
#include "transports/iothub/ascii.hpp"

namespace fleetsim::hub::service {
namespace json = boost::json;
namespace {

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string_view unquoted(std::string_view text) noexcept {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') return text.substr(1, text.size() - 2);
  return text;
}

// "application/json", with or without parameters, any case.
bool is_json_content_type(std::string_view content_type) noexcept {
  const std::string_view media = trim(content_type.substr(0, content_type.find(';')));
  return iothub::detail::iequals_ascii(media, "application/json");
}

}  // namespace

Response json_response(const json::value& body, int status) {
  Response response;
  response.status = status;
  response.body = json::serialize(body);
  response.content_type = json_content_type;
  return response;
}

Response refuse(Call& call, const twin::Error& error) {
  return error_response(call.hub, error, call.now);
}

Response refuse(Call& call, int error_code, std::string message) {
  return error_response(call.hub, make_error(error_code, std::move(message)), call.now);
}

Response identity_not_found(Call& call) {
  const Route& route = call.route;
  if (!route.module_id.empty() && call.hub.registry.find(route.device_id) != nullptr) {
    return refuse(call, code::module_not_found,
                  "Module " + route.module_id + " on device " + route.device_id + " not found.");
  }
  return refuse(call, code::device_not_found, "Device " + route.device_id + " not found.");
}

twin::Result parse_body(const Call& call, json::value& out, bool object_only) {
  const Request& request = call.request;
  if (!request.content_type.empty() && !is_json_content_type(request.content_type)) {
    return twin::Result(
        make_error(code::invalid_content_type,
                   "The content type '" + std::string(request.content_type) + "' is not application/json."));
  }
  if (trim(request.body).empty()) {
    return twin::Result(make_error(code::format_error, "The request has no body."));
  }
  boost::system::error_code ec;
  out = json::parse(request.body, ec);
  if (ec) {
    return twin::Result(
        make_error(code::format_error, "The request body is not valid JSON: " + ec.message() + "."));
  }
  if (object_only && !out.is_object()) {
    return twin::Result(make_error(code::argument_invalid, "The request body must be a JSON object."));
  }
  return {};
}

bool if_match_holds(std::string_view if_match, std::string_view etag) noexcept {
  const std::string_view wanted = unquoted(trim(if_match));
  if (trim(if_match).empty() || wanted == "*") return true;
  return wanted == etag;
}

std::string quoted(std::string_view etag) {
  std::string text;
  text.reserve(etag.size() + 2);
  text += '"';
  text += etag;
  text += '"';
  return text;
}

}  // namespace fleetsim::hub::service
