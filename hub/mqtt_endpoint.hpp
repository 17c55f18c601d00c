// The MQTT device endpoint: a TCP listener whose accepted connections each become one session
// coroutine (mqtt_session.hpp), plus a once-a-second keep-alive sweep over all sessions.
//
// Thread safety: none. Construct, start, stop and destroy it on the thread that runs its
// io_context (construction may happen before that thread starts).
#pragma once

#include <cstdint>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hub/hub_context.hpp"
#include "hub/mqtt_session_base.hpp"

namespace fleetsim::hub {

class MqttEndpoint {
 public:
  // Binds and listens; throws std::system_error when it cannot.
  MqttEndpoint(boost::asio::io_context& io, HubContext& hub, const boost::asio::ip::tcp::endpoint& address,
               EndpointLimits limits);
  // Deletes sessions still present; call after the io_context has stopped running.
  ~MqttEndpoint();
  MqttEndpoint(const MqttEndpoint&) = delete;
  MqttEndpoint& operator=(const MqttEndpoint&) = delete;

  std::uint16_t port() const noexcept { return port_; }

  // Starts accepting and sweeping.
  void start();
  // Stops accepting and closes every session; their coroutines then end and free them, after
  // which the io_context runs out of work.
  void stop();

 private:
  boost::asio::awaitable<void> accept_loop();
  void arm_sweep();
  void accepted(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  std::unique_ptr<EndpointShared> shared_;  // 64 KB read buffer: on the heap
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer sweep_timer_;
  SessionList sessions_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace fleetsim::hub
