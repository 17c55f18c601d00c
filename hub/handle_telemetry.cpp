// Telemetry (reference 2.5, 2.6): only on the identity's own events topic, with a property bag
// that decodes. Telemetry is counted; routing it anywhere comes with later issues.
#include "hub/authorization.hpp"
#include "hub/handlers.hpp"

namespace fleetsim::hub {

Verdict handle_telemetry(HubContext& hub, const SessionState& session, const iothub::ParsedTopic& topic) {
  if (!owns_telemetry_topic(*session.identity, topic)) {
    bump(hub.counters.forbidden_topics);
    return Verdict::close;
  }
  if (!iothub::for_each_property(topic.bag, [](std::string_view, std::string_view) {})) {
    bump(hub.counters.protocol_errors);
    return Verdict::close;
  }
  bump(hub.counters.telemetry_received);
  return Verdict::keep_open;
}

}  // namespace fleetsim::hub
