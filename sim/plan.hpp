// The fleet derived from a scenario: who the sessions are, their keys, their shard and their
// opening times, all computed from indices so that nothing per device is stored.
//
// A session is a device (module slot 0) or one of its modules (slot m + 1 for fleet.modules[m]).
// Its global index, device_index * (1 + modules) + slot, seeds every random stream it draws from,
// so a session behaves the same whatever the shard count or the number of threads.
//
// Thread safety: pure functions over a Scenario that nobody mutates during the run.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <vector>

#include "sim/desired.hpp"
#include "sim/mqtt_target.hpp"
#include "sim/reported.hpp"
#include "sim/scenario.hpp"
#include "sim/telemetry.hpp"

namespace fleetsim::sim {

struct SessionId {
  std::uint64_t device_index = 0;
  std::uint32_t module_slot = 0;  // 0: the device itself; m + 1: fleet.modules[m]
  bool is_module() const noexcept { return module_slot != 0; }
  friend bool operator==(const SessionId&, const SessionId&) = default;
};

// fleet.id with {index} filled in; device indices start at 0 (append_device_id in scenario.hpp
// appends the same without a new string).
std::string device_id(const Scenario& scenario, std::uint64_t device_index);
// "" for slot 0.
std::string_view module_id(const Scenario& scenario, std::uint32_t module_slot) noexcept;

// base64(HMAC-SHA256(seed as 8 little-endian bytes, "{d}" or "{d}/{m}")): a 32-byte key like the
// hub's own, that the hub is given at registration and the session recomputes when it connects.
std::string identity_key(const Scenario& scenario, std::string_view device_id, std::string_view module_id);

std::uint64_t global_session_index(const Scenario& scenario, SessionId id) noexcept;

// Shard i/N holds the devices whose index % N == i, each followed by its modules.
std::uint64_t shard_device_count(const Scenario& scenario, std::uint32_t shard_index,
                                 std::uint32_t shard_count) noexcept;
std::uint64_t shard_session_count(const Scenario& scenario, std::uint32_t shard_index,
                                  std::uint32_t shard_count) noexcept;
// The k-th session of shard i/N, k < shard_session_count().
SessionId shard_session(const Scenario& scenario, std::uint32_t shard_index, std::uint32_t shard_count,
                        std::uint64_t k) noexcept;

// When session k of a shard opens: k / (connect_rate / shard_count), so the shards together open
// sessions at connect_rate.
Duration open_time(const Scenario& scenario, std::uint32_t shard_count, std::uint64_t k) noexcept;

// Whether a behaviour's `on` applies to a session of this slot.
bool selects(const Selector& selector, const Scenario& scenario, std::uint32_t module_slot) noexcept;

// Calls fn(device_id, module_id, key_b64) for every identity of shard i/N: each device (module_id
// empty), then its modules. The executable registers the fleet in the embedded hub with it.
void for_each_identity(const Scenario& scenario, std::uint32_t shard_index, std::uint32_t shard_count,
                       const std::function<void(std::string_view device_id, std::string_view module_id,
                                                std::string_view key_b64)>& fn);

// What every thread of a run shares, read-only: the scenario's behaviours prepared once.
// Session state points into it, so it must outlive the run and not be modified during it.
struct FleetPlan {
  const Scenario* scenario = nullptr;
  std::uint32_t shard_index = 0;
  std::uint32_t shard_count = 1;
  std::vector<TelemetryPlan> telemetry;  // indexed like Scenario::telemetry
  std::vector<ReportedPlan> reported;    // indexed like Scenario::reported
  AckMode ack = AckMode::none;
  MqttTargetPlan mqtt;  // target.kind = "mqtt": topics and protocol level
};
FleetPlan make_fleet_plan(const Scenario& scenario, std::uint32_t shard_index, std::uint32_t shard_count);

// The random streams of one session (second argument of stream_seed is the global index).
namespace seed_stream {
inline constexpr std::uint64_t kTelemetry = std::uint64_t{1} << 32;  // + [[telemetry]] index
inline constexpr std::uint64_t kReported = std::uint64_t{2} << 32;   // + [[reported]] index
inline constexpr std::uint64_t kValues = std::uint64_t{3} << 32;     // + [[values]] index
inline constexpr std::uint64_t kReconnect = std::uint64_t{4} << 32;
inline constexpr std::uint64_t kE2eSample = std::uint64_t{5} << 32;  // mqtt target: measures e2e or not
}  // namespace seed_stream

}  // namespace fleetsim::sim
