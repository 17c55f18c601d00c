// The HTTP/1.1 side of an incoming connection: requests parsed with Beast's sans-I/O parser as
// bytes arrive, routed by http_router.hpp to the WebSocket upgrade (the stream becomes an MQTT
// session) or the REST hook, with keep-alive between requests.
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include "hub/endpoint.hpp"
#include "hub/http_router.hpp"
#include "hub/incoming_connection.hpp"
#include "hub/rest_waiter.hpp"
#include "transports/iothub/ascii.hpp"

namespace fleetsim::hub {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

// How reading one request ended: parsed, refused by the parser (answered, then closed), or the
// connection ended (closed, failed, aborted) before a whole request arrived.
enum class Parse { done, refused, ended };

// The header fields named iothub-* (any case): C2D message properties (reference 3.8). Views
// into `request`.
std::vector<HeaderView> iothub_fields(const HttpRequest& request) {
  constexpr std::string_view prefix = "iothub-";
  std::vector<HeaderView> fields;
  for (const auto& field : request) {
    const std::string_view name(field.name_string().data(), field.name_string().size());
    if (name.size() < prefix.size() ||
        !iothub::detail::iequals_ascii(name.substr(0, prefix.size()), prefix)) {
      continue;
    }
    fields.emplace_back(name, std::string_view(field.value().data(), field.value().size()));
  }
  return fields;
}

}  // namespace

asio::awaitable<void> IncomingConnection::serve_http() {
  HubContext& hub = endpoint_.shared().hub;
  const EndpointLimits& limits = endpoint_.shared().limits;
  // The first request's deadline runs from accept (set at construction, covering the handshake).
  bool first_request = true;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_http_head));
    parser.body_limit(limits.max_http_body);
    parser.eager(true);

    // Between requests a keep-alive connection may idle longer than a request may take.
    if (!first_request) {
      deadline_ = Clock::now() + (input_.empty() ? limits.http_idle_timeout : limits.handshake_timeout);
    }
    first_request = false;

    std::optional<RestResponse> refusal;
    Parse parse = Parse::ended;
    for (;;) {
      if (!input_.empty()) {
        boost::system::error_code ec;
        const std::size_t used = parser.put(asio::buffer(input_), ec);
        input_.erase(0, used);
        if (parser.is_done()) {
          parse = Parse::done;
          break;
        }
        if (ec == http::error::header_limit) {
          refusal = plain_response(431, "request head above 8 KB\n");
        } else if (ec == http::error::body_limit) {
          refusal = plain_response(413, "request body above 1 MB\n");
        } else if (ec && ec != http::error::need_more) {
          refusal = plain_response(400, "malformed HTTP request\n");
        }
        if (refusal) {
          parse = Parse::refused;
          break;
        }
        if (used > 0 && !input_.empty()) continue;  // the parser may take more of what is here
      }
      const bool was_idle = input_.empty() && !parser.got_some();
      const bool more = co_await read_more();
      if (!more) break;
      // A request's clock starts with its first byte, not with the idle wait before it.
      if (was_idle) deadline_ = Clock::now() + limits.handshake_timeout;
    }
    if (parse == Parse::ended) co_return;
    if (parse == Parse::refused) {
      bump(hub.counters.http_refused);
      co_await write(serialize_response(*refusal, false));
      co_return;
    }

    const HttpRequest& request = parser.get();
    HttpRoute route = route_request(request);
    switch (route.kind) {
      case HttpRoute::Kind::refuse:
        bump(hub.counters.http_refused);
        co_await write(serialize_response(route.refusal, false));
        co_return;
      case HttpRoute::Kind::websocket: {
        // Bytes past the request head are the client's first WebSocket frames.
        const auto leftover = std::span(reinterpret_cast<const std::uint8_t*>(input_.data()), input_.size());
        const boost::system::error_code ec =
            co_await stream_.async_ws_server_accept(route.key, route.subprotocol, leftover);
        if (ec || aborted_) co_return;
        bump(hub.counters.websocket_upgrades);
        endpoint_.start_session(std::move(stream_));
        co_return;
      }
      case HttpRoute::Kind::rest:
        break;
    }
    bump(hub.counters.http_requests);
    RestRequest rest = rest_request_of(request);
    const std::vector<HeaderView> iothub_headers = iothub_fields(request);
    rest.iothub_headers = iothub_headers;
    if (!waiter_) waiter_ = std::make_unique<RestWaiter>(stream_.socket().get_executor());
    rest.waiter = waiter_.get();
    RestResponse response = hub.rest_dispatcher(hub, rest, std::chrono::system_clock::now());
    const bool deferred = waiter_->deferred();
    if (deferred) {
      // The call's own deadline bounds the wait now, not the request timeout of the sweep.
      deadline_ = Clock::time_point::max();
      co_await waiter_->async_wait();
    }
    // A deferred request may also have been answered before the dispatcher returned.
    std::optional<RestResponse> answer = waiter_->take_answer();
    if (answer) {
      response = std::move(*answer);
    } else if (deferred) {
      co_return;  // abandoned: the connection ends, nobody to answer
    }
    if (aborted_) co_return;
    hub.counters.count_rest_status(response.status);
    const bool keep_alive = request.keep_alive() && !endpoint_.stopped();
    const bool written = co_await write(serialize_response(response, keep_alive));
    if (!written || !keep_alive) co_return;
  }
}

}  // namespace fleetsim::hub
