#include "hub/registry.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "hub/connection.hpp"
#include "hub/ids.hpp"
#include "transports/iothub/sas.hpp"

namespace fleetsim::hub {
namespace {

bool is_key(std::string_view key_b64) {
  return !key_b64.empty() && iothub::base64_decode(key_b64).has_value();
}

// SHA-1 or SHA-256 in hex, upper-cased: certificates' thumbprints compare as IoT Hub shows them.
std::optional<std::string> normalized_thumbprint(std::string_view hex) {
  if (hex.size() != 40 && hex.size() != 64) return std::nullopt;
  std::string upper(hex);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return std::nullopt;
  }
  return upper;
}

bool valid_credentials(const Authentication& a) {
  switch (a.kind) {
    case AuthKind::sas:
      return is_key(a.primary) && (a.secondary.empty() || is_key(a.secondary));
    case AuthKind::self_signed:
      return normalized_thumbprint(a.primary) && (a.secondary.empty() || normalized_thumbprint(a.secondary));
    case AuthKind::certificate_authority:
      return true;
  }
  return false;
}

}  // namespace

std::string_view Identity::module_id() const noexcept {
  if (!is_module()) return {};
  return std::string_view(client_id).substr(device_length + 1);
}

Identity* Registry::add_device(std::string_view device_id, const Authentication& authentication) {
  if (!is_valid_device_id(device_id) || find(device_id) != nullptr) return nullptr;
  return insert(std::string(device_id), device_id.size(), authentication);
}

Identity* Registry::add_module(std::string_view device_id, std::string_view module_id,
                               const Authentication& authentication) {
  if (!is_valid_device_id(device_id) || !is_valid_module_id(module_id)) return nullptr;
  if (find(device_id) == nullptr || find(device_id, module_id) != nullptr) return nullptr;
  std::string client_id;
  client_id.reserve(device_id.size() + 1 + module_id.size());
  client_id.append(device_id).append(1, '/').append(module_id);
  return insert(std::move(client_id), device_id.size(), authentication);
}

Identity* Registry::insert(std::string client_id, std::size_t device_length, const Authentication& authentication) {
  if (!valid_credentials(authentication)) return nullptr;
  Identity* slot = nullptr;
  if (free_slots_.empty()) {
    slot = &identities_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  Identity& identity = *slot;
  identity.client_id = std::move(client_id);
  identity.device_length = device_length;
  identity.auth = authentication.kind;
  if (authentication.kind == AuthKind::sas) {
    identity.primary_key = authentication.primary;
    identity.secondary_key = authentication.secondary;
  } else if (authentication.kind == AuthKind::self_signed) {
    identity.thumbprints = std::make_unique<Thumbprints>();
    identity.thumbprints->primary = *normalized_thumbprint(authentication.primary);
    if (!authentication.secondary.empty()) {
      identity.thumbprints->secondary = *normalized_thumbprint(authentication.secondary);
    }
  }
  index_.emplace(identity.client_id, &identity);
  sorted_valid_ = false;
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

bool Registry::remove(std::string_view device_id, std::string_view module_id) {
  Identity* identity = find(device_id, module_id);
  if (identity == nullptr) return false;
  if (!identity->is_module()) {
    // Its modules are "{d}/{m}": collected first, since releasing them changes the order.
    std::string prefix(identity->client_id);
    prefix += '/';
    std::vector<Identity*> modules;
    for_each_after(prefix, [&](Identity& module) {
      if (!std::string_view(module.client_id).starts_with(prefix)) return false;
      modules.push_back(&module);
      return true;
    });
    for (Identity* module : modules) release(*module);
  }
  release(*identity);
  return true;
}

void Registry::release(Identity& identity) {
  if (identity.connection != nullptr) identity.connection->close();
  index_.erase(std::string_view(identity.client_id));
  // Kept sorted rather than re-sorted: deleting many devices one by one stays cheap.
  if (sorted_valid_) {
    const auto it =
        std::lower_bound(sorted_.begin(), sorted_.end(), &identity,
                         [](const Identity* a, const Identity* b) { return a->client_id < b->client_id; });
    if (it != sorted_.end() && *it == &identity) sorted_.erase(it);
  }
  identity = Identity{};  // drops the twin and the credentials
  free_slots_.push_back(&identity);
}

const std::vector<Identity*>& Registry::sorted_identities() const {
  if (sorted_valid_) return sorted_;
  sorted_.clear();
  sorted_.reserve(index_.size());
  for (const auto& [client_id, identity] : index_) sorted_.push_back(identity);
  std::sort(sorted_.begin(), sorted_.end(),
            [](const Identity* a, const Identity* b) { return a->client_id < b->client_id; });
  sorted_valid_ = true;
  return sorted_;
}

}  // namespace fleetsim::hub
