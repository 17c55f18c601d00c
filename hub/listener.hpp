// One TCP listening socket of the hub and its accept loop: accepted sockets go to a callback,
// which decides what they become (an MQTT session, a TLS handshake, an HTTP connection).
//
// Thread safety: none. Construct, start, stop and destroy it on the thread that runs its
// io_context (construction may happen before that thread starts).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "hub/counters.hpp"

namespace fleetsim::hub {

class Listener {
 public:
  using OnAccept = std::function<void(boost::asio::ip::tcp::socket)>;

  // Binds and listens (port 0: a free port); throws std::system_error naming `name` and the
  // address when it cannot.
  Listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& address, std::string name,
           OnAccept on_accept);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  const std::string& name() const noexcept { return name_; }

  // Starts accepting; an accept task that ends by an exception is counted in `counters`.
  void start(Counters& counters);
  // Stops accepting: the loop ends once its pending accept completes with operation_aborted.
  void stop();

 private:
  boost::asio::awaitable<void> accept_loop();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::string name_;
  OnAccept on_accept_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace fleetsim::hub
