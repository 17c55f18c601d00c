// The state of an iothub target's registry work and the requests it makes (internal to
// app/iothub_registry*.cpp): the shard's identities, a few kept-alive service clients on one
// io_context, and the counts the report shows.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "app/iothub_target.hpp"
#include "sim/plan.hpp"
#include "transports/http/service_client.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::app {

namespace iothub_registry {
inline constexpr std::size_t kBulkSize = 100;  // IoT Hub's limit per bulk registry request
inline constexpr std::size_t kInFlight =
    4;  // requests at once: well under any tier's registry throttle burst

struct Identity {
  std::string device;
  std::string module;  // empty: the device itself
  bool created = false;
};
}  // namespace iothub_registry

struct IotHubRegistry::Work {
  using Identity = iothub_registry::Identity;
  using Request = transports::http::Request;
  using Response = transports::http::Response;
  using ServiceClient = transports::http::ServiceClient;
  static constexpr std::size_t kInFlight = iothub_registry::kInFlight;

  Work(const sim::Scenario& s, const Shard& sh, bool q, const std::atomic<bool>& i)
      : scenario(s), shard(sh), quiet(q), interrupted(i), service(iothub_service_endpoint(s)) {}

  const sim::Scenario& scenario;
  Shard shard;
  bool quiet;
  const std::atomic<bool>& interrupted;
  transports::http::ServiceEndpoint service;
  std::optional<tls::TlsContext> tls;
  boost::asio::io_context io;
  std::vector<std::unique_ptr<ServiceClient>> clients;
  std::vector<Identity> identities;  // indexed like sim::shard_session()
  std::vector<std::string> keys;     // the registry's key where it differs from the seed's
  metrics::Provisioning stats;
  std::string failure;  // the first failure, printed once

  std::string seed_key(const Identity& identity) const {
    return sim::identity_key(scenario, identity.device, identity.module);
  }
  // Never used to connect: IoT Hub wants both keys, and they should differ.
  std::string secondary_key(const Identity& identity) const {
    return sim::identity_key(scenario, "#secondary/" + identity.device, identity.module);
  }

  void fail(std::string message) {
    if (failure.empty()) failure = std::move(message);
  }
  // Fails with IoT Hub's answer: method, target, status, error code and body.
  void refuse(const Request& request, const Response& response);

  // Runs job(client, i) for i in [0, count) with kInFlight clients; false on a failure (or an
  // interruption, when `interruptible`).
  template <class Job>
  bool run_jobs(std::size_t count, bool interruptible, Job job) {
    std::size_t next = 0;
    const auto stop = [&] { return !failure.empty() || (interruptible && interrupted.load()); };
    for (std::size_t c = 0; c < kInFlight && c < count; ++c) {
      boost::asio::co_spawn(
          io,
          [&next, &stop, count, job, client = clients[c].get()]() -> boost::asio::awaitable<void> {
            while (!stop() && next < count) {
              const std::size_t i = next++;
              if (!co_await job(*client, i)) co_return;
            }
          },
          [this](std::exception_ptr e) {
            if (!e) return;
            try {
              std::rethrow_exception(e);
            } catch (const std::exception& ex) {
              fail(std::string("registry work failed: ") + ex.what());
            }
          });
    }
    io.restart();
    io.run();
    return !stop();
  }

  // Sends, retrying 429 and 503 after a backoff; false (failure set) when the service API could
  // not be reached or stayed throttled.
  boost::asio::awaitable<bool> exchange(ServiceClient& client, const Request& request, Response& out);

  // POSTs one bulk registry operation (reference 3.4): the per-device errors by device id
  // (`first_status`: the first errorStatus), or nullopt (failure set) when the exchange failed
  // or the answer is not a bulk result.
  using BulkErrors = std::vector<std::pair<std::string, boost::json::value>>;
  boost::asio::awaitable<std::optional<BulkErrors>> post_bulk(ServiceClient& client, const boost::json::array& body,
                                                              std::string& first_status);

  // Reads the SAS key of an identity that exists; false (failure set) otherwise.
  boost::asio::awaitable<bool> read_key(ServiceClient& client, std::size_t k);

  // Bulk creation of a batch of devices; those that exist already go to `existing`.
  boost::asio::awaitable<bool> create_devices(ServiceClient& client, const std::vector<std::size_t>& batch,
                                              std::vector<std::size_t>& existing);

  // A module, or its key read when it exists already.
  boost::asio::awaitable<bool> create_module(ServiceClient& client, std::size_t k);

  // Bulk deletion of devices this run created (their modules go with them).
  boost::asio::awaitable<bool> delete_devices(ServiceClient& client, const std::vector<std::size_t>& batch);

  boost::asio::awaitable<bool> delete_module(ServiceClient& client, std::size_t k);

  // The phases of prepare() (iothub_registry.cpp).
  bool provision();
  bool read_all_keys();
};

}  // namespace fleetsim::app
