// The IoT Hub service REST API as plain values (reference/iothub-protocol.md section 3): what the
// HTTP listener hands over and what it writes back. No I/O here; the listener owns sockets,
// parsing, keep-alive and the wire form of the headers.
//
// Thread safety: plain values.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace fleetsim::hub {
class RestWaiter;
}  // namespace fleetsim::hub

namespace fleetsim::hub::service {

// One request. The views belong to the caller and must stay valid during handle().
struct Request {
  std::string_view method;          // "GET", "PUT", "PATCH", "POST", "DELETE" (case-sensitive, as HTTP)
  std::string_view path;            // as received, ids still percent-encoded: "/devices/dev%231"
  std::string_view query;           // without the '?': "api-version=2021-04-12&top=10"
  std::string_view authorization;   // "SharedAccessSignature sr=…&sig=…&se=…[&skn=…]"
  std::string_view if_match;        // quoted etag or "*" (unquoted accepted too); empty: absent
  std::string_view content_type;    // empty: absent
  std::string_view max_item_count;  // x-ms-max-item-count (queries)
  std::string_view continuation;    // x-ms-continuation (queries)
  std::string_view body;
  // Header fields named "iothub-*" (any case), as sent: C2D message properties (reference 3.8).
  std::span<const std::pair<std::string_view, std::string_view>> iothub_headers;
  // Where a direct method call's answer goes once the device answers (hub/rest_waiter.hpp);
  // null when the caller cannot wait.
  RestWaiter* waiter = nullptr;
};

// Splits an HTTP request target "/devices/d1?api-version=…" into path and query.
inline void set_target(Request& request, std::string_view target) noexcept {
  const std::size_t question = target.find('?');
  request.path = target.substr(0, question);
  request.query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
}

inline constexpr std::string_view json_content_type = "application/json; charset=utf-8";

// One answer. Empty header fields are not sent.
struct Response {
  int status = 200;
  std::string body;
  std::string content_type;  // json_content_type on every JSON body (reference 8.5)
  std::string etag;          // ETag, quoted
  std::string continuation;  // x-ms-continuation: only while more results exist (3.7)
  std::string item_type;     // x-ms-item-type (queries)
  std::string error_code;    // iothub-errorcode: the error's name (3.2)
  std::string allow;         // Allow, on 405
  std::string retry_after;   // Retry-After: whole seconds until a throttle has a token, on 429
  std::string message_id;    // iothub-messageid: the id of an accepted C2D message
};

}  // namespace fleetsim::hub::service
