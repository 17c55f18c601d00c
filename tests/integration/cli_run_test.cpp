// End-to-end tests of the real `fleetsim` binary against its embedded hub over loopback:
// they run scenarios and assert on the JSON report and the exit code.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>

#include "support/process.hpp"
#include "transports/tls/certificates.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

class CliRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("fleetsim-cli-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_scenario(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  struct Result {
    int exit_code = -1;
    std::string out, err;
    json::object report;
  };

  Result run(const std::vector<std::string>& extra, std::chrono::milliseconds timeout = 120s) {
    const auto report_path = (dir_ / "report.json").string();
    std::vector<std::string> argv = {FLEETSIM_BINARY};
    argv.insert(argv.end(), extra.begin(), extra.end());
    if (argv.size() > 1 && argv[1] == "run") {
      argv.push_back("--report");
      argv.push_back(report_path);
    }
    fleetsim::test::Process p(argv);
    Result r;
    r.exit_code = p.wait(timeout);
    r.out = p.stdout_text();
    r.err = p.stderr_text();
    if (fs::exists(report_path)) {
      std::ifstream in(report_path);
      std::stringstream ss;
      ss << in.rdbuf();
      r.report = json::parse(ss.str()).as_object();
    }
    return r;
  }

  static std::uint64_t op_count(const json::object& report, const char* op) {
    const auto& ops = report.at("operations").as_object();
    const auto* entry = ops.if_contains(op);
    return entry ? entry->as_object().at("count").to_number<std::uint64_t>() : 0;
  }
  static std::uint64_t op_stat(const json::object& report, const char* op, const char* stat) {
    return report.at("operations").as_object().at(op).as_object().at(stat).to_number<std::uint64_t>();
  }
  static void expect_no_errors(const json::object& report) {
    for (const auto& [name, value] : report.at("errors").as_object()) {
      EXPECT_EQ(value.to_number<std::uint64_t>(), 0u) << "error counter " << name;
    }
    for (const auto& [name, op] : report.at("operations").as_object()) {
      EXPECT_EQ(op.as_object().at("errors").to_number<std::uint64_t>(), 0u) << name;
      EXPECT_EQ(op.as_object().at("timeouts").to_number<std::uint64_t>(), 0u) << name;
    }
    EXPECT_EQ(report.at("fleet").as_object().at("sessions_failed").to_number<std::uint64_t>(), 0u);
  }

  fs::path dir_;
};

// 40 devices with one module each: telemetry on devices, a constant reported property with
// pmax on modules. Connects are fast (4,000/s), so every session is open for ~all of `duration`.
constexpr const char* kSteadyScenario = R"(
name = "cli-steady"
duration = "6s"
seed = 7

[fleet]
devices = 40
modules = ["sensor"]
connect_rate = "4000/s"

[[telemetry]]
on = "device"
interval = "500ms"
qos = 1
size = 128

[[reported]]
on = "module:sensor"
path = "fw.version"
value = { kind = "constant", value = 3.0 }
pmax = "2s"

[[gate]]
expr = "telemetry.p99 < 5000ms"
)";

TEST_F(CliRun, SteadyRunCountsMatchTheScenario) {
  const auto scenario = write_scenario("steady.toml", kSteadyScenario);
  const Result r = run({"run", scenario});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto& report = r.report;
  ASSERT_FALSE(report.empty());

  EXPECT_TRUE(report.at("passed").as_bool());
  EXPECT_EQ(report.at("fleet").as_object().at("devices").to_number<std::uint64_t>(), 40u);
  EXPECT_EQ(report.at("fleet").as_object().at("modules").to_number<std::uint64_t>(), 40u);
  EXPECT_EQ(report.at("fleet").as_object().at("sessions_connected_peak").to_number<std::uint64_t>(), 80u);
  expect_no_errors(report);

  // One twin GET per session.
  EXPECT_EQ(op_count(report, "twin_get"), 80u);
  EXPECT_EQ(op_stat(report, "twin_get", "ok"), 80u);

  // Telemetry: devices x duration / interval = 40 x 6 s / 0.5 s = 480. Each device starts at a
  // seeded phase inside its first interval and its session opens a few ms after the run starts,
  // so each device sends 11 or 12 messages: tolerance one message per device (+-40).
  const auto telemetry = op_count(report, "telemetry");
  EXPECT_GE(telemetry, 480u - 40u);
  EXPECT_LE(telemetry, 480u + 40u);
  EXPECT_EQ(op_stat(report, "telemetry", "ok"), telemetry);

  // Reported: a constant value with pmax = 2 s sends exactly 1 + floor(T / pmax) patches per
  // module session, T = 6 s minus the session's open time: 1 + 3 = 4, or 3 when the last one
  // falls right at the end of the run (one allowed for the boundary).
  const auto reported = op_count(report, "reported_patch");
  EXPECT_GE(reported, 40u * 3);
  EXPECT_LE(reported, 40u * 4);

  // The summary table is printed.
  EXPECT_NE(r.out.find("telemetry"), std::string::npos);
  EXPECT_NE(r.out.find("PASS"), std::string::npos);
}

TEST_F(CliRun, FailingGateExitsOne) {
  const auto scenario = write_scenario("gate.toml", kSteadyScenario);
  const Result r = run({"run", scenario, "--set", "duration=2s", "--set", "gate.0.expr=telemetry.p99 < 0.0001ms"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  ASSERT_FALSE(r.report.empty());
  EXPECT_FALSE(r.report.at("passed").as_bool());
  const auto& gates = r.report.at("gates").as_array();
  ASSERT_EQ(gates.size(), 1u);
  EXPECT_FALSE(gates[0].as_object().at("passed").as_bool());
  EXPECT_GT(gates[0].as_object().at("value").to_number<double>(), 0.0001);
}

TEST_F(CliRun, MalformedScenarioExitsTwoWithPosition) {
  const auto scenario = write_scenario("bad.toml", "name = \"bad\"\nduration = \"10s\"\n\n[fleet]\ndevices = 10\nintervall = \"5s\"\n");
  const Result r = run({"run", scenario});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(scenario + ":6:1:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("intervall"), std::string::npos) << r.err;

  const Result v = run({"validate", scenario});
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_NE(v.err.find(scenario + ":6:1:"), std::string::npos) << v.err;
}

TEST_F(CliRun, SyntaxErrorNamesLineAndColumn) {
  const auto scenario = write_scenario("syntax.toml", "name = \"x\"\nduration = = 3\n");
  const Result r = run({"validate", scenario});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(scenario + ":2:"), std::string::npos) << r.err;
}

TEST_F(CliRun, NotSupportedYetExitsTwo) {
  const auto scenario = write_scenario("iothub.toml", kSteadyScenario);
  const Result r = run({"validate", scenario, "--set", "target.kind=iothub", "--set",
                        "target.connection_string=\"HostName=h;SharedAccessKeyName=p;SharedAccessKey=a2V5\"",
                        "--set", "fleet.auth=x509"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not supported yet"), std::string::npos) << r.err;
}

TEST_F(CliRun, ValidateAcceptsTheShippedScenarios) {
  for (const char* name : {"quickstart.toml", "minimal.toml", "observe.toml"}) {
    const Result r = run({"validate", std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/" + name});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
  }
}

// A raw socket that sends garbage to the embedded hub in the middle of a run is disconnected,
// and the run completes with zero errors.
TEST_F(CliRun, GarbageOnTheHubPortClosesOnlyThatConnection) {
  const auto scenario = write_scenario("garbage.toml", kSteadyScenario);
  const auto report_path = (dir_ / "report.json").string();
  fleetsim::test::Process p({FLEETSIM_BINARY, "run", scenario, "--set", "duration=4s", "--report", report_path});
  ASSERT_TRUE(p.started());

  // The first line names the hub's port: "... embedded hub on 127.0.0.1:PORT".
  int port = 0;
  for (int i = 0; i < 5 && port == 0; ++i) {
    const auto line = p.read_line(20s);
    ASSERT_TRUE(line.has_value()) << "no banner line";
    if (const auto at = line->find("127.0.0.1:"); at != std::string::npos) port = std::stoi(line->substr(at + 10));
  }
  ASSERT_GT(port, 0);

  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  // 0xF0 is the reserved packet type 15: a protocol violation in the first byte.
  const unsigned char garbage[] = {0xF0, 0x03, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01};
  ASSERT_EQ(write(fd, garbage, sizeof garbage), static_cast<ssize_t>(sizeof garbage));
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[16];
  const ssize_t n = read(fd, buf, sizeof buf);
  EXPECT_LE(n, 0) << "the hub answered garbage instead of closing";
  close(fd);

  const int code = p.wait(60s);
  EXPECT_EQ(code, 0) << p.stdout_text() << p.stderr_text();
  std::ifstream in(report_path);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto report = json::parse(ss.str()).as_object();
  expect_no_errors(report);
  EXPECT_EQ(op_count(report, "twin_get"), 80u);
}

// Ctrl-C ends the run early and the report is still written.
TEST_F(CliRun, InterruptStillWritesTheReport) {
  const auto scenario = write_scenario("interrupt.toml", kSteadyScenario);
  const auto report_path = (dir_ / "report.json").string();
  fleetsim::test::Process p({FLEETSIM_BINARY, "run", scenario, "--set", "duration=60s", "--report", report_path,
                             "--status-interval", "1"});
  ASSERT_TRUE(p.started());
  // Wait for the first status line, then interrupt.
  bool saw_status = false;
  for (int i = 0; i < 10 && !saw_status; ++i) {
    const auto line = p.read_line(20s);
    ASSERT_TRUE(line.has_value());
    saw_status = line->find("connected") != std::string::npos && line->front() == '[';
  }
  ASSERT_TRUE(saw_status);
  p.signal(SIGINT);
  const int code = p.wait(30s);
  EXPECT_EQ(code, 1);
  ASSERT_TRUE(fs::exists(report_path));
  std::ifstream in(report_path);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto report = json::parse(ss.str()).as_object();
  EXPECT_FALSE(report.at("passed").as_bool());
  EXPECT_TRUE(report.at("interrupted").as_bool());
  EXPECT_LT(report.at("fleetsim").as_object().at("duration_s").to_number<double>(), 30.0);
  EXPECT_GT(op_count(report, "twin_get"), 0u);
}

// ---- transports, X.509, TLS trust and SAS renewal against the embedded hub ----

TEST_F(CliRun, X509OverSecureWebSocketRuns) {
  const auto scenario = write_scenario("wss.toml", kSteadyScenario);
  const Result r = run({"run", scenario, "--set", "duration=3s", "--set", "target.transport=mqtt-wss",
                        "--set", "fleet.auth=x509"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_no_errors(r.report);
  const auto& run_info = r.report.at("fleetsim").as_object();
  EXPECT_EQ(run_info.at("transport").as_string(), "mqtt-wss");
  EXPECT_EQ(run_info.at("tls_verify"), json::value(true));
  EXPECT_EQ(r.report.at("fleet").as_object().at("sessions_connected_peak").to_number<std::uint64_t>(), 80u);
  EXPECT_FALSE(r.report.at("fleet").as_object().contains("sas_renewals")) << "X.509 sessions have no token";
  EXPECT_EQ(op_stat(r.report, "twin_get", "ok"), 80u);
  EXPECT_NE(r.out.find("x509: 80 identities"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("over mqtt-wss"), std::string::npos) << r.out;
}

TEST_F(CliRun, WrongCaExitsThreeNamingTheCertificateFailure) {
  const auto scenario = write_scenario("tls.toml", kSteadyScenario);
  const std::string wrong_ca = (dir_ / "wrong-ca.pem").string();
  fleetsim::tls::write_file_atomic(
      wrong_ca, fleetsim::tls::Authority::create("not the hub's CA").certificate_pem(), false);
  const Result r = run({"run", scenario, "--set", "duration=2s", "--set", "target.transport=mqtt-tls",
                        "--set", "target.ca_file=" + wrong_ca});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("no session could connect to 127.0.0.1:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("over mqtt-tls: TLS handshake failed: certificate verify failed"), std::string::npos)
      << r.err;
  ASSERT_FALSE(r.report.empty());
  EXPECT_EQ(r.report.at("fleet").as_object().at("sessions_failed").to_number<std::uint64_t>(), 80u);

  // The explicit opt-out connects to the same untrusted server, and says so.
  const Result unverified =
      run({"run", scenario, "--set", "duration=2s", "--set", "target.transport=mqtt-tls", "--set",
           "target.ca_file=" + wrong_ca, "--set", "target.tls_verify=false"});
  ASSERT_EQ(unverified.exit_code, 0) << unverified.out << unverified.err;
  expect_no_errors(unverified.report);
  EXPECT_EQ(unverified.report.at("fleetsim").as_object().at("tls_verify"), json::value(false));
  EXPECT_NE(unverified.out.find("WARNING: server certificates were not verified (target.tls_verify = false)"),
            std::string::npos)
      << unverified.out;
}

TEST_F(CliRun, SasTokensAreRenewedAndCounted) {
  const auto scenario = write_scenario("renew.toml", kSteadyScenario);
  const Result r = run({"run", scenario, "--set", "duration=7s", "--set", "fleet.sas_ttl=5s", "--set",
                        "target.transport=mqtt-ws"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_no_errors(r.report);
  // Renewal at expiry - 1 s, tokens of 5 s rounded up to the second: once per session in 7 s.
  EXPECT_EQ(r.report.at("fleet").as_object().at("sas_renewals").to_number<std::uint64_t>(), 80u);
  EXPECT_EQ(op_stat(r.report, "connect", "ok"), 160u);
  EXPECT_NE(r.out.find("sas renewals   80 reconnections"), std::string::npos) << r.out;
}

}  // namespace
