// UNSUBSCRIBE: clears the subscriptions the filters stand for. Filters the identity could never
// have subscribed to change nothing; MQTT 3.1.1 (3.10.4) still answers UNSUBACK.
#include "hub/authorization.hpp"
#include "hub/handlers.hpp"
#include "hub/replies.hpp"
#include "transports/mqtt/codec.hpp"

namespace fleetsim::hub {

Verdict handle_unsubscribe(SessionState& session, const mqtt::Unsubscribe& unsubscribe, Output& out) {
  mqtt::for_each_filter(unsubscribe, [&session](std::string_view filter) {
    if (const auto subscription = subscription_for_filter(*session.identity, filter)) {
      session.unsubscribe(*subscription);
    }
  });
  append_packet(out, mqtt::Unsuback{unsubscribe.packet_id});
  return Verdict::keep_open;
}

}  // namespace fleetsim::hub
