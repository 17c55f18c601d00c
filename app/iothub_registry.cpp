// The iothub target's registry work around a run: provisioning (or reading every key) before
// it, cleanup after it, each phase a list of jobs run a few at a time on kept-alive service
// clients (the requests: iothub_registry_requests.cpp).
#include <cinttypes>
#include <cstdio>
#include <string_view>

#include "app/iothub_registry_work.hpp"

namespace fleetsim::app {
namespace {

using iothub_registry::Identity;
using iothub_registry::kBulkSize;
using iothub_registry::kInFlight;
using transports::http::ServiceClient;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

bool IotHubRegistry::Work::provision() {
  std::vector<std::vector<std::size_t>> batches;
  std::vector<std::size_t> modules;
  for (std::size_t k = 0; k < identities.size(); ++k) {
    if (!identities[k].module.empty()) {
      modules.push_back(k);
      continue;
    }
    if (batches.empty() || batches.back().size() == kBulkSize) batches.emplace_back();
    batches.back().push_back(k);
  }
  std::vector<std::vector<std::size_t>> existing(batches.size());
  if (!run_jobs(batches.size(), true, [&](ServiceClient& client, std::size_t b) {
        return create_devices(client, batches[b], existing[b]);
      })) {
    return false;
  }
  std::vector<std::size_t> existing_devices;
  for (const auto& found : existing)
    existing_devices.insert(existing_devices.end(), found.begin(), found.end());
  if (!run_jobs(existing_devices.size(), true, [&](ServiceClient& client, std::size_t i) {
        return read_key(client, existing_devices[i]);
      })) {
    return false;
  }
  // Devices first: a module needs its device.
  return run_jobs(modules.size(), true,
                  [&](ServiceClient& client, std::size_t i) { return create_module(client, modules[i]); });
}

bool IotHubRegistry::Work::read_all_keys() {
  return run_jobs(identities.size(), true,
                  [&](ServiceClient& client, std::size_t k) { return read_key(client, k); });
}

IotHubRegistry::IotHubRegistry(const sim::Scenario& scenario, const Shard& shard, bool quiet,
                               const std::atomic<bool>& interrupted)
    : work_(std::make_unique<Work>(scenario, shard, quiet, interrupted)) {}

IotHubRegistry::~IotHubRegistry() = default;

bool IotHubRegistry::prepare(std::vector<std::string>& keys) {
  Work& w = *work_;
  const auto started = std::chrono::steady_clock::now();
  try {
    tls::ClientOptions options;
    options.ca_file = w.scenario.target.ca_file;
    options.verify = w.scenario.target.tls_verify;
    w.tls.emplace(tls::TlsContext::client(options));
  } catch (const tls::TlsError& e) {
    std::fprintf(stderr, "fleetsim: TLS client setup for the IoT Hub service API: %s\n", e.what());
    return false;
  }
  for (std::size_t c = 0; c < kInFlight; ++c) {
    w.clients.push_back(std::make_unique<ServiceClient>(w.io, w.service, &*w.tls));
  }
  sim::for_each_identity(w.scenario, w.shard.index, w.shard.count,
                         [&](std::string_view device, std::string_view module, std::string_view) {
                           w.identities.push_back(Identity{std::string(device), std::string(module), false});
                         });

  const bool ok = w.scenario.target.provision ? w.provision() : w.read_all_keys();
  w.stats.duration_s += seconds_since(started);
  if (!ok) {
    if (!w.failure.empty()) {
      std::fprintf(stderr, "fleetsim: %s\n", w.failure.c_str());
    } else {
      std::fprintf(stderr, "fleetsim: interrupted while %s\n",
                   w.scenario.target.provision ? "provisioning" : "reading the registry's keys");
    }
    return false;
  }
  if (!w.quiet) {
    if (w.scenario.target.provision) {
      std::printf("iothub: provisioned %zu identities in %.1f s (%" PRIu64 " created, %" PRIu64
                  " existing, %" PRIu64 " throttled)\n",
                  w.identities.size(), w.stats.duration_s, w.stats.created, w.stats.existing,
                  w.stats.throttled);
    } else {
      std::printf("iothub: read the keys of %zu identities from the registry in %.1f s (%" PRIu64
                  " throttled)\n",
                  w.identities.size(), w.stats.duration_s, w.stats.throttled);
    }
    std::fflush(stdout);
  }
  if (!w.keys.empty()) {
    // A key of the registry's for some: the fleet takes a key for everyone.
    for (std::size_t k = 0; k < w.identities.size(); ++k) {
      if (w.keys[k].empty()) w.keys[k] = w.seed_key(w.identities[k]);
    }
  }
  keys = std::move(w.keys);
  w.keys.clear();
  return true;
}

bool IotHubRegistry::cleanup() {
  Work& w = *work_;
  if (!w.scenario.target.provision || !w.scenario.target.cleanup || w.clients.empty()) return true;
  const auto started = std::chrono::steady_clock::now();
  const std::uint64_t throttled_before = w.stats.throttled;
  // Devices created by this run go in bulk with their modules; modules it added to devices that
  // existed go one by one.
  std::vector<std::vector<std::size_t>> batches;
  std::vector<std::size_t> modules;
  bool device_created = false;
  for (std::size_t k = 0; k < w.identities.size(); ++k) {
    const Identity& identity = w.identities[k];
    if (identity.module.empty()) {
      device_created = identity.created;
      if (!identity.created) continue;
      if (batches.empty() || batches.back().size() == kBulkSize) batches.emplace_back();
      batches.back().push_back(k);
    } else if (identity.created && !device_created) {
      modules.push_back(k);
    }
  }
  if (batches.empty() && modules.empty()) return true;  // everything existed before the run
  w.failure.clear();
  bool ok = w.run_jobs(batches.size(), false, [&](ServiceClient& client, std::size_t b) {
    return w.delete_devices(client, batches[b]);
  });
  ok = ok && w.run_jobs(modules.size(), false, [&](ServiceClient& client, std::size_t i) {
    return w.delete_module(client, modules[i]);
  });
  const double seconds = seconds_since(started);
  w.stats.duration_s += seconds;
  if (!ok) {
    std::fprintf(stderr,
                 "fleetsim: warning: cleanup stopped: %s; %" PRIu64
                 " identities this run created may remain in %s\n",
                 w.failure.c_str(), w.stats.created - w.stats.deleted, w.service.host_name.c_str());
    return false;
  }
  if (!w.quiet) {
    std::printf("iothub: deleted %" PRIu64 " identities in %.1f s (%" PRIu64 " throttled)\n", w.stats.deleted,
                seconds, w.stats.throttled - throttled_before);
    std::fflush(stdout);
  }
  return true;
}

metrics::Provisioning IotHubRegistry::provisioning() const {
  return work_->stats;
}

}  // namespace fleetsim::app
