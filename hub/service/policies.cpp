#include "hub/service/policies.hpp"

#include <utility>

#include "transports/iothub/sas.hpp"

namespace fleetsim::hub::service {
namespace {

bool is_key(std::string_view key_b64) {
  return !key_b64.empty() && iothub::base64_decode(key_b64).has_value();
}

}  // namespace

std::string_view to_string(Permission p) noexcept {
  switch (p) {
    case Permission::registry_read:
      return "RegistryRead";
    case Permission::registry_write:
      return "RegistryWrite";
    case Permission::service_connect:
      return "ServiceConnect";
    case Permission::device_connect:
      return "DeviceConnect";
  }
  return "?";
}

Policies Policies::defaults(KeyGenerator& keys) {
  using enum Permission;
  const std::pair<std::string_view, std::uint8_t> table[] = {
      {owner, bits(registry_read) | bits(registry_write) | bits(service_connect) | bits(device_connect)},
      {"service", bits(service_connect)},
      {"device", bits(device_connect)},
      {"registryRead", bits(registry_read)},
      {"registryReadWrite", bits(registry_read) | bits(registry_write)},
  };
  Policies policies;
  for (const auto& [name, permissions] : table) {
    std::string primary = keys.next_key();
    std::string secondary = keys.next_key();
    policies.add(Policy{std::string(name), std::move(primary), std::move(secondary), permissions});
  }
  return policies;
}

bool Policies::add(Policy policy) {
  if (policies_.size() >= max_policies || policy.name.empty() || find(policy.name) != nullptr) return false;
  if (!is_key(policy.primary_key) || !is_key(policy.secondary_key)) return false;
  policies_.push_back(std::move(policy));
  return true;
}

const Policy* Policies::find(std::string_view name) const noexcept {
  for (const Policy& policy : policies_) {
    if (policy.name == name) return &policy;
  }
  return nullptr;
}

std::string service_connection_string(std::string_view host_name, const Policy& policy) {
  iothub::ConnectionString cs;
  cs.host_name = host_name;
  cs.shared_access_key_name = policy.name;
  cs.shared_access_key = policy.primary_key;
  return iothub::to_string(cs);
}

}  // namespace fleetsim::hub::service
