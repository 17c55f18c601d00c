// X.509 material: a CA, server and client leaves, expiry, self-signed leaves, thumbprints and
// atomic file writes, checked with OpenSSL's own verifier and accessors.
#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "transports/tls/certificates.hpp"
#include "transports/tls/openssl_util.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::tls {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

X509Ptr from_der(const std::vector<std::uint8_t>& der) {
  const unsigned char* p = der.data();
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

X509Ptr from_pem(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                BIO_free);
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

PkeyPtr key_from_der(const std::vector<std::uint8_t>& der) {
  const unsigned char* p = der.data();
  return PkeyPtr(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
}

std::string common_name(X509* x) {
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
  return cn;
}

// X509_V_OK, or why `leaf` does not chain to `ca`.
int verify(X509* leaf, X509* ca, int purpose = X509_PURPOSE_SSL_CLIENT) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  X509_STORE_add_cert(store.get(), ca);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  X509_verify_cert(ctx.get());
  return X509_STORE_CTX_get_error(ctx.get());
}

bool is_upper_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); });
}

class Certificates : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ca_ = new Authority(Authority::create("fleetsim test CA")); }
  static void TearDownTestSuite() {
    delete ca_;
    ca_ = nullptr;
  }
  static X509Ptr ca_certificate() { return from_pem(ca_->certificate_pem()); }
  static Authority* ca_;
};
Authority* Certificates::ca_ = nullptr;

TEST_F(Certificates, AuthorityIsASelfSignedP256Ca) {
  const Pem pem = ca_->pem();
  EXPECT_NE(pem.certificate.find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  EXPECT_NE(pem.private_key.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);  // PKCS#8
  const X509Ptr ca = ca_certificate();
  ASSERT_TRUE(ca);
  EXPECT_EQ(common_name(ca.get()), "fleetsim test CA");
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_NE(X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN, 0u);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(ca.get()), X509_get_issuer_name(ca.get())), 0);
  EXPECT_EQ(X509_get_signature_nid(ca.get()), NID_ecdsa_with_SHA256);
  EVP_PKEY* key = X509_get0_pubkey(ca.get());
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
  EXPECT_EQ(EVP_PKEY_get_bits(key), 256);
  EXPECT_EQ(verify(ca.get(), ca.get(), X509_PURPOSE_ANY), X509_V_OK);
}

TEST_F(Certificates, ClientLeafChainsToTheCaWithItsCommonName) {
  const Der der = ca_->issue_der({.common_name = "dev-00042"});
  const X509Ptr leaf = from_der(der.certificate);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(common_name(leaf.get()), "dev-00042");
  const X509Ptr ca = ca_certificate();
  EXPECT_EQ(verify(leaf.get(), ca.get()), X509_V_OK);
  EXPECT_EQ(X509_check_ca(leaf.get()), 0);
  EXPECT_NE(X509_get_extended_key_usage(leaf.get()) & XKU_SSL_CLIENT, 0u);
  EXPECT_EQ(X509_get_extended_key_usage(leaf.get()) & XKU_SSL_SERVER, 0u);
  EXPECT_EQ(X509_get_signature_nid(leaf.get()), NID_ecdsa_with_SHA256);
  const PkeyPtr key = key_from_der(der.private_key);
  ASSERT_TRUE(key);
  EXPECT_EQ(X509_check_private_key(leaf.get(), key.get()), 1);
  // A positive 16-byte serial, different for every leaf.
  const ASN1_INTEGER* serial = X509_get0_serialNumber(leaf.get());
  EXPECT_EQ(ASN1_STRING_length(serial), 16);
  EXPECT_NE(ASN1_STRING_type(serial), V_ASN1_NEG_INTEGER);
  const X509Ptr other = from_der(ca_->issue_der({.common_name = "dev-00042"}).certificate);
  EXPECT_NE(ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(other.get())), 0);
}

TEST_F(Certificates, KeyAndPublicKeyEncodingsMatchOpenSsl) {
  // The fast encodings of certificates.cpp, byte for byte against OpenSSL's generic encoders.
  const Der der = ca_->issue_der({.common_name = "dev-encoding"});
  const PkeyPtr key = key_from_der(der.private_key);
  ASSERT_TRUE(key);
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, decltype(&PKCS8_PRIV_KEY_INFO_free)> p8(EVP_PKEY2PKCS8(key.get()),
                                                                               PKCS8_PRIV_KEY_INFO_free);
  unsigned char* reencoded = nullptr;
  const int size = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &reencoded);
  ASSERT_GT(size, 0);
  EXPECT_EQ(std::vector<std::uint8_t>(reencoded, reencoded + size), der.private_key);
  OPENSSL_free(reencoded);

  const X509Ptr leaf = from_der(der.certificate);
  EVP_PKEY* public_key = X509_get0_pubkey(leaf.get());
  ASSERT_NE(public_key, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(public_key, key.get()), 1);
  unsigned char* spki = nullptr;
  const int spki_size = i2d_PUBKEY(key.get(), &spki);
  unsigned char* in_cert = nullptr;
  const int in_cert_size = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf.get()), &in_cert);
  EXPECT_EQ(std::vector<std::uint8_t>(spki, spki + spki_size),
            std::vector<std::uint8_t>(in_cert, in_cert + in_cert_size));
  OPENSSL_free(spki);
  OPENSSL_free(in_cert);

  const Pem pem = ca_->issue_pem({.common_name = "dev-pem"});
  EXPECT_EQ(pem_to_der(pem).private_key.size(), 138u);
}

TEST_F(Certificates, FastKeyImportAgreesWithOpenSslsDecoder) {
  const Der der = ca_->issue_der({.common_name = "dev-import"});
  const detail::PkeyPtr fast = detail::parse_der_private_key(der.private_key);
  const PkeyPtr decoded = key_from_der(der.private_key);
  ASSERT_TRUE(fast);
  EXPECT_EQ(EVP_PKEY_eq(fast.get(), decoded.get()), 1);
  EXPECT_EQ(X509_check_private_key(from_der(der.certificate).get(), fast.get()), 1);
  // Another layout (the traditional RFC 5915 form) goes through the decoder.
  unsigned char* traditional = nullptr;
  const int size = i2d_PrivateKey(decoded.get(), &traditional);
  ASSERT_GT(size, 0);
  const detail::PkeyPtr fallback = detail::parse_der_private_key(
      std::span<const std::uint8_t>(traditional, static_cast<std::size_t>(size)));
  OPENSSL_free(traditional);
  ASSERT_TRUE(fallback);
  EXPECT_EQ(EVP_PKEY_eq(fallback.get(), decoded.get()), 1);
  const std::uint8_t junk[] = {1, 2, 3};
  EXPECT_FALSE(detail::parse_der_private_key(junk));
  ERR_clear_error();
}

TEST_F(Certificates, ServerLeafHasTheRequestedNamesAndAddresses) {
  const Pem pem = ca_->issue_pem({.common_name = "localhost",
                                  .dns_names = {"localhost"},
                                  .ip_addresses = {"127.0.0.1", "::1"},
                                  .server = true});
  const X509Ptr leaf = from_pem(pem.certificate);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(leaf.get(), "example.com", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "10.0.0.1", 0), 0);
  EXPECT_NE(X509_get_extended_key_usage(leaf.get()) & XKU_SSL_SERVER, 0u);
  const X509Ptr ca = ca_certificate();
  EXPECT_EQ(verify(leaf.get(), ca.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
}

TEST_F(Certificates, NotAnAddressIsAConfigurationError) {
  EXPECT_THROW(ca_->issue_der({.common_name = "x", .ip_addresses = {"not-an-ip"}}), TlsError);
}

TEST_F(Certificates, ValidityFollowsTheRequest) {
  const X509Ptr expired = from_der(ca_->issue_der({.common_name = "old",
                                                   .valid_from = std::chrono::hours(-48),
                                                   .valid_for = std::chrono::hours(-24)})
                                       .certificate);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notAfter(expired.get())), 0);
  const X509Ptr ca = ca_certificate();
  EXPECT_EQ(verify(expired.get(), ca.get()), X509_V_ERR_CERT_HAS_EXPIRED);

  const X509Ptr future = from_der(ca_->issue_der({.common_name = "new",
                                                  .valid_from = std::chrono::hours(24),
                                                  .valid_for = std::chrono::hours(48)})
                                      .certificate);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notBefore(future.get())), 0);
  EXPECT_EQ(verify(future.get(), ca.get()), X509_V_ERR_CERT_NOT_YET_VALID);

  const X509Ptr current = from_der(ca_->issue_der({.common_name = "now"}).certificate);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(current.get())), 0);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notAfter(current.get())), 0);
}

TEST_F(Certificates, SelfSignedLeafVerifiesOnlyAgainstItself) {
  const Der der = self_signed_der({.common_name = "thumbprint-device"});
  const X509Ptr leaf = from_der(der.certificate);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(common_name(leaf.get()), "thumbprint-device");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(leaf.get()), X509_get_issuer_name(leaf.get())), 0);
  EXPECT_EQ(X509_verify(leaf.get(), X509_get0_pubkey(leaf.get())), 1);
  EXPECT_EQ(X509_check_ca(leaf.get()), 0);
  const X509Ptr ca = ca_certificate();
  EXPECT_NE(verify(leaf.get(), ca.get()), X509_V_OK);
  const PkeyPtr key = key_from_der(der.private_key);
  EXPECT_EQ(X509_check_private_key(leaf.get(), key.get()), 1);

  const Pem pem = self_signed_pem({.common_name = "pem-device"});
  EXPECT_EQ(common_name(from_pem(pem.certificate).get()), "pem-device");
}

TEST_F(Certificates, ThumbprintsAreUpperCaseHexOfTheDer) {
  // Known answers: SHA-1 of nothing, SHA-256 of "abc".
  EXPECT_EQ(sha1_thumbprint({}), "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
  const std::uint8_t abc[] = {'a', 'b', 'c'};
  EXPECT_EQ(sha256_thumbprint(abc), "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");

  const Pem pem = ca_->issue_pem({.common_name = "dev1"});
  const Der der = pem_to_der(pem);
  const std::string sha1 = sha1_thumbprint(der.certificate);
  const std::string sha256 = sha256_thumbprint(der.certificate);
  EXPECT_EQ(sha1.size(), 40u);
  EXPECT_EQ(sha256.size(), 64u);
  EXPECT_TRUE(is_upper_hex(sha1));
  EXPECT_TRUE(is_upper_hex(sha256));
  EXPECT_EQ(thumbprint_of_pem(pem.certificate), sha1);
  EXPECT_EQ(thumbprint_of_pem(pem.certificate, true), sha256);
  EXPECT_EQ(thumbprint_of_pem("not a certificate"), std::nullopt);
  // pem_to_der keeps the key: it matches the certificate.
  EXPECT_EQ(X509_check_private_key(from_der(der.certificate).get(), key_from_der(der.private_key).get()), 1);
}

TEST_F(Certificates, LoadedAuthorityIssuesLeavesTheOriginalCaVerifies) {
  const Authority loaded = Authority::load(ca_->pem());
  EXPECT_EQ(loaded.certificate_pem(), ca_->certificate_pem());
  const X509Ptr leaf = from_der(loaded.issue_der({.common_name = "dev2"}).certificate);
  const X509Ptr ca = ca_certificate();
  EXPECT_EQ(verify(leaf.get(), ca.get()), X509_V_OK);

  const Authority other = Authority::create("other CA");
  EXPECT_THROW(Authority::load({ca_->certificate_pem(), other.pem().private_key}), TlsError);
  EXPECT_THROW(Authority::load({"garbage", other.pem().private_key}), TlsError);
  EXPECT_THROW(pem_to_der({"garbage", ""}), TlsError);
}

class Files : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "fleetsim-certs-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static unsigned mode(const std::string& path) {
    struct stat st {};
    stat(path.c_str(), &st);
    return st.st_mode & 0777;
  }
  std::string dir_;
};

TEST_F(Files, WritesAtomicallyWithTheRightMode) {
  const std::string key = dir_ + "/ca.key";
  const std::string cert = dir_ + "/ca.pem";
  write_file_atomic(key, "secret", true);
  write_file_atomic(cert, "public", false);
  EXPECT_EQ(read(key), "secret");
  EXPECT_EQ(read(cert), "public");
  EXPECT_EQ(mode(key), 0600u);
  EXPECT_EQ(mode(cert), 0644u);
  write_file_atomic(cert, "replaced", false);
  EXPECT_EQ(read(cert), "replaced");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 2u);  // no temporary left behind
  EXPECT_THROW(write_file_atomic(dir_ + "/missing/dir/file", "x", false), TlsError);
}

TEST_F(Files, ContextsLoadWhatWasWrittenAndNameTheBadFile) {
  const Authority ca = Authority::create("files CA");
  const Pem server = ca.issue_pem({.common_name = "localhost", .dns_names = {"localhost"}, .server = true});
  write_file_atomic(dir_ + "/server.pem", server.certificate, false);
  write_file_atomic(dir_ + "/server.key", server.private_key, true);
  write_file_atomic(dir_ + "/ca.pem", ca.certificate_pem(), false);
  EXPECT_NO_THROW(TlsContext::server({.cert_file = dir_ + "/server.pem",
                                      .key_file = dir_ + "/server.key",
                                      .client_ca_files = {dir_ + "/ca.pem"}}));
  EXPECT_NO_THROW(TlsContext::client({.ca_file = dir_ + "/ca.pem"}));
  try {
    TlsContext::client({.ca_file = dir_ + "/nowhere.pem"});
    FAIL() << "a missing CA file must throw";
  } catch (const TlsError& e) {
    EXPECT_NE(std::string(e.what()).find("nowhere.pem"), std::string::npos) << e.what();
  }
  const Pem other = ca.issue_pem({.common_name = "other"});
  write_file_atomic(dir_ + "/other.key", other.private_key, true);
  try {
    TlsContext::server({.cert_file = dir_ + "/server.pem", .key_file = dir_ + "/other.key"});
    FAIL() << "a key that does not match must throw";
  } catch (const TlsError& e) {
    EXPECT_NE(std::string(e.what()).find("other.key"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace fleetsim::tls
