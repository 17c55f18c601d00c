// The shard's X.509 identities: one CA-signed certificate per session with the right CN, in the
// shard's session order, cached on disk and loaded (not made again) by the next run; a damaged
// or foreign cache is made again.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <string>

#include "sim/plan.hpp"
#include "sim/x509_identities.hpp"
#include "unit/sim/scenario_test_util.hpp"

namespace fleetsim::sim {
namespace {

namespace fs = std::filesystem;

struct X509Free {
  void operator()(X509* x) const noexcept { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

X509Ptr parse_der(std::span<const std::uint8_t> der) {
  const unsigned char* p = der.data();
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

X509Ptr read_pem_certificate(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return nullptr;
  X509Ptr cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  return cert;
}

std::string common_name_of(X509* cert) {
  char buf[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
  return buf;
}

class X509IdentitiesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("fleetsim-x509-test-" + std::to_string(getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  Scenario scenario(std::uint64_t seed = 3) {
    Scenario s = test::load_ok(
        "[target]\ntransport = \"mqtt-tls\"\n[fleet]\ndevices = 5\nmodules = [\"a\", \"b\"]\nauth = "
        "\"x509\"\n");
    s.seed = seed;
    return s;
  }

  fs::path root_;
};

TEST_F(X509IdentitiesTest, OneCaSignedCertificatePerSessionOfTheShard) {
  const Scenario s = scenario();
  // Shard 1/2: devices 1 and 3, each followed by its two modules.
  const X509Identities ids = X509Identities::load_or_create(s, 1, 2, root_.string());
  EXPECT_FALSE(ids.loaded_from_cache());
  ASSERT_EQ(ids.size(), shard_session_count(s, 1, 2));
  ASSERT_EQ(ids.size(), 6u);

  const X509Ptr ca = read_pem_certificate(ids.ca_file());
  ASSERT_NE(ca, nullptr);
  EVP_PKEY* ca_key = X509_get0_pubkey(ca.get());
  const char* expected[] = {"dev-00001", "dev-00001/a", "dev-00001/b",
                            "dev-00003", "dev-00003/a", "dev-00003/b"};
  for (std::size_t k = 0; k < ids.size(); ++k) {
    const transports::ClientCertificate id = ids.identity(k);
    const X509Ptr cert = parse_der(id.certificate_der);
    ASSERT_NE(cert, nullptr) << k;
    EXPECT_EQ(common_name_of(cert.get()), expected[k]);
    EXPECT_EQ(X509_verify(cert.get(), ca_key), 1) << "signed by the CA in ca.pem";
    const unsigned char* p = id.private_key_der.data();
    const PkeyPtr key(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(id.private_key_der.size())));
    ASSERT_NE(key, nullptr) << k;
    EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1) << "the key belongs to the certificate";
  }
  EXPECT_TRUE(fs::exists(ids.directory() + "/ca.key"));
  EXPECT_EQ(fs::status(ids.directory() + "/identities.bin").permissions() & fs::perms::others_all,
            fs::perms::none);
}

TEST_F(X509IdentitiesTest, TheNextRunLoadsTheCache) {
  const Scenario s = scenario();
  const X509Identities made = X509Identities::load_or_create(s, 0, 1, root_.string());
  const X509Identities loaded = X509Identities::load_or_create(s, 0, 1, root_.string());
  EXPECT_TRUE(loaded.loaded_from_cache());
  EXPECT_EQ(loaded.directory(), made.directory());
  ASSERT_EQ(loaded.size(), made.size());
  for (std::size_t k = 0; k < made.size(); ++k) {
    const auto a = made.identity(k), b = loaded.identity(k);
    EXPECT_TRUE(std::equal(a.certificate_der.begin(), a.certificate_der.end(), b.certificate_der.begin(),
                           b.certificate_der.end()));
    EXPECT_TRUE(std::equal(a.private_key_der.begin(), a.private_key_der.end(), b.private_key_der.begin(),
                           b.private_key_der.end()));
  }
}

TEST_F(X509IdentitiesTest, AnotherSeedOrShapeUsesAnotherFolder) {
  const X509Identities a = X509Identities::load_or_create(scenario(3), 0, 1, root_.string());
  const X509Identities b = X509Identities::load_or_create(scenario(4), 0, 1, root_.string());
  Scenario more = scenario(3);
  more.fleet.devices = 6;
  const X509Identities c = X509Identities::load_or_create(more, 0, 1, root_.string());
  EXPECT_NE(a.directory(), b.directory());
  EXPECT_NE(a.directory(), c.directory());
  EXPECT_FALSE(b.loaded_from_cache());
  EXPECT_FALSE(c.loaded_from_cache());
  EXPECT_EQ(c.size(), 18u);
}

TEST_F(X509IdentitiesTest, DamagedOrForeignCacheIsMadeAgain) {
  const Scenario s = scenario();
  const std::string dir = X509Identities::load_or_create(s, 0, 1, root_.string()).directory();
  const auto size = fs::file_size(dir + "/identities.bin");
  fs::resize_file(dir + "/identities.bin", size - 1);
  X509Identities again = X509Identities::load_or_create(s, 0, 1, root_.string());
  EXPECT_FALSE(again.loaded_from_cache()) << "a truncated file is not used";
  EXPECT_EQ(again.size(), 15u);

  // A CA file that does not match the identities (two runs raced): made again, consistently.
  const X509Identities other = X509Identities::load_or_create(scenario(9), 0, 1, root_.string());
  fs::copy_file(other.ca_file(), dir + "/ca.pem", fs::copy_options::overwrite_existing);
  again = X509Identities::load_or_create(s, 0, 1, root_.string());
  EXPECT_FALSE(again.loaded_from_cache());
  const X509Ptr ca = read_pem_certificate(again.ca_file());
  const X509Ptr leaf = parse_der(again.identity(0).certificate_der);
  ASSERT_TRUE(ca && leaf);
  EXPECT_EQ(X509_verify(leaf.get(), X509_get0_pubkey(ca.get())), 1);
  EXPECT_TRUE(X509Identities::load_or_create(s, 0, 1, root_.string()).loaded_from_cache());
}

TEST(X509CacheRoot, FollowsXdgThenHome) {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const bool had_xdg = xdg != nullptr;
  const std::string saved = had_xdg ? xdg : "";
  setenv("XDG_CACHE_HOME", "/var/cache/u", 1);
  EXPECT_EQ(X509Identities::default_cache_root(), "/var/cache/u/fleetsim/x509");
  unsetenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') {
    EXPECT_EQ(X509Identities::default_cache_root(), std::string(home) + "/.cache/fleetsim/x509");
  }
  if (had_xdg) setenv("XDG_CACHE_HOME", saved.c_str(), 1);
}

}  // namespace
}  // namespace fleetsim::sim
