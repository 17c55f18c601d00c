// SAS tokens (reference 1.3, 1.4): known answers recomputed by the openssl command line, the
// literal Node vector, and every verdict of the hub's verification.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "transports/iothub/sas.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::iothub {
namespace {

constexpr std::string_view node_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
constexpr std::string_view node_token =
    "SharedAccessSignature sr=localhost%2Fdevices%2Fdev1&sig=1in4J7DL2TF9lL%2FTogoBZ2Is2axoPBGmQXVwsoVK4YM%3D"
    "&se=1795380885";
constexpr std::string_view other_key = "PqZ70GzRIOv8Mfap31nzDjwqsRwt8X6VTLDUM48qDGk=";
constexpr std::uint64_t node_expiry = 1795380885;

// The signature exactly as reference 1.3's shell recipe computes it, with nothing of fleetsim.
std::string openssl_signature(std::string_view key, std::string_view sr, std::string_view se) {
  setenv("FLEETSIM_TEST_KEY", std::string(key).c_str(), 1);
  setenv("FLEETSIM_TEST_SR", std::string(sr).c_str(), 1);
  setenv("FLEETSIM_TEST_SE", std::string(se).c_str(), 1);
  const char* command =
      "KEYHEX=$(printf %s \"$FLEETSIM_TEST_KEY\" | base64 -d | od -An -v -tx1 | tr -d ' \\n'); "
      "printf '%s\\n%s' \"$FLEETSIM_TEST_SR\" \"$FLEETSIM_TEST_SE\" | "
      "openssl dgst -sha256 -mac HMAC -macopt hexkey:\"$KEYHEX\" -binary | base64";
  FILE* pipe = popen(command, "r");
  if (pipe == nullptr) return {};
  std::string out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string field(std::string_view token, std::string_view name) {
  const auto parsed = parse_sas_token(token);
  if (!parsed) return {};
  if (name == "sr") return std::string(parsed->sr);
  if (name == "sig") return std::string(parsed->sig);
  if (name == "se") return std::string(parsed->se);
  return std::string(parsed->skn);
}

TEST(SasKnownAnswer, TheNodeVectorOfTheReference) {
  EXPECT_EQ(resource_uri("localhost", "dev1"), "localhost/devices/dev1");
  EXPECT_EQ(make_sas_token("localhost/devices/dev1", node_key, node_expiry), std::string(node_token));
  EXPECT_EQ(openssl_signature(node_key, "localhost%2Fdevices%2Fdev1", "1795380885"),
            "1in4J7DL2TF9lL/TogoBZ2Is2axoPBGmQXVwsoVK4YM=");
}

TEST(SasKnownAnswer, DeviceTokenMatchesOpenssl) {
  const auto token = make_sas_token(resource_uri("hub.example.net", "dev-42"), other_key, 2000000000);
  ASSERT_TRUE(token);
  EXPECT_EQ(field(*token, "sr"), "hub.example.net%2Fdevices%2Fdev-42");
  const std::string expected =
      openssl_signature(other_key, "hub.example.net%2Fdevices%2Fdev-42", "2000000000");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(field(*token, "sig"), url_encode(expected));
  EXPECT_EQ(field(*token, "skn"), "");
}

TEST(SasKnownAnswer, ModuleTokenMatchesOpenssl) {
  const std::string resource = resource_uri("localhost", "dev1", "sensor");
  EXPECT_EQ(resource, "localhost/devices/dev1/modules/sensor");
  const auto token = make_sas_token(resource, node_key, 1795380885);
  ASSERT_TRUE(token);
  const std::string expected =
      openssl_signature(node_key, "localhost%2Fdevices%2Fdev1%2Fmodules%2Fsensor", "1795380885");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(field(*token, "sig"), url_encode(expected));
}

TEST(SasKnownAnswer, ServiceTokenMatchesOpenssl) {
  EXPECT_EQ(resource_uri("localhost", ""), "localhost");
  const auto token = make_sas_token("localhost", other_key, 1800000000, "iothubowner");
  ASSERT_TRUE(token);
  EXPECT_EQ(field(*token, "sr"), "localhost");
  EXPECT_EQ(field(*token, "skn"), "iothubowner");
  const std::string expected = openssl_signature(other_key, "localhost", "1800000000");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(field(*token, "sig"), url_encode(expected));
}

TEST(SasToken, InvalidKeyGivesNoToken) {
  EXPECT_FALSE(make_sas_token("localhost", "not base64!", 1));
}

TEST(SasToken, ParsesFieldsInAnyOrder) {
  const auto t = parse_sas_token("SharedAccessSignature sig=abc%3D&se=12&skn=service&sr=h");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sr, "h");
  EXPECT_EQ(t->sig, "abc%3D");
  EXPECT_EQ(t->se, "12");
  EXPECT_EQ(t->skn, "service");
  EXPECT_EQ(t->expiry, 12u);
}

TEST(SasToken, MalformedTokensAreRefused) {
  for (const char* bad :
       {"", "SharedAccessSignature", "sr=h&sig=s&se=1", "SharedAccessSignature sr=h&sig=s",
        "SharedAccessSignature sr=h&sig=s&se=", "SharedAccessSignature sr=h&sig=s&se=1x",
        "SharedAccessSignature sr=h&sig=s&se=-1", "SharedAccessSignature sr=&sig=s&se=1",
        "SharedAccessSignature sr=h&sig=s&se=1&sr=h", "SharedAccessSignature sr=h&sig=s&se=1&x=y",
        "SharedAccessSignature sr=h&sig&se=1", "SharedAccessSignature sr=h&&sig=s&se=1",
        "SharedAccessSignature sr=h&sig=s&se=1&", "SharedAccessSignature ",
        "SharedAccessSignature sr=h&sig=s&se=99999999999999999999",
        "sharedaccesssignature sr=h&sig=s&se=1"}) {
    EXPECT_FALSE(parse_sas_token(bad)) << bad;
  }
}

class SasVerify : public ::testing::Test {
 protected:
  static constexpr std::uint64_t now = 1795380000;
  std::vector<std::string_view> keys = {other_key, node_key};  // node_key is the secondary

  SasVerdict verify(std::string_view token, std::string_view scope = "localhost/devices/dev1") {
    return verify_sas_token(token, keys, now, scope);
  }
};

TEST_F(SasVerify, ValidWithPrimaryAndWithSecondaryKey) {
  EXPECT_EQ(verify(node_token), SasVerdict::valid);  // signed with the secondary
  keys = {node_key, other_key};
  EXPECT_EQ(verify(node_token), SasVerdict::valid);  // signed with the primary
}

TEST_F(SasVerify, WrongKeyIsABadSignature) {
  keys = {other_key};
  EXPECT_EQ(verify(node_token), SasVerdict::bad_signature);
  keys = {};
  EXPECT_EQ(verify(node_token), SasVerdict::bad_signature);
  keys = {"not base64!", node_key};  // an unusable key is skipped, not fatal
  EXPECT_EQ(verify(node_token), SasVerdict::valid);
}

TEST_F(SasVerify, TamperedSignatureOrFieldsAreBadSignatures) {
  std::string tampered(node_token);
  tampered[tampered.find("sig=1in4") + 4] = '2';
  EXPECT_EQ(verify(tampered), SasVerdict::bad_signature);
  std::string later(node_token);  // ends with se=1795380885
  later.back() = '6';
  EXPECT_EQ(verify(later), SasVerdict::bad_signature);
  // Truncated signature: decodes, but to fewer than 32 bytes.
  EXPECT_EQ(verify("SharedAccessSignature sr=localhost%2Fdevices%2Fdev1&sig=AAAA&se=1795380885"),
            SasVerdict::bad_signature);
}

TEST_F(SasVerify, ExpiredAtAndAfterSe) {
  EXPECT_EQ(verify_sas_token(node_token, keys, node_expiry, "localhost/devices/dev1"), SasVerdict::expired);
  EXPECT_EQ(verify_sas_token(node_token, keys, node_expiry + 1, "localhost/devices/dev1"),
            SasVerdict::expired);
  EXPECT_EQ(verify_sas_token(node_token, keys, node_expiry - 1, "localhost/devices/dev1"), SasVerdict::valid);
}

TEST_F(SasVerify, WrongScope) {
  EXPECT_EQ(verify(node_token, "localhost/devices/dev2"), SasVerdict::wrong_scope);
  EXPECT_EQ(verify(node_token, "localhost/devices/dev10"), SasVerdict::wrong_scope);  // not a segment prefix
  EXPECT_EQ(verify(node_token, "otherhost/devices/dev1"), SasVerdict::wrong_scope);
  // The device's scope covers its modules' paths (segment prefix) ...
  EXPECT_EQ(verify(node_token, "localhost/devices/dev1/modules/m1"), SasVerdict::valid);
}

TEST_F(SasVerify, ModuleScopeVersusDeviceToken) {
  const std::string module_key = "bW9kdWxlLWtleS1tb2R1bGUta2V5LW1vZHVsZS1rZXk=";
  const auto module_token = make_sas_token("localhost/devices/dev1/modules/m1", module_key, node_expiry);
  ASSERT_TRUE(module_token);
  keys = {module_key};
  EXPECT_EQ(verify(*module_token, "localhost/devices/dev1/modules/m1"), SasVerdict::valid);
  // A module's token does not cover its device ...
  EXPECT_EQ(verify(*module_token, "localhost/devices/dev1"), SasVerdict::wrong_scope);
  EXPECT_EQ(verify(*module_token, "localhost/devices/dev1/modules/m2"), SasVerdict::wrong_scope);
  // ... and the device's token fails against the module's own keys.
  EXPECT_EQ(verify(node_token, "localhost/devices/dev1/modules/m1"), SasVerdict::bad_signature);
}

TEST_F(SasVerify, FieldsInADifferentOrder) {
  EXPECT_EQ(verify("SharedAccessSignature sig=1in4J7DL2TF9lL%2FTogoBZ2Is2axoPBGmQXVwsoVK4YM%3D&se=1795380885"
                   "&sr=localhost%2Fdevices%2Fdev1"),
            SasVerdict::valid);
}

TEST_F(SasVerify, LowerCasePercentEscapes) {
  // The raw sr is what was signed, so a client writing %2f signs "…%2fdevices%2fdev1".
  const std::string sr = "localhost%2fdevices%2fdev1";
  const std::string sig = openssl_signature(node_key, sr, "1795380885");
  ASSERT_FALSE(sig.empty());
  // Lower-case hex in the escapes only, as the documentation writes them.
  std::string escaped = url_encode(sig);
  for (std::size_t i = escaped.find('%'); i != std::string::npos; i = escaped.find('%', i + 1)) {
    for (std::size_t k = i + 1; k <= i + 2; ++k) {
      escaped[k] = static_cast<char>(std::tolower(static_cast<unsigned char>(escaped[k])));
    }
  }
  ASSERT_NE(escaped, url_encode(sig));  // the signature of this vector does contain escapes
  EXPECT_EQ(verify("SharedAccessSignature sr=" + sr + "&sig=" + escaped + "&se=1795380885"),
            SasVerdict::valid);
  // The Node token with its sig escapes written in lower case still verifies.
  EXPECT_EQ(verify("SharedAccessSignature "
                   "sr=localhost%2Fdevices%2Fdev1&sig=1in4J7DL2TF9lL%2fTogoBZ2Is2axoPBGmQXVwsoVK4YM%3d"
                   "&se=1795380885"),
            SasVerdict::valid);
}

TEST_F(SasVerify, HostWithPortAndUpperCase) {
  const std::string sr = "LocalHost%3A8883%2Fdevices%2Fdev1";
  const std::string sig = openssl_signature(node_key, sr, "1795380885");
  ASSERT_FALSE(sig.empty());
  const std::string token = "SharedAccessSignature sr=" + sr + "&sig=" + url_encode(sig) + "&se=1795380885";
  EXPECT_EQ(verify(token, "localhost/devices/dev1"), SasVerdict::valid);
  EXPECT_EQ(verify(token, "LOCALHOST:443/devices/dev1"), SasVerdict::valid);
  EXPECT_EQ(verify(token, "localhost/devices/Dev1"), SasVerdict::wrong_scope);  // ids are case-sensitive
}

TEST_F(SasVerify, HubWideAndDevicesWideScopes) {
  const auto service = make_sas_token("localhost", node_key, node_expiry, "iothubowner");
  const auto devices = make_sas_token("localhost/devices", node_key, node_expiry, "device");
  ASSERT_TRUE(service && devices);
  EXPECT_EQ(verify(*service, "localhost/devices/any"), SasVerdict::valid);
  EXPECT_EQ(verify(*devices, "localhost/devices/any/modules/m"), SasVerdict::valid);
  EXPECT_EQ(verify(*devices, "localhost/devicesX/any"), SasVerdict::wrong_scope);
}

TEST_F(SasVerify, MalformedTokens) {
  EXPECT_EQ(verify("Bearer abc"), SasVerdict::malformed);
  EXPECT_EQ(verify("SharedAccessSignature sr=localhost%2&sig=AAAA&se=1795380885"), SasVerdict::malformed);
  EXPECT_EQ(verify("SharedAccessSignature sr=localhost&sig=%%%%&se=1795380885"), SasVerdict::malformed);
  EXPECT_EQ(verify("SharedAccessSignature sr=localhost&sig=not*base64&se=1795380885"), SasVerdict::malformed);
}

TEST(SasVerdictNames, AreDistinct) {
  EXPECT_STREQ(to_string(SasVerdict::valid), "valid");
  EXPECT_STREQ(to_string(SasVerdict::malformed), "malformed");
  EXPECT_STREQ(to_string(SasVerdict::bad_signature), "bad_signature");
  EXPECT_STREQ(to_string(SasVerdict::expired), "expired");
  EXPECT_STREQ(to_string(SasVerdict::wrong_scope), "wrong_scope");
}

TEST(Base64, RoundTripsAndKnownValues) {
  const auto bytes = [](std::string_view s) { return std::vector<std::uint8_t>(s.begin(), s.end()); };
  // RFC 4648 section 10.
  const std::pair<std::string_view, std::string_view> vectors[] = {{"", ""},
                                                                   {"f", "Zg=="},
                                                                   {"fo", "Zm8="},
                                                                   {"foo", "Zm9v"},
                                                                   {"foob", "Zm9vYg=="},
                                                                   {"fooba", "Zm9vYmE="},
                                                                   {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(bytes(plain)), encoded);
    EXPECT_EQ(base64_decode(encoded), bytes(plain));
  }
  EXPECT_EQ(base64_decode(node_key), bytes("0123456789abcdef0123456789abcdef"));
  std::vector<std::uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
}

TEST(Base64, InvalidTextIsRefused) {
  for (const char* bad : {"Zg=", "Zg", "Z===", "Zm9v!A==", "Zg==Zg==", "Zm 9v", "=Zm9", "Zm=v"}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
}

TEST(HmacSha256, Rfc4231TestCase2) {
  const std::string key = "Jefe";
  const auto mac = hmac_sha256(std::span(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()),
                               "what do ya want for nothing?");
  EXPECT_EQ(base64_encode(mac), "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

}  // namespace
}  // namespace fleetsim::iothub
