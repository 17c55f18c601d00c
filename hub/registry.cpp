#include "hub/registry.hpp"

#include <array>
#include <cstring>

#include "hub/connection.hpp"
#include "hub/ids.hpp"
#include "transports/iothub/sas.hpp"

namespace fleetsim::hub {
namespace {

bool is_key(std::string_view key_b64) {
  return !key_b64.empty() && iothub::base64_decode(key_b64).has_value();
}

}  // namespace

std::string_view Identity::module_id() const noexcept {
  if (!is_module()) return {};
  return std::string_view(client_id).substr(device_length + 1);
}

Identity* Registry::add_device(std::string_view device_id, std::string_view primary_key_b64,
                               std::string_view secondary_key_b64) {
  if (!is_valid_device_id(device_id) || find(device_id) != nullptr) return nullptr;
  return insert(std::string(device_id), device_id.size(), primary_key_b64, secondary_key_b64);
}

Identity* Registry::add_module(std::string_view device_id, std::string_view module_id,
                               std::string_view primary_key_b64, std::string_view secondary_key_b64) {
  if (!is_valid_device_id(device_id) || !is_valid_module_id(module_id)) return nullptr;
  if (find(device_id) == nullptr || find(device_id, module_id) != nullptr) return nullptr;
  std::string client_id;
  client_id.reserve(device_id.size() + 1 + module_id.size());
  client_id.append(device_id).append(1, '/').append(module_id);
  return insert(std::move(client_id), device_id.size(), primary_key_b64, secondary_key_b64);
}

Identity* Registry::insert(std::string client_id, std::size_t device_length, std::string_view primary_key_b64,
                           std::string_view secondary_key_b64) {
  if (!is_key(primary_key_b64)) return nullptr;
  if (!secondary_key_b64.empty() && !is_key(secondary_key_b64)) return nullptr;
  Identity& identity = identities_.emplace_back();
  identity.client_id = std::move(client_id);
  identity.device_length = device_length;
  identity.primary_key = primary_key_b64;
  identity.secondary_key = secondary_key_b64;
  index_.emplace(identity.client_id, &identity);
  return &identity;
}

Identity* Registry::find(std::string_view client_id) const noexcept {
  const auto it = index_.find(client_id);
  return it == index_.end() ? nullptr : it->second;
}

Identity* Registry::find(std::string_view device_id, std::string_view module_id) const noexcept {
  if (module_id.empty()) return find(device_id);
  // Valid ids are at most 128 characters each; anything longer cannot be registered.
  std::array<char, 2 * max_id_length + 1> key;
  if (device_id.size() > max_id_length || module_id.size() > max_id_length) return nullptr;
  std::memcpy(key.data(), device_id.data(), device_id.size());
  key[device_id.size()] = '/';
  std::memcpy(key.data() + device_id.size() + 1, module_id.data(), module_id.size());
  return find(std::string_view(key.data(), device_id.size() + 1 + module_id.size()));
}

bool Registry::set_enabled(std::string_view device_id, std::string_view module_id, bool enabled) {
  Identity* identity = find(device_id, module_id);
  if (identity == nullptr) return false;
  identity->enabled = enabled;
  if (!enabled && identity->connection != nullptr) identity->connection->close();
  return true;
}

}  // namespace fleetsim::hub
