// Dispatch of one packet: the first must be CONNECT (MQTT-3.1.0-1), a second CONNECT is a
// protocol violation (MQTT-3.1.0-2), packets only a server sends and the QoS 2 flow close the
// connection, as does DISCONNECT.
#include "hub/handlers.hpp"
#include "hub/replies.hpp"

namespace fleetsim::hub {
namespace {

Verdict protocol_error(HubContext& hub) {
  bump(hub.counters.protocol_errors);
  return Verdict::close;
}

}  // namespace

Verdict handle_packet(HubContext& hub, Connection& connection, const mqtt::Packet& packet,
                      twin::Timestamp now, Output& out) {
  SessionState& session = connection.session();
  if (!session.connected()) {
    if (const auto* connect = std::get_if<mqtt::Connect>(&packet)) {
      return handle_connect(hub, connection, *connect, now, out);
    }
    return protocol_error(hub);
  }
  if (const auto* publish = std::get_if<mqtt::Publish>(&packet)) {
    return handle_publish(hub, session, *publish, now, out);
  }
  if (const auto* subscribe = std::get_if<mqtt::Subscribe>(&packet)) {
    const Verdict verdict = handle_subscribe(hub, session, *subscribe, out);
    // After the SUBACK: method calls that waited for the identity, C2D messages that waited
    // for the device.
    if (verdict == Verdict::keep_open) {
      if (session.subscribed(Subscription::methods)) hub.methods.session_subscribed(session, out);
      if (session.subscribed(Subscription::c2d)) hub.c2d.deliver(session, now, out);
    }
    return verdict;
  }
  if (const auto* unsubscribe = std::get_if<mqtt::Unsubscribe>(&packet)) {
    return handle_unsubscribe(session, *unsubscribe, out);
  }
  if (std::holds_alternative<mqtt::Pingreq>(packet)) {
    append_packet(out, mqtt::Pingresp{});
    return Verdict::keep_open;
  }
  // A PUBACK completes a cloud-to-device message; an unknown id is tolerated like a late one.
  if (const auto* puback = std::get_if<mqtt::Puback>(&packet)) {
    hub.c2d.acknowledged(session, puback->packet_id, now, out);
    return Verdict::keep_open;
  }
  if (std::holds_alternative<mqtt::Disconnect>(packet)) return Verdict::close;
  return protocol_error(hub);
}

}  // namespace fleetsim::hub
