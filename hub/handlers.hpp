// The protocol decisions of the MQTT device endpoint, sans-I/O: a decoded packet and the
// session it arrived on in, encoded answers and a verdict out. No socket, timer or clock: the
// caller passes the wall-clock time SAS expiry and twin timestamps are judged by.
//
// Every handler appends its answers (complete encoded packets) to `out`; the caller sends them,
// in order, and then closes the connection if the verdict says so. One file per handler.
//
// Thread safety: none; call on the hub thread.
#pragma once

#include <cstdint>
#include <vector>

#include "hub/connection.hpp"
#include "hub/hub_context.hpp"
#include "transports/iothub/topics.hpp"
#include "transports/mqtt/packets.hpp"
#include "twin/document.hpp"

namespace fleetsim::hub {

enum class Verdict { keep_open, close };

using Output = std::vector<std::uint8_t>;

// Any packet from the client: CONNECT first, then the session's packets.
Verdict handle_packet(HubContext& hub, Connection& connection, const mqtt::Packet& packet,
                      twin::Timestamp now, Output& out);

// Checks in the order of reference 2.2; answers CONNACK, takes over the identity from an older
// connection on success, closes after any refusal.
Verdict handle_connect(HubContext& hub, Connection& connection, const mqtt::Connect& connect,
                       twin::Timestamp now, Output& out);

// Reference 1.5: the hub closes a session once the SAS token it connected with has expired
// (`se` <= now, the same rule CONNECT applies). Asked once a second for every session; counts
// `sas_expired` when it answers close.
Verdict check_sas_lifetime(HubContext& hub, const SessionState& session, twin::Timestamp now);

// Seconds since the Unix epoch (0 before it), as SAS `se` counts them.
std::uint64_t unix_seconds(twin::Timestamp now) noexcept;

Verdict handle_subscribe(HubContext& hub, SessionState& session, const mqtt::Subscribe& subscribe,
                         Output& out);
Verdict handle_unsubscribe(SessionState& session, const mqtt::Unsubscribe& unsubscribe, Output& out);

// Routes a PUBLISH by topic; PUBACKs QoS 1 once the handler accepted it.
Verdict handle_publish(HubContext& hub, SessionState& session, const mqtt::Publish& publish,
                       twin::Timestamp now, Output& out);
// Answers its own PUBACK (QoS 1): at once, or with a tier held until the D2C bucket refills.
Verdict handle_telemetry(HubContext& hub, const SessionState& session, const mqtt::Publish& publish,
                         const iothub::ParsedTopic& topic, twin::Timestamp now, Output& out);
// Sends the held PUBACKs the D2C bucket has tokens for, oldest first (throttle.hpp); called by
// the hub every few milliseconds while a tier is set.
void release_held_pubacks(HubContext& hub, twin::Timestamp now);
Verdict handle_twin_get(HubContext& hub, const SessionState& session, const iothub::ParsedTopic& topic,
                        twin::Timestamp now, Output& out);
Verdict handle_reported_patch(HubContext& hub, const SessionState& session, const mqtt::Publish& publish,
                              const iothub::ParsedTopic& topic, twin::Timestamp now, Output& out);

}  // namespace fleetsim::hub
