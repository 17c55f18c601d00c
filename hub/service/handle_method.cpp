// POST /twins/{id}/methods and /twins/{id}/modules/{mid}/methods (reference 3.6, 2.10): checks
// the call, then hands it to the hub's MethodCalls, which publishes it to the identity's session
// (or waits connectTimeoutInSeconds for one) and answers the deferred request later.
#include <boost/json/serialize.hpp>

#include "hub/methods.hpp"
#include "hub/service/errors.hpp"
#include "hub/service/handlers.hpp"

namespace fleetsim::hub::service {
namespace json = boost::json;
namespace {

constexpr int device_not_online = 404103;
constexpr int message_too_large = 413001;
constexpr int service_unavailable = 503001;
constexpr std::size_t max_payload_bytes = 128 * 1024;  // reference 3.6, 5.3

// The integer `key` of `body` in [min, max] seconds; `fallback` when absent or null.
twin::Result seconds_field(const json::object& body, std::string_view key, std::int64_t fallback,
                           std::int64_t min, std::int64_t max, std::chrono::seconds& out) {
  const json::value* value = body.if_contains(key);
  std::int64_t seconds = fallback;
  if (value != nullptr && !value->is_null()) {
    if (value->is_int64()) {
      seconds = value->get_int64();
    } else if (value->is_uint64()) {
      seconds = value->get_uint64() > static_cast<std::uint64_t>(max)
                    ? max + 1
                    : static_cast<std::int64_t>(value->get_uint64());
    } else {
      seconds = min - 1;  // not an integer: refused below
    }
  }
  if (seconds < min || seconds > max) {
    return twin::Result(make_error(code::argument_invalid, std::string(key) + " must be an integer from " +
                                                               std::to_string(min) + " to " +
                                                               std::to_string(max) + "."));
  }
  out = std::chrono::seconds(seconds);
  return {};
}

}  // namespace

Response handle_invoke_method(Call& call) {
  json::value parsed;
  if (twin::Result r = parse_body(call, parsed); !r) return refuse(call, r.error());
  const json::object& body = parsed.get_object();

  const json::value* name = body.if_contains("methodName");
  if (name == nullptr || !name->is_string() || !is_valid_method_name(name->get_string())) {
    return refuse(call, code::argument_invalid,
                  "methodName must be printable US-ASCII without spaces or any of $ ( ) < > @ , ; : \\ \" / "
                  "[ ] ? = { }.");
  }
  MethodInvocation invocation;
  invocation.method_name = name->get_string();
  if (twin::Result r =
          seconds_field(body, "responseTimeoutInSeconds", 30, 5, 300, invocation.response_timeout);
      !r) {
    return refuse(call, r.error());
  }
  if (twin::Result r = seconds_field(body, "connectTimeoutInSeconds", 0, 0, 300, invocation.connect_timeout);
      !r) {
    return refuse(call, r.error());
  }
  const json::value* payload = body.if_contains("payload");
  const std::string payload_json = json::serialize(payload != nullptr ? *payload : json::value(nullptr));
  if (payload_json.size() > max_payload_bytes) {
    return refuse(call, message_too_large, "The method payload is above 128 KB.");
  }
  invocation.payload = payload_json;

  Identity* identity = call.hub.registry.find(call.route.device_id, call.route.module_id);
  if (identity == nullptr) return identity_not_found(call);
  if (call.request.waiter == nullptr) {
    return refuse(call, service_unavailable, "This caller cannot wait for the device's answer.");
  }
  switch (call.hub.methods.start(*identity, invocation, *call.request.waiter)) {
    case MethodCalls::Started::sent:
    case MethodCalls::Started::waiting_for_device:
      return Response{};  // deferred: the waiter gets the answer
    case MethodCalls::Started::offline:
      break;
  }
  bump(call.hub.counters.methods_offline);
  return refuse(call, device_not_online,
                "The device is not online or not subscribed to direct methods: " + identity->client_id + ".");
}

}  // namespace fleetsim::hub::service
