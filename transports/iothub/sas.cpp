// SAS tokens (reference 1.3): signing, parsing and the hub's verification.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <iterator>
#include <utility>

#include "transports/iothub/ascii.hpp"
#include "transports/iothub/sas.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::iothub {
namespace {

constexpr std::string_view token_prefix = "SharedAccessSignature ";

std::string decimal(std::uint64_t value) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  return std::string(digits, end);
}

std::string string_to_sign(std::string_view sr, std::string_view se) {
  std::string text;
  text.reserve(sr.size() + 1 + se.size());
  text += sr;
  text += '\n';
  text += se;
  return text;
}

// "host:port" -> "host"; "[::1]:443" -> "[::1]".
std::string_view without_port(std::string_view host) noexcept {
  if (host.starts_with('[')) return host.substr(0, host.find(']') + 1);
  return host.substr(0, host.find(':'));
}

// Does the decoded `sr` cover `scope`? Host without regard to case or port; path as a prefix of
// whole segments, so "/devices/a" covers "/devices/a/modules/m" but not "/devices/ab".
bool covers(std::string_view sr, std::string_view scope) noexcept {
  const std::size_t sr_slash = sr.find('/');
  const std::size_t scope_slash = scope.find('/');
  if (!detail::iequals_ascii(without_port(sr.substr(0, sr_slash)),
                             without_port(scope.substr(0, scope_slash)))) {
    return false;
  }
  std::string_view sr_path = sr_slash == std::string_view::npos ? std::string_view{} : sr.substr(sr_slash);
  const std::string_view scope_path =
      scope_slash == std::string_view::npos ? std::string_view{} : scope.substr(scope_slash);
  while (sr_path.ends_with('/')) sr_path.remove_suffix(1);
  if (!scope_path.starts_with(sr_path)) return false;
  return scope_path.size() == sr_path.size() || scope_path[sr_path.size()] == '/';
}

}  // namespace

std::array<std::uint8_t, 32> hmac_sha256(std::span<const std::uint8_t> key, std::string_view data) {
  // OpenSSL reads a null key pointer as "keep the previous key"; an empty key needs a real one.
  static constexpr std::uint8_t no_key = 0;
  std::array<std::uint8_t, 32> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.empty() ? &no_key : key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length);
  return mac;
}

std::string resource_uri(std::string_view host, std::string_view device, std::string_view module) {
  std::string uri(host);
  if (device.empty()) return uri;  // a service policy's scope is the whole hub (reference 1.4)
  uri += "/devices/";
  uri += device;
  if (!module.empty()) {
    uri += "/modules/";
    uri += module;
  }
  return uri;
}

std::optional<std::string> make_sas_token(std::string_view resource, std::string_view key_base64,
                                          std::uint64_t expiry_unix_s, std::string_view policy_name) {
  const auto key = base64_decode(key_base64);
  if (!key) return std::nullopt;
  const std::string sr = url_encode(resource);
  const std::string se = decimal(expiry_unix_s);
  // The signed text is sr exactly as it appears in the token, i.e. URL-encoded (reference 1.3).
  const auto mac = hmac_sha256(*key, string_to_sign(sr, se));

  std::string token(token_prefix);
  token += "sr=";
  token += sr;
  token += "&sig=";
  append_url_encoded(token, base64_encode(mac));
  token += "&se=";
  token += se;
  if (!policy_name.empty()) {
    token += "&skn=";
    append_url_encoded(token, policy_name);
  }
  return token;
}

std::optional<SasToken> parse_sas_token(std::string_view token) {
  if (!token.starts_with(token_prefix)) return std::nullopt;
  static constexpr std::pair<std::string_view, std::string_view SasToken::*> known[] = {
      {"sr", &SasToken::sr}, {"sig", &SasToken::sig}, {"se", &SasToken::se}, {"skn", &SasToken::skn}};
  SasToken parsed;
  bool seen[std::size(known)] = {};
  std::string_view fields = token.substr(token_prefix.size());
  for (;;) {
    const std::size_t amp = fields.find('&');
    const std::string_view item = fields.substr(0, amp);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = item.substr(0, eq);
    // Fields come in any order (reference 1.3); a repeated or unknown one is refused so the
    // token's meaning never depends on which copy a reader picks.
    std::size_t i = 0;
    while (i < std::size(known) && known[i].first != key) ++i;
    if (i == std::size(known) || seen[i]) return std::nullopt;
    seen[i] = true;
    parsed.*known[i].second = item.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    fields.remove_prefix(amp + 1);
  }
  if (parsed.sr.empty() || parsed.sig.empty() || parsed.se.empty()) return std::nullopt;
  const char* const se_end = parsed.se.data() + parsed.se.size();
  const auto [ptr, ec] = std::from_chars(parsed.se.data(), se_end, parsed.expiry);
  if (ec != std::errc{} || ptr != se_end) return std::nullopt;
  return parsed;
}

const char* to_string(SasVerdict v) noexcept {
  switch (v) {
    case SasVerdict::valid:
      return "valid";
    case SasVerdict::malformed:
      return "malformed";
    case SasVerdict::bad_signature:
      return "bad_signature";
    case SasVerdict::expired:
      return "expired";
    case SasVerdict::wrong_scope:
      return "wrong_scope";
  }
  return "unknown";
}

SasVerdict verify_sas_token(std::string_view token, std::span<const std::string_view> keys_base64,
                            std::uint64_t now_unix_s, std::string_view required_scope) {
  const auto parsed = parse_sas_token(token);
  if (!parsed) return SasVerdict::malformed;
  const auto resource = url_decode(parsed->sr);
  const auto sig_text = url_decode(parsed->sig);
  if (!resource || !sig_text) return SasVerdict::malformed;
  const auto sig = base64_decode(*sig_text);
  if (!sig) return SasVerdict::malformed;

  // Raw sr, never re-encoded: clients disagree on which characters they escape and on the case of
  // hex digits, and the signature covers exactly what they wrote.
  const std::string signed_text = string_to_sign(parsed->sr, parsed->se);
  bool signature_ok = false;
  for (const std::string_view key_base64 : keys_base64) {
    const auto key = base64_decode(key_base64);
    if (!key) continue;
    const auto mac = hmac_sha256(*key, signed_text);
    if (sig->size() == mac.size() && CRYPTO_memcmp(mac.data(), sig->data(), mac.size()) == 0) {
      signature_ok = true;
      break;
    }
  }
  if (!signature_ok) return SasVerdict::bad_signature;
  if (parsed->expiry <= now_unix_s) return SasVerdict::expired;
  if (!covers(*resource, required_scope)) return SasVerdict::wrong_scope;
  return SasVerdict::valid;
}

}  // namespace fleetsim::iothub
