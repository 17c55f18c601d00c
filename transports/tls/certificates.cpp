// Issuing certificates: keys from one reused P-256 key-generation context per thread (OpenSSL 3
// looks the algorithm up once instead of per key), extensions built as ASN.1 values rather than
// parsed from configuration strings, SHA-256 signatures.
//
// The public key of a certificate and the PKCS#8 form of a fresh key are written from the raw
// key bytes: OpenSSL 3.0 goes through its generic encoder framework for both, which costs
// several hundred microseconds per key, more than generating and signing together.
#include "transports/tls/certificates.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "transports/tls/openssl_util.hpp"

namespace fleetsim::tls {
namespace {

using namespace detail;

// A P-256 key with its raw parts: the private scalar and the uncompressed public point.
struct P256Key {
  PkeyPtr key;
  std::array<std::uint8_t, 32> scalar{};
  std::array<std::uint8_t, 65> point{};  // 0x04 || X || Y
};

struct KeyAndCertificate {
  P256Key key;
  X509Ptr certificate;
};

PkeyPtr generate_p256_pkey() {
  thread_local const PkeyCtxPtr context = [] {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") != 1) {
      throw_tls_error("P-256 key generation context");
    }
    return ctx;
  }();
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_generate(context.get(), &key) != 1) throw_tls_error("P-256 key generation");
  return PkeyPtr(key);
}

P256Key generate_p256_key() {
  P256Key out{generate_p256_pkey()};
  BIGNUM* scalar = nullptr;
  std::size_t point_size = 0;
  const bool ok = EVP_PKEY_get_bn_param(out.key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &scalar) == 1 &&
                  BN_bn2binpad(scalar, out.scalar.data(), static_cast<int>(out.scalar.size())) == 32 &&
                  EVP_PKEY_get_octet_string_param(out.key.get(), OSSL_PKEY_PARAM_PUB_KEY, out.point.data(),
                                                  out.point.size(), &point_size) == 1 &&
                  point_size == out.point.size() && out.point[0] == 0x04;
  BN_clear_free(scalar);
  if (!ok) throw_tls_error("P-256 key parts");
  return out;
}

// SubjectPublicKeyInfo: id-ecPublicKey with the prime256v1 curve, and the point as BIT STRING.
void set_p256_public_key(X509* x, const P256Key& key) {
  auto* point = static_cast<unsigned char*>(OPENSSL_malloc(key.point.size()));
  if (point == nullptr) throw_tls_error("public key");
  std::memcpy(point, key.point.data(), key.point.size());
  if (X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT,
                             OBJ_nid2obj(NID_X9_62_prime256v1), point,
                             static_cast<int>(key.point.size())) != 1) {
    OPENSSL_free(point);
    throw_tls_error("public key");
  }
}

// PKCS#8 PrivateKeyInfo (RFC 5208) around an RFC 5915 ECPrivateKey with the public key and
// without curve parameters (they are in the AlgorithmIdentifier): byte for byte what OpenSSL
// writes for a P-256 key.
constexpr std::uint8_t kP256Pkcs8Prefix[] = {
    0x30, 0x81, 0x87, 0x02, 0x01, 0x00,                                // SEQUENCE, version 0
    0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,  // id-ecPublicKey
    0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07,        // prime256v1
    0x04, 0x6D, 0x30, 0x6B, 0x02, 0x01, 0x01,                          // OCTET STRING { SEQUENCE, version 1
    0x04, 0x20};                                                       // privateKey OCTET STRING
constexpr std::uint8_t kP256Pkcs8PublicKeyTag[] = {0xA1, 0x44, 0x03, 0x42, 0x00};  // [1] BIT STRING
constexpr std::size_t kP256Pkcs8Size = sizeof kP256Pkcs8Prefix + 32 + sizeof kP256Pkcs8PublicKeyTag + 65;

std::vector<std::uint8_t> p256_private_key_der(const P256Key& key) {
  std::vector<std::uint8_t> der;
  der.reserve(kP256Pkcs8Size);
  der.insert(der.end(), std::begin(kP256Pkcs8Prefix), std::end(kP256Pkcs8Prefix));
  der.insert(der.end(), key.scalar.begin(), key.scalar.end());
  der.insert(der.end(), std::begin(kP256Pkcs8PublicKeyTag), std::end(kP256Pkcs8PublicKeyTag));
  der.insert(der.end(), key.point.begin(), key.point.end());
  return der;
}

// The reverse of p256_private_key_der, or nullptr when `der` is not in exactly that form.
PkeyPtr import_p256_pkcs8(std::span<const std::uint8_t> der) {
  constexpr std::size_t scalar_at = sizeof kP256Pkcs8Prefix;
  constexpr std::size_t tag_at = scalar_at + 32;
  constexpr std::size_t point_at = tag_at + sizeof kP256Pkcs8PublicKeyTag;
  if (der.size() != kP256Pkcs8Size ||
      !std::equal(std::begin(kP256Pkcs8Prefix), std::end(kP256Pkcs8Prefix), der.begin()) ||
      !std::equal(std::begin(kP256Pkcs8PublicKeyTag), std::end(kP256Pkcs8PublicKeyTag),
                  der.begin() + tag_at)) {
    return nullptr;
  }
  thread_local const PkeyCtxPtr context = [] {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (ctx && EVP_PKEY_fromdata_init(ctx.get()) != 1) ctx.reset();
    return ctx;
  }();
  if (!context) return nullptr;
  std::unique_ptr<BIGNUM, Freer<BN_clear_free>> scalar(BN_bin2bn(der.data() + scalar_at, 32, nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, Freer<OSSL_PARAM_BLD_free>> builder(OSSL_PARAM_BLD_new());
  if (!scalar || !builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, der.data() + point_at, 65) !=
          1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, Freer<OSSL_PARAM_free>> params(OSSL_PARAM_BLD_to_param(builder.get()));
  EVP_PKEY* key = nullptr;
  if (!params || EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_KEYPAIR, params.get()) != 1) return nullptr;
  return PkeyPtr(key);
}

// RFC 5280 4.1.2.2: positive, at most 20 bytes; 16 random bytes make collisions irrelevant.
void set_random_serial(X509* x) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw_tls_error("serial number");
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7F) | 0x40);  // positive, full length
  std::unique_ptr<BIGNUM, Freer<BN_free>> bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x)) == nullptr)
    throw_tls_error("serial number");
}

void set_common_name(X509_NAME* name, std::string_view common_name) {
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    throw_tls_error("common name '" + std::string(common_name) + "'");
  }
}

void add_extension(X509* x, int nid, void* value, bool critical) {
  if (X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_REPLACE) != 1) {
    throw_tls_error(std::string("extension ") + OBJ_nid2sn(nid));
  }
}

void add_basic_constraints(X509* x, bool ca) {
  BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  if (!bc) throw_tls_error("basicConstraints");
  bc->ca = ca ? 0xFF : 0;
  add_extension(x, NID_basic_constraints, bc.get(), true);
}

void add_key_usage(X509* x, std::initializer_list<int> bits) {
  Asn1BitStringPtr usage(ASN1_BIT_STRING_new());
  if (!usage) throw_tls_error("keyUsage");
  for (int bit : bits) {
    if (ASN1_BIT_STRING_set_bit(usage.get(), bit, 1) != 1) throw_tls_error("keyUsage");
  }
  add_extension(x, NID_key_usage, usage.get(), true);
}

void add_extended_key_usage(X509* x, bool server) {
  ExtKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
  if (!eku || sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(server ? NID_server_auth : NID_client_auth)) <= 0) {
    throw_tls_error("extendedKeyUsage");
  }
  add_extension(x, NID_ext_key_usage, eku.get(), false);
}

void push_name(GENERAL_NAMES* names, int type, ASN1_STRING* value) {
  GENERAL_NAME* name = GENERAL_NAME_new();
  if (name == nullptr) {
    ASN1_STRING_free(value);
    throw_tls_error("subjectAltName");
  }
  GENERAL_NAME_set0_value(name, type, value);
  if (sk_GENERAL_NAME_push(names, name) <= 0) {
    GENERAL_NAME_free(name);
    throw_tls_error("subjectAltName");
  }
}

void add_subject_alt_names(X509* x, const LeafRequest& request) {
  if (request.dns_names.empty() && request.ip_addresses.empty()) return;
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) throw_tls_error("subjectAltName");
  for (const std::string& dns : request.dns_names) {
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (value == nullptr || ASN1_STRING_set(value, dns.data(), static_cast<int>(dns.size())) != 1) {
      ASN1_STRING_free(value);
      throw_tls_error("subjectAltName DNS:" + dns);
    }
    push_name(names.get(), GEN_DNS, value);
  }
  for (const std::string& ip : request.ip_addresses) {
    ASN1_OCTET_STRING* value = a2i_IPADDRESS(ip.c_str());
    if (value == nullptr) throw_tls_error("subjectAltName IP:" + ip + " is not an IP address");
    push_name(names.get(), GEN_IPADD, value);
  }
  add_extension(x, NID_subject_alt_name, names.get(), false);
}

// Key identifiers let verifiers pick the right issuer when several CAs share a name.
void add_subject_key_id(X509* x) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  Asn1OctetPtr id(ASN1_OCTET_STRING_new());
  if (!id || X509_pubkey_digest(x, EVP_sha1(), digest, &length) != 1 ||
      ASN1_OCTET_STRING_set(id.get(), digest, static_cast<int>(length)) != 1) {
    throw_tls_error("subjectKeyIdentifier");
  }
  add_extension(x, NID_subject_key_identifier, id.get(), false);
}

void add_authority_key_id(X509* x, X509* issuer) {
  const ASN1_OCTET_STRING* issuer_id = X509_get0_subject_key_id(issuer);
  if (issuer_id == nullptr) return;
  AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new());
  if (!aki || (aki->keyid = ASN1_OCTET_STRING_dup(issuer_id)) == nullptr)
    throw_tls_error("authorityKeyIdentifier");
  add_extension(x, NID_authority_key_identifier, aki.get(), false);
}

// A certificate for `subject_key` with everything but the extensions that depend on its role.
X509Ptr new_certificate(std::string_view common_name, const P256Key& subject_key,
                        std::chrono::seconds valid_from, std::chrono::seconds valid_for) {
  X509Ptr x(X509_new());
  if (!x || X509_set_version(x.get(), X509_VERSION_3) != 1) throw_tls_error("X509_new");
  set_random_serial(x.get());
  if (X509_gmtime_adj(X509_getm_notBefore(x.get()), static_cast<long>(valid_from.count())) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x.get()), static_cast<long>(valid_for.count())) == nullptr) {
    throw_tls_error("validity");
  }
  set_common_name(X509_get_subject_name(x.get()), common_name);
  set_p256_public_key(x.get(), subject_key);
  return x;
}

void sign(X509* x, EVP_PKEY* issuer_key) {
  if (X509_sign(x, issuer_key, EVP_sha256()) <= 0) throw_tls_error("signing the certificate");
}

// A leaf for `request`, signed by `issuer` (nullptr: self-signed).
KeyAndCertificate make_leaf(const LeafRequest& request, X509* issuer, EVP_PKEY* issuer_key) {
  KeyAndCertificate out{generate_p256_key(), nullptr};
  out.certificate = new_certificate(request.common_name, out.key, request.valid_from, request.valid_for);
  X509* x = out.certificate.get();
  X509_NAME* issuer_name = issuer != nullptr ? X509_get_subject_name(issuer) : X509_get_subject_name(x);
  if (X509_set_issuer_name(x, issuer_name) != 1) throw_tls_error("issuer name");
  add_basic_constraints(x, false);
  add_key_usage(x, {0});  // digitalSignature: ECDSA signs the handshake; ECDHE needs nothing else
  add_extended_key_usage(x, request.server);
  add_subject_alt_names(x, request);
  add_subject_key_id(x);
  if (issuer != nullptr) add_authority_key_id(x, issuer);
  sign(x, issuer != nullptr ? issuer_key : out.key.key.get());
  return out;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string certificate_to_pem(X509* x) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x) != 1) throw_tls_error("PEM encoding of a certificate");
  return bio_text(bio.get());
}

std::string key_to_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw_tls_error("PEM encoding of a private key");
  }
  return bio_text(bio.get());
}

std::vector<std::uint8_t> certificate_to_der(X509* x) {
  const int size = i2d_X509(x, nullptr);
  if (size <= 0) throw_tls_error("DER encoding of a certificate");
  std::vector<std::uint8_t> der(static_cast<std::size_t>(size));
  unsigned char* p = der.data();
  i2d_X509(x, &p);
  return der;
}

std::vector<std::uint8_t> key_to_der(EVP_PKEY* key) {
  const Pkcs8Ptr info(EVP_PKEY2PKCS8(key));
  const int size = info ? i2d_PKCS8_PRIV_KEY_INFO(info.get(), nullptr) : 0;
  if (size <= 0) throw_tls_error("DER encoding of a private key");
  std::vector<std::uint8_t> der(static_cast<std::size_t>(size));
  unsigned char* p = der.data();
  i2d_PKCS8_PRIV_KEY_INFO(info.get(), &p);
  return der;
}

std::string der_to_pem(const char* label, const std::vector<std::uint8_t>& der) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio(bio.get(), label, "", der.data(), static_cast<long>(der.size())) <= 0) {
    throw_tls_error(std::string("PEM encoding of a ") + label);
  }
  return bio_text(bio.get());
}

Pem to_pem(const KeyAndCertificate& kc) {
  return {certificate_to_pem(kc.certificate.get()), der_to_pem("PRIVATE KEY", p256_private_key_der(kc.key))};
}
Der to_der(const KeyAndCertificate& kc) {
  return {certificate_to_der(kc.certificate.get()), p256_private_key_der(kc.key)};
}

BioPtr memory_bio(std::string_view text) {
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw_tls_error("BIO_new_mem_buf");
  return bio;
}

}  // namespace

namespace detail {

X509Ptr parse_pem_certificate(std::string_view pem) {
  const BioPtr bio = memory_bio(pem);
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

PkeyPtr parse_pem_key(std::string_view pem) {
  const BioPtr bio = memory_bio(pem);
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

PkeyPtr parse_der_private_key(std::span<const std::uint8_t> der) {
  if (PkeyPtr key = import_p256_pkcs8(der)) return key;
  ERR_clear_error();
  const unsigned char* p = der.data();
  return PkeyPtr(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
}

}  // namespace detail

Authority Authority::create(std::string_view common_name) {
  P256Key key = generate_p256_key();
  // Ten years: long enough that a hub's data folder outlives any test run.
  X509Ptr x = new_certificate(common_name, key, std::chrono::seconds(-3600), std::chrono::hours(24 * 3650));
  if (X509_set_issuer_name(x.get(), X509_get_subject_name(x.get())) != 1) throw_tls_error("issuer name");
  add_basic_constraints(x.get(), true);
  add_key_usage(x.get(), {0, 5, 6});  // digitalSignature, keyCertSign, cRLSign
  add_subject_key_id(x.get());
  sign(x.get(), key.key.get());
  Authority authority;
  authority.cert_ = std::shared_ptr<X509>(x.release(), X509_free);
  authority.key_ = std::shared_ptr<EVP_PKEY>(key.key.release(), EVP_PKEY_free);
  return authority;
}

Authority Authority::load(const Pem& pem) {
  X509Ptr x = parse_pem_certificate(pem.certificate);
  if (!x) throw_tls_error("CA certificate PEM");
  PkeyPtr key = parse_pem_key(pem.private_key);
  if (!key) throw_tls_error("CA private key PEM");
  if (X509_check_private_key(x.get(), key.get()) != 1)
    throw_tls_error("CA private key does not match its certificate");
  Authority authority;
  authority.cert_ = std::shared_ptr<X509>(x.release(), X509_free);
  authority.key_ = std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free);
  return authority;
}

Pem Authority::pem() const {
  return {certificate_to_pem(cert_.get()), key_to_pem(key_.get())};
}

std::string Authority::certificate_pem() const {
  return certificate_to_pem(cert_.get());
}

Pem Authority::issue_pem(const LeafRequest& request) const {
  return to_pem(make_leaf(request, cert_.get(), key_.get()));
}

Der Authority::issue_der(const LeafRequest& request) const {
  return to_der(make_leaf(request, cert_.get(), key_.get()));
}

Pem self_signed_pem(const LeafRequest& request) {
  return to_pem(make_leaf(request, nullptr, nullptr));
}

Der self_signed_der(const LeafRequest& request) {
  return to_der(make_leaf(request, nullptr, nullptr));
}

Der pem_to_der(const Pem& pem) {
  X509Ptr x = parse_pem_certificate(pem.certificate);
  if (!x) throw_tls_error("certificate PEM");
  Der der{certificate_to_der(x.get()), {}};
  if (!pem.private_key.empty()) {
    PkeyPtr key = parse_pem_key(pem.private_key);
    if (!key) throw_tls_error("private key PEM");
    der.private_key = key_to_der(key.get());
  }
  return der;
}

}  // namespace fleetsim::tls
