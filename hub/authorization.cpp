#include "hub/authorization.hpp"

namespace fleetsim::hub {
namespace {

// Consumes `prefix` from the front of `text`; false (text unchanged) if it is not there.
bool consume(std::string_view& text, std::string_view prefix) noexcept {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

}  // namespace

std::optional<Subscription> subscription_for_filter(const Identity& identity,
                                                    std::string_view filter) noexcept {
  if (filter == iothub::twin_response_filter) return Subscription::twin_response;
  if (filter == iothub::desired_patch_filter) return Subscription::desired;
  if (filter == iothub::method_request_filter) return Subscription::methods;

  std::string_view rest = filter;
  if (!consume(rest, "devices/")) return std::nullopt;
  if (!identity.is_module()) {
    // devices/+/messages/devicebound/# is the embedded C SDK's exception to "no wildcards"
    // (reference 2.4): it still only ever receives the connection's own messages.
    if (!consume(rest, "+/") && !(consume(rest, identity.device_id()) && consume(rest, "/"))) {
      return std::nullopt;
    }
    if (rest == "messages/devicebound/#") return Subscription::c2d;
    return std::nullopt;
  }
  if (!consume(rest, identity.device_id()) || !consume(rest, "/modules/") ||
      !consume(rest, identity.module_id()) || !consume(rest, "/")) {
    return std::nullopt;
  }
  if (rest == "#" || rest == "inputs/#") return Subscription::module_inputs;
  return std::nullopt;
}

bool owns_telemetry_topic(const Identity& identity, const iothub::ParsedTopic& topic) noexcept {
  return topic.kind == iothub::TopicKind::telemetry && topic.device == identity.device_id() &&
         topic.module == identity.module_id();
}

}  // namespace fleetsim::hub
