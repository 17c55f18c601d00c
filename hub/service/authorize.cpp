#include "hub/service/authorize.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <span>
#include <string>

#include "hub/service/errors.hpp"
#include "transports/iothub/sas.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::hub::service {
namespace {

twin::Result refuse(std::string message) {
  return twin::Result(make_error(code::unauthorized_access, std::move(message)));
}

std::uint64_t unix_seconds(twin::Timestamp now) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return s < 0 ? 0 : static_cast<std::uint64_t>(s);
}

twin::Result from_verdict(iothub::SasVerdict verdict) {
  switch (verdict) {
    case iothub::SasVerdict::valid:
      return {};
    case iothub::SasVerdict::malformed:
      return refuse("The SharedAccessSignature is malformed.");
    case iothub::SasVerdict::bad_signature:
      return refuse("The SharedAccessSignature's signature does not match the key.");
    case iothub::SasVerdict::expired:
      return refuse("The SharedAccessSignature has expired.");
    case iothub::SasVerdict::wrong_scope:
      return refuse("The SharedAccessSignature's resource (sr) does not cover this request.");
  }
  return refuse("Unauthorized");
}

// The identity a device- or module-scoped `sr` names: "{host}/devices/{d}[/modules/{m}]" with
// the ids percent-decoded. nullptr if it names none.
const Identity* identity_of_scope(const HubContext& hub, std::string_view sr) {
  const std::size_t slash = sr.find('/');
  if (slash == std::string_view::npos) return nullptr;
  std::string_view path = sr.substr(slash);
  constexpr std::string_view devices = "/devices/";
  constexpr std::string_view modules = "/modules/";
  if (!path.starts_with(devices)) return nullptr;
  path.remove_prefix(devices.size());
  const std::size_t module_at = path.find(modules);
  const std::string_view device = path.substr(0, module_at);
  const std::string_view module =
      module_at == std::string_view::npos ? std::string_view{} : path.substr(module_at + modules.size());
  if (device.find('/') != std::string_view::npos || module.find('/') != std::string_view::npos) {
    return nullptr;
  }
  if (module_at != std::string_view::npos && module.empty()) return nullptr;
  return hub.registry.find(device, module);
}

}  // namespace

twin::Result authorize(const HubContext& hub, const Policies& policies, std::string_view authorization,
                       const AccessRequest& access, twin::Timestamp now) {
  if (authorization.empty()) return refuse("The request has no Authorization header.");
  const auto token = iothub::parse_sas_token(authorization);
  if (!token) return refuse("The Authorization header is not a SharedAccessSignature.");
  const std::uint64_t now_s = unix_seconds(now);

  if (!token->skn.empty()) {
    const auto policy_name = iothub::url_decode(token->skn);
    const Policy* policy = policy_name ? policies.find(*policy_name) : nullptr;
    if (policy == nullptr) return refuse("The shared access policy named by skn does not exist.");
    const std::array<std::string_view, 2> keys{policy->primary_key, policy->secondary_key};
    const twin::Result verified =
        from_verdict(iothub::verify_sas_token(authorization, keys, now_s, access.required_scope));
    if (!verified) return verified;
    if (!policy->grants(access.permission)) {
      std::string message = "The policy '";
      message += policy->name;
      message += "' lacks the ";
      message += to_string(access.permission);
      message += " permission this request needs.";
      return refuse(std::move(message));
    }
    return {};
  }

  // No skn: the token of one identity, signed with that identity's key (reference 1.4).
  const auto sr = iothub::url_decode(token->sr);
  const Identity* identity = sr ? identity_of_scope(hub, *sr) : nullptr;
  if (identity == nullptr) return refuse("The token's resource (sr) names no registered identity.");
  const std::array<std::string_view, 2> keys{identity->primary_key, identity->secondary_key};
  const std::size_t key_count = identity->secondary_key.empty() ? 1 : 2;
  const twin::Result verified = from_verdict(iothub::verify_sas_token(
      authorization, std::span(keys.data(), key_count), now_s, access.required_scope));
  if (!verified) return verified;
  if (access.permission != Permission::device_connect) {
    std::string message = "A device or module token grants DeviceConnect only; this request needs ";
    message += to_string(access.permission);
    message += '.';
    return refuse(std::move(message));
  }
  // "For that identity only": a device's key does not open its modules' routes, nor the reverse.
  if (identity_of_scope(hub, access.required_scope) != identity) {
    return refuse("A device or module token is valid for its own identity only.");
  }
  if (!identity->enabled) return refuse("The identity is disabled.");
  return {};
}

}  // namespace fleetsim::hub::service
