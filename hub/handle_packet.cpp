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
    return handle_subscribe(hub, session, *subscribe, out);
  }
  if (const auto* unsubscribe = std::get_if<mqtt::Unsubscribe>(&packet)) {
    return handle_unsubscribe(session, *unsubscribe, out);
  }
  if (std::holds_alternative<mqtt::Pingreq>(packet)) {
    append_packet(out, mqtt::Pingresp{});
    return Verdict::keep_open;
  }
  // A PUBACK would complete a cloud-to-device message; none is sent before C2D exists, so a
  // stray one is harmless and tolerated like a late acknowledgement.
  if (std::holds_alternative<mqtt::Puback>(packet)) return Verdict::keep_open;
  if (std::holds_alternative<mqtt::Disconnect>(packet)) return Verdict::close;
  return protocol_error(hub);
}

}  // namespace fleetsim::hub
