#include "hub/http_router.hpp"

#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/status.hpp>

#include "transports/iothub/sas.hpp"
#include "transports/stream/stream.hpp"

namespace fleetsim::hub {
namespace {

namespace http = boost::beast::http;

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// A token in any of the field's comma-separated lists (the field may repeat), in any case;
// the token as the client wrote it, or empty.
std::string_view find_token(const HttpRequest& request, http::field field, std::string_view wanted) {
  const auto [first, last] = request.equal_range(field);
  for (auto it = first; it != last; ++it) {
    for (const auto token : http::token_list(it->value())) {
      if (iequals(token, wanted)) return {token.data(), token.size()};
    }
  }
  return {};
}

bool is_websocket_upgrade(const HttpRequest& request) {
  return request.method() == http::verb::get && request.version() >= 11 &&
         !find_token(request, http::field::connection, "upgrade").empty() &&
         !find_token(request, http::field::upgrade, "websocket").empty();
}

std::string_view path_of(std::string_view target) noexcept {
  return target.substr(0, target.find('?'));
}

std::string_view field(const HttpRequest& request, http::field name) {
  const auto value = request[name];
  return {value.data(), value.size()};
}

HttpRoute refuse(RestResponse response) {
  HttpRoute route;
  route.kind = HttpRoute::Kind::refuse;
  route.refusal = std::move(response);
  return route;
}

}  // namespace

HttpRoute route_request(const HttpRequest& request) {
  const std::string_view target(request.target().data(), request.target().size());
  // An upgrade anywhere else is a request for a resource REST does not have: it answers 404.
  if (!is_websocket_upgrade(request) || path_of(target) != transports::kIotHubWebSocketPath) return {};

  if (field(request, http::field::sec_websocket_version) != "13") {
    RestResponse response = plain_response(426, "WebSocket version 13 required\n");
    response.headers.emplace_back("Sec-WebSocket-Version", "13");
    return refuse(std::move(response));
  }
  const std::string_view key = field(request, http::field::sec_websocket_key);
  const auto nonce = iothub::base64_decode(key);
  if (!nonce || nonce->size() != 16) return refuse(plain_response(400, "invalid Sec-WebSocket-Key\n"));
  const std::string_view subprotocol =
      find_token(request, http::field::sec_websocket_protocol, transports::kMqttSubprotocol);
  if (subprotocol.empty()) {
    return refuse(plain_response(400, "Sec-WebSocket-Protocol must offer 'mqtt' on /$iothub/websocket\n"));
  }
  HttpRoute route;
  route.kind = HttpRoute::Kind::websocket;
  route.key = key;
  route.subprotocol = subprotocol;
  return route;
}

RestRequest rest_request_of(const HttpRequest& request) {
  RestRequest rest;
  const auto method = request.method_string();
  rest.method = {method.data(), method.size()};
  rest.target = {request.target().data(), request.target().size()};
  rest.authorization = field(request, http::field::authorization);
  rest.content_type = field(request, http::field::content_type);
  rest.if_match = field(request, http::field::if_match);
  const auto request_id = request["Request-Id"];
  rest.request_id = {request_id.data(), request_id.size()};
  const auto continuation = request["x-ms-continuation"];
  rest.continuation = {continuation.data(), continuation.size()};
  const auto max_items = request["x-ms-max-item-count"];
  rest.max_item_count = {max_items.data(), max_items.size()};
  rest.body = request.body();
  return rest;
}

RestResponse plain_response(unsigned status, std::string_view text) {
  RestResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = text;
  return response;
}

std::string serialize_response(const RestResponse& response, bool keep_alive) {
  const auto reason = http::obsolete_reason(http::int_to_status(response.status));
  std::string out;
  out.reserve(128 + response.body.size());
  out.append("HTTP/1.1 ").append(std::to_string(response.status)).append(" ");
  out.append(reason.data(), reason.size()).append("\r\n");
  if (!response.content_type.empty()) {
    out.append("Content-Type: ").append(response.content_type).append("\r\n");
  }
  // 204 and 304 have no body and must not announce one (RFC 9110 8.6).
  if (response.status != 204 && response.status != 304) {
    out.append("Content-Length: ").append(std::to_string(response.body.size())).append("\r\n");
  }
  for (const auto& [name, value] : response.headers)
    out.append(name).append(": ").append(value).append("\r\n");
  if (!keep_alive) out.append("Connection: close\r\n");
  out.append("\r\n").append(response.body);
  return out;
}

}  // namespace fleetsim::hub
