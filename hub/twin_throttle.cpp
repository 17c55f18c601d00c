#include "hub/twin_throttle.hpp"

#include "hub/replies.hpp"

namespace fleetsim::hub {

bool admit_twin_request(HubContext& hub, const SessionState& session, ThrottleClass c, std::string_view rid,
                        twin::Timestamp now, Output& out) {
  const Decision decision = hub.throttle.admit(c, 1, now);
  if (decision.admission == Admission::admitted) return true;
  const bool answer = session.subscribed(Subscription::twin_response);
  if (decision.admission == Admission::unavailable) {
    static const twin::Error not_in_tier{403, 403010, "Device twins are not available in the Basic tiers."};
    if (answer) append_twin_error(hub, out, rid, not_in_tier, now);
    return false;
  }
  bump(hub.counters.throttled_twin);
  static const twin::Error throttled{429, 429001, "Twin requests are over the hub's throttle; retry later."};
  if (answer) append_twin_error(hub, out, rid, throttled, now);
  return false;
}

}  // namespace fleetsim::hub
