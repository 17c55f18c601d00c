// SAS token renewal: a session reconnects with a fresh token before its token expires, as the
// SDKs do (reference 1.5), instead of letting the hub close the connection at expiry.
#include <algorithm>
#include <chrono>

#include "sim/session.hpp"
#include "sim/session_host.hpp"

namespace fleetsim::sim {

Duration sas_renewal_margin(Duration ttl) noexcept {
  return std::min<Duration>(ttl / 5, std::chrono::minutes(5));
}

SasExpiry sas_expiry(Duration ttl) {
  // SAS expiry is wall-clock time by definition (reference 1.3); latencies never use this clock.
  const Duration now = std::chrono::system_clock::now().time_since_epoch();
  const auto expiry = std::chrono::ceil<std::chrono::seconds>(now + ttl);
  return SasExpiry{static_cast<std::uint64_t>(expiry.count()), expiry - now};
}

void Session::begin_renewal(Duration now) {
  phase_ = Phase::renewing;
  retry_get_at_ = Duration::max();
  // What is in flight gets half the margin: the new CONNECT still goes out well before expiry.
  renew_at_ = now + sas_renewal_margin(host_->scenario().fleet.sas_ttl) / 2;
  finish_renewal_if_idle(now);
}

void Session::finish_renewal_if_idle(Duration now) {
  if (phase_ != Phase::renewing || (!idle() && now < renew_at_)) return;
  if (connection_.send(mqtt::Packet{mqtt::Disconnect{}}, host_->buffers()) == mqtt::SendStatus::written) {
    client_.on_disconnect_sent(now);
  }
  // What did not finish in time is counted as failed by end_connection.
  end_connection(EndReason::renewal);
}

}  // namespace fleetsim::sim
