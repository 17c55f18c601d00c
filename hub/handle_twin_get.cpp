// Twin GET (reference 2.8): res/200 with the desired and reported sections, echoing $rid byte
// for byte. A session not subscribed to $iothub/twin/res/# gets no answer (hub choice of 2.5).
// With a tier, a twin read (5.1): over the rate res/429, in a Basic tier res/403 (twin_throttle).

#include "hub/handlers.hpp"
#include "hub/replies.hpp"
#include "hub/twin_store.hpp"
#include "hub/twin_throttle.hpp"

namespace fleetsim::hub {

Verdict handle_twin_get(HubContext& hub, const SessionState& session, const iothub::ParsedTopic& topic,
                        twin::Timestamp now, Output& out) {
  bump(hub.counters.twin_gets);
  if (hub.throttle.enabled() &&
      !admit_twin_request(hub, session, ThrottleClass::twin_read, topic.rid, now, out)) {
    return Verdict::keep_open;
  }
  if (!session.subscribed(Subscription::twin_response)) return Verdict::keep_open;
  const boost::json::object view = twin_of(*session.identity).device_view();
  serialize_into(hub.body_scratch, view);
  hub.topic_scratch.clear();
  iothub::append_twin_response_topic(hub.topic_scratch, 200, topic.rid, std::nullopt);
  append_publish(out, hub.topic_scratch, hub.body_scratch);
  return Verdict::keep_open;
}

}  // namespace fleetsim::hub
