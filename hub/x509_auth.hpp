// Whether a TLS client certificate authenticates an X.509 identity (reference 1.6), sans-I/O: the
// TLS layer reports what it saw (transports::PeerCertificate), this decides.
//
// Common name: `{deviceId}` for a device and `{deviceId}/{moduleId}` for a module, as the
// reference states for CA-signed certificates; fleetsim asks the same of self-signed ones (the
// certificate must name the identity it is registered for), so for every X.509 identity the CN
// equals the MQTT client id.
//
// Thread safety: pure functions.
#pragma once

#include "hub/registry.hpp"

namespace fleetsim::transports {
struct PeerCertificate;
}

namespace fleetsim::hub {

enum class CertificateVerdict {
  accepted,
  missing,            // no client certificate in the handshake
  not_x509_identity,  // the identity authenticates with SAS keys
  outside_validity,   // expired or not yet valid
  wrong_common_name,  // CN is not the identity's client id
  untrusted,          // self_signed: no registered thumbprint matches; CA: not signed by a trusted CA
};
const char* to_string(CertificateVerdict verdict) noexcept;

// Checks in this order: present, identity kind, validity period, CN, then the kind's proof
// (thumbprint match, SHA-1 or SHA-256, primary or secondary; or a verified chain).
CertificateVerdict verify_client_certificate(const Identity& identity,
                                             const transports::PeerCertificate& certificate) noexcept;

}  // namespace fleetsim::hub
