// Encoding the hub's answers: QoS 0 PUBLISHes built from the context's scratch strings, and the
// JSON error body every non-2xx twin response needs (reference 2.11, 8.4: without a numeric
// errorCode the Node SDK reports success).
//
// Thread safety: none (uses the context's scratch buffers).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "hub/hub_context.hpp"
#include "transports/mqtt/packets.hpp"
#include "twin/document.hpp"

namespace fleetsim::hub {

void append_packet(std::vector<std::uint8_t>& out, const mqtt::Packet& packet);
void append_publish(std::vector<std::uint8_t>& out, std::string_view topic, std::string_view payload);

// Serializes into `out` (cleared first), reusing its capacity.
void serialize_into(std::string& out, const boost::json::object& json);

// {"errorCode":400004,"trackingId":"…","message":"…","timestampUtc":"…"}
std::string error_body(const twin::Error& error, std::string_view tracking_id, twin::Timestamp now);

// $iothub/twin/res/{status}/?$rid={rid} with error_body() and a fresh trackingId.
void append_twin_error(HubContext& hub, std::vector<std::uint8_t>& out, std::string_view rid,
                       const twin::Error& error, twin::Timestamp now);

}  // namespace fleetsim::hub
