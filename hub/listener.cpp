#include "hub/listener.hpp"

#include <chrono>
#include <exception>
#include <system_error>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace fleetsim::hub {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

void throw_if(const boost::system::error_code& ec, const std::string& what, const tcp::endpoint& address) {
  if (!ec) return;
  throw std::system_error(ec,
                          what + " " + address.address().to_string() + ":" + std::to_string(address.port()));
}

}  // namespace

Listener::Listener(asio::io_context& io, const tcp::endpoint& address, std::string name, OnAccept on_accept)
    : io_(io), acceptor_(io), name_(std::move(name)), on_accept_(std::move(on_accept)) {
  boost::system::error_code ec;
  acceptor_.open(address.protocol(), ec);
  throw_if(ec, "cannot open the " + name_ + " listener on", address);
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  throw_if(ec, "cannot set SO_REUSEADDR for the " + name_ + " listener on", address);
  acceptor_.bind(address, ec);
  throw_if(ec, "cannot bind the " + name_ + " listener to", address);
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  throw_if(ec, "cannot listen (" + name_ + ") on", address);
  port_ = acceptor_.local_endpoint().port();
}

void Listener::start(Counters& counters) {
  asio::co_spawn(io_, accept_loop(), [&counters](const std::exception_ptr& failure) {
    if (failure) bump(counters.task_failures);
  });
}

void Listener::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> Listener::accept_loop() {
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
    on_accept_(std::move(socket));
  }
}

}  // namespace fleetsim::hub
