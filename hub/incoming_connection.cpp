#include "hub/incoming_connection.hpp"

#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "hub/endpoint.hpp"

namespace fleetsim::hub {
namespace {

namespace asio = boost::asio;

bool would_block(const boost::system::error_code& ec) noexcept {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

}  // namespace

IncomingConnection::IncomingConnection(Endpoint& endpoint, transports::Stream stream, Protocol protocol,
                                       std::optional<tls::TlsContext> tls)
    : endpoint_(endpoint),
      stream_(std::move(stream)),
      tls_(std::move(tls)),
      protocol_(protocol),
      deadline_(Clock::now() + endpoint.shared().limits.handshake_timeout) {}

asio::awaitable<void> IncomingConnection::run() {
  // Each co_await stands alone in its statement: GCC 12 miscompiles one inside && or ||.
  if (tls_) {
    const bool secured = co_await tls_handshake();
    if (!secured) co_return;
  }
  if (protocol_ == Protocol::mqtt) {
    endpoint_.start_session(std::move(stream_));
    co_return;
  }
  co_await serve_http();
}

asio::awaitable<bool> IncomingConnection::tls_handshake() {
  handshaking_ = true;
  const boost::system::error_code ec = co_await stream_.async_tls_server_handshake(*tls_);
  handshaking_ = false;
  if (!ec && !aborted_) co_return true;
  // A failed or timed-out handshake costs the client its connection, never the hub; abort_if_late
  // counted the timeouts already.
  if (!aborted_) bump(endpoint_.shared().hub.counters.tls_handshake_failures);
  co_return false;
}

void IncomingConnection::abort_if_late(Clock::time_point now) {
  if (aborted_ || now < deadline_) return;
  if (handshaking_) bump(endpoint_.shared().hub.counters.tls_handshake_failures);
  abort();
}

void IncomingConnection::abort() {
  aborted_ = true;
  if (waiter_) waiter_->abandon();
  boost::system::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().cancel(ignored);
}

asio::awaitable<bool> IncomingConnection::read_more() {
  auto& buffer = endpoint_.shared().read_buffer;
  for (;;) {
    const auto [ec] =
        co_await stream_.async_wait(transports::Stream::wait_read, asio::as_tuple(asio::use_awaitable));
    if (ec || aborted_) co_return false;
    boost::system::error_code read_ec;
    const std::size_t n = stream_.read_some(asio::buffer(buffer), read_ec);
    if (would_block(read_ec)) continue;
    if (read_ec) co_return false;
    if (n == 0) continue;  // framing only: wait again
    // Copied before the next suspension: the buffer is the hub thread's, shared by every session.
    input_.append(reinterpret_cast<const char*>(buffer.data()), n);
    co_return true;
  }
}

asio::awaitable<bool> IncomingConnection::write(std::string_view bytes) {
  const auto data = std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  const boost::system::error_code ec = co_await stream_.async_write_all(data);
  co_return !ec && !aborted_;
}

}  // namespace fleetsim::hub
