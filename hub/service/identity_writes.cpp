// Creating and updating identities through the API (reference 3.4): keys generated when a request
// carries empty ones, status and its reason, credentials, capabilities, managedBy.
#include "hub/service/errors.hpp"
#include "hub/service/handlers.hpp"

namespace fleetsim::hub::service {
namespace {

constexpr std::size_t max_modules_per_device = 50;  // reference 5.3

std::size_t module_count(const Registry& registry, std::string_view device_id) {
  std::string prefix(device_id);
  prefix += '/';
  std::size_t count = 0;
  registry.for_each_after(prefix, [&](const Identity& identity) {
    if (!std::string_view(identity.client_id).starts_with(prefix)) return false;
    ++count;
    return true;
  });
  return count;
}

void apply_record_fields(IdentityRecord& record, const IdentitySpec& spec) {
  if (spec.status_reason) record.status_reason = *spec.status_reason;
  if (spec.iot_edge) record.iot_edge = *spec.iot_edge;
  if (spec.managed_by) record.managed_by = *spec.managed_by;
}

}  // namespace

twin::Result create_identity(Call& call, std::string_view device_id, std::string_view module_id,
                             const IdentitySpec& spec, Identity*& created) {
  Registry& registry = call.hub.registry;
  const bool module = !module_id.empty();
  if (module && registry.find(device_id) == nullptr) {
    return twin::Result(
        make_error(code::device_not_found, "Device " + std::string(device_id) + " not found."));
  }
  if (registry.find(device_id, module_id) != nullptr) {
    std::string message = module ? "A module with ID '" : "A device with ID '";
    message.append(module ? module_id : device_id).append("' is already registered");
    if (module) message.append(" on device '").append(device_id).append("'");
    message += '.';
    return twin::Result(
        make_error(module ? code::module_already_exists : code::device_already_exists, std::move(message)));
  }
  if (module && module_count(registry, device_id) >= max_modules_per_device) {
    return twin::Result(
        make_error(code::too_many_modules, "Device " + std::string(device_id) + " already has " +
                                               std::to_string(max_modules_per_device) + " modules."));
  }

  // Empty keys (Node's default), nulls or no authentication at all: the hub makes both (3.4).
  std::string primary = spec.primary;
  std::string secondary = spec.secondary;
  if (spec.auth == AuthKind::sas) {
    if (primary.empty()) primary = call.state.keys.next_key();
    if (secondary.empty()) secondary = call.state.keys.next_key();
  }
  const Authentication authentication{spec.auth, primary, secondary};
  created = module ? registry.add_module(device_id, module_id, authentication)
                   : registry.add_device(device_id, authentication);
  if (created == nullptr) {
    return twin::Result(
        make_error(code::argument_invalid, "The identity's id or credentials are not valid."));
  }
  if (spec.enabled && !*spec.enabled) registry.set_enabled(device_id, module_id, false);
  apply_record_fields(call.state.records.create(*created, call.now), spec);
  return {};
}

void update_identity(Call& call, Identity& identity, const IdentitySpec& spec) {
  IdentityRecord& record = call.state.records.of(identity);
  if (spec.authentication_given) {
    switch (spec.auth) {
      case AuthKind::sas:
        // Empty keys on an update keep the ones in place (they may be the hub's own), or are made
        // when the identity had none.
        if (identity.auth != AuthKind::sas) {
          identity.primary_key.clear();
          identity.secondary_key.clear();
        }
        if (!spec.primary.empty()) identity.primary_key = spec.primary;
        if (!spec.secondary.empty()) identity.secondary_key = spec.secondary;
        if (identity.primary_key.empty()) identity.primary_key = call.state.keys.next_key();
        if (identity.secondary_key.empty()) identity.secondary_key = call.state.keys.next_key();
        identity.thumbprints.reset();
        break;
      case AuthKind::self_signed:
        identity.primary_key.clear();
        identity.secondary_key.clear();
        identity.thumbprints = std::make_unique<Thumbprints>(Thumbprints{spec.primary, spec.secondary});
        break;
      case AuthKind::certificate_authority:
        identity.primary_key.clear();
        identity.secondary_key.clear();
        identity.thumbprints.reset();
        break;
    }
    identity.auth = spec.auth;
  }
  if (spec.enabled && *spec.enabled != identity.enabled) {
    // Disabling drops the live connection at once (reference 2.4).
    call.hub.registry.set_enabled(identity.device_id(), identity.module_id(), *spec.enabled);
    record.status_updated = call.now;
  }
  apply_record_fields(record, spec);
  call.state.records.renew_etag(record);
}

void delete_identity(Call& call, Identity& identity) {
  // Copied: the identity's storage is reused once removed.
  const std::string client_id = identity.client_id;
  if (!identity.is_module()) call.hub.c2d.drop(identity.device_id());  // its C2D queue goes too
  call.hub.registry.remove(identity.device_id(), identity.module_id());
  call.state.records.forget(client_id);
}

}  // namespace fleetsim::hub::service
