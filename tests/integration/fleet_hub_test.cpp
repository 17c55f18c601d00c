// The fleet runtime against the embedded hub over loopback: a small fleet runs its scenario and
// the metrics describe exactly what it should have done.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "hub/hub.hpp"
#include "metrics/operations.hpp"
#include "sim/fleet.hpp"
#include "sim/plan.hpp"
#include "sim/x509_identities.hpp"
#include "transports/stream/stream.hpp"
#include "transports/tls/certificates.hpp"

namespace fleetsim {
namespace {

using metrics::ErrorKind;
using metrics::Op;

// 20 devices with one module each, 4 s: telemetry every 500 ms at QoS 1 from devices, a constant
// reported property with pmax 1 s from modules, desired patches acknowledged Plug and Play style.
constexpr std::string_view kScenario = R"(
name = "fleet-hub"
duration = "4s"
seed = 7

[fleet]
devices = 20
modules = ["sensor"]
connect_rate = "1000/s"

[[telemetry]]
on = "device"
interval = "500ms"
qos = 1
size = 64
properties = { type = "env" }

[[reported]]
on = "module:sensor"
path = "env.fw"
value = { kind = "constant", value = 1.0 }
sample = "1s"
pmax = "1s"

[desired]
on = "devices"
ack = "pnp"
)";

sim::Scenario load(std::string_view text) {
  auto loaded = sim::load_scenario_text(text, "fleet_hub_test.toml");
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.to_string();
  EXPECT_TRUE(loaded.ok());
  return loaded.ok() ? *loaded.scenario : sim::Scenario{};
}

void register_fleet(hub::Hub& hub, const sim::Scenario& scenario) {
  sim::for_each_identity(scenario, 0, 1, [&](std::string_view d, std::string_view m, std::string_view key) {
    ASSERT_TRUE(m.empty() ? hub.add_device(d, key) : hub.add_module(d, m, key)) << d << "/" << m;
  });
}

std::uint64_t errors(const metrics::Snapshot& s, ErrorKind k) {
  return s.errors[static_cast<std::size_t>(k)];
}
const metrics::Snapshot::PerOp& op(const metrics::Snapshot& s, Op o) {
  return s.ops[static_cast<std::size_t>(o)];
}

TEST(FleetHub, SmallFleetDoesExactlyItsScenario) {
  const sim::Scenario scenario = load(kScenario);
  ASSERT_EQ(scenario.sessions(), 40u);
  hub::Hub hub(hub::HubConfig{});
  register_fleet(hub, scenario);
  hub.start();

  metrics::Registry registry(2);
  sim::Endpoint endpoint;
  endpoint.host_name = hub.host_name();
  endpoint.port = hub.mqtt_port();
  sim::FleetOptions options;
  options.threads = 2;
  // A desired change while the fleet runs: device 3 must acknowledge it.
  const std::string target_device = sim::device_id(scenario, 3);
  bool desired_sent = false;
  options.on_tick = [&](std::chrono::nanoseconds) {
    if (desired_sent) return;
    desired_sent = true;
    EXPECT_TRUE(hub.update_desired(target_device, "", boost::json::parse(R"({"interval":10})")).ok());
  };
  sim::Fleet fleet(scenario, endpoint, registry, options);
  const sim::RunOutcome outcome = fleet.run();
  const metrics::Snapshot snap = registry.snapshot();

  EXPECT_TRUE(desired_sent);
  EXPECT_EQ(outcome.sessions, 40u);
  EXPECT_EQ(outcome.sessions_connected_peak, 40u);
  EXPECT_EQ(outcome.sessions_failed, 0u);
  EXPECT_FALSE(outcome.stopped_early);
  EXPECT_FALSE(outcome.target_unreachable);
  EXPECT_GE(outcome.elapsed, std::chrono::seconds(4));

  EXPECT_EQ(snap.total_errors(), 0u);
  for (std::size_t k = 0; k < metrics::kErrorKindCount; ++k) {
    EXPECT_EQ(snap.errors[k], 0u) << metrics::error_kind_name(static_cast<ErrorKind>(k));
  }
  EXPECT_EQ(snap.sessions_connected, 40u);
  EXPECT_EQ(snap.sessions_disconnected, 40u);  // every session closed at the end
  EXPECT_EQ(op(snap, Op::connect).ok, 40u);
  EXPECT_EQ(op(snap, Op::twin_get).count(), 40u);
  EXPECT_EQ(op(snap, Op::twin_get).ok, 40u);

  // Each device sends at open + phase + k * 500 ms until the 4 s end: 7 or 8 messages.
  const auto& telemetry = op(snap, Op::telemetry);
  EXPECT_EQ(telemetry.ok, telemetry.count());
  EXPECT_GE(telemetry.ok, 20u * 7);
  EXPECT_LE(telemetry.ok, 20u * 8 + 8);  // + 5%: the end of the run is noticed by a 20 ms poll
  EXPECT_EQ(telemetry.latency.count(), telemetry.ok);

  // Modules: the first notification at open, then one per pmax: 1 + floor(4 s / 1 s) = 5 (+-1,
  // as the run ends around the last one); plus one PnP acknowledgement from device 3.
  const auto& reported = op(snap, Op::reported_patch);
  EXPECT_EQ(reported.ok, reported.count());
  EXPECT_GE(reported.ok, 20u * 4 + 1);
  EXPECT_LE(reported.ok, 20u * 6 + 1);
  EXPECT_GT(snap.schedule_lag.count(), 0u);

  const auto twin = hub.twin_json(target_device, "");
  ASSERT_TRUE(twin);
  const auto* ack = twin->at("properties").at("reported").as_object().if_contains("interval");
  ASSERT_NE(ack, nullptr) << boost::json::serialize(*twin);
  EXPECT_EQ(ack->at("value"), boost::json::value(10));
  EXPECT_EQ(ack->at("ac"), boost::json::value(200));
  EXPECT_EQ(ack->at("av").to_number<std::uint64_t>(),
            twin->at("properties").at("desired").at("$version").to_number<std::uint64_t>());
  EXPECT_EQ(ack->at("ad"), boost::json::value("completed"));

  // The module's property sits at its dotted path.
  const auto module_twin = hub.twin_json(target_device, "sensor");
  ASSERT_TRUE(module_twin);
  EXPECT_EQ(module_twin->at("properties").at("reported").at("env").at("fw").to_number<double>(), 1.0);
  hub.stop();
}

TEST(FleetHub, ClosedPortIsUnreachable) {
  std::uint16_t port = 0;
  {
    // A port that was free a moment ago and has no listener now.
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  sim::Scenario scenario = load(kScenario);
  scenario.fleet.devices = 3;
  scenario.duration = std::chrono::seconds(1);
  metrics::Registry registry(1);
  sim::Endpoint endpoint;
  endpoint.port = port;
  sim::Fleet fleet(scenario, endpoint, registry, sim::FleetOptions{});
  const sim::RunOutcome outcome = fleet.run();
  const metrics::Snapshot snap = registry.snapshot();
  EXPECT_TRUE(outcome.target_unreachable);
  EXPECT_EQ(outcome.sessions, 6u);
  EXPECT_EQ(outcome.sessions_failed, 6u);
  EXPECT_EQ(outcome.sessions_connected_peak, 0u);
  EXPECT_EQ(errors(snap, ErrorKind::connect_failed), 6u);
  EXPECT_EQ(op(snap, Op::connect).errors, 6u);
  EXPECT_EQ(op(snap, Op::telemetry).count(), 0u);
}

TEST(FleetHub, SessionsReconnectAfterTheHubRestarts) {
  sim::Scenario scenario = load(kScenario);
  scenario.fleet.devices = 4;
  scenario.duration = std::chrono::seconds(5);
  std::uint16_t port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  hub::HubConfig config;
  config.mqtt_port = port;  // the same port after the restart
  hub::Hub hub(config);
  register_fleet(hub, scenario);
  hub.start();
  metrics::Registry registry(1);
  sim::Endpoint endpoint;
  endpoint.host_name = hub.host_name();
  endpoint.port = port;
  sim::FleetOptions options;
  bool restarted = false;
  options.on_tick = [&](std::chrono::nanoseconds) {
    if (restarted) return;
    restarted = true;
    hub.stop();  // every connection drops
    hub.start();
  };
  sim::Fleet fleet(scenario, endpoint, registry, options);
  const sim::RunOutcome outcome = fleet.run();
  const metrics::Snapshot snap = registry.snapshot();
  ASSERT_TRUE(restarted);
  EXPECT_EQ(outcome.sessions_connected_peak, 8u);
  EXPECT_EQ(outcome.sessions_failed, 0u);
  EXPECT_EQ(errors(snap, ErrorKind::disconnected), 8u);
  EXPECT_EQ(errors(snap, ErrorKind::connect_failed), 0u);
  EXPECT_EQ(errors(snap, ErrorKind::timeout), 0u);
  EXPECT_EQ(snap.sessions_connected, 16u);  // every session connected twice
  // After the reconnection each session asks for its twin again and each module reports its
  // property again at once (reference 7.2).
  EXPECT_EQ(op(snap, Op::twin_get).ok, 16u);
  EXPECT_GE(op(snap, Op::reported_patch).ok, 8u);
  EXPECT_GT(op(snap, Op::telemetry).ok, 0u);
  hub.stop();
}

TEST(FleetHub, StopRequestEndsTheRunEarly) {
  sim::Scenario scenario = load(kScenario);
  scenario.fleet.devices = 2;
  scenario.duration = std::chrono::seconds(60);
  hub::Hub hub(hub::HubConfig{});
  register_fleet(hub, scenario);
  hub.start();
  metrics::Registry registry(1);
  sim::Endpoint endpoint;
  endpoint.host_name = hub.host_name();
  endpoint.port = hub.mqtt_port();
  sim::FleetOptions options;
  sim::Fleet* running = nullptr;
  options.on_tick = [&](std::chrono::nanoseconds) { running->request_stop(); };
  sim::Fleet fleet(scenario, endpoint, registry, options);
  running = &fleet;
  const sim::RunOutcome outcome = fleet.run();
  EXPECT_TRUE(outcome.stopped_early);
  EXPECT_LT(outcome.elapsed, std::chrono::seconds(10));
  EXPECT_EQ(outcome.sessions_connected_peak, 4u);
  EXPECT_EQ(registry.snapshot().total_errors(), 0u);
  hub.stop();
}

// ---- transports, X.509 and SAS renewal ----

// A few devices with a module each, telemetry every 250 ms at QoS 1 from everyone, desired
// notifications subscribed: every session connects, reads its twin and sends on time.
constexpr std::string_view kTransportScenario = R"(
name = "fleet-transport"
duration = "3s"
seed = 11

[fleet]
devices = 4
modules = ["sensor"]
connect_rate = "1000/s"

[[telemetry]]
on = "all"
interval = "250ms"
qos = 1
size = 64

[desired]
on = "devices"
ack = "pnp"
)";

using transports::Transport;

// The embedded hub with the listener a transport needs, its own CA made in a folder of this
// test, and (X.509) the fleet's CA trusted and its identities CA-authenticated.
class TransportRig {
 public:
  TransportRig(const sim::Scenario& scenario, Transport transport, bool x509)
      : dir_(std::filesystem::temp_directory_path() /
             ("fleetsim-fleet-" + std::to_string(getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (x509) {
      identities_ = sim::X509Identities::load_or_create(scenario, 0, 1, (dir_ / "x509").string());
    }
    hub::HubConfig config;
    config.data_dir = (dir_ / "hub").string();
    switch (transport) {
      case Transport::mqtt:
        break;
      case Transport::mqtt_tls:
        config.mqtts_port = 0;
        break;
      case Transport::mqtt_ws:
        config.http_port = 0;
        break;
      case Transport::mqtt_wss:
        config.https_port = 0;
        break;
    }
    if (identities_) config.client_ca_files.push_back(identities_->ca_file());
    hub_.emplace(config);
    sim::for_each_identity(scenario, 0, 1, [&](std::string_view d, std::string_view m, std::string_view key) {
      const hub::Authentication auth =
          x509 ? hub::Authentication::certificate_authority() : hub::Authentication::sas(key);
      ASSERT_TRUE(m.empty() ? hub_->add_device(d, auth) : hub_->add_module(d, m, auth)) << d << "/" << m;
    });
    hub_->start();
    endpoint_.host_name = hub_->host_name();
    endpoint_.transport = transport;
    endpoint_.ca_file = hub_->ca_file();
    switch (transport) {
      case Transport::mqtt:
        endpoint_.port = hub_->mqtt_port();
        break;
      case Transport::mqtt_tls:
        endpoint_.port = hub_->mqtts_port();
        break;
      case Transport::mqtt_ws:
        endpoint_.port = hub_->http_port();
        break;
      case Transport::mqtt_wss:
        endpoint_.port = hub_->https_port();
        break;
    }
  }
  ~TransportRig() {
    hub_.reset();
    std::filesystem::remove_all(dir_);
  }

  hub::Hub& hub() { return *hub_; }
  const sim::Endpoint& endpoint() const { return endpoint_; }
  sim::FleetOptions options() const {
    sim::FleetOptions o;
    o.threads = 2;
    o.identities = identities_ ? &*identities_ : nullptr;
    return o;
  }

 private:
  std::filesystem::path dir_;
  std::optional<sim::X509Identities> identities_;
  std::optional<hub::Hub> hub_;
  sim::Endpoint endpoint_;
};

struct TransportCase {
  Transport transport;
  bool x509;
};

void PrintTo(const TransportCase& c, std::ostream* os) {
  *os << transports::to_string(c.transport) << (c.x509 ? " x509" : " sas");
}

class FleetTransport : public ::testing::TestWithParam<TransportCase> {};

TEST_P(FleetTransport, EverySessionConnectsAndSendsWithoutErrors) {
  const auto [transport, x509] = GetParam();
  sim::Scenario scenario = load(kTransportScenario);
  if (x509) scenario.fleet.auth = "x509";
  TransportRig rig(scenario, transport, x509);
  metrics::Registry registry(2);
  sim::Fleet fleet(scenario, rig.endpoint(), registry, rig.options());
  const sim::RunOutcome outcome = fleet.run();
  const metrics::Snapshot snap = registry.snapshot();
  const hub::Hub::Stats hub_stats = rig.hub().stats();

  EXPECT_FALSE(outcome.target_unreachable) << outcome.first_connect_failure;
  EXPECT_EQ(outcome.sessions_connected_peak, 8u) << outcome.first_connect_failure;
  EXPECT_EQ(outcome.sessions_failed, 0u);
  EXPECT_EQ(snap.total_errors(), 0u);
  for (std::size_t k = 0; k < metrics::kErrorKindCount; ++k) {
    EXPECT_EQ(snap.errors[k], 0u) << metrics::error_kind_name(static_cast<ErrorKind>(k));
  }
  EXPECT_EQ(op(snap, Op::connect).ok, 8u);
  EXPECT_EQ(op(snap, Op::twin_get).ok, 8u);
  // 8 sessions x 3 s / 250 ms: 11 or 12 each.
  const auto& telemetry = op(snap, Op::telemetry);
  EXPECT_EQ(telemetry.ok, telemetry.count());
  EXPECT_GE(telemetry.ok, 8u * 11);
  EXPECT_LE(telemetry.ok, 8u * 12 + 4);
  EXPECT_EQ(hub_stats.connects_accepted, 8u);
  EXPECT_EQ(hub_stats.connects_refused, 0u);
  EXPECT_EQ(hub_stats.tls_handshake_failures, 0u);
  EXPECT_EQ(hub_stats.websocket_upgrades, transports::uses_websocket(transport) ? 8u : 0u);
  EXPECT_EQ(outcome.sas_renewals, 0u) << "a 1 h token needs no renewal in 3 s";
}

INSTANTIATE_TEST_SUITE_P(
    TransportsAndAuth, FleetTransport,
    ::testing::Values(TransportCase{Transport::mqtt, false}, TransportCase{Transport::mqtt_tls, false},
                      TransportCase{Transport::mqtt_ws, false}, TransportCase{Transport::mqtt_wss, false},
                      TransportCase{Transport::mqtt_tls, true}, TransportCase{Transport::mqtt_wss, true}),
    [](const ::testing::TestParamInfo<TransportCase>& info) {
      std::string name(transports::to_string(info.param.transport));
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name + (info.param.x509 ? "_x509" : "_sas");
    });

TEST(FleetTls, AnUntrustedServerIsAFailedConnectNamingOpenSslsReason) {
  sim::Scenario scenario = load(kTransportScenario);
  scenario.fleet.devices = 2;
  scenario.duration = std::chrono::seconds(30);
  TransportRig rig(scenario, Transport::mqtt_tls, false);
  // A CA that signed nothing the hub serves.
  const std::string wrong_ca =
      (std::filesystem::temp_directory_path() / ("fleetsim-wrong-ca-" + std::to_string(getpid()) + ".pem"))
          .string();
  tls::write_file_atomic(wrong_ca, tls::Authority::create("not the hub's CA").certificate_pem(), false);
  sim::Endpoint endpoint = rig.endpoint();
  endpoint.ca_file = wrong_ca;
  metrics::Registry registry(1);
  sim::Fleet fleet(scenario, endpoint, registry, sim::FleetOptions{});
  const sim::RunOutcome outcome = fleet.run();
  std::filesystem::remove(wrong_ca);
  EXPECT_TRUE(outcome.target_unreachable);
  EXPECT_EQ(outcome.sessions_failed, 4u);
  EXPECT_NE(outcome.first_connect_failure.find("TLS handshake failed"), std::string::npos)
      << outcome.first_connect_failure;
  EXPECT_NE(outcome.first_connect_failure.find("certificate verify failed"), std::string::npos)
      << outcome.first_connect_failure;
  EXPECT_EQ(errors(registry.snapshot(), ErrorKind::connect_failed), 4u);
  EXPECT_LT(outcome.elapsed, std::chrono::seconds(5))
      << "nothing connected: the run ends without waiting 30 s";
  EXPECT_FALSE(outcome.stopped_early);

  scenario.duration = std::chrono::seconds(1);

  // The same server with verification off: every session connects.
  endpoint.tls_verify = false;
  metrics::Registry unverified(1);
  sim::Fleet trusting(scenario, endpoint, unverified, sim::FleetOptions{});
  const sim::RunOutcome ok = trusting.run();
  EXPECT_FALSE(ok.target_unreachable);
  EXPECT_EQ(ok.sessions_connected_peak, 4u);
  EXPECT_EQ(unverified.snapshot().total_errors(), 0u);
}

TEST(FleetTls, UnreadableCaFileIsAConfigurationError) {
  sim::Scenario scenario = load(kTransportScenario);
  metrics::Registry registry(1);
  sim::Endpoint endpoint;
  endpoint.transport = Transport::mqtt_tls;
  endpoint.ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW(sim::Fleet(scenario, endpoint, registry, sim::FleetOptions{}), tls::TlsError);
}

// SAS tokens of 5 s over 12 s: every session renews (twice, at about 4 s and 8 s), reconnects at
// once, and no telemetry is lost: every message sent is acknowledged. Over TLS the renewals
// resume the previous TLS session.
class FleetSasRenewal : public ::testing::TestWithParam<Transport> {};
}  // namespace
}  // namespace fleetsim

namespace fleetsim::transports {
void PrintTo(Transport t, std::ostream* os) {
  *os << to_string(t);
}
}  // namespace fleetsim::transports

namespace fleetsim {
namespace {

TEST_P(FleetSasRenewal, SessionsRenewBeforeExpiryAndLoseNothing) {
  sim::Scenario scenario = load(kTransportScenario);
  scenario.duration = std::chrono::seconds(12);
  scenario.fleet.sas_ttl = std::chrono::seconds(5);
  TransportRig rig(scenario, GetParam(), false);
  metrics::Registry registry(2);
  sim::Fleet fleet(scenario, rig.endpoint(), registry, rig.options());
  const sim::RunOutcome outcome = fleet.run();
  const metrics::Snapshot snap = registry.snapshot();
  const hub::Hub::Stats hub_stats = rig.hub().stats();

  EXPECT_GE(outcome.sas_renewals, 8u) << "each of the 8 sessions renews at least once";
  EXPECT_LE(outcome.sas_renewals, 8u * 3);
  EXPECT_EQ(hub_stats.sas_expired, 0u) << "no token outlived its connection";
  EXPECT_EQ(outcome.sessions_failed, 0u);
  const auto& telemetry = op(snap, Op::telemetry);
  EXPECT_EQ(telemetry.errors, 0u);
  EXPECT_EQ(telemetry.timeouts, 0u);
  EXPECT_EQ(telemetry.ok, telemetry.count());
  // Every PUBLISH sent was telemetry or a twin request: all the telemetry sent was acknowledged.
  EXPECT_EQ(telemetry.ok,
            snap.messages_sent - op(snap, Op::twin_get).count() - op(snap, Op::reported_patch).count());
  EXPECT_GE(telemetry.ok, 8u * 44) << "12 s / 250 ms = 48 per session, a few ms lost per renewal at most";
  EXPECT_EQ(snap.total_errors(), 0u);
  EXPECT_EQ(op(snap, Op::connect).ok, 8u + outcome.sas_renewals);
  if (transports::uses_tls(GetParam())) {
    EXPECT_GE(outcome.tls_resumptions, outcome.sas_renewals / 2) << "reconnections resume their TLS session";
  }
}

INSTANTIATE_TEST_SUITE_P(Transports, FleetSasRenewal, ::testing::Values(Transport::mqtt, Transport::mqtt_tls),
                         [](const ::testing::TestParamInfo<Transport>& info) {
                           return info.param == Transport::mqtt ? std::string("mqtt")
                                                                : std::string("mqtt_tls");
                         });

}  // namespace
}  // namespace fleetsim
