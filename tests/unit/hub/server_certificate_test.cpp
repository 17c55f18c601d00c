// The hub's own TLS material in its data folder: made once, reused, re-issued when it no longer
// fits. File I/O in a fresh temporary folder; no sockets.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "hub/server_certificate.hpp"
#include "transports/tls/certificates.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::hub {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class ServerCertificate : public ::testing::Test {
 protected:
  ServerCertificate() {
    std::string pattern = (fs::temp_directory_path() / "fleetsim-hub-cert-XXXXXX").string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ / "data";  // not there yet: the hub creates it
  }
  ~ServerCertificate() override { fs::remove_all(root_); }

  fs::path root_;
  fs::path dir_;
};

TEST_F(ServerCertificate, MakesACaAndAServerCertificateOnce) {
  const ServerCertificateFiles files = ensure_server_certificate(dir_.string(), "localhost");
  EXPECT_EQ(files.ca_file, (dir_ / "ca.pem").string());
  EXPECT_EQ(files.cert_file, (dir_ / "server.pem").string());
  EXPECT_EQ(files.key_file, (dir_ / "server.key").string());
  for (const char* name : {"ca.pem", "ca.key", "server.pem", "server.key"})
    EXPECT_TRUE(fs::exists(dir_ / name)) << name;
  EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(dir_ / "ca.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  // The pair loads as a server context.
  tls::ServerOptions options;
  options.cert_file = files.cert_file;
  options.key_file = files.key_file;
  EXPECT_NO_THROW(tls::TlsContext::server(options));

  const std::string ca = read(dir_ / "ca.pem");
  const std::string server = read(dir_ / "server.pem");
  const ServerCertificateFiles again = ensure_server_certificate(dir_.string(), "localhost");
  EXPECT_EQ(again.ca_file, files.ca_file);
  EXPECT_EQ(read(dir_ / "ca.pem"), ca);
  EXPECT_EQ(read(dir_ / "server.pem"), server);
}

TEST_F(ServerCertificate, AnotherHostNameGetsANewServerCertificateFromTheSameCa) {
  ensure_server_certificate(dir_.string(), "localhost");
  const std::string ca = read(dir_ / "ca.pem");
  const std::string server = read(dir_ / "server.pem");
  ensure_server_certificate(dir_.string(), "hub.example");
  EXPECT_EQ(read(dir_ / "ca.pem"), ca);
  EXPECT_NE(read(dir_ / "server.pem"), server);
  // An IP address as host name is reused once covered.
  ensure_server_certificate(dir_.string(), "10.1.2.3");
  const std::string by_ip = read(dir_ / "server.pem");
  ensure_server_certificate(dir_.string(), "10.1.2.3");
  EXPECT_EQ(read(dir_ / "server.pem"), by_ip);
}

TEST_F(ServerCertificate, ABrokenCaIsReplacedWithEverythingItSigned) {
  ensure_server_certificate(dir_.string(), "localhost");
  const std::string server = read(dir_ / "server.pem");
  { std::ofstream(dir_ / "ca.key", std::ios::trunc) << "garbage"; }
  ensure_server_certificate(dir_.string(), "localhost");
  EXPECT_NE(read(dir_ / "server.pem"), server);
  EXPECT_NO_THROW(tls::Authority::load(tls::Pem{read(dir_ / "ca.pem"), read(dir_ / "ca.key")}));
}

TEST_F(ServerCertificate, AServerCertificateFromAnotherCaIsReplaced) {
  ensure_server_certificate(dir_.string(), "localhost");
  const tls::Authority stranger = tls::Authority::create("someone else");
  tls::LeafRequest request;
  request.common_name = "localhost";
  request.dns_names = {"localhost"};
  request.ip_addresses = {"127.0.0.1"};
  request.server = true;
  const tls::Pem foreign = stranger.issue_pem(request);
  std::ofstream(dir_ / "server.pem", std::ios::trunc) << foreign.certificate;
  ensure_server_certificate(dir_.string(), "localhost");
  EXPECT_NE(read(dir_ / "server.pem"), foreign.certificate);
}

TEST(DefaultDataDir, FollowsXdgDataHome) {
  const char* saved = std::getenv("XDG_DATA_HOME");
  const std::string restore = saved ? saved : "";
  ::setenv("XDG_DATA_HOME", "/var/tmp/xdg", 1);
  EXPECT_EQ(default_data_dir(), "/var/tmp/xdg/fleetsim/hub");
  ::unsetenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  if (home != nullptr) {
    EXPECT_EQ(default_data_dir(), std::string(home) + "/.local/share/fleetsim/hub");
  }
  if (saved) ::setenv("XDG_DATA_HOME", restore.c_str(), 1);
}

}  // namespace
}  // namespace fleetsim::hub
