// A connection on its way to becoming an MQTT session, or serving HTTP: the TLS server handshake
// of the mqtts and https listeners, then for http(s) a loop of HTTP/1.1 requests (keep-alive,
// Content-Length or chunked bodies) read with Beast's sans-I/O parser over Stream::read_some:
// the WebSocket upgrade on /$iothub/websocket hands the stream to a new MQTT session, other
// requests are answered by the REST hook (http_router.hpp, rest.hpp).
//
// Limits: the handshake, and each request from its first byte, must complete within
// EndpointLimits::handshake_timeout; a keep-alive connection may idle http_idle_timeout between
// requests; heads above max_http_head get 431, bodies above max_http_body 413. The endpoint's
// sweep enforces the deadlines (abort_if_late), so a connection costs no timer.
//
// Lifetime: the endpoint allocates it, links it into its list and spawns run(); the completion
// of run() deletes it. abort() makes run() end soon without freeing anything under it (the
// socket is shut down, not closed, so its descriptor cannot be reused meanwhile), including a
// request waiting for a deferred answer (its waiter is abandoned).
//
// Thread safety: none; the hub thread only. Internal header of the endpoint.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/intrusive/list.hpp>

#include "hub/rest_waiter.hpp"
#include "transports/stream/stream.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::hub {

class Endpoint;

using IncomingHook =
    boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

class IncomingConnection : public IncomingHook {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Protocol : std::uint8_t { mqtt, http };

  // `tls`: run a TLS server handshake with it first.
  IncomingConnection(Endpoint& endpoint, transports::Stream stream, Protocol protocol,
                     std::optional<tls::TlsContext> tls);
  IncomingConnection(const IncomingConnection&) = delete;
  IncomingConnection& operator=(const IncomingConnection&) = delete;

  boost::asio::awaitable<void> run();

  // Aborts the connection if its current deadline has passed (a handshake or a request taking
  // too long, a keep-alive connection idle too long). A failed TLS handshake is counted.
  void abort_if_late(Clock::time_point now);
  // Ends the connection at its next step: shuts the socket down and cancels its waits.
  void abort();

 private:
  boost::asio::awaitable<bool> tls_handshake();
  boost::asio::awaitable<void> serve_http();
  // Waits for and appends the next bytes to input_; false at end of stream, on an error or abort.
  boost::asio::awaitable<bool> read_more();
  boost::asio::awaitable<bool> write(std::string_view bytes);

  Endpoint& endpoint_;
  transports::Stream stream_;
  std::optional<tls::TlsContext> tls_;
  Protocol protocol_;
  bool aborted_ = false;
  bool handshaking_ = false;
  Clock::time_point deadline_;
  std::string input_;  // HTTP bytes received and not yet parsed
  // Where a deferred REST answer (a direct method call) arrives; made at the first REST request
  // (a connection still in its TLS handshake pays a pointer) and reused, since a connection serves
  // one request at a time. Destroyed or abandoned with the connection, so the pending-call table
  // never points at a dead waiter.
  std::unique_ptr<RestWaiter> waiter_;
};

using IncomingList = boost::intrusive::list<IncomingConnection, boost::intrusive::constant_time_size<false>>;

}  // namespace fleetsim::hub
