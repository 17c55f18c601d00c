// PUBLISH from a device or module: routed by topic (reference 2.5). QoS 2 and any topic that is
// not the identity's own close the connection (hub choice of 2.4).
#include "hub/handlers.hpp"
#include "hub/replies.hpp"

namespace fleetsim::hub {

Verdict handle_publish(HubContext& hub, SessionState& session, const mqtt::Publish& publish,
                       twin::Timestamp now, Output& out) {
  if (publish.qos > 1) {
    bump(hub.counters.protocol_errors);
    return Verdict::close;
  }
  const iothub::ParsedTopic topic = iothub::parse_topic(publish.topic);
  Verdict verdict = Verdict::close;
  switch (topic.kind) {
    case iothub::TopicKind::telemetry:
      // Acknowledges itself: with a tier the PUBACK may be held (hub/throttle.hpp).
      return handle_telemetry(hub, session, publish, topic, now, out);
    case iothub::TopicKind::twin_get:
      verdict = handle_twin_get(hub, session, topic, now, out);
      break;
    case iothub::TopicKind::reported_patch:
      verdict = handle_reported_patch(hub, session, publish, topic, now, out);
      break;
    case iothub::TopicKind::method_response:
      // To the call waiting for it (hub/methods.hpp); one nobody waits for is dropped.
      hub.methods.device_answered(session, topic.rid, topic.status, publish.payload);
      verdict = Verdict::keep_open;
      break;
    default:
      bump(hub.counters.forbidden_topics);
      return Verdict::close;
  }
  if (verdict == Verdict::keep_open && publish.qos == 1) {
    append_packet(out, mqtt::Puback{publish.packet_id});
  }
  return verdict;
}

}  // namespace fleetsim::hub
