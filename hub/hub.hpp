// The embedded IoT Hub: identity registry, twin store and the MQTT device endpoint
// (reference/iothub-protocol.md sections 1, 2 and 4), as used by the `fleetsim` executable and
// by tests.
//
// Threading: the hub runs ONE io_context on ONE thread of its own. The registry, the twins and
// every session live on that thread, so none of them needs a lock, and no simulator thread ever
// blocks on hub work; one thread serves tens of thousands of sessions at fleetsim's rates
// because each packet costs microseconds and idle sessions cost nothing but memory.
//
// Thread safety: start() and stop() belong to the owner and must not race with other calls.
// Every other member is safe from any thread: before start() (and after stop()) it acts
// directly; while running it runs on the hub thread and waits for the result (called from the
// hub thread itself, it runs inline).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "twin/document.hpp"

namespace fleetsim::hub {

struct HubConfig {
  std::string host_name = "localhost";  // HostName: usernames and SAS `sr` must name it
  std::string bind_address = "127.0.0.1";
  std::uint16_t mqtt_port = 0;  // 0: pick a free port
  std::size_t max_packet_size = 256 * 1024 + 4096;
};

struct HubContext;
struct HubRuntime;

class Hub {
 public:
  explicit Hub(HubConfig config);
  ~Hub();  // stops if running
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Binds (throws std::system_error on failure) and starts the hub's event-loop thread.
  void start();
  // Closes every connection and joins the thread. The registry and twins are kept: a later
  // start() serves them again.
  void stop();
  std::uint16_t mqtt_port() const;  // valid after start()
  const std::string& host_name() const;

  // Registry. false if the identity exists, an id is invalid (reference 1.1; module ids may not
  // start with '$'), a key is not base64, or (modules) the device does not exist.
  bool add_device(std::string_view device_id, std::string_view primary_key_b64,
                  std::string_view secondary_key_b64 = {});
  bool add_module(std::string_view device_id, std::string_view module_id, std::string_view primary_key_b64,
                  std::string_view secondary_key_b64 = {});
  // module_id empty for the device itself. Disabling drops a live connection at once.
  bool set_enabled(std::string_view device_id, std::string_view module_id, bool enabled);

  // Merge-patches desired; pushes $iothub/twin/PATCH/properties/desired/?$version=v to the
  // identity's session if connected and subscribed to the desired filter. An unknown identity
  // is 404 / 404001 (404010 for a module).
  twin::Result update_desired(std::string_view device_id, std::string_view module_id,
                              const boost::json::value& patch);
  // The service view (tags, properties.desired/reported with $metadata and $version, etag,
  // version, deviceId[, moduleId], status, connectionState); nullopt for an unknown identity.
  std::optional<boost::json::object> twin_json(std::string_view device_id, std::string_view module_id);

  struct Stats {
    std::uint64_t connections_accepted, connections_open, connects_accepted, connects_refused,
        protocol_errors, forbidden_topics, telemetry_received, twin_gets, reported_patches, desired_pushed;
    std::uint64_t keep_alive_expired;  // sessions dropped for silence
    std::uint64_t slow_consumers;      // sessions dropped for unsent output above 1 MB
    std::uint64_t task_failures;       // connection or accept tasks ended by an exception
  };
  Stats stats() const;  // relaxed atomics: each counter is exact, the set is not a snapshot

 private:
  template <class Fn>
  auto on_hub_thread(Fn&& fn);

  HubConfig config_;
  std::unique_ptr<HubContext> context_;
  std::unique_ptr<HubRuntime> runtime_;  // io_context, endpoint, thread: only while running
  std::uint16_t mqtt_port_ = 0;
};

}  // namespace fleetsim::hub
