// The hub's network side: its listeners (MQTT over TCP, MQTT over TLS, HTTP and HTTPS, each
// optional), the MQTT sessions they lead to, the connections still in a handshake or serving
// HTTP, and one sweep a second over all of them (keep-alive, SAS expiry, handshake timeouts)
// instead of a timer per connection.
//
// What an accepted connection becomes:
//   mqtt   an MQTT session at once
//   mqtts  a TLS server handshake (10 s), then an MQTT session
//   http   HTTP requests: the WebSocket upgrade on /$iothub/websocket becomes an MQTT session on
//          the same stream, anything else goes to the REST hook (HubContext::rest_dispatcher)
//   https  a TLS server handshake, then as http
//
// Thread safety: none. Construct, start, stop and destroy it on the thread that runs its
// io_context (construction may happen before that thread starts).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hub/hub_context.hpp"
#include "hub/incoming_connection.hpp"
#include "hub/listener.hpp"
#include "hub/mqtt_session_base.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::transports {
class Stream;
}

namespace fleetsim::hub {

enum class ListenerKind : std::uint8_t { mqtt, mqtts, http, https };

// A port per listener: 0 picks a free port, nullopt disables the listener.
struct ListenerPorts {
  std::optional<std::uint16_t> mqtt;
  std::optional<std::uint16_t> mqtts;
  std::optional<std::uint16_t> http;
  std::optional<std::uint16_t> https;
};

class Endpoint {
 public:
  // Binds every enabled listener; throws std::system_error when one cannot, and
  // std::invalid_argument when mqtts or https is enabled without a TLS context.
  Endpoint(boost::asio::io_context& io, HubContext& hub, const boost::asio::ip::address& address,
           const ListenerPorts& ports, EndpointLimits limits, std::optional<tls::TlsContext> tls);
  // Deletes sessions and connections still present; call after the io_context has stopped running.
  ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  // The bound port, 0 for a disabled listener.
  std::uint16_t port(ListenerKind kind) const noexcept;

  // Starts accepting and sweeping.
  void start();
  // Stops accepting, closes every session and aborts every connection; their coroutines then
  // end and free them, after which the io_context runs out of work.
  void stop();
  bool stopped() const noexcept { return stopped_; }

  // Handshakes that start later use `context` (trusted client CAs changed); running ones finish
  // with the context they started with.
  void set_tls_context(tls::TlsContext context) { tls_ = std::move(context); }

  // Starts an MQTT session on a stream whose handshakes are done; closes it if stopped.
  void start_session(transports::Stream stream);

  EndpointShared& shared() noexcept { return *shared_; }

 private:
  void listen(ListenerKind kind, const boost::asio::ip::address& address, std::optional<std::uint16_t> port);
  void accepted(ListenerKind kind, boost::asio::ip::tcp::socket socket);
  void start_incoming(ListenerKind kind, boost::asio::ip::tcp::socket socket);
  void arm_sweep();

  boost::asio::io_context& io_;
  std::unique_ptr<EndpointShared> shared_;  // 64 KB read buffer: on the heap
  std::optional<tls::TlsContext> tls_;
  std::array<std::unique_ptr<Listener>, 4> listeners_;  // by ListenerKind
  boost::asio::steady_timer sweep_timer_;
  SessionList sessions_;
  IncomingList incoming_;
  bool stopped_ = false;
};

}  // namespace fleetsim::hub
