// SAS token lifetime of a live session (reference 1.5): real IoT Hub closes the MQTT connection
// when the token it was opened with expires; SDKs renew by reconnecting before that.
#include <chrono>

#include "hub/handlers.hpp"

namespace fleetsim::hub {

std::uint64_t unix_seconds(twin::Timestamp now) noexcept {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return s < 0 ? 0 : static_cast<std::uint64_t>(s);
}

Verdict check_sas_lifetime(HubContext& hub, const SessionState& session, twin::Timestamp now) {
  if (!session.connected() || session.sas_expiry_s == 0) return Verdict::keep_open;
  if (session.sas_expiry_s > unix_seconds(now)) return Verdict::keep_open;
  bump(hub.counters.sas_expired);
  return Verdict::close;
}

}  // namespace fleetsim::hub
