#include "app/metrics_server.hpp"

#include <prometheus/exposer.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <utility>

#include "sim/plan.hpp"

namespace fleetsim::app {
namespace {

// Two server threads: one scrape at a time is the usual load, the second keeps a slow client
// from blocking Prometheus.
constexpr std::size_t kServerThreads = 2;

class HubCollector final : public prometheus::Collectable {
 public:
  explicit HubCollector(const hub::Hub& hub) : hub_(hub) {}
  std::vector<prometheus::MetricFamily> Collect() const override { return hub_.metric_families(); }

 private:
  const hub::Hub& hub_;
};

std::string listen_spec(const std::string& address, std::uint16_t port) {
  // civetweb's listening_ports syntax: IPv6 addresses go in brackets.
  const bool ipv6 = address.find(':') != std::string::npos;
  return (ipv6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::unique_ptr<MetricsServer> start_server(const std::string& address, std::uint16_t port) {
  try {
    return std::make_unique<MetricsServer>(address, port);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fleetsim: cannot serve metrics on %s: %s\n", listen_spec(address, port).c_str(),
                 e.what());
    return nullptr;
  }
}

}  // namespace

MetricsServer::MetricsServer(const std::string& address, std::uint16_t port) {
  const std::string spec = listen_spec(address, port);
  // civetweb reports a failed bind as a CivetException (a std::runtime_error) without the reason;
  // the address in our message and the errno-bearing line civetweb logs give it.
  exposer_ = std::make_unique<prometheus::Exposer>(spec, kServerThreads);
  const auto ports = exposer_->GetListeningPorts();
  if (ports.empty()) throw std::runtime_error("no listening port on " + spec);
  port_ = static_cast<std::uint16_t>(ports.front());
}

MetricsServer::~MetricsServer() = default;

void MetricsServer::add(std::shared_ptr<prometheus::Collectable> collectable) {
  exposer_->RegisterCollectable(collectable);
  collectables_.push_back(std::move(collectable));
}

void MetricsServer::linger(double seconds) const {
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

std::shared_ptr<prometheus::Collectable> make_hub_collector(const hub::Hub& hub) {
  return std::make_shared<HubCollector>(hub);
}

std::unique_ptr<MetricsServer> serve_run_metrics(const RunArgs& args, const metrics::Registry& registry,
                                                 const sim::Scenario& scenario, const Shard& shard,
                                                 const hub::Hub* embedded_hub) {
  auto server = start_server(args.metrics_address, args.metrics_port);
  if (!server) return nullptr;
  metrics::RunDescription run;
  run.scenario = scenario.name;
  run.target = scenario.target.kind;
  run.shard = std::to_string(shard.index) + "/" + std::to_string(shard.count);
  run.sessions = sim::shard_session_count(scenario, shard.index, shard.count);
  run.duration_s = std::chrono::duration<double>(scenario.duration).count();
  run.start_time_s =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  server->add(std::make_shared<metrics::RunCollector>(registry, std::move(run)));
  if (embedded_hub != nullptr) server->add(make_hub_collector(*embedded_hub));
  server->add(make_process_collector());
  if (!args.quiet) {
    std::printf("metrics on http://%s/metrics\n", listen_spec(args.metrics_address, server->port()).c_str());
    std::fflush(stdout);
  }
  return server;
}

std::unique_ptr<MetricsServer> serve_hub_metrics(const std::string& address, std::uint16_t port,
                                                 const hub::Hub& hub) {
  auto server = start_server(address, port);
  if (!server) return nullptr;
  server->add(make_hub_collector(hub));
  server->add(make_process_collector());
  return server;
}

}  // namespace fleetsim::app
