// Tier throttles and kept policy keys over real loopback sockets and processes: telemetry over
// the D2C rate gets late PUBACKs (reference 5.2), a twin GET over the rate res/429, the policy
// keys of a --data folder survive a restart, and `fleetsim hub` refuses bad tiers, units and
// config files with exit code 2.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "hub/hub.hpp"
#include "support/mqtt_test_client.hpp"
#include "support/process.hpp"
#include "transports/iothub/sas.hpp"

namespace fleetsim::hub {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::MqttTestClient;

constexpr std::string_view device_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

std::string device_token() {
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  return iothub::make_sas_token(iothub::resource_uri("localhost", "dev1", ""), device_key,
                                static_cast<std::uint64_t>(now) + 3600)
      .value_or("");
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "fleetsim-throttle-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::unique_ptr<MqttTestClient> connected_device(Hub& hub) {
  auto client = std::make_unique<MqttTestClient>(hub.mqtt_port());
  EXPECT_EQ(client->connect("dev1", "localhost/dev1/?api-version=2021-04-12", device_token()),
            mqtt::ConnackCode::accepted);
  return client;
}

TEST(HubThrottle, TelemetryOverTheD2cRateIsAcknowledgedLate) {
  HubConfig config;
  config.tier = Tier::f1;  // D2C: 100/s, a burst of 100
  Hub hub(config);
  ASSERT_TRUE(hub.add_device("dev1", device_key));
  hub.start();
  auto device = connected_device(hub);

  constexpr int kMessages = 300;
  const auto started = Clock::now();
  for (int id = 1; id <= kMessages; ++id) {
    device->publish("devices/dev1/messages/events/", "{\"t\":1}", 1, static_cast<std::uint16_t>(id));
  }
  Clock::duration hundredth{}, last{};
  for (int expected = 1; expected <= kMessages; ++expected) {
    const auto puback = device->receive_as<mqtt::Puback>(10s);
    ASSERT_TRUE(puback.has_value()) << "PUBACK " << expected << " missing";
    EXPECT_EQ(puback->packet_id, expected);  // in order
    if (expected == 100) hundredth = Clock::now() - started;
    if (expected == kMessages) last = Clock::now() - started;
  }
  // The first 100 fit the burst; the other 200 leave at 100/s: about 2 s in all.
  EXPECT_LT(hundredth, 1s);
  EXPECT_GE(last, 1500ms);
  EXPECT_LT(last, 8s);
  EXPECT_EQ(hub.stats().telemetry_received, static_cast<std::uint64_t>(kMessages));
  std::printf("300 QoS 1 messages on F1: PUBACK 100 after %.3f s, PUBACK 300 after %.3f s\n",
              std::chrono::duration<double>(hundredth).count(), std::chrono::duration<double>(last).count());
}

TEST(HubThrottle, HeldPubacksOfADroppedSessionGoNowhere) {
  HubConfig config;
  config.tier = Tier::f1;
  Hub hub(config);
  ASSERT_TRUE(hub.add_device("dev1", device_key));
  hub.start();
  {
    auto device = connected_device(hub);
    for (int id = 1; id <= 250; ++id) {
      device->publish("devices/dev1/messages/events/", "x", 1, static_cast<std::uint16_t>(id));
    }
    for (int id = 1; id <= 100; ++id) ASSERT_TRUE(device->receive_as<mqtt::Puback>(5s));
  }  // closed with 150 PUBACKs held
  auto again = connected_device(hub);
  // The new session gets nothing of the old one's, and its own telemetry waits its turn only
  // behind tokens, not behind PUBACKs nobody can receive.
  again->publish("devices/dev1/messages/events/", "x", 1, 7);
  const auto puback = again->receive_as<mqtt::Puback>(5s);
  ASSERT_TRUE(puback.has_value());
  EXPECT_EQ(puback->packet_id, 7);
  EXPECT_TRUE(again->nothing_within(200ms));
}

TEST(HubThrottle, TwinGetOverTheRateIsRes429) {
  HubConfig config;
  config.tier = Tier::s1;  // twin reads: 100/s
  Hub hub(config);
  ASSERT_TRUE(hub.add_device("dev1", device_key));
  hub.start();
  auto device = connected_device(hub);
  ASSERT_EQ(device->subscribe("$iothub/twin/res/#"), 0);
  for (int i = 0; i < 150; ++i) device->publish("$iothub/twin/GET/?$rid=" + std::to_string(i), "");
  int ok = 0, throttled = 0;
  for (int i = 0; i < 150; ++i) {
    const auto answer = device->receive_as<mqtt::Publish>(5s);
    ASSERT_TRUE(answer.has_value());
    if (answer->topic.starts_with("$iothub/twin/res/200/")) ++ok;
    if (answer->topic.starts_with("$iothub/twin/res/429/")) ++throttled;
  }
  EXPECT_GE(ok, 100);  // the burst, and whatever refilled while they arrived
  EXPECT_GE(throttled, 1);
  EXPECT_EQ(ok + throttled, 150);
}

TEST(HubThrottle, StartRefusesUnitsTheTierCannotHave) {
  HubConfig config;
  config.tier = Tier::f1;
  config.units = 2;
  Hub hub(config);
  EXPECT_THROW(hub.start(), std::invalid_argument);
}

TEST(HubPolicyKeys, KeptAcrossRestartsWithTheSameDataFolder) {
  TempDir dir;
  HubConfig config;
  config.data_dir = (dir.path() / "data").string();
  config.persist_policy_keys = true;
  std::string first;
  {
    Hub hub(config);
    hub.start();
    first = hub.service_connection_string();
    hub.stop();
    hub.start();  // a restart of the same Hub keeps them too
    EXPECT_EQ(hub.service_connection_string(), first);
  }
  EXPECT_TRUE(fs::exists(dir.path() / "data" / "policies.json"));
  Hub second(config);
  second.start();
  EXPECT_EQ(second.service_connection_string(), first);

  HubConfig fresh;  // without persistence: new keys per hub
  Hub third(fresh);
  third.start();
  EXPECT_NE(third.service_connection_string(), first);
}

// `fleetsim hub` with arguments that must be refused: exit code 2 and the reason on stderr.
struct Refusal {
  int exit_code;
  std::string stderr_text;
};

Refusal run_hub(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{FLEETSIM_BINARY, "hub", "--mqtt-port",  "0",
                                "--mqtts-port",  "off", "--https-port", "off"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  test::Process process(argv);
  const int code = process.wait(10s);
  return {code, process.stderr_text()};
}

TEST(HubCommandThrottle, RefusesBadTiersAndUnits) {
  const Refusal tier = run_hub({"--tier", "S9"});
  EXPECT_EQ(tier.exit_code, 2);
  EXPECT_NE(tier.stderr_text.find("--tier S9: expected a tier: F1, B1, B2, B3, S1, S2 or S3"),
            std::string::npos)
      << tier.stderr_text;
  const Refusal units = run_hub({"--tier", "S1", "--units", "0"});
  EXPECT_EQ(units.exit_code, 2);
  EXPECT_NE(units.stderr_text.find("--units 0"), std::string::npos) << units.stderr_text;
  const Refusal free = run_hub({"--tier", "F1", "--units", "3"});
  EXPECT_EQ(free.exit_code, 2);
  EXPECT_NE(free.stderr_text.find("F1 (Free) tier has exactly one unit"), std::string::npos)
      << free.stderr_text;
}

TEST(HubCommandThrottle, RefusesABadConfigFileWithItsPosition) {
  TempDir dir;
  const std::string file = (dir.path() / "hub.toml").string();
  std::ofstream(file) << "tier = \"S1\"\nunit = 2\n";
  const Refusal refusal = run_hub({"--config", file});
  EXPECT_EQ(refusal.exit_code, 2);
  EXPECT_NE(refusal.stderr_text.find(file + ":2:1: unknown key 'unit' (did you mean 'units'?)"),
            std::string::npos)
      << refusal.stderr_text;
}

TEST(HubCommandThrottle, PrintsTheTierAndKeepsKeysOfItsDataFolder) {
  TempDir dir;
  const std::string file = (dir.path() / "hub.toml").string();
  // The file asks for S1 on port 443 and a data folder; the flags override the tier and port.
  std::ofstream(file) << "tier = \"S1\"\nunits = 2\nhttps_port = 443\ndata = \""
                      << (dir.path() / "data").string() << "\"\n";
  std::string connection_strings[2];
  for (std::string& connection_string : connection_strings) {
    test::Process hub({FLEETSIM_BINARY, "hub", "--config", file, "--mqtt-port", "0", "--mqtts-port", "off",
                       "--https-port", "0", "--tier", "S2"});
    std::string throttling;
    for (int i = 0; i < 12 && throttling.empty(); ++i) {
      const auto line = hub.read_line(10s);
      if (!line) break;
      if (line->starts_with("Service connection string: ")) connection_string = *line;
      if (line->starts_with("throttling: ")) throttling = *line;
    }
    EXPECT_EQ(throttling.rfind(
                  "throttling: tier S2, 2 units: registry operations 200/min, new connections 240/s", 0),
              0U)
        << throttling << hub.stderr_text();
    hub.signal(SIGTERM);
    EXPECT_EQ(hub.wait(10s), 0);
  }
  EXPECT_FALSE(connection_strings[0].empty());
  EXPECT_EQ(connection_strings[0], connection_strings[1]);
}

}  // namespace
}  // namespace fleetsim::hub
