// An Azure IoT Hub (or anything speaking its protocols, such as `fleetsim hub`) as the target of
// a run (target.kind = "iothub"): where the devices connect, where the service API is, and the
// registry work around the run: the shard's identities created in bulk before it (provision),
// the keys of those that existed read from the registry, and what was created deleted after it
// (cleanup), with 429 and 503 answers retried after a backoff and counted as throttled.
//
// Thread safety: an IotHubRegistry belongs to the thread that made it; it runs its own
// io_context on that thread (off every event loop: it blocks its caller).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "metrics/report.hpp"
#include "sim/fleet.hpp"
#include "sim/scenario.hpp"
#include "transports/http/service_client.hpp"

namespace fleetsim::app {

// target.host:target.port over target.transport; HostName of the connection string in usernames,
// SAS scopes, as the TLS server name and the WebSocket Host.
sim::Endpoint iothub_endpoint(const sim::Scenario& scenario);
// The connection string's policy, at target.host:target.service_port over HTTPS.
transports::http::ServiceEndpoint iothub_service_endpoint(const sim::Scenario& scenario);
// "IoT Hub myhub.azure-devices.net" (plus "at 127.0.0.1:18883" when host is not HostName).
std::string describe_iothub_target(const sim::Scenario& scenario);

class IotHubRegistry {
 public:
  // `interrupted` (set by the signal handler) stops the work between requests.
  IotHubRegistry(const sim::Scenario& scenario, const Shard& shard, bool quiet,
                 const std::atomic<bool>& interrupted);
  ~IotHubRegistry();
  IotHubRegistry(const IotHubRegistry&) = delete;
  IotHubRegistry& operator=(const IotHubRegistry&) = delete;

  // Before the run. provision = true: creates the shard's devices (bulk, 100 per request) and
  // then their modules with the seed's keys, reading the keys of those already registered;
  // provision = false: reads every key from the registry. `keys` gets the keys indexed like
  // sim::shard_session(), or stays empty when every key is the seed's. false when the service
  // API is unreachable or refuses (the reason printed on stderr: exit code 3) or when
  // interrupted; what was created so far is still deleted by cleanup().
  bool prepare(std::vector<std::string>& keys);
  // After the run (also after an interruption): with provision and cleanup, deletes what
  // prepare() created. false (a warning printed) when some of it could not be deleted.
  bool cleanup();
  // The report's "provisioning" object.
  metrics::Provisioning provisioning() const;

 private:
  struct Work;
  std::unique_ptr<Work> work_;
};

}  // namespace fleetsim::app
