// POST /devices/{id}/messages/devicebound: fleetsim's own route for cloud-to-device sends (real
// IoT Hub takes them over AMQP; reference 3.8). The body is the message, any content type; its
// properties come from headers named as IoT Hub's HTTPS device API names them:
//
//   iothub-messageid      $.mid   (generated when absent; answered in iothub-messageid)
//   iothub-correlationid  $.cid
//   iothub-userid         $.uid
//   iothub-to             $.to    (default /devices/{id}/messages/deviceBound)
//   iothub-expiry         $.exp   ISO 8601; absent: the message expires an hour after the send
//   iothub-contenttype    $.ct
//   iothub-contentencoding $.ce
//   iothub-ack            iothub-ack: none | positive | negative | full
//   iothub-app-{name}     application property {name}
//
// 204 once queued; 413 413001 above 64 KB, 403 403004 with 50 messages waiting (reference 2.7).
#include <array>
#include <chrono>

#include "hub/c2d.hpp"
#include "hub/service/errors.hpp"
#include "hub/service/handlers.hpp"
#include "transports/iothub/ascii.hpp"

namespace fleetsim::hub::service {
namespace {

constexpr int queue_depth_exceeded = 403004;
constexpr int message_too_large = 413001;
constexpr std::chrono::hours default_time_to_live{1};  // IoT Hub's default C2D TTL
constexpr std::size_t max_message_id_length = 128;     // reference 2.6

bool iequals(std::string_view a, std::string_view b) noexcept {
  return iothub::detail::iequals_ascii(a, b);
}

bool is_printable_ascii(std::string_view text) noexcept {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// The system properties a sender sets, by header; app properties stay in the request's list.
struct SenderProperties {
  std::string_view message_id, correlation_id, user_id, to, expiry, content_type, content_encoding, ack;
};

SenderProperties sender_properties(std::span<const std::pair<std::string_view, std::string_view>> headers) {
  SenderProperties p;
  const std::array<std::pair<std::string_view, std::string_view*>, 8> fields{{
      {"iothub-messageid", &p.message_id},
      {"iothub-correlationid", &p.correlation_id},
      {"iothub-userid", &p.user_id},
      {"iothub-to", &p.to},
      {"iothub-expiry", &p.expiry},
      {"iothub-contenttype", &p.content_type},
      {"iothub-contentencoding", &p.content_encoding},
      {"iothub-ack", &p.ack},
  }};
  for (const auto& [name, value] : headers) {
    for (const auto& [field, target] : fields) {
      if (iequals(name, field)) *target = value;
    }
  }
  return p;
}

bool is_ack_mode(std::string_view ack) noexcept {
  return iequals(ack, "none") || iequals(ack, "positive") || iequals(ack, "negative") || iequals(ack, "full");
}

}  // namespace

Response handle_send_c2d(Call& call) {
  HubContext& hub = call.hub;
  Identity* device = hub.registry.find(call.route.device_id, {});
  if (device == nullptr) return identity_not_found(call);
  if (call.request.body.size() > C2dQueues::max_message_bytes) {
    bump(hub.counters.c2d_rejected);
    return refuse(call, message_too_large, "The message is above 64 KB.");
  }

  const SenderProperties sent = sender_properties(call.request.iothub_headers);
  if (sent.message_id.size() > max_message_id_length || !is_printable_ascii(sent.message_id)) {
    return refuse(call, code::argument_invalid,
                  "iothub-messageid must be at most 128 printable ASCII characters.");
  }
  if (!sent.ack.empty() && !is_ack_mode(sent.ack)) {
    return refuse(call, code::argument_invalid, "iothub-ack must be none, positive, negative or full.");
  }
  C2dMessage message;
  message.expiry = call.now + default_time_to_live;
  if (!sent.expiry.empty()) {
    const auto expiry = parse_iso8601(sent.expiry);
    if (!expiry) {
      return refuse(call, code::argument_invalid,
                    "iothub-expiry must be an ISO 8601 time with a zone, as 2026-11-23T17:00:00Z.");
    }
    if (*expiry <= call.now) return refuse(call, code::argument_invalid, "iothub-expiry is in the past.");
    message.expiry = *expiry;
  }

  const std::string message_id =
      sent.message_id.empty() ? hub.c2d.new_message_id() : std::string(sent.message_id);
  std::string to(sent.to);
  if (to.empty()) to = "/devices/" + call.route.device_id + "/messages/deviceBound";
  std::string& bag = message.bag;
  append_c2d_property(bag, "$.mid", message_id);
  if (!sent.correlation_id.empty()) append_c2d_property(bag, "$.cid", sent.correlation_id);
  if (!sent.user_id.empty()) append_c2d_property(bag, "$.uid", sent.user_id);
  append_c2d_property(bag, "$.to", to);
  if (!sent.expiry.empty()) append_c2d_property(bag, "$.exp", twin::format_timestamp(message.expiry));
  if (!sent.content_type.empty()) append_c2d_property(bag, "$.ct", sent.content_type);
  if (!sent.content_encoding.empty()) append_c2d_property(bag, "$.ce", sent.content_encoding);
  if (!sent.ack.empty()) append_c2d_property(bag, "iothub-ack", sent.ack);
  constexpr std::string_view app_prefix = "iothub-app-";
  for (const auto& [name, value] : call.request.iothub_headers) {
    if (name.size() > app_prefix.size() && iequals(name.substr(0, app_prefix.size()), app_prefix)) {
      append_c2d_property(bag, name.substr(app_prefix.size()), value);
    }
  }
  message.body = call.request.body;

  if (!hub.c2d.enqueue(*device, std::move(message), call.now)) {
    bump(hub.counters.c2d_rejected);
    return refuse(call, queue_depth_exceeded,
                  "Device " + call.route.device_id + " already has 50 cloud-to-device messages waiting.");
  }
  Response response;
  response.status = 204;
  response.message_id = message_id;
  return response;
}

}  // namespace fleetsim::hub::service
