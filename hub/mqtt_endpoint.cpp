#include "hub/mqtt_endpoint.hpp"

#include <chrono>
#include <exception>
#include <string>
#include <system_error>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/socket_base.hpp>

#include "hub/mqtt_session.hpp"

namespace fleetsim::hub {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

void throw_if(const boost::system::error_code& ec, const char* what, const tcp::endpoint& address) {
  if (!ec) return;
  throw std::system_error(
      ec, std::string(what) + " " + address.address().to_string() + ":" + std::to_string(address.port()));
}

}  // namespace

MqttEndpoint::MqttEndpoint(asio::io_context& io, HubContext& hub, const tcp::endpoint& address,
                           EndpointLimits limits)
    : io_(io), shared_(std::make_unique<EndpointShared>(hub, limits)), acceptor_(io), sweep_timer_(io) {
  boost::system::error_code ec;
  acceptor_.open(address.protocol(), ec);
  throw_if(ec, "cannot open the MQTT listener on", address);
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  throw_if(ec, "cannot set SO_REUSEADDR on", address);
  acceptor_.bind(address, ec);
  throw_if(ec, "cannot bind the MQTT listener to", address);
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  throw_if(ec, "cannot listen on", address);
  port_ = acceptor_.local_endpoint().port();
}

MqttEndpoint::~MqttEndpoint() {
  sessions_.clear_and_dispose([](SessionBase* session) { delete session; });
}

void MqttEndpoint::start() {
  asio::co_spawn(io_, accept_loop(), [this](const std::exception_ptr& failure) {
    if (failure) bump(shared_->hub.counters.task_failures);
  });
  arm_sweep();
}

void MqttEndpoint::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  sweep_timer_.cancel();
  for (SessionBase& session : sessions_) session.close();
}

asio::awaitable<void> MqttEndpoint::accept_loop() {
  asio::steady_timer backoff(io_);
  while (!stopped_) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (stopped_) co_return;
    if (ec) {
      // Out of descriptors or memory: accepting again at once would spin; give sessions time
      // to end.
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    accepted(std::move(socket));
  }
}

void MqttEndpoint::accepted(tcp::socket socket) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  if (ec) return;
  // Answers are small packets that must not wait for Nagle's algorithm.
  socket.set_option(tcp::no_delay(true), ec);
  auto* session = new MqttSession<tcp::socket>(*shared_, std::move(socket));
  sessions_.push_back(*session);
  asio::co_spawn(io_, session->run(), [this, session](const std::exception_ptr& failure) {
    if (failure) {
      bump(shared_->hub.counters.task_failures);
      session->close();
    }
    session->reader_finished();
  });
}

void MqttEndpoint::arm_sweep() {
  sweep_timer_.expires_after(std::chrono::seconds(1));
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    const auto now = SessionBase::Clock::now();
    for (SessionBase& session : sessions_) session.close_if_silent(now, shared_->limits);
    arm_sweep();
  });
}

}  // namespace fleetsim::hub
