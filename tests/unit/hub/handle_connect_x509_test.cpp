// CONNECT of X.509 identities (reference 1.6) and the SAS lifetime of live sessions (1.5):
// the decisions alone, with the certificate a TLS handshake would have reported.
#include <cctype>
#include <deque>

#include "hub/x509_auth.hpp"
#include "hub_test_support.hpp"

namespace fleetsim::hub {
namespace {

using mqtt::ConnackCode;
using test::FakeConnection;

constexpr std::string_view sha1_a = "0123456789ABCDEF0123456789ABCDEF01234567";
constexpr std::string_view sha1_b = "89ABCDEF0123456789ABCDEF0123456789ABCDEF";
constexpr std::string_view sha256_a = "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF";

transports::PeerCertificate certificate(std::string_view cn, std::string_view sha1 = sha1_a,
                                        std::string_view sha256 = sha256_a) {
  transports::PeerCertificate c;
  c.present = true;
  c.common_name = cn;
  c.sha1_thumbprint = sha1;
  c.sha256_thumbprint = sha256;
  c.chain_verified = false;
  c.within_validity = true;
  return c;
}

class HandleConnectX509 : public test::HubFixture {
 protected:
  HandleConnectX509() {
    context.registry.add_device("selfie", Authentication::self_signed(sha1_a, sha256_a));
    context.registry.add_device("ca-dev", Authentication::certificate_authority());
    context.registry.add_module("ca-dev", "cam", Authentication::certificate_authority());
  }

  // CONNECT as `client_id` (username for it, no password) with `cert` presented, if any.
  ConnackCode connect(std::string_view client_id, std::optional<transports::PeerCertificate> cert,
                      std::optional<std::string> password = std::nullopt) {
    FakeConnection& connection = connections.emplace_back();
    connection.certificate = std::move(cert);
    const std::size_t slash = client_id.find('/');
    std::string username = "hub.example/" + std::string(client_id.substr(0, slash)) + "/";
    if (slash != std::string_view::npos) username += std::string(client_id.substr(slash + 1)) + "/";
    username += "?api-version=2021-04-12";
    mqtt::Connect packet;
    packet.client_id = client_id;
    packet.username = username;
    if (password) packet.password = mqtt::as_bytes(*password);
    out.clear();
    verdict = handle_packet(context, connection, packet, test::test_now(), out);
    return test::only_packet<mqtt::Connack>(out).code;
  }

  std::deque<FakeConnection> connections;
  Verdict verdict = Verdict::keep_open;
};

TEST_F(HandleConnectX509, SelfSignedWithARegisteredThumbprintIsAccepted) {
  EXPECT_EQ(connect("selfie", certificate("selfie")), ConnackCode::accepted);
  EXPECT_EQ(verdict, Verdict::keep_open);
  EXPECT_EQ(connections.back().session().identity, context.registry.find("selfie"));
  EXPECT_EQ(connections.back().session().sas_expiry_s, 0U);  // X.509 sessions do not expire
  EXPECT_EQ(connect("selfie", certificate("selfie"), std::string()),
            ConnackCode::accepted);  // empty password
}

TEST_F(HandleConnectX509, EitherRegisteredThumbprintAndEitherHashMatch) {
  ASSERT_NE(context.registry.add_device("two", Authentication::self_signed(sha1_b, sha256_a)), nullptr);
  // The primary is SHA-1: only the certificate's SHA-1 is compared with it.
  EXPECT_EQ(connect("two", certificate("two", sha1_b, std::string(64, '0'))), ConnackCode::accepted);
  // The secondary is SHA-256.
  EXPECT_EQ(connect("two", certificate("two", sha1_a, sha256_a)), ConnackCode::accepted);
  EXPECT_EQ(connect("two", certificate("two", sha1_a, std::string(64, '0'))), ConnackCode::not_authorized);
}

TEST_F(HandleConnectX509, ThumbprintsRegisteredInLowerCaseMatch) {
  std::string lower(sha1_a);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  ASSERT_NE(context.registry.add_device("lower", Authentication::self_signed(lower)), nullptr);
  EXPECT_EQ(context.registry.find("lower")->thumbprints->primary, sha1_a);
  EXPECT_EQ(connect("lower", certificate("lower")), ConnackCode::accepted);
}

TEST_F(HandleConnectX509, AnUnregisteredSelfSignedCertificateIsNotAuthorized) {
  EXPECT_EQ(connect("selfie", certificate("selfie", sha1_b, std::string(64, 'F'))),
            ConnackCode::not_authorized);
  EXPECT_EQ(verdict, Verdict::close);
  EXPECT_EQ(context.counters.connects_refused.load(), 1U);
}

TEST_F(HandleConnectX509, CaSignedNeedsAVerifiedChain) {
  auto signed_by_trusted = certificate("ca-dev");
  signed_by_trusted.chain_verified = true;
  EXPECT_EQ(connect("ca-dev", signed_by_trusted), ConnackCode::accepted);
  EXPECT_EQ(connect("ca-dev", certificate("ca-dev")), ConnackCode::not_authorized);
}

TEST_F(HandleConnectX509, TheCommonNameMustBeTheClientId) {
  auto wrong = certificate("other-device");
  wrong.chain_verified = true;
  EXPECT_EQ(connect("ca-dev", wrong), ConnackCode::not_authorized);
  EXPECT_EQ(connect("selfie", certificate("Selfie")), ConnackCode::not_authorized);  // case-sensitive
  EXPECT_EQ(verify_client_certificate(*context.registry.find("selfie"), certificate("Selfie")),
            CertificateVerdict::wrong_common_name);
}

TEST_F(HandleConnectX509, AModuleCertificateNamesDeviceSlashModule) {
  auto module_cert = certificate("ca-dev/cam");
  module_cert.chain_verified = true;
  EXPECT_EQ(connect("ca-dev/cam", module_cert), ConnackCode::accepted);
  auto bare = certificate("cam");
  bare.chain_verified = true;
  EXPECT_EQ(connect("ca-dev/cam", bare), ConnackCode::not_authorized);
}

TEST_F(HandleConnectX509, ExpiredOrNotYetValidIsRefusedEvenWhenOtherwiseGood) {
  auto expired = certificate("ca-dev");
  expired.chain_verified = true;
  expired.within_validity = false;
  EXPECT_EQ(connect("ca-dev", expired), ConnackCode::not_authorized);
  auto expired_selfie = certificate("selfie");
  expired_selfie.within_validity = false;
  EXPECT_EQ(connect("selfie", expired_selfie), ConnackCode::not_authorized);
  EXPECT_EQ(verify_client_certificate(*context.registry.find("selfie"), expired_selfie),
            CertificateVerdict::outside_validity);
}

TEST_F(HandleConnectX509, NoCertificateOrAPasswordIsNotAuthorized) {
  EXPECT_EQ(connect("selfie", std::nullopt), ConnackCode::not_authorized);
  transports::PeerCertificate absent;  // TLS without a client certificate
  EXPECT_EQ(connect("selfie", absent), ConnackCode::not_authorized);
  // An X.509 identity has no keys: a token cannot prove anything.
  EXPECT_EQ(connect("selfie", certificate("selfie"), test::token_for("selfie", "", test::primary_key)),
            ConnackCode::not_authorized);
  EXPECT_EQ(context.counters.connects_accepted.load(), 0U);
}

TEST_F(HandleConnectX509, ACertificateDoesNotAuthenticateASasIdentity) {
  // dev1 has keys: without a password it is "bad user name or password", whatever the certificate.
  EXPECT_EQ(connect("dev1", certificate("dev1")), ConnackCode::bad_username_or_password);
  EXPECT_EQ(verify_client_certificate(*context.registry.find("dev1"), certificate("dev1")),
            CertificateVerdict::not_x509_identity);
}

TEST(Registry, ThumbprintsMustBeSha1OrSha256Hex) {
  Registry registry;
  EXPECT_EQ(registry.add_device("a", Authentication::self_signed("")), nullptr);
  EXPECT_EQ(registry.add_device("a", Authentication::self_signed(std::string(41, 'A'))), nullptr);
  EXPECT_EQ(registry.add_device("a", Authentication::self_signed(std::string(40, 'G'))), nullptr);
  EXPECT_EQ(registry.add_device("a", Authentication::self_signed(sha1_a, "zz")), nullptr);
  Identity* a = registry.add_device("a", Authentication::self_signed(sha256_a));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->auth, AuthKind::self_signed);
  EXPECT_TRUE(a->primary_key.empty());
  Identity* b = registry.add_device("b", Authentication::certificate_authority());
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->thumbprints, nullptr);
  EXPECT_EQ(registry.add_device("c", test::primary_key)->auth, AuthKind::sas);
}

// ---- SAS lifetime ----

class SasLifetime : public test::HubFixture {};

TEST_F(SasLifetime, ConnectRemembersTheTokensExpiry) {
  FakeConnection connection;
  const std::uint64_t expiry = test::test_now_s() + 2;
  const std::string username = "hub.example/dev1/?api-version=1";
  const std::string token = test::token_for("dev1", "", test::primary_key, expiry);
  const mqtt::Connect packet = test::connect_packet("dev1", username, token);  // views into both
  ASSERT_EQ(handle_packet(context, connection, packet, test::test_now(), out), Verdict::keep_open);
  EXPECT_EQ(connection.session().sas_expiry_s, expiry);
}

TEST_F(SasLifetime, ASessionClosesOnceItsTokenHasExpired) {
  FakeConnection connection;
  attach(connection, "dev1");
  connection.session().sas_expiry_s = test::test_now_s() + 2;
  const auto at = [](std::int64_t offset_s) { return test::test_now() + std::chrono::seconds(offset_s); };
  EXPECT_EQ(check_sas_lifetime(context, connection.session(), at(0)), Verdict::keep_open);
  EXPECT_EQ(check_sas_lifetime(context, connection.session(), at(1) + std::chrono::milliseconds(999)),
            Verdict::keep_open);
  EXPECT_EQ(context.counters.sas_expired.load(), 0U);
  // `se` <= now is expired, as at CONNECT.
  EXPECT_EQ(check_sas_lifetime(context, connection.session(), at(2)), Verdict::close);
  EXPECT_EQ(context.counters.sas_expired.load(), 1U);
}

TEST_F(SasLifetime, X509AndUnconnectedSessionsNeverExpire) {
  FakeConnection x509;
  attach(x509, "dev2");  // sas_expiry_s 0, as handle_connect leaves it for certificates
  EXPECT_EQ(check_sas_lifetime(context, x509.session(), test::test_now() + std::chrono::hours(24 * 365)),
            Verdict::keep_open);
  FakeConnection fresh;
  fresh.session().sas_expiry_s = 1;  // not connected: the CONNECT timeout applies, not this
  EXPECT_EQ(check_sas_lifetime(context, fresh.session(), test::test_now()), Verdict::keep_open);
  EXPECT_EQ(context.counters.sas_expired.load(), 0U);
}

TEST_F(SasLifetime, ReleasingTheIdentityForgetsTheExpiry) {
  FakeConnection connection;
  attach(connection, "dev1");
  connection.session().sas_expiry_s = test::test_now_s() + 60;
  connection.close();
  EXPECT_EQ(connection.session().sas_expiry_s, 0U);
}

}  // namespace
}  // namespace fleetsim::hub
