// The transport and authentication keys: every transport loads, X.509 needs TLS, sas_ttl has a
// floor, ca_file must be readable (relative to the scenario file, or to the current directory
// with --set), and TLS-only keys on a transport without TLS draw a warning.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "unit/sim/scenario_test_util.hpp"

namespace fleetsim::sim {
namespace {

using test::diagnostics;
using test::load_ok;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
namespace fs = std::filesystem;

TEST(ScenarioTransport, EveryTransportLoads) {
  for (const char* t : {"mqtt", "mqtt-tls", "mqtt-ws", "mqtt-wss"}) {
    const Scenario s = load_ok(std::string("[target]\ntransport = \"") + t + "\"\n");
    EXPECT_EQ(s.target.transport, t);
    EXPECT_TRUE(s.target.tls_verify);
    EXPECT_EQ(s.fleet.auth, "sas");
    EXPECT_EQ(s.fleet.sas_ttl, std::chrono::hours(1));
  }
}

TEST(ScenarioTransport, X509OverTlsLoads) {
  const Scenario s = load_ok(
      "[target]\ntransport = \"mqtt-wss\"\ntls_verify = false\n[fleet]\nauth = \"x509\"\nsas_ttl = \"5s\"\n");
  EXPECT_EQ(s.fleet.auth, "x509");
  EXPECT_FALSE(s.target.tls_verify);
  EXPECT_EQ(s.fleet.sas_ttl, std::chrono::seconds(5));
}

TEST(ScenarioTransport, X509NeedsTls) {
  EXPECT_THAT(diagnostics("[target]\ntransport = \"mqtt-ws\"\n[fleet]\nauth = \"x509\"\n"),
              ElementsAre("s.toml:4:8: error: auth = \"x509\" needs a TLS transport (target.transport = "
                          "\"mqtt-tls\" or \"mqtt-wss\"): the certificate is presented in the TLS handshake, "
                          "found target.transport = \"mqtt-ws\""));
  EXPECT_THAT(diagnostics("[fleet]\nauth = \"x509\"\n"),
              ElementsAre(::testing::HasSubstr("found target.transport = \"mqtt\"")));
}

TEST(ScenarioTransport, SasTtlHasAFloor) {
  EXPECT_THAT(diagnostics("[fleet]\nsas_ttl = \"4s\"\n"),
              ElementsAre("s.toml:2:11: error: sas_ttl must be at least 5s (sessions renew their token by "
                          "reconnecting before it expires), found 4s"));
}

TEST(ScenarioTransport, TlsKeysWithoutTlsWarn) {
  const fs::path ca = fs::temp_directory_path() / "fleetsim-scenario-transport-ca.pem";
  std::ofstream(ca) << "not checked here\n";
  EXPECT_THAT(
      diagnostics("[target]\ntransport = \"mqtt-ws\"\ntls_verify = false\nca_file = \"" + ca.string() +
                  "\"\n"),
      ElementsAre("s.toml:3:14: warning: tls_verify has no effect: target.transport = \"mqtt-ws\" does "
                  "not use TLS",
                  "s.toml:4:11: warning: ca_file has no effect: target.transport = \"mqtt-ws\" does not "
                  "use TLS"));
  fs::remove(ca);
}

TEST(ScenarioTransport, UnreadableCaFileIsAnError) {
  EXPECT_THAT(diagnostics("[target]\ntransport = \"mqtt-tls\"\nca_file = \"/nonexistent/ca.pem\"\n"),
              ElementsAre("s.toml:3:11: error: ca_file: cannot read /nonexistent/ca.pem: No such file or "
                          "directory"));
}

TEST(ScenarioTransport, RelativeCaFileIsRelativeToTheScenarioFile) {
  const fs::path dir = fs::temp_directory_path() / "fleetsim-scenario-transport";
  fs::create_directories(dir / "certs");
  std::ofstream(dir / "certs" / "ca.pem") << "pem\n";
  const std::string text = "[target]\ntransport = \"mqtt-tls\"\nca_file = \"certs/ca.pem\"\n";
  auto loaded = load_scenario_text(text, (dir / "s.toml").string());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.scenario->target.ca_file, (dir / "certs" / "ca.pem").string());

  // With --set the path is the command line's: relative to the current directory.
  const fs::path cwd = fs::current_path();
  fs::current_path(dir / "certs");
  loaded = load_scenario_text("[target]\ntransport = \"mqtt-tls\"\n", (dir / "s.toml").string(),
                              {Override{"target.ca_file", "ca.pem"}});
  fs::current_path(cwd);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.scenario->target.ca_file, "ca.pem");
  fs::remove_all(dir);
}

TEST(ScenarioTransport, TlsVerifyMustBeABoolean) {
  EXPECT_THAT(diagnostics("[target]\ntransport = \"mqtt-tls\"\ntls_verify = \"no\"\n"),
              ElementsAre("s.toml:3:14: error: expected a boolean (true or false), found string \"no\""));
  EXPECT_THAT(diagnostics("[target]\ntransport = \"mqtt-tls\"\ntls_verify = false\n"), IsEmpty());
}

}  // namespace
}  // namespace fleetsim::sim
