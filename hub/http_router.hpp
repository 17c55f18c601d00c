// The HTTP(S) listener's decisions, sans-I/O: which parsed request becomes an MQTT-over-WebSocket
// session (reference 2.1, 8.3), which is refused, and which goes to the REST hook (rest.hpp);
// and the bytes of an answer.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "hub/rest.hpp"

namespace fleetsim::hub {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct HttpRoute {
  enum class Kind : std::uint8_t {
    websocket,  // accept the upgrade with `key`, answering `subprotocol`
    refuse,     // answer `refusal` and close
    rest,       // hand to the REST dispatcher
  };
  Kind kind = Kind::rest;
  std::string_view key;          // Sec-WebSocket-Key
  std::string_view subprotocol;  // "mqtt" as the client spelled it: echoed (the C SDK sends "MQTT")
  RestResponse refusal;
};

// `GET /$iothub/websocket[?query]` with `Upgrade: websocket` and `Connection: upgrade`:
// Sec-WebSocket-Version must be 13 (else 426 naming it), Sec-WebSocket-Key a base64 16-byte
// nonce (else 400), and Sec-WebSocket-Protocol must list `mqtt` in any case (else 400: a client
// asking for another subprotocol would fail on the answer anyway). Any other request is REST.
HttpRoute route_request(const HttpRequest& request);

// Views into `request` for the dispatcher.
RestRequest rest_request_of(const HttpRequest& request);

// A short text/plain answer for refusals made before any dispatcher runs.
RestResponse plain_response(unsigned status, std::string_view text);

// HTTP/1.1 status line, Content-Type (when there is a body type), Content-Length (not on 204
// and 304), the extra headers, `Connection: close` unless `keep_alive`, then the body.
std::string serialize_response(const RestResponse& response, bool keep_alive);

}  // namespace fleetsim::hub
