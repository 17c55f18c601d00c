// SUBSCRIBE: only the filters of reference 2.5 for the session's own identity. A single forbidden
// filter closes the connection without a SUBACK (hub choice of 2.4) and grants nothing.
#include <algorithm>

#include "hub/authorization.hpp"
#include "hub/handlers.hpp"
#include "hub/replies.hpp"
#include "transports/mqtt/codec.hpp"

namespace fleetsim::hub {

Verdict handle_subscribe(HubContext& hub, SessionState& session, const mqtt::Subscribe& subscribe,
                         Output& out) {
  std::uint8_t granted_bits = 0;
  bool forbidden = false;
  std::vector<std::uint8_t>& codes = hub.suback_scratch;
  codes.clear();
  mqtt::for_each_filter(subscribe, [&](std::string_view filter, std::uint8_t qos) {
    const auto subscription = subscription_for_filter(*session.identity, filter);
    if (!subscription) {
      forbidden = true;
      return;
    }
    granted_bits |= static_cast<std::uint8_t>(*subscription);
    codes.push_back(std::min<std::uint8_t>(qos, 1));  // QoS 2 is granted as 1 (2.4)
  });
  if (forbidden) {
    bump(hub.counters.forbidden_topics);
    return Verdict::close;
  }
  session.subscriptions |= granted_bits;
  append_packet(out, mqtt::Suback{subscribe.packet_id, codes});
  return Verdict::keep_open;
}

}  // namespace fleetsim::hub
