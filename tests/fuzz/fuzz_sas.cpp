// libFuzzer target for SAS tokens, connection strings and base64: parsers never misbehave, a
// parsed connection string formats to text that parses to the same fields, and verification of
// any text gives a verdict.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "transports/iothub/sas.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

bool same(const fleetsim::iothub::ConnectionString& a, const fleetsim::iothub::ConnectionString& b) {
  return a.host_name == b.host_name && a.device_id == b.device_id && a.module_id == b.module_id &&
         a.shared_access_key == b.shared_access_key && a.shared_access_key_name == b.shared_access_key_name &&
         a.shared_access_signature == b.shared_access_signature &&
         a.gateway_host_name == b.gateway_host_name && a.x509 == b.x509;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsim::iothub;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto token = parse_sas_token(text)) {
    require(!token->sr.empty() && !token->sig.empty() && !token->se.empty());
  }
  static constexpr std::string_view keys[] = {"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="};
  const SasVerdict verdict = verify_sas_token(text, keys, 1'700'000'000, "localhost/devices/dev1");
  require(to_string(verdict)[0] != '\0');

  if (const auto cs = parse_connection_string(text)) {
    const auto again = parse_connection_string(to_string(*cs));
    require(again.has_value() && same(*cs, *again));
  }

  if (const auto bytes = base64_decode(text)) {
    require(base64_decode(base64_encode(*bytes)) == bytes);
  }
  return 0;
}
