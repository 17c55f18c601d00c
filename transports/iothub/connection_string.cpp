// Connection strings (reference 1.2): "Name=value" parts joined by ';'.
#include <initializer_list>

#include "transports/iothub/ascii.hpp"
#include "transports/iothub/sas.hpp"

namespace fleetsim::iothub {
namespace {

// Concatenation by append: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
std::string concat(std::initializer_list<std::string_view> pieces) {
  std::string text;
  for (const std::string_view piece : pieces) text += piece;
  return text;
}

std::optional<ConnectionString> fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return std::nullopt;
}

struct TextField {
  std::string_view key;
  std::string ConnectionString::*member;
};
constexpr TextField text_fields[] = {
    {"HostName", &ConnectionString::host_name},
    {"DeviceId", &ConnectionString::device_id},
    {"ModuleId", &ConnectionString::module_id},
    {"SharedAccessKey", &ConnectionString::shared_access_key},
    {"SharedAccessKeyName", &ConnectionString::shared_access_key_name},
    {"SharedAccessSignature", &ConnectionString::shared_access_signature},
    {"GatewayHostName", &ConnectionString::gateway_host_name},
};

// Fills the field named `key`; an error message, or empty on success.
std::string assign(ConnectionString& cs, std::string_view key, std::string_view value, bool& has_x509) {
  for (const TextField& field : text_fields) {
    if (key != field.key) continue;
    std::string& slot = cs.*field.member;
    if (!slot.empty()) return concat({"'", key, "' appears twice"});
    if (value.empty()) return concat({"'", key, "' is empty"});
    slot = value;
    return {};
  }
  if (key == "x509") {
    if (has_x509) return "'x509' appears twice";
    has_x509 = true;
    const bool is_true = detail::iequals_ascii(value, "true");
    if (!is_true && !detail::iequals_ascii(value, "false")) {
      return concat({"'x509' must be true or false, found '", value, "'"});
    }
    cs.x509 = is_true;
    return {};
  }
  return concat({"unknown part '", key, "'"});
}

}  // namespace

std::optional<ConnectionString> parse_connection_string(std::string_view text, std::string* error) {
  ConnectionString cs;
  bool has_x509 = false;
  while (!text.empty()) {
    const std::size_t semi = text.find(';');
    const std::string_view part = text.substr(0, semi);
    text = semi == std::string_view::npos ? std::string_view{} : text.substr(semi + 1);
    if (part.empty()) continue;  // a trailing ';'
    // At the first '=' only: keys end in '=' and tokens contain '=' and '&' (reference 1.2).
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) return fail(error, concat({"part '", part, "' has no '='"}));
    if (auto message = assign(cs, part.substr(0, eq), part.substr(eq + 1), has_x509); !message.empty()) {
      return fail(error, std::move(message));
    }
  }

  if (cs.host_name.empty()) return fail(error, "missing HostName");
  if (!cs.module_id.empty() && cs.device_id.empty()) return fail(error, "ModuleId without DeviceId");
  if (!cs.shared_access_key.empty() && !base64_decode(cs.shared_access_key)) {
    return fail(error, "SharedAccessKey is not valid base64");
  }
  if (!cs.shared_access_signature.empty() && !parse_sas_token(cs.shared_access_signature)) {
    return fail(error, "SharedAccessSignature is not a valid SAS token");
  }
  if (!cs.shared_access_key_name.empty()) {
    // A policy string: the policy's key signs every token.
    if (cs.shared_access_key.empty()) return fail(error, "SharedAccessKeyName without SharedAccessKey");
    if (!cs.shared_access_signature.empty() || cs.x509) {
      return fail(error, "a SharedAccessKeyName string takes SharedAccessKey as its only credential");
    }
    return cs;
  }
  if (cs.device_id.empty()) {
    return fail(error, "missing DeviceId (or SharedAccessKeyName for a service string)");
  }
  const int credentials = (cs.shared_access_key.empty() ? 0 : 1) +
                          (cs.shared_access_signature.empty() ? 0 : 1) + (cs.x509 ? 1 : 0);
  if (credentials != 1) {
    return fail(error,
                "a device string needs exactly one of SharedAccessKey, SharedAccessSignature, x509=true");
  }
  return cs;
}

std::string to_string(const ConnectionString& cs) {
  std::string text;
  const auto part = [&text](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    if (!text.empty()) text += ';';
    text += key;
    text += '=';
    text += value;
  };
  part("HostName", cs.host_name);
  part("DeviceId", cs.device_id);
  part("ModuleId", cs.module_id);
  part("SharedAccessKeyName", cs.shared_access_key_name);
  part("SharedAccessKey", cs.shared_access_key);
  part("SharedAccessSignature", cs.shared_access_signature);
  if (cs.x509) part("x509", "true");
  part("GatewayHostName", cs.gateway_host_name);
  return text;
}

}  // namespace fleetsim::iothub
