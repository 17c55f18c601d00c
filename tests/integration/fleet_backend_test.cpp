// The backend actor against the embedded hub in one process: a small fleet whose [[backend]]
// actions go over the hub's HTTPS service API, and whose sessions answer methods, receive C2D and
// acknowledge desired changes; the new latencies must be counted, complete and plausible.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hub/hub.hpp"
#include "metrics/operations.hpp"
#include "sim/backend.hpp"
#include "sim/fleet.hpp"
#include "sim/plan.hpp"
#include "transports/http/service_client.hpp"

namespace fleetsim {
namespace {

using metrics::ErrorKind;
using metrics::Op;

constexpr double kMs = 1e6;

sim::Scenario load(std::string_view text) {
  auto loaded = sim::load_scenario_text(text, "fleet_backend_test.toml");
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.to_string();
  EXPECT_TRUE(loaded.ok());
  return loaded.ok() ? *loaded.scenario : sim::Scenario{};
}

const metrics::Snapshot::PerOp& op(const metrics::Snapshot& s, Op o) {
  return s.ops[static_cast<std::size_t>(o)];
}
double p(const metrics::Snapshot& s, Op o, double q) {
  return static_cast<double>(op(s, o).latency.quantile_ns(q)) / kMs;
}

// The embedded hub with its HTTPS listener, the scenario's identities registered, in a folder of
// its own (its CA and keys).
class BackendRig {
 public:
  explicit BackendRig(const sim::Scenario& scenario, std::optional<hub::Tier> tier = std::nullopt)
      : dir_(std::filesystem::temp_directory_path() /
             ("fleetsim-backend-" + std::to_string(getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    hub::HubConfig config;
    config.data_dir = (dir_ / "hub").string();
    config.https_port = 0;
    config.tier = tier;
    hub_.emplace(config);
    sim::for_each_identity(scenario, 0, 1, [&](std::string_view d, std::string_view m, std::string_view key) {
      ASSERT_TRUE(m.empty() ? hub_->add_device(d, key) : hub_->add_module(d, m, key)) << d << "/" << m;
      if (m.empty()) devices_.emplace_back(d);
    });
    hub_->start();
    endpoint_.host_name = hub_->host_name();
    endpoint_.port = hub_->mqtt_port();
    endpoint_.ca_file = hub_->ca_file();  // trusted by the service client
    std::string error;
    EXPECT_TRUE(
        transports::http::parse_service_connection_string(hub_->service_connection_string(), service_, error))
        << error;
    service_.address = "127.0.0.1";
    service_.port = hub_->https_port();
  }
  ~BackendRig() {
    hub_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The scenario's i-th device can no longer connect (its session fails); it still takes C2D.
  void disable_device(std::size_t i) {
    ASSERT_LT(i, devices_.size());
    ASSERT_TRUE(hub_->set_enabled(devices_[i], {}, false));
    ++disabled_;
  }

  // Runs the fleet to its end; `outcome` gets what run() returned.
  metrics::Snapshot run(const sim::Scenario& scenario, sim::RunOutcome* outcome = nullptr,
                        std::chrono::nanoseconds drain_grace = std::chrono::seconds(5)) {
    metrics::Registry registry(2);
    sim::FleetOptions options;
    options.threads = 2;
    options.drain_grace = drain_grace;
    options.service = service_;
    sim::Fleet fleet(scenario, endpoint_, registry, options);
    const sim::RunOutcome result = fleet.run();
    EXPECT_EQ(result.sessions_failed, disabled_);
    if (outcome != nullptr) *outcome = result;
    return registry.snapshot();
  }

 private:
  std::filesystem::path dir_;
  std::optional<hub::Hub> hub_;
  sim::Endpoint endpoint_;
  transports::http::ServiceEndpoint service_;
  std::vector<std::string> devices_;
  std::uint64_t disabled_ = 0;
};

TEST(FleetBackend, DesiredChangesPropagateAndConverge) {
  const sim::Scenario scenario = load(R"(
duration = "4s"
seed = 3
[fleet]
devices = 10
modules = ["sensor"]
connect_rate = "200/s"
[desired]
on = "all"
ack = "pnp"
[[backend]]
action = "desired"
rate = "20/s"
on = "all"
path = "config.interval"
value = { kind = "counter", start = 1 }
)");
  BackendRig rig(scenario);
  const metrics::Snapshot snap = rig.run(scenario);

  // Calls start 1 s after the last session opened (50 ms) and stop at 4 s: about 59.
  const auto& propagation = op(snap, Op::desired_propagation);
  const auto& convergence = op(snap, Op::desired_convergence);
  EXPECT_GE(propagation.count(), 40u);
  EXPECT_LE(propagation.count(), 62u);
  EXPECT_EQ(propagation.ok, propagation.count());
  EXPECT_EQ(convergence.ok, convergence.count());
  EXPECT_EQ(convergence.count(), propagation.count());
  // Convergence includes propagation plus the acknowledging reported patch.
  EXPECT_GE(p(snap, Op::desired_convergence, 0.5), p(snap, Op::desired_propagation, 0.5));
  EXPECT_LT(p(snap, Op::desired_propagation, 0.99), 500.0);
  EXPECT_LT(p(snap, Op::desired_convergence, 0.99), 500.0);
  // Every acknowledgement is a reported patch the hub accepted.
  EXPECT_EQ(op(snap, Op::reported_patch).ok, op(snap, Op::reported_patch).count());
  EXPECT_GE(op(snap, Op::reported_patch).ok, convergence.ok);
  EXPECT_EQ(snap.total_errors(), 0u);
}

TEST(FleetBackend, MethodsAreAnsweredAfterTheConfiguredDelay) {
  const sim::Scenario scenario = load(R"(
duration = "4s"
seed = 4
[fleet]
devices = 10
modules = ["sensor"]
connect_rate = "200/s"
[methods]
on = "all"
status = 200
payload_size = 40
delay = "50ms"
[[backend]]
action = "method"
rate = "20/s"
on = "all"
name = "reboot"
payload_size = 100
timeout = "5s"
)");
  BackendRig rig(scenario);
  const metrics::Snapshot snap = rig.run(scenario);
  const auto& method = op(snap, Op::method);
  EXPECT_GE(method.count(), 40u);
  EXPECT_EQ(method.ok, method.count());
  // Every answered call is one response PUBLISH, which no answer follows (not "in flight").
  EXPECT_EQ(snap.answers_sent, method.ok);
  // The device waits 50 ms before it answers: no call can be faster.
  EXPECT_GE(p(snap, Op::method, 0.0), 50.0);
  EXPECT_GE(p(snap, Op::method, 0.5), 50.0);
  EXPECT_LT(p(snap, Op::method, 0.99), 1000.0);
  EXPECT_EQ(snap.total_errors(), 0u);
}

TEST(FleetBackend, MethodTargetsAnswerWithoutAMethodsTable) {
  const sim::Scenario scenario = load(R"(
duration = "3s"
[fleet]
devices = 5
[[backend]]
action = "method"
rate = "10/s"
name = "ping"
)");
  BackendRig rig(scenario);
  const metrics::Snapshot snap = rig.run(scenario);
  EXPECT_GE(op(snap, Op::method).ok, 10u);
  EXPECT_EQ(op(snap, Op::method).ok, op(snap, Op::method).count());
  EXPECT_LT(p(snap, Op::method, 0.5), 50.0);  // no delay by default
}

TEST(FleetBackend, CallsStillInFlightAfterTheDrainAreTimeouts) {
  // Devices take 8 s to answer; the run ends at 3 s with a 1 s grace: every call times out, and
  // the run does not wait for the answers. The backend drains first (its grace), then the devices
  // (theirs: they still hold the calls they were going to answer), so at most 3 + 1 + 1 s.
  const sim::Scenario scenario = load(R"(
duration = "3s"
[fleet]
devices = 4
[methods]
delay = "8s"
[[backend]]
action = "method"
rate = "5/s"
name = "slow"
timeout = "30s"
)");
  BackendRig rig(scenario);
  sim::RunOutcome outcome;
  const metrics::Snapshot snap = rig.run(scenario, &outcome, std::chrono::seconds(1));
  const auto& method = op(snap, Op::method);
  EXPECT_GE(method.count(), 8u);
  EXPECT_EQ(method.timeouts, method.count());
  EXPECT_EQ(method.ok, 0u);
  EXPECT_LT(outcome.elapsed, std::chrono::milliseconds(5900));
}

TEST(FleetBackend, CallsBeyondTheClientPoolCountAsBackendSaturated) {
  // Every answer takes 5 s, so the 32 service clients are all busy after a third of a second of
  // 100 calls a second: the calls falling due then are not made. That is the backend's limit, not
  // a device's full QoS 1 window (inflight_full, which the in-flight gauge is derived from).
  const sim::Scenario scenario = load(R"(
duration = "2s"
[fleet]
devices = 4
[methods]
delay = "5s"
[[backend]]
action = "method"
rate = "100/s"
name = "slow"
timeout = "30s"
)");
  BackendRig rig(scenario);
  const metrics::Snapshot snap = rig.run(scenario, nullptr, std::chrono::seconds(1));
  const std::uint64_t saturated = snap.errors[static_cast<std::size_t>(ErrorKind::backend_saturated)];
  EXPECT_GT(saturated, 0u);
  EXPECT_EQ(snap.errors[static_cast<std::size_t>(ErrorKind::inflight_full)], 0u);
  const auto& method = op(snap, Op::method);
  EXPECT_EQ(method.errors, saturated) << "each call not made is one method error";
  EXPECT_EQ(method.ok, 0u);
  EXPECT_LE(method.timeouts, sim::kMaxServiceClients);
}

TEST(FleetBackend, CloudToDeviceMessagesArriveAndAreTimed) {
  const sim::Scenario scenario = load(R"(
duration = "4s"
seed = 5
[fleet]
devices = 10
connect_rate = "200/s"
[[backend]]
action = "c2d"
rate = "20/s"
size = 200
properties = { kind = "command", "x-y" = "a&b c=d" }
)");
  BackendRig rig(scenario);
  const metrics::Snapshot snap = rig.run(scenario);
  const auto& c2d = op(snap, Op::c2d);
  EXPECT_GE(c2d.count(), 40u);
  EXPECT_EQ(c2d.ok, c2d.count());
  EXPECT_EQ(c2d.timeouts, 0u) << "every message the hub accepted arrived";
  EXPECT_LT(p(snap, Op::c2d, 0.99), 500.0);
  EXPECT_EQ(snap.total_errors(), 0u);
}

TEST(FleetBackend, CloudToDeviceMessagesNoDeviceReceivedAreTimeouts) {
  // One device of four is disabled: its session never connects, but the hub still queues what
  // is sent to it. Those messages are accepted and never arrive.
  const sim::Scenario scenario = load(R"(
duration = "4s"
seed = 5
[fleet]
devices = 4
connect_rate = "200/s"
[[backend]]
action = "c2d"
rate = "20/s"
)");
  BackendRig rig(scenario);
  rig.disable_device(0);
  const metrics::Snapshot snap = rig.run(scenario);
  const auto& c2d = op(snap, Op::c2d);
  EXPECT_GE(c2d.count(), 20u);
  EXPECT_GT(c2d.timeouts, 0u) << "the disabled device's messages";
  EXPECT_GT(c2d.ok, 0u) << "the others' messages";
  EXPECT_EQ(c2d.ok + c2d.timeouts, c2d.count());
  EXPECT_EQ(c2d.errors, 0u);
  EXPECT_EQ(snap.errors[static_cast<std::size_t>(ErrorKind::timeout)], c2d.timeouts);
}

TEST(FleetBackend, QueriesPageThroughTheFleet) {
  const sim::Scenario scenario = load(R"(
duration = "4s"
[fleet]
devices = 25
modules = ["a"]
connect_rate = "500/s"
[[backend]]
action = "query"
rate = "2/s"
sql = "SELECT * FROM devices"
page_size = 10
)");
  BackendRig rig(scenario);
  sim::RunOutcome outcome;
  const metrics::Snapshot snap = rig.run(scenario, &outcome);
  const auto& query = op(snap, Op::query);
  EXPECT_GE(query.count(), 4u);
  EXPECT_EQ(query.ok, query.count());
  // 25 device twins, 10 a page: three pages per query.
  EXPECT_EQ(outcome.backend_query_pages, 3 * query.ok);
  EXPECT_LT(p(snap, Op::query, 0.99), 1000.0);
}

TEST(FleetBackend, TheDevicesStatusIsPassedThroughNotCountedAsAnError) {
  // The call completes (HTTP 200) whatever status the device answers with (reference 3.6).
  const sim::Scenario scenario = load(R"(
duration = "3s"
[fleet]
devices = 5
[methods]
status = 500
[[backend]]
action = "method"
rate = "10/s"
name = "fail"
)");
  BackendRig rig(scenario);
  const metrics::Snapshot snap = rig.run(scenario);
  EXPECT_GE(op(snap, Op::method).ok, 10u);
  EXPECT_EQ(op(snap, Op::method).errors, 0u);
}

TEST(FleetBackend, TwinThrottlingCountsAsThrottled) {
  // S1 allows 50 twin updates a second; 30 sessions reporting every 50 ms ask for 600.
  const sim::Scenario scenario = load(R"(
duration = "3s"
[fleet]
devices = 30
connect_rate = "100/s"
[[reported]]
path = "n"
value = { kind = "counter" }
sample = "50ms"
)");
  BackendRig rig(scenario, hub::Tier::s1);
  const metrics::Snapshot snap = rig.run(scenario);
  const auto& reported = op(snap, Op::reported_patch);
  EXPECT_GT(reported.throttled, 0u);
  EXPECT_GT(reported.ok, 0u);
  EXPECT_EQ(reported.errors, 0u);
  EXPECT_EQ(snap.errors[static_cast<std::size_t>(ErrorKind::twin_rejected)], 0u);
}

TEST(FleetBackend, ThrottledServiceCallsCountAsThrottled) {
  // S1 allows 20 queries a minute (a burst of 20): 40 a second exhaust it at once.
  const sim::Scenario scenario = load(R"(
duration = "4s"
[fleet]
devices = 3
[[backend]]
action = "query"
rate = "40/s"
sql = "SELECT * FROM devices"
)");
  BackendRig rig(scenario, hub::Tier::s1);
  const metrics::Snapshot snap = rig.run(scenario);
  const auto& query = op(snap, Op::query);
  EXPECT_GT(query.throttled, 0u);
  EXPECT_EQ(query.errors, 0u);
  // After a 429 the action pauses for Retry-After, so far fewer than 40/s x 3 s are made.
  EXPECT_LT(query.count(), 80u);
}

}  // namespace
}  // namespace fleetsim
