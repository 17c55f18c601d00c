// A real Mosquitto broker for integration tests: a mosquitto.conf written into a fresh temporary
// folder, /usr/sbin/mosquitto run as a child process on free loopback ports with four listeners
// (MQTT over TCP, over TLS, over WebSocket and over secure WebSocket; the certificate issued for
// localhost and 127.0.0.1 by a test CA made with tls::Authority), anonymous or with one user name
// and password. The constructor returns once the broker says it runs (bounded); the destructor
// stops it by its PID and removes the folder.
//
//   test::Mosquitto broker;
//   ASSERT_TRUE(broker.running()) << broker.log();
//   connect to 127.0.0.1:broker.port(test::Mosquitto::Listener::tls), trusting broker.ca_file()
//
// Needs the Debian package `mosquitto` (scripts/setup.sh installs it); tests skip when
// Mosquitto::available() is false.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "transports/tls/certificates.hpp"

namespace fleetsim::test {

class Mosquitto {
 public:
  static constexpr const char* kBinary = "/usr/sbin/mosquitto";
  static constexpr const char* kPasswdTool = "/usr/bin/mosquitto_passwd";
  static constexpr std::chrono::seconds kStartTimeout{10};

  enum class Listener : std::size_t { tcp, tls, ws, wss };

  struct Options {
    std::string username;  // empty: anonymous clients allowed
    std::string password;
  };

  static bool available() { return access(kBinary, X_OK) == 0 && access(kPasswdTool, X_OK) == 0; }

  Mosquitto() : Mosquitto(Options{}) {}
  explicit Mosquitto(const Options& options) {
    char pattern[] = "/tmp/fleetsim-mosquitto-XXXXXX";
    if (mkdtemp(pattern) == nullptr) return;
    dir_ = pattern;
    if (!write_certificates() || (!options.username.empty() && !write_password_file(options))) return;
    // A free port can be taken by a test running in parallel between our probe and Mosquitto's
    // bind: start again on fresh ports a few times before giving up.
    for (int attempt = 0; attempt < 4 && !running_; ++attempt) {
      if (process_) {
        stop();
        stopped_ = false;
      }
      for (auto& port : ports_) port = free_port();
      write_config(!options.username.empty());
      // Its log goes to stderr, which stdio does not buffer, joined to the stdout we read; `exec`
      // keeps the broker's own PID for stop().
      process_.emplace(std::vector<std::string>{
          "/bin/sh", "-c", std::string("exec ") + kBinary + " -c '" + dir_ + "/mosquitto.conf' 2>&1"});
      running_ = wait_until_running();
    }
  }

  ~Mosquitto() {
    stop();
    if (!dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
  }
  Mosquitto(const Mosquitto&) = delete;
  Mosquitto& operator=(const Mosquitto&) = delete;

  bool running() const noexcept { return running_; }
  std::uint16_t port(Listener listener) const noexcept { return ports_[static_cast<std::size_t>(listener)]; }
  const std::string& ca_file() const noexcept { return ca_file_; }

  // The broker's log so far (its log file), for failure messages.
  std::string log() const {
    std::ifstream in(dir_ + "/mosquitto.log");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text + (process_ ? process_->stderr_text() : std::string());
  }

  // SIGTERM to the broker's PID, then wait for it (killed if it lingers).
  void stop() {
    if (!process_ || stopped_) return;
    stopped_ = true;
    process_->signal(SIGTERM);
    process_->wait(std::chrono::seconds(5));
  }

 private:
  // A port the kernel just handed out on 127.0.0.1 (then released for Mosquitto to take).
  static std::uint16_t free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    std::uint16_t port = 0;
    if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port = ntohs(address.sin_port);
    }
    if (fd >= 0) close(fd);
    return port;
  }

  bool write_certificates() {
    try {
      const tls::Authority ca = tls::Authority::create("fleetsim mosquitto test CA");
      tls::LeafRequest leaf;
      leaf.common_name = "localhost";
      leaf.dns_names = {"localhost"};
      leaf.ip_addresses = {"127.0.0.1"};
      leaf.server = true;
      const tls::Pem server = ca.issue_pem(leaf);
      ca_file_ = dir_ + "/ca.pem";
      tls::write_file_atomic(ca_file_, ca.certificate_pem(), false);
      tls::write_file_atomic(dir_ + "/server.pem", server.certificate, false);
      tls::write_file_atomic(dir_ + "/server.key", server.private_key, true);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  bool write_password_file(const Options& options) {
    Process tool({kPasswdTool, "-b", "-c", dir_ + "/passwords", options.username, options.password});
    return tool.started() && tool.wait(std::chrono::seconds(10)) == 0;
  }

  void write_config(bool with_passwords) const {
    std::ostringstream conf;
    // Running as root, Mosquitto would switch to user "mosquitto", which cannot read this folder.
    if (geteuid() == 0) conf << "user root\n";
    conf << "persistence false\n"
         << "log_dest stderr\n"
         << "log_dest file " << dir_ << "/mosquitto.log\n"
         << "connection_messages false\n"
         // Small messages go out at once: Nagle's delay would show up in every e2e latency.
         << "set_tcp_nodelay true\n";
    if (with_passwords) {
      conf << "allow_anonymous false\npassword_file " << dir_ << "/passwords\n";
    } else {
      conf << "allow_anonymous true\n";
    }
    const std::string tls = "certfile " + dir_ + "/server.pem\nkeyfile " + dir_ + "/server.key\n";
    conf << "listener " << port(Listener::tcp) << " 127.0.0.1\n"
         << "listener " << port(Listener::tls) << " 127.0.0.1\n"
         << tls << "listener " << port(Listener::ws) << " 127.0.0.1\nprotocol websockets\n"
         << "listener " << port(Listener::wss) << " 127.0.0.1\nprotocol websockets\n"
         << tls;
    std::ofstream(dir_ + "/mosquitto.conf") << conf.str();
  }

  // Mosquitto logs "mosquitto version X running" once every listener is open.
  bool wait_until_running() {
    if (!process_->started()) return false;
    const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      const auto line = process_->read_line(left);
      if (!line) return false;  // exited (a bad config, a port taken) or silent
      if (line->find(" running") != std::string::npos) return true;
    }
  }

  std::string dir_;
  std::string ca_file_;
  std::array<std::uint16_t, 4> ports_{};
  std::optional<Process> process_;
  bool running_ = false;
  bool stopped_ = false;
};

}  // namespace fleetsim::test
