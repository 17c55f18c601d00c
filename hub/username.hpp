// The MQTT username of an IoT Hub client (reference 2.2):
//   {host}/{deviceId}/?{query}             a device
//   {host}/{deviceId}/{moduleId}/?{query}  a module
// The '/' before '?' is required; the query (api-version, DeviceClientType, model-id, in any
// order) may be empty or absent: the hub accepts any api-version or none.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

namespace fleetsim::hub {

struct Username {
  std::string_view host;
  std::string_view device_id;
  std::string_view module_id;  // empty for a device
  std::string_view query;      // after '?', raw
};

// Views into `username`; nullopt if it does not have one of the two shapes above.
std::optional<Username> parse_username(std::string_view username) noexcept;

// The identity the username names is the client id's: "{deviceId}" or "{deviceId}/{moduleId}".
bool names_client_id(const Username& username, std::string_view client_id) noexcept;

// Host names compare without regard to case and without a ":port" (a port in HostName leaks
// into usernames, reference 8.1).
bool host_matches(std::string_view configured, std::string_view given) noexcept;

}  // namespace fleetsim::hub
