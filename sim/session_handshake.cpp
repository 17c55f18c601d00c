// A session's handshakes between TCP connect and CONNECT: TLS (with resumption and, for X.509
// identities, the client certificate), then the WebSocket upgrade; and the words a failed
// connect is remembered by.
#include <string>

#include "sim/session.hpp"
#include "sim/session_host.hpp"

namespace fleetsim::sim {

std::uint64_t Session::shard_position() const noexcept {
  const FleetPlan& plan = host_->plan();
  const std::uint64_t per_device = 1 + host_->scenario().modules_per_device();
  return (device_index_ - plan.shard_index) / plan.shard_count * per_device + module_slot_;
}

boost::asio::awaitable<bool> Session::handshake(std::uint32_t attempt) {
  auto& stream = connection_.stream();
  auto ended_elsewhere = [this, attempt] { return !live_ || attempt != attempt_; };
  boost::system::error_code ec;
  stream.socket().set_option(boost::asio::ip::tcp::no_delay(true), ec);
  if (!ec) stream.socket().non_blocking(true, ec);
  if (ec) {
    note_connect_failure("socket setup", ec.message());
    end_connection(EndReason::connect_failed);
    co_return false;
  }
  const ConnectTarget& target = host_->connect_target();
  if (transports::uses_tls(target.transport)) {
    transports::ClientCertificate identity;
    if (target.identities != nullptr) identity = target.identities->identity(shard_position());
    // The handshake's SSL takes its own reference to the offered session; this one goes now.
    const transports::TlsSessionPtr resume = std::move(tls_session_);
    ec = co_await stream.async_tls_client_handshake(*target.tls, target.host_name, resume.get(),
                                                    target.identities != nullptr ? &identity : nullptr);
    if (ended_elsewhere()) co_return false;
    if (ec) {
      std::string reason = stream.tls_failure_reason();
      note_connect_failure("TLS handshake", reason.empty() ? ec.message() : reason);
      end_connection(EndReason::connect_failed);
      co_return false;
    }
    if (stream.tls_resumed()) host_->counters().tls_resumed.fetch_add(1, std::memory_order_relaxed);
  }
  if (transports::uses_websocket(target.transport)) {
    ec = co_await stream.async_ws_client_handshake(target.host_name);
    if (ended_elsewhere()) co_return false;
    if (ec) {
      note_connect_failure("WebSocket upgrade", ec.message());
      end_connection(EndReason::connect_failed);
      co_return false;
    }
  }
  co_return true;
}

void Session::note_connect_failure(std::string_view step, std::string_view reason) {
  FleetCounters& counters = host_->counters();
  if (counters.connect_failure_noted()) return;  // only the first is kept: no string for the rest
  std::string text(step);
  text.append(" failed: ").append(reason);
  counters.note_connect_failure(std::move(text));
}

}  // namespace fleetsim::sim
