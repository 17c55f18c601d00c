#include "hub/replies.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>

#include "transports/iothub/topics.hpp"
#include "transports/mqtt/codec.hpp"

namespace fleetsim::hub {

void append_packet(std::vector<std::uint8_t>& out, const mqtt::Packet& packet) {
  mqtt::encode(packet, out);
}

void append_publish(std::vector<std::uint8_t>& out, std::string_view topic, std::string_view payload) {
  mqtt::Publish publish;
  publish.topic = topic;
  publish.payload = mqtt::as_bytes(payload);
  mqtt::encode(publish, out);
}

void serialize_into(std::string& out, const boost::json::object& json) {
  boost::json::serializer serializer;
  serializer.reset(&json);
  out.clear();
  while (!serializer.done()) {
    const std::size_t used = out.size();
    out.resize(std::max(used + 1024, out.capacity()));
    const std::string_view part = serializer.read(out.data() + used, out.size() - used);
    out.resize(used + part.size());
  }
}

std::string error_body(const twin::Error& error, std::string_view tracking_id, twin::Timestamp now) {
  boost::json::object body;
  body["errorCode"] = error.error_code;
  body["trackingId"] = tracking_id;
  body["message"] = error.message;
  body["timestampUtc"] = twin::format_timestamp(now);
  return boost::json::serialize(body);
}

void append_twin_error(HubContext& hub, std::vector<std::uint8_t>& out, std::string_view rid,
                       const twin::Error& error, twin::Timestamp now) {
  // A counter is unique within the hub's life, which is all a trackingId promises here.
  std::array<char, 24> tracking{};
  const auto written =
      std::to_chars(tracking.data(), tracking.data() + tracking.size(), ++hub.last_tracking_id, 16);
  const std::string_view tracking_id(tracking.data(),
                                     static_cast<std::size_t>(written.ptr - tracking.data()));
  const std::string body = error_body(error, tracking_id, now);
  hub.topic_scratch.clear();
  iothub::append_twin_response_topic(hub.topic_scratch, error.status, rid, std::nullopt);
  append_publish(out, hub.topic_scratch, body);
}

}  // namespace fleetsim::hub
