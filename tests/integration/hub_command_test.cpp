// `fleetsim hub` as a process on free loopback ports: it prints its listeners and the CA file to
// trust, answers MQTT over TLS and WebSocket over TLS with that CA, keeps its CA across restarts
// and stops cleanly on SIGTERM and SIGINT.
#include <gtest/gtest.h>

#include <signal.h>
#include <stdlib.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "support/mqtt_test_client.hpp"
#include "support/process.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::MqttTestClient;
using test::TestTransport;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// What the hub printed once listening.
struct Printed {
  std::uint16_t mqtt = 0, mqtts = 0, https = 0, http = 0;
  std::string ca_file;
};

// "NAME listening on ADDRESS:PORT (...)"
std::optional<std::uint16_t> port_of(const std::string& line, std::string_view name) {
  if (!line.starts_with(name) || line.find(" listening on 127.0.0.1:") == std::string::npos) {
    return std::nullopt;
  }
  if (line.size() <= name.size() || line[name.size()] != ' ') return std::nullopt;
  const std::size_t colon = line.find("127.0.0.1:") + 10;
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(line.data() + colon, line.data() + line.size(), port);
  if (ec != std::errc() || end == line.data() + colon) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

// Reads the hub's lines up to the CA file (the last line it prints when ready).
Printed read_banner(test::Process& hub) {
  Printed printed;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto line = hub.read_line(5s);
    if (!line) break;
    if (auto p = port_of(*line, "mqtt")) printed.mqtt = *p;
    if (auto p = port_of(*line, "mqtts")) printed.mqtts = *p;
    if (auto p = port_of(*line, "https")) printed.https = *p;
    if (auto p = port_of(*line, "http")) printed.http = *p;
    constexpr std::string_view ca_prefix = "CA file to trust: ";
    if (line->starts_with(ca_prefix)) {
      printed.ca_file = line->substr(ca_prefix.size());
      break;
    }
  }
  return printed;
}

class HubCommand : public ::testing::Test {
 protected:
  HubCommand() {
    std::string pattern = (fs::temp_directory_path() / "fleetsim-hub-command-XXXXXX").string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  ~HubCommand() override { fs::remove_all(dir_); }

  std::unique_ptr<test::Process> start_hub() {
    return std::make_unique<test::Process>(std::vector<std::string>{FLEETSIM_BINARY, "hub", "--mqtt-port",
                                                                    "0", "--mqtts-port", "0", "--https-port",
                                                                    "0", "--data", (dir_ / "data").string()});
  }

  fs::path dir_;
};

TEST_F(HubCommand, PrintsItsListenersAndCaThenAnswersTlsWithIt) {
  auto hub = start_hub();
  ASSERT_TRUE(hub->started());
  const Printed printed = read_banner(*hub);
  ASSERT_FALSE(printed.ca_file.empty()) << hub->stdout_text() << hub->stderr_text();
  EXPECT_EQ(fs::path(printed.ca_file), dir_ / "data" / "ca.pem");
  EXPECT_NE(printed.mqtt, 0);
  EXPECT_NE(printed.mqtts, 0);
  EXPECT_NE(printed.https, 0);
  EXPECT_EQ(printed.http, 0);  // off by default

  tls::ClientOptions options;
  options.ca_file = printed.ca_file;
  options.use_system_store = false;
  const tls::TlsContext trust = tls::TlsContext::client(options);
  // The standalone hub has no identities yet: an answered refusal proves TLS and MQTT work.
  MqttTestClient over_tls(printed.mqtts, TestTransport::tls_over_tcp(trust));
  ASSERT_FALSE(over_tls.handshake_error()) << over_tls.handshake_error().message();
  EXPECT_EQ(over_tls.connect("dev1", "localhost/dev1/?api-version=2021-04-12", "SharedAccessSignature sr=x"),
            mqtt::ConnackCode::not_authorized);
  MqttTestClient over_wss(printed.https, TestTransport::wss(trust));
  ASSERT_FALSE(over_wss.handshake_error()) << over_wss.handshake_error().message();
  EXPECT_EQ(over_wss.connect("dev1", "localhost/dev1/?api-version=2021-04-12", "SharedAccessSignature sr=x"),
            mqtt::ConnackCode::not_authorized);

  hub->signal(SIGTERM);
  EXPECT_EQ(hub->wait(10s), 0) << hub->stderr_text();
}

TEST_F(HubCommand, KeepsItsCaAcrossRestartsAndStopsOnSigint) {
  std::string first_ca;
  {
    auto hub = start_hub();
    const Printed printed = read_banner(*hub);
    ASSERT_FALSE(printed.ca_file.empty()) << hub->stderr_text();
    first_ca = read_file(printed.ca_file);
    hub->signal(SIGINT);
    EXPECT_EQ(hub->wait(10s), 0) << hub->stderr_text();
  }
  auto hub = start_hub();
  const Printed printed = read_banner(*hub);
  ASSERT_FALSE(printed.ca_file.empty()) << hub->stderr_text();
  EXPECT_EQ(read_file(printed.ca_file), first_ca);
  hub->signal(SIGTERM);
  EXPECT_EQ(hub->wait(10s), 0);
}

TEST_F(HubCommand, BadFlagsAndTakenPortsExitWithTwo) {
  test::Process bad_port({FLEETSIM_BINARY, "hub", "--mqtt-port", "http"});
  EXPECT_EQ(bad_port.wait(10s), 2);
  EXPECT_NE(bad_port.stderr_text().find("--mqtt-port"), std::string::npos);

  test::Process half_tls({FLEETSIM_BINARY, "hub", "--cert", "server.pem", "--mqtt-port", "0"});
  EXPECT_EQ(half_tls.wait(10s), 2);

  auto hub = start_hub();
  const Printed printed = read_banner(*hub);
  ASSERT_NE(printed.mqtt, 0);
  test::Process clash({FLEETSIM_BINARY, "hub", "--mqtt-port", std::to_string(printed.mqtt), "--mqtts-port",
                       "off", "--https-port", "off"});
  EXPECT_EQ(clash.wait(10s), 2);
  EXPECT_NE(clash.stderr_text().find("cannot start"), std::string::npos) << clash.stderr_text();
  hub->signal(SIGTERM);
  EXPECT_EQ(hub->wait(10s), 0);
}

}  // namespace
}  // namespace fleetsim
