// Shared access signatures and connection strings (reference/iothub-protocol.md 1.2-1.4).
//
// Thread safety: pure functions; OpenSSL's one-shot HMAC is thread safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim::iothub {

// Base64 (standard alphabet, padded). decode returns nullopt on invalid input.
std::string base64_encode(std::span<const std::uint8_t> bytes);
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

// HMAC-SHA256 with OpenSSL.
std::array<std::uint8_t, 32> hmac_sha256(std::span<const std::uint8_t> key, std::string_view data);

// The resource URI of an identity, unencoded: {host}/devices/{d}[/modules/{m}].
std::string resource_uri(std::string_view host, std::string_view device, std::string_view module = {});

// "SharedAccessSignature sr={urlenc(resource)}&sig={urlenc(b64 sig)}&se={expiry}[&skn={policy}]".
// `key_base64` is the SharedAccessKey as written in a connection string.
// Returns nullopt if the key is not valid base64.
std::optional<std::string> make_sas_token(std::string_view resource, std::string_view key_base64,
                                          std::uint64_t expiry_unix_s, std::string_view policy_name = {});

struct SasToken {
  std::string_view sr;   // raw, as written (still URL-encoded)
  std::string_view sig;  // raw, as written (still URL-encoded)
  std::string_view se;
  std::string_view skn;  // empty if absent
  std::uint64_t expiry = 0;
};

// Parses "SharedAccessSignature k=v&k=v..." in any field order; nullopt if malformed.
std::optional<SasToken> parse_sas_token(std::string_view token);

enum class SasVerdict { valid, malformed, bad_signature, expired, wrong_scope };
const char* to_string(SasVerdict v) noexcept;

// Verification that accepts every client (reference 1.3, "Hub choice"): HMAC over the raw sr +
// "\n" + raw se with each key in turn, compare with the decoded sig in constant time, check
// expiry against `now_unix_s`, then check the decoded sr covers `required_scope`
// ({host}/devices/{d}[/modules/{m}]): host case-insensitive without port, path as segment prefix.
SasVerdict verify_sas_token(std::string_view token, std::span<const std::string_view> keys_base64,
                            std::uint64_t now_unix_s, std::string_view required_scope);

// Connection strings: "Name=value;Name=value", each part split at its first '='.
struct ConnectionString {
  std::string host_name;
  std::string device_id;
  std::string module_id;
  std::string shared_access_key;
  std::string shared_access_key_name;
  std::string shared_access_signature;
  std::string gateway_host_name;
  bool x509 = false;
};

// nullopt with `error` set when the string is malformed (missing HostName, no credential, ...).
std::optional<ConnectionString> parse_connection_string(std::string_view text, std::string* error = nullptr);
std::string to_string(const ConnectionString& cs);

}  // namespace fleetsim::iothub
