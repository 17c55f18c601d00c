// Owning pointers for OpenSSL objects and the text of its error queue, shared by the TLS and
// certificate code of transports/. Internal header: it includes OpenSSL, the public headers do not.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "transports/tls/tls_context.hpp"

namespace fleetsim::tls::detail {

template <auto Free>
struct Freer {
  template <class T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using BioPtr = std::unique_ptr<BIO, Freer<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Freer<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Freer<EVP_PKEY_CTX_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Freer<X509_NAME_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Freer<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Freer<GENERAL_NAMES_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, Freer<BASIC_CONSTRAINTS_free>>;
using Asn1OctetPtr = std::unique_ptr<ASN1_OCTET_STRING, Freer<ASN1_OCTET_STRING_free>>;
using Asn1BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, Freer<ASN1_BIT_STRING_free>>;
using ExtKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, Freer<EXTENDED_KEY_USAGE_free>>;
using AuthorityKeyIdPtr = std::unique_ptr<AUTHORITY_KEYID, Freer<AUTHORITY_KEYID_free>>;
using Pkcs8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, Freer<PKCS8_PRIV_KEY_INFO_free>>;

// A certificate or private key from PEM text, or nullptr (OpenSSL's error queue says why).
X509Ptr parse_pem_certificate(std::string_view pem);
PkeyPtr parse_pem_key(std::string_view pem);
// A private key from PKCS#8 (or traditional) DER, or nullptr. The P-256 PKCS#8 form that
// certificates.cpp writes is imported from its bytes, several times faster than OpenSSL 3.0's
// generic decoder, which matters when every X.509 connection parses its key.
PkeyPtr parse_der_private_key(std::span<const std::uint8_t> der);

// Empties this thread's error queue and returns its oldest reason ("certificate verify failed"),
// or `fallback` when the queue was empty.
inline std::string drain_error_queue(std::string_view fallback = "unknown OpenSSL error") {
  const unsigned long first = ERR_get_error();
  ERR_clear_error();
  if (first == 0) return std::string(fallback);
  const char* reason = ERR_reason_error_string(first);
  if (reason != nullptr) return reason;
  char text[256];
  ERR_error_string_n(first, text, sizeof text);
  return text;
}

// Configuration failure: "what: OpenSSL's reason".
[[noreturn]] inline void throw_tls_error(std::string_view what) {
  throw TlsError(std::string(what) + ": " + drain_error_queue());
}

}  // namespace fleetsim::tls::detail
