// Making X.509 material: a local CA, server certificates for the hub, and one client certificate
// per device or module identity (CN = identity id). ECDSA P-256 throughout: a key and a signature
// cost tens of microseconds, so 10,000 identities take well under a second.
//
// Thread safety: the functions are reentrant; Authority is immutable after construction.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

typedef struct x509_st X509;
typedef struct evp_pkey_st EVP_PKEY;

namespace fleetsim::tls {

struct Pem {
  std::string certificate;  // PEM
  std::string private_key;  // PEM (PKCS#8)
};

struct Der {
  std::vector<std::uint8_t> certificate;
  std::vector<std::uint8_t> private_key;  // PKCS#8 DER
};

struct LeafRequest {
  std::string common_name;
  std::vector<std::string> dns_names;     // subjectAltName DNS entries (server certificates)
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries
  bool server = false;                    // extendedKeyUsage serverAuth, else clientAuth
  // Validity relative to now: not_before = now + valid_from, not_after = now + valid_for.
  // A negative valid_for makes an already expired certificate (tests).
  std::chrono::seconds valid_from{-3600};
  std::chrono::seconds valid_for{std::chrono::hours(24 * 365)};
};

// A certificate authority that signs leaves. Throws TlsError on OpenSSL failures.
class Authority {
 public:
  static Authority create(std::string_view common_name);
  static Authority load(const Pem& pem);  // throws TlsError if the key does not match

  Pem pem() const;
  Pem issue_pem(const LeafRequest& request) const;
  Der issue_der(const LeafRequest& request) const;
  std::string certificate_pem() const;

 private:
  std::shared_ptr<X509> cert_;
  std::shared_ptr<EVP_PKEY> key_;
};

// A self-signed leaf (X.509 identities registered by thumbprint).
Pem self_signed_pem(const LeafRequest& request);
Der self_signed_der(const LeafRequest& request);
Der pem_to_der(const Pem& pem);  // throws TlsError

// SHA-1 and SHA-256 thumbprints of a DER or PEM certificate, upper-case hex as IoT Hub shows them.
std::string sha1_thumbprint(std::span<const std::uint8_t> der);
std::string sha256_thumbprint(std::span<const std::uint8_t> der);
std::optional<std::string> thumbprint_of_pem(std::string_view pem, bool sha256 = false);

// Writes `content` to `path` atomically (temporary file + rename), mode 0600 for keys.
void write_file_atomic(const std::string& path, std::string_view content, bool secret);

}  // namespace fleetsim::tls
