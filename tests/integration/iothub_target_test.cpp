// target.kind = "iothub" end to end: `fleetsim hub` on free ports as if it were a remote IoT Hub
// (HTTPS with its CA), and `fleetsim run` provisioning the fleet through the registry API,
// running over mqtt-tls and mqtt-wss, and deleting what it created; keys read from the registry
// with provision = false; a wrong policy key (exit 3 with IoT Hub's answer); an unset env:NAME
// (exit 2 at its place).
#include <gtest/gtest.h>

#include <signal.h>
#include <stdlib.h>

#include <charconv>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "support/process.hpp"
#include "transports/http/service_client.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using transports::http::Request;
using transports::http::Response;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// "NAME listening on 127.0.0.1:PORT (...)"
std::uint16_t port_of(const std::string& line, std::string_view name) {
  const std::string prefix = std::string(name) + " listening on 127.0.0.1:";
  if (!line.starts_with(prefix)) return 0;
  unsigned port = 0;
  std::from_chars(line.data() + prefix.size(), line.data() + line.size(), port);
  return static_cast<std::uint16_t>(port);
}

class IotHubTarget : public ::testing::Test {
 protected:
  IotHubTarget() {
    std::string pattern = (fs::temp_directory_path() / "fleetsim-iothub-target-XXXXXX").string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    start_hub({});
    ::setenv("FLEETSIM_TEST_HUB_CS", connection_string_.c_str(), 1);
  }
  ~IotHubTarget() override {
    ::unsetenv("FLEETSIM_TEST_HUB_CS");
    hub_->signal(SIGTERM);
    hub_->wait(10s);
    fs::remove_all(dir_);
  }

  // Starts `fleetsim hub` on free ports with `extra` flags (stopping the one running); the data
  // folder keeps its policy keys, so the connection string stays the same.
  void start_hub(const std::vector<std::string>& extra) {
    if (hub_) {
      hub_->signal(SIGTERM);
      hub_->wait(10s);
    }
    std::vector<std::string> argv{FLEETSIM_BINARY, "hub",
                                  "--mqtt-port",   "0",
                                  "--mqtts-port",  "0",
                                  "--https-port",  "0",
                                  "--data",        (dir_ / "data").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    hub_ = std::make_unique<test::Process>(argv);
    // The banner ends with the service connection string.
    constexpr std::string_view ca_prefix = "CA file to trust: ";
    constexpr std::string_view cs_prefix = "Service connection string: ";
    while (const auto line = hub_->read_line(20s)) {
      if (const auto p = port_of(*line, "mqtt")) mqtt_ = p;
      if (const auto p = port_of(*line, "mqtts")) mqtts_ = p;
      if (const auto p = port_of(*line, "https")) https_ = p;
      if (line->starts_with(ca_prefix)) ca_file_ = line->substr(ca_prefix.size());
      if (line->starts_with(cs_prefix)) {
        connection_string_ = line->substr(cs_prefix.size());
        break;
      }
    }
    EXPECT_FALSE(connection_string_.empty()) << hub_->stdout_text() << hub_->stderr_text();
  }

  // A scenario against the hub as a remote IoT Hub would be: TLS with the hub's CA, the service
  // API on its HTTPS port (or `service_port`); `extra_target` adds [target] keys.
  std::string scenario(const std::string& name, const std::string& transport,
                       const std::string& extra_target = {}, std::uint16_t service_port = 0) {
    const std::uint16_t port = transport == "mqtt-wss" ? https_ : mqtts_;
    if (service_port == 0) service_port = https_;
    const fs::path path = dir_ / (name + ".toml");
    std::ofstream(path) << "name = \"" << name << "\"\nduration = \"" << duration_
                        << "\"\n\n[target]\nkind = \"iothub\"\n"
                        << "connection_string = \"env:FLEETSIM_TEST_HUB_CS\"\ntransport = \"" << transport
                        << "\"\nhost = \"127.0.0.1\"\nport = " << port << "\nservice_port = " << service_port
                        << "\nca_file = \"" << ca_file_ << "\"\n"
                        << extra_target << "\n"
                        << fleet_;
    return path.string();
  }

  struct Result {
    int exit_code = -1;
    std::string out, err;
    json::value report;
  };
  // Runs the scenario; `interrupt_after`: SIGINT once stdout shows that line's start.
  Result run(const std::string& scenario_path, std::string_view interrupt_after = {}) {
    const std::string report = (dir_ / "report.json").string();
    fs::remove(report);
    test::Process run({FLEETSIM_BINARY, "run", scenario_path, "--report", report});
    Result r;
    if (!interrupt_after.empty()) {
      while (const auto line = run.read_line(30s)) {
        if (!line->starts_with(interrupt_after)) continue;
        run.signal(SIGINT);
        break;
      }
    }
    r.exit_code = run.wait(60s);
    r.out = run.stdout_text();
    r.err = run.stderr_text();
    if (fs::exists(report)) r.report = json::parse(read_file(report));
    return r;
  }

  // One request to the hub's service API with the printed connection string and CA.
  Response service(Request request) {
    transports::http::ServiceEndpoint endpoint;
    std::string error;
    EXPECT_TRUE(transports::http::parse_service_connection_string(connection_string_, endpoint, error))
        << error;
    endpoint.address = "127.0.0.1";
    endpoint.port = https_;
    tls::ClientOptions options;
    options.ca_file = ca_file_;
    options.use_system_store = false;
    const tls::TlsContext context = tls::TlsContext::client(options);
    boost::asio::io_context io;
    transports::http::ServiceClient client(io, endpoint, &context);
    Response response;
    boost::system::error_code result;
    boost::asio::co_spawn(io, client.send(request, response, 10s),
                          [&result](std::exception_ptr e, boost::system::error_code ec) {
                            if (e) std::rethrow_exception(e);
                            result = ec;
                          });
    io.run();
    EXPECT_FALSE(result) << client.last_error();
    return response;
  }

  std::int64_t registered_devices() {
    Request request;
    request.target = "/statistics/devices";
    const Response response = service(request);
    EXPECT_EQ(response.status, 200u) << response.body;
    return json::parse(response.body).at("totalDeviceCount").as_int64();
  }

  std::string duration_ = "3s";
  std::string fleet_ =
      "[fleet]\ndevices = 12\nmodules = [\"cam\", \"temp\"]\nconnect_rate = \"400/s\"\n\n"
      "[[telemetry]]\ninterval = \"500ms\"\nsize = 64\n";
  fs::path dir_;
  std::unique_ptr<test::Process> hub_;
  std::uint16_t mqtt_ = 0, mqtts_ = 0, https_ = 0;
  std::string ca_file_;
  std::string connection_string_;
};

// 12 devices with 2 modules each: 36 sessions, all connected, telemetry answered.
void expect_whole_fleet_ran(const json::value& report) {
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report.at("fleetsim").at("target").as_string(), "iothub");
  EXPECT_EQ(report.at("fleet").at("sessions_connected_peak").as_int64(), 36);
  EXPECT_EQ(report.at("fleet").at("sessions_failed").as_int64(), 0);
  EXPECT_GT(report.at("operations").at("telemetry").at("ok").as_int64(), 0);
  EXPECT_EQ(report.at("operations").at("telemetry").at("errors").as_int64(), 0);
}

TEST_F(IotHubTarget, ProvisionsRunsOverMqttTlsAndCleansUp) {
  const Result r = run(scenario("tls", "mqtt-tls"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_whole_fleet_ran(r.report);
  const json::value& provisioning = r.report.at("provisioning");
  EXPECT_EQ(provisioning.at("created").as_int64(), 36);
  EXPECT_EQ(provisioning.at("existing").as_int64(), 0);
  EXPECT_EQ(provisioning.at("deleted").as_int64(), 36);
  EXPECT_EQ(provisioning.at("throttled").as_int64(), 0);
  EXPECT_NE(r.out.find("iothub: provisioned 36 identities in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("iothub: deleted 36 identities in "), std::string::npos) << r.out;
  EXPECT_EQ(registered_devices(), 0);
}

TEST_F(IotHubTarget, KeepsItsIdentitiesWithoutCleanupAndFindsThemNextTime) {
  const Result first = run(scenario("wss", "mqtt-wss", "cleanup = false\n"));
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  expect_whole_fleet_ran(first.report);
  EXPECT_EQ(first.report.at("provisioning").at("created").as_int64(), 36);
  EXPECT_EQ(first.report.at("provisioning").at("deleted").as_int64(), 0);
  EXPECT_EQ(registered_devices(), 12);

  // Everything exists now: nothing is created, so nothing is deleted.
  const Result second = run(scenario("wss-again", "mqtt-wss"));
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  expect_whole_fleet_ran(second.report);
  EXPECT_EQ(second.report.at("provisioning").at("created").as_int64(), 0);
  EXPECT_EQ(second.report.at("provisioning").at("existing").as_int64(), 36);
  EXPECT_EQ(second.report.at("provisioning").at("deleted").as_int64(), 0);
  EXPECT_EQ(registered_devices(), 12);
}

TEST_F(IotHubTarget, WithoutProvisionTheKeysComeFromTheRegistry) {
  // Registered with keys the hub generates, which no seed reproduces.
  for (int d = 0; d < 12; ++d) {
    char id[16];
    std::snprintf(id, sizeof id, "dev-%05d", d);
    Request device;
    device.method = "PUT";
    device.target = std::string("/devices/") + id;
    device.body = "{}";
    ASSERT_EQ(service(device).status, 200u);
    for (const char* module : {"cam", "temp"}) {
      Request put_module;
      put_module.method = "PUT";
      put_module.target = device.target + "/modules/" + module;
      put_module.body = "{}";
      const Response created = service(put_module);
      ASSERT_TRUE(created.status == 200u || created.status == 201u) << created.body;
    }
  }
  const Result r = run(scenario("registry-keys", "mqtt-tls", "provision = false\n"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_whole_fleet_ran(r.report);
  EXPECT_EQ(r.report.at("provisioning").at("created").as_int64(), 0);
  EXPECT_EQ(r.report.at("provisioning").at("existing").as_int64(), 36);
  EXPECT_EQ(r.report.at("provisioning").at("deleted").as_int64(), 0);
  EXPECT_NE(r.out.find("iothub: read the keys of 36 identities"), std::string::npos) << r.out;
  EXPECT_EQ(registered_devices(), 12);
}

TEST_F(IotHubTarget, ProvisionFalseWithAMissingDeviceExitsThree) {
  const Result r = run(scenario("missing", "mqtt-tls", "provision = false\n"));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  // Several reads are in flight: whichever identity answered first is named.
  EXPECT_NE(r.err.find(
                "' is not registered in localhost (with target.provision = false every identity must exist)"),
            std::string::npos)
      << r.err;
}

TEST_F(IotHubTarget, AWrongPolicyKeyExitsThreeWithTheHubsAnswer) {
  std::string wrong = connection_string_;
  wrong.replace(wrong.find("SharedAccessKey=") + 16, std::string::npos,
                "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
  ::setenv("FLEETSIM_TEST_HUB_CS", wrong.c_str(), 1);
  const Result r = run(scenario("wrong-key", "mqtt-tls"));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("IoT Hub refused POST /devices: HTTP 401 IotHubUnauthorizedAccess"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("\"Message\":\"ErrorCode:IotHubUnauthorizedAccess;"), std::string::npos) << r.err;
  EXPECT_EQ(registered_devices(), 0);
}

TEST_F(IotHubTarget, AnUnsetEnvironmentVariableExitsTwoAtItsPlace) {
  ::unsetenv("FLEETSIM_TEST_HUB_CS");
  const std::string path = scenario("unset", "mqtt-tls");
  const Result r = run(path);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(path + ":6:21: error: connection_string = \"env:FLEETSIM_TEST_HUB_CS\": environment "
                              "variable \"FLEETSIM_TEST_HUB_CS\" is not set"),
            std::string::npos)
      << r.err;
}

TEST_F(IotHubTarget, AnUnreachableServiceApiExitsThree) {
  const Result r = run(scenario("unreachable", "mqtt-tls", {}, 1));  // nobody listens on port 1
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(
      r.err.find("the IoT Hub service API is unreachable: connect to 127.0.0.1:1 failed: Connection refused"),
      std::string::npos)
      << r.err;
}

TEST_F(IotHubTarget, CleansUpAfterAnInterruptedRun) {
  duration_ = "60s";
  // Interrupted at the first status line (5 s in), while the fleet runs.
  const Result r = run(scenario("interrupted", "mqtt-tls"), "[");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // interrupted: not passed
  ASSERT_TRUE(r.report.is_object()) << r.out << r.err;
  EXPECT_TRUE(r.report.at("interrupted").as_bool());
  EXPECT_EQ(r.report.at("provisioning").at("created").as_int64(), 36);
  EXPECT_EQ(r.report.at("provisioning").at("deleted").as_int64(), 36);
  EXPECT_EQ(registered_devices(), 0);
}

TEST_F(IotHubTarget, RetriesThrottledRegistryRequestsAndCountsThem) {
  // S1: 100 registry operations a minute, a minute's worth at once. 110 identities (each one a
  // registry operation, bulk or not) run the bucket dry: the last 10 wait for Retry-After.
  start_hub({"--tier", "S1"});
  duration_ = "4s";
  fleet_ =
      "[fleet]\ndevices = 55\nmodules = [\"m\"]\nconnect_rate = \"50/s\"\n\n"
      "[[telemetry]]\ninterval = \"5s\"\nsize = 64\n";
  const Result r = run(scenario("throttled", "mqtt-tls", "cleanup = false\n"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json::value& provisioning = r.report.at("provisioning");
  EXPECT_EQ(provisioning.at("created").as_int64(), 110);
  EXPECT_GT(provisioning.at("throttled").as_int64(), 0);
  EXPECT_EQ(r.report.at("fleet").at("sessions_connected_peak").as_int64(), 110);
}

}  // namespace
}  // namespace fleetsim
