// Telemetry (reference 2.5, 2.6): only on the identity's own events topic, with a property bag
// that decodes. Telemetry is counted; routing it anywhere comes with later issues.
//
// QoS 1 is acknowledged here. With a tier, device-to-cloud sends over the rate (5.1) are shaped
// as the real hub does (5.2): the PUBACK is held in the hub's bounded queue, first in first out,
// and sent once the bucket has a token again (release_held_pubacks, every few milliseconds),
// so the device's in-flight window slows it down; while PUBACKs wait, newer messages queue
// behind them even if a token is free, so no session overtakes another. A full queue is the
// hard limit: the connection is closed. QoS 0 has nothing to delay: it takes a token when one
// is free and passes either way.
#include "hub/authorization.hpp"
#include "hub/handlers.hpp"
#include "hub/replies.hpp"

namespace fleetsim::hub {
namespace {

// Held or sent at once; false when the queue is full.
bool acknowledge_throttled(HubContext& hub, const SessionState& session, std::uint16_t packet_id,
                           twin::Timestamp now, Output& out) {
  Throttle& throttle = hub.throttle;
  if (!throttle.holding() && throttle.bucket(ThrottleClass::d2c).try_take(1, now)) {
    append_packet(out, mqtt::Puback{packet_id});
    return true;
  }
  if (!throttle.hold(HeldPuback{session.identity, session.identity->connection, packet_id})) return false;
  bump(hub.counters.throttled_telemetry);
  return true;
}

}  // namespace

Verdict handle_telemetry(HubContext& hub, const SessionState& session, const mqtt::Publish& publish,
                         const iothub::ParsedTopic& topic, twin::Timestamp now, Output& out) {
  if (!owns_telemetry_topic(*session.identity, topic)) {
    bump(hub.counters.forbidden_topics);
    return Verdict::close;
  }
  if (!iothub::for_each_property(topic.bag, [](std::string_view, std::string_view) {})) {
    bump(hub.counters.protocol_errors);
    return Verdict::close;
  }
  bump(hub.counters.telemetry_received);
  if (!hub.throttle.enabled()) {
    if (publish.qos == 1) append_packet(out, mqtt::Puback{publish.packet_id});
    return Verdict::keep_open;
  }
  if (publish.qos == 0) {
    hub.throttle.bucket(ThrottleClass::d2c).try_take(1, now);
    return Verdict::keep_open;
  }
  return acknowledge_throttled(hub, session, publish.packet_id, now, out) ? Verdict::keep_open
                                                                          : Verdict::close;
}

void release_held_pubacks(HubContext& hub, twin::Timestamp now) {
  Throttle& throttle = hub.throttle;
  TokenBucket& bucket = throttle.bucket(ThrottleClass::d2c);
  while (throttle.holding()) {
    const HeldPuback held = throttle.front_held();
    // Its session closed or was replaced: nothing to send, no token spent.
    if (held.identity == nullptr || held.identity->connection != held.connection) {
      throttle.pop_held();
      continue;
    }
    if (!bucket.try_take(1, now)) return;
    throttle.pop_held();
    Output& packet = hub.push_scratch;
    packet.clear();
    append_packet(packet, mqtt::Puback{held.packet_id});
    held.connection->send(packet);
  }
}

}  // namespace fleetsim::hub
