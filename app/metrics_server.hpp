// The /metrics endpoint of `fleetsim run --metrics-port` and `fleetsim hub --metrics-port`:
// prometheus-cpp's Exposer, a small HTTP server on threads of its own, so a scrape never runs on
// an event-loop thread. What it serves is collected at scrape time from the per-thread metrics
// (metrics::RunCollector), the hub's counters and /proc.
//
// Thread safety: construct, add and linger from one thread; scrapes run on the server's threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "hub/hub.hpp"
#include "metrics/operations.hpp"
#include "metrics/prometheus_exporter.hpp"
#include "sim/scenario.hpp"

namespace prometheus {
class Exposer;
}

namespace fleetsim::app {

class MetricsServer {
 public:
  // Listens on address:port (port 0: any free port). Throws std::runtime_error naming the address
  // when it cannot.
  MetricsServer(const std::string& address, std::uint16_t port);
  // Stops serving (waits for a scrape in progress): destroy it before what its collectors read.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  void add(std::shared_ptr<prometheus::Collectable> collectable);
  std::uint16_t port() const { return port_; }
  // Blocks the calling thread for `seconds` while scrapes go on, so the final values of a run
  // that just ended get scraped (Prometheus scrapes every few seconds; the process would be gone).
  void linger(double seconds) const;

 private:
  std::unique_ptr<prometheus::Exposer> exposer_;
  // The exposer only holds weak references: the collectables live here.
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
  std::uint16_t port_ = 0;
};

// process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds and
// process_start_time_seconds from /proc/self, read at scrape time (the usual names, so existing
// dashboards and alerts apply).
std::shared_ptr<prometheus::Collectable> make_process_collector();
// The hub's fleetsim_hub_* metrics (Hub::metric_families); `hub` must outlive the server.
std::shared_ptr<prometheus::Collectable> make_hub_collector(const hub::Hub& hub);

// `fleetsim run`: serves the run's registry (described by the scenario and the shard), the
// embedded hub (when there is one) and the process on args.metrics_address:args.metrics_port and
// says where (unless --quiet). nullptr, with the reason on stderr, when it cannot listen.
std::unique_ptr<MetricsServer> serve_run_metrics(const RunArgs& args, const metrics::Registry& registry,
                                                 const sim::Scenario& scenario, const Shard& shard,
                                                 const hub::Hub* embedded_hub);

// `fleetsim hub`: serves the hub and the process on address:port. nullptr, with the reason on
// stderr, when it cannot listen.
std::unique_ptr<MetricsServer> serve_hub_metrics(const std::string& address, std::uint16_t port,
                                                 const hub::Hub& hub);

}  // namespace fleetsim::app
