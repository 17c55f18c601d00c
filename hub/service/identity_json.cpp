#include "hub/service/identity_json.hpp"

#include "hub/service/errors.hpp"
#include "transports/iothub/ascii.hpp"
#include "transports/iothub/sas.hpp"

namespace fleetsim::hub::service {
namespace json = boost::json;
namespace {

json::value string_or_null(std::string_view text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

json::object authentication_json(const Identity& identity) {
  json::object keys;
  json::object thumbprints;
  const bool sas = identity.auth == AuthKind::sas;
  keys["primaryKey"] = sas ? string_or_null(identity.primary_key) : nullptr;
  keys["secondaryKey"] = sas ? string_or_null(identity.secondary_key) : nullptr;
  const Thumbprints* registered =
      identity.auth == AuthKind::self_signed ? identity.thumbprints.get() : nullptr;
  thumbprints["primaryThumbprint"] = registered ? string_or_null(registered->primary) : nullptr;
  thumbprints["secondaryThumbprint"] = registered ? string_or_null(registered->secondary) : nullptr;
  json::object authentication;
  authentication["symmetricKey"] = std::move(keys);
  authentication["x509Thumbprint"] = std::move(thumbprints);
  authentication["type"] = auth_type_name(identity.auth);
  return authentication;
}

twin::Result invalid(std::string message) {
  return twin::Result(make_error(code::argument_invalid, std::move(message)));
}

// A member that must be a string or null when present. `out` is left alone when absent.
twin::Result read_optional_string(const json::object& object, std::string_view key, std::string_view where,
                                  std::optional<std::optional<std::string>>& out) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return {};
  if (value->is_null()) {
    out.emplace(std::nullopt);
    return {};
  }
  if (!value->is_string()) {
    return invalid(std::string(where) + std::string(key) + " must be a string or null.");
  }
  out.emplace(std::string(value->get_string()));
  return {};
}

// A key or thumbprint: the string, or empty for null/absent/"" (Node sends "" for "make one").
twin::Result read_credential(const json::object* object, std::string_view key, std::string_view where,
                             std::string& out) {
  out.clear();
  if (object == nullptr) return {};
  std::optional<std::optional<std::string>> value;
  if (twin::Result r = read_optional_string(*object, key, where, value); !r) return r;
  if (value && *value) out = **value;
  return {};
}

// An object member that may be absent or null (nullptr then); anything else is refused.
twin::Result read_object(const json::object& object, std::string_view key, std::string_view where,
                         const json::object*& out) {
  out = nullptr;
  const json::value* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return {};
  if (!value->is_object()) {
    return invalid(std::string(where) + std::string(key) + " must be an object or null.");
  }
  out = &value->get_object();
  return {};
}

bool is_valid_key(std::string_view key_b64) {
  const auto bytes = iothub::base64_decode(key_b64);
  return bytes && bytes->size() >= 16 && bytes->size() <= 64;
}

// SHA-1 (40) or SHA-256 (64) hex digits, upper-cased as the registry keeps them.
bool normalize_thumbprint(std::string& hex) {
  if (hex.size() != 40 && hex.size() != 64) return false;
  for (char& c : hex) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

twin::Result parse_authentication(const json::object& authentication, IdentitySpec& spec) {
  const json::object* keys = nullptr;
  const json::object* thumbprints = nullptr;
  if (twin::Result r = read_object(authentication, "symmetricKey", "authentication.", keys); !r) return r;
  if (twin::Result r = read_object(authentication, "x509Thumbprint", "authentication.", thumbprints); !r) {
    return r;
  }
  std::string primary_thumbprint;
  std::string secondary_thumbprint;
  constexpr std::string_view thumbprint_where = "authentication.x509Thumbprint.";
  if (twin::Result r =
          read_credential(thumbprints, "primaryThumbprint", thumbprint_where, primary_thumbprint);
      !r) {
    return r;
  }
  if (twin::Result r =
          read_credential(thumbprints, "secondaryThumbprint", thumbprint_where, secondary_thumbprint);
      !r) {
    return r;
  }

  const json::value* type = authentication.if_contains("type");
  if (type == nullptr || type->is_null()) {
    spec.auth =
        primary_thumbprint.empty() && secondary_thumbprint.empty() ? AuthKind::sas : AuthKind::self_signed;
  } else if (!type->is_string()) {
    return invalid("authentication.type must be a string.");
  } else {
    const std::string_view name = type->get_string();
    using iothub::detail::iequals_ascii;
    if (iequals_ascii(name, "sas")) {
      spec.auth = AuthKind::sas;
    } else if (iequals_ascii(name, "selfSigned")) {
      spec.auth = AuthKind::self_signed;
    } else if (iequals_ascii(name, "certificateAuthority")) {
      spec.auth = AuthKind::certificate_authority;
    } else {
      return invalid("authentication.type '" + std::string(name) +
                     "' is not supported: sas, selfSigned or certificateAuthority.");
    }
  }

  switch (spec.auth) {
    case AuthKind::sas: {
      constexpr std::string_view where = "authentication.symmetricKey.";
      if (twin::Result r = read_credential(keys, "primaryKey", where, spec.primary); !r) return r;
      if (twin::Result r = read_credential(keys, "secondaryKey", where, spec.secondary); !r) return r;
      for (const std::string* key : {&spec.primary, &spec.secondary}) {
        if (!key->empty() && !is_valid_key(*key)) {
          return invalid("authentication.symmetricKey: a key must be base64 of 16 to 64 bytes.");
        }
      }
      break;
    }
    case AuthKind::self_signed:
      if (primary_thumbprint.empty()) {
        return invalid("authentication.x509Thumbprint.primaryThumbprint is required for selfSigned.");
      }
      spec.primary = std::move(primary_thumbprint);
      spec.secondary = std::move(secondary_thumbprint);
      for (std::string* thumbprint : {&spec.primary, &spec.secondary}) {
        if (!thumbprint->empty() && !normalize_thumbprint(*thumbprint)) {
          return invalid(
              "authentication.x509Thumbprint: a thumbprint must be 40 (SHA-1) or 64 (SHA-256) hex digits.");
        }
      }
      break;
    case AuthKind::certificate_authority:
      break;
  }
  spec.authentication_given = true;
  return {};
}

// "deviceId"/"moduleId" in the body, when present, must name the identity of the path.
twin::Result check_id(const json::object& body, std::string_view key, std::string_view expected) {
  const json::value* value = body.if_contains(key);
  if (value == nullptr || value->is_null()) return {};
  if (!value->is_string() || value->get_string() != expected) {
    return invalid(std::string(key) + " in the body does not match '" + std::string(expected) +
                   "' of the URI.");
  }
  return {};
}

}  // namespace

std::string_view auth_type_name(AuthKind kind) noexcept {
  switch (kind) {
    case AuthKind::sas:
      return "sas";
    case AuthKind::self_signed:
      return "selfSigned";
    case AuthKind::certificate_authority:
      return "certificateAuthority";
  }
  return "sas";
}

json::object identity_json(const Identity& identity, const IdentityRecord& record, const C2dQueues& c2d) {
  json::object body;
  const bool module = identity.is_module();
  if (module) {
    body["moduleId"] = identity.module_id();
    body["managedBy"] = string_or_null(record.managed_by);
  }
  body["deviceId"] = identity.device_id();
  body["generationId"] = record.generation_id;
  body["etag"] = record.etag;
  body["connectionState"] = identity.connection != nullptr ? "Connected" : "Disconnected";
  if (!module) {
    body["status"] = identity.enabled ? "enabled" : "disabled";
    body["statusReason"] = record.status_reason ? json::value(*record.status_reason) : json::value(nullptr);
  }
  // Neither the MQTT endpoint nor the registry records when a session came or went, or when an
  // identity was last active: "never" rather than a time the hub does not know.
  body["connectionStateUpdatedTime"] = never_timestamp;
  if (!module) body["statusUpdatedTime"] = timestamp_or_never(record.status_updated);
  body["lastActivityTime"] = never_timestamp;
  body["cloudToDeviceMessageCount"] = module ? 0 : c2d.waiting(identity.device_id());
  body["authentication"] = authentication_json(identity);
  if (!module) body["capabilities"] = json::object{{"iotEdge", record.iot_edge}};
  return body;
}

twin::Result parse_identity(const json::object& body, std::string_view device_id, std::string_view module_id,
                            IdentitySpec& spec) {
  if (twin::Result r = check_id(body, "deviceId", device_id); !r) return r;
  if (!module_id.empty()) {
    if (twin::Result r = check_id(body, "moduleId", module_id); !r) return r;
  }

  if (const json::value* status = body.if_contains("status"); status != nullptr && !status->is_null()) {
    using iothub::detail::iequals_ascii;
    const std::string_view text =
        status->is_string() ? std::string_view(status->get_string()) : std::string_view{};
    if (iequals_ascii(text, "enabled")) {
      spec.enabled = true;
    } else if (iequals_ascii(text, "disabled")) {
      spec.enabled = false;
    } else {
      return invalid("status must be \"enabled\" or \"disabled\".");
    }
  }
  if (twin::Result r = read_optional_string(body, "statusReason", "", spec.status_reason); !r) return r;

  const json::object* authentication = nullptr;
  if (twin::Result r = read_object(body, "authentication", "", authentication); !r) return r;
  if (authentication != nullptr) {
    if (twin::Result r = parse_authentication(*authentication, spec); !r) return r;
  }

  const json::object* capabilities = nullptr;
  if (twin::Result r = read_object(body, "capabilities", "", capabilities); !r) return r;
  if (capabilities != nullptr) {
    if (const json::value* edge = capabilities->if_contains("iotEdge"); edge != nullptr && !edge->is_null()) {
      if (!edge->is_bool()) return invalid("capabilities.iotEdge must be a boolean.");
      spec.iot_edge = edge->get_bool();
    }
  }

  std::optional<std::optional<std::string>> managed_by;
  if (twin::Result r = read_optional_string(body, "managedBy", "", managed_by); !r) return r;
  if (managed_by) spec.managed_by = managed_by->value_or(std::string());
  return {};
}

}  // namespace fleetsim::hub::service
