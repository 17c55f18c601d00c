// Shared access policies (reference 1.4): named keys with permissions, which back-end services
// sign their tokens with ("skn" names the policy). A hub has the five default policies with
// generated keys; at most 16 in all.
//
// Thread safety: none; the hub thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hub/service/key_generator.hpp"

namespace fleetsim::hub::service {

// Permission bits (reference 1.4).
enum class Permission : std::uint8_t {
  registry_read = 1U << 0,    // read identities
  registry_write = 1U << 1,   // create, update, delete identities
  service_connect = 1U << 2,  // twins, queries, methods, C2D
  device_connect = 1U << 3,   // the device-facing endpoints
};

constexpr std::uint8_t bits(Permission p) noexcept {
  return static_cast<std::uint8_t>(p);
}

// "RegistryRead", "RegistryWrite", "ServiceConnect", "DeviceConnect".
std::string_view to_string(Permission p) noexcept;

struct Policy {
  std::string name;
  std::string primary_key;    // base64
  std::string secondary_key;  // base64
  std::uint8_t permissions = 0;

  bool grants(Permission p) const noexcept { return (permissions & bits(p)) != 0; }
};

class Policies {
 public:
  static constexpr std::size_t max_policies = 16;
  static constexpr std::string_view owner = "iothubowner";

  // iothubowner (all), service (ServiceConnect), device (DeviceConnect), registryRead
  // (RegistryRead), registryReadWrite (RegistryRead + RegistryWrite), keys from `keys`.
  static Policies defaults(KeyGenerator& keys);

  // false if the name is taken or empty, a key is not base64, or 16 policies exist.
  bool add(Policy policy);
  // By name, case-sensitive as IoT Hub's; nullptr if none.
  const Policy* find(std::string_view name) const noexcept;
  const std::vector<Policy>& all() const noexcept { return policies_; }

 private:
  std::vector<Policy> policies_;
};

// "HostName={host};SharedAccessKeyName={policy};SharedAccessKey={primary key}" (reference 1.2).
std::string service_connection_string(std::string_view host_name, const Policy& policy);

}  // namespace fleetsim::hub::service
