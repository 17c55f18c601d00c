// The hub's HTTP service API hook, sans-I/O: the HTTP(S) listener parses a request that is not a
// WebSocket upgrade into a RestRequest, calls HubContext::rest_dispatcher on the hub thread, and
// writes the RestResponse back. The service API (registry, twins, methods, queries: reference 3)
// plugs in by replacing the dispatcher; until then every request is answered 404.
//
// An answer may come later (a direct method waits for its device): the dispatcher then defers
// the request's waiter (rest_waiter.hpp) and its returned response is ignored; the listener
// writes what the waiter is answered with.
//
// Thread safety: none; call on the hub thread.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "twin/document.hpp"

namespace fleetsim::hub {

struct HubContext;
class RestWaiter;

// A request header as sent: name (any case) and value.
using HeaderView = std::pair<std::string_view, std::string_view>;

// Views into the parsed request, valid during the dispatcher call only. Header fields the
// service API reads (reference 3.1, 8.5); absent ones are empty.
struct RestRequest {
  std::string_view method;  // "GET", "PUT", "PATCH", "POST", "DELETE", ...
  std::string_view
      target;  // path and query as sent, still URL-encoded: "/devices/dev1?api-version=2021-04-12"
  std::string_view authorization;  // "SharedAccessSignature sr=...&sig=...&skn=...&se=..."
  std::string_view content_type;
  std::string_view if_match;        // quoted etag or "*", as sent
  std::string_view request_id;      // Request-Id
  std::string_view continuation;    // x-ms-continuation (query paging)
  std::string_view max_item_count;  // x-ms-max-item-count (query paging)
  std::string_view body;
  // The fields whose names start with "iothub-" (any case): the properties of a cloud-to-device
  // message (reference 3.8).
  std::span<const HeaderView> iothub_headers;
  // Where a deferred answer goes; null when the caller cannot wait (then nothing is deferred).
  RestWaiter* waiter = nullptr;
};

struct RestResponse {
  unsigned status = 200;
  std::string content_type;  // with a body; every JSON answer needs one (8.5)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields: iothub-errorcode, ETag, ...
};

using RestDispatcher = RestResponse (*)(HubContext& hub, const RestRequest& request, twin::Timestamp now);

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

// An IoT Hub error answer (reference 3.2, the hub's chosen shape): status, header
// `iothub-errorcode: {name}` and {"Message":"ErrorCode:{name};{message}","ExceptionMessage":
// "Tracking ID:{id}-TimeStamp:{time}"}.
RestResponse rest_error(HubContext& hub, unsigned status, std::string_view error_name,
                        std::string_view message, twin::Timestamp now);

// The default dispatcher: the service API of HubContext::service_api (hub/service/).
RestResponse dispatch_to_service_api(HubContext& hub, const RestRequest& request, twin::Timestamp now);

}  // namespace fleetsim::hub
