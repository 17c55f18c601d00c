#include "hub/service/rest_adapter.hpp"

#include <utility>

namespace fleetsim::hub::service {

Request from_rest(const RestRequest& rest) {
  Request request;
  request.method = rest.method;
  set_target(request, rest.target);
  request.authorization = rest.authorization;
  request.if_match = rest.if_match;
  request.content_type = rest.content_type;
  request.max_item_count = rest.max_item_count;
  request.continuation = rest.continuation;
  request.body = rest.body;
  return request;
}

RestResponse to_rest(Response response) {
  RestResponse rest;
  rest.status = static_cast<unsigned>(response.status);
  rest.content_type = std::move(response.content_type);
  rest.body = std::move(response.body);
  const auto header = [&rest](const char* name, std::string& value) {
    if (!value.empty()) rest.headers.emplace_back(name, std::move(value));
  };
  header("ETag", response.etag);
  header("x-ms-continuation", response.continuation);
  header("x-ms-item-type", response.item_type);
  header("iothub-errorcode", response.error_code);
  header("Allow", response.allow);
  header("Retry-After", response.retry_after);
  return rest;
}

}  // namespace fleetsim::hub::service
