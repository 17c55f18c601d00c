// Reading the registry as a whole (reference 3.4): GET /devices[?top=n], GET
// /devices/{id}/modules and GET /statistics/devices. Lists come in ascending id order.
#include <algorithm>
#include <charconv>
#include <cstdint>

#include <boost/json/array.hpp>

#include "hub/service/errors.hpp"
#include "hub/service/handlers.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::hub::service {
namespace json = boost::json;
namespace {

// What one GET /devices returns at most, and without `top`: the real hub's limit.
constexpr std::size_t max_listed_devices = 1000;

// `top` from the query string (other parameters, api-version among them, are not ours).
twin::Result read_top(std::string_view query, std::size_t& top) {
  top = max_listed_devices;
  bool valid = true;
  const bool decoded = iothub::for_each_property(query, [&](std::string_view key, std::string_view value) {
    if (key != "top") return;
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc{} || end != value.data() + value.size() || n == 0) {
      valid = false;
      return;
    }
    top = static_cast<std::size_t>(std::min<std::uint64_t>(n, max_listed_devices));
  });
  if (!decoded || !valid) {
    return twin::Result(make_error(code::argument_invalid, "top must be a whole number from 1 to " +
                                                               std::to_string(max_listed_devices) + "."));
  }
  return {};
}

}  // namespace

Response handle_list_devices(Call& call) {
  std::size_t top = 0;
  if (twin::Result r = read_top(call.request.query, top); !r) return refuse(call, r.error());
  json::array devices;
  call.hub.registry.for_each_after({}, [&](Identity& identity) {
    if (!identity.is_module()) {
      devices.push_back(identity_json(identity, call.state.records.view(identity), call.hub.c2d));
    }
    return devices.size() < top;
  });
  return json_response(devices);
}

Response handle_list_modules(Call& call) {
  if (call.hub.registry.find(call.route.device_id) == nullptr) return identity_not_found(call);
  std::string prefix = call.route.device_id;
  prefix += '/';
  json::array modules;
  call.hub.registry.for_each_after(prefix, [&](Identity& identity) {
    if (!std::string_view(identity.client_id).starts_with(prefix)) return false;
    modules.push_back(identity_json(identity, call.state.records.view(identity), call.hub.c2d));
    return true;
  });
  return json_response(modules);
}

Response handle_statistics(Call& call) {
  std::int64_t total = 0;
  std::int64_t enabled = 0;
  call.hub.registry.for_each_after({}, [&](const Identity& identity) {
    if (identity.is_module()) return true;
    ++total;
    if (identity.enabled) ++enabled;
    return true;
  });
  json::object body;
  body["totalDeviceCount"] = total;
  body["enabledDeviceCount"] = enabled;
  body["disabledDeviceCount"] = total - enabled;
  return json_response(body);
}

}  // namespace fleetsim::hub::service
