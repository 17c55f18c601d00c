#include "hub/x509_auth.hpp"

#include <string_view>

#include "transports/stream/stream.hpp"

namespace fleetsim::hub {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto upper = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; };
    if (upper(a[i]) != upper(b[i])) return false;
  }
  return true;
}

// A registered thumbprint is SHA-1 or SHA-256 by its length; compare with the matching one.
bool thumbprint_matches(std::string_view registered,
                        const transports::PeerCertificate& certificate) noexcept {
  if (registered.empty()) return false;
  const std::string_view seen = registered.size() == 40 ? std::string_view(certificate.sha1_thumbprint)
                                                        : std::string_view(certificate.sha256_thumbprint);
  return equal_ignoring_case(registered, seen);
}

}  // namespace

const char* to_string(CertificateVerdict verdict) noexcept {
  switch (verdict) {
    case CertificateVerdict::accepted:
      return "accepted";
    case CertificateVerdict::missing:
      return "no client certificate";
    case CertificateVerdict::not_x509_identity:
      return "the identity authenticates with SAS";
    case CertificateVerdict::outside_validity:
      return "certificate expired or not yet valid";
    case CertificateVerdict::wrong_common_name:
      return "certificate CN is not the client id";
    case CertificateVerdict::untrusted:
      return "certificate neither registered nor signed by a trusted CA";
  }
  return "unknown";
}

CertificateVerdict verify_client_certificate(const Identity& identity,
                                             const transports::PeerCertificate& certificate) noexcept {
  if (!certificate.present) return CertificateVerdict::missing;
  if (identity.auth == AuthKind::sas) return CertificateVerdict::not_x509_identity;
  if (!certificate.within_validity) return CertificateVerdict::outside_validity;
  if (certificate.common_name != identity.client_id) return CertificateVerdict::wrong_common_name;
  if (identity.auth == AuthKind::certificate_authority) {
    return certificate.chain_verified ? CertificateVerdict::accepted : CertificateVerdict::untrusted;
  }
  const Thumbprints* registered = identity.thumbprints.get();
  if (registered != nullptr && (thumbprint_matches(registered->primary, certificate) ||
                                thumbprint_matches(registered->secondary, certificate))) {
    return CertificateVerdict::accepted;
  }
  return CertificateVerdict::untrusted;
}

}  // namespace fleetsim::hub
