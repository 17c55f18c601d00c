#include "sim/plan.hpp"

#include <array>

#include "transports/iothub/sas.hpp"

namespace fleetsim::sim {

std::string device_id(const Scenario& scenario, std::uint64_t device_index) {
  std::string out;
  append_device_id(out, scenario.fleet.id, device_index);
  return out;
}

std::string_view module_id(const Scenario& scenario, std::uint32_t module_slot) noexcept {
  if (module_slot == 0 || module_slot > scenario.fleet.modules.size()) return {};
  return scenario.fleet.modules[module_slot - 1];
}

std::string identity_key(const Scenario& scenario, std::string_view device_id, std::string_view module_id) {
  std::array<std::uint8_t, 8> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) {
    seed[i] = static_cast<std::uint8_t>(scenario.seed >> (8 * i));
  }
  std::string identity(device_id);
  if (!module_id.empty()) {
    identity += '/';
    identity += module_id;
  }
  const auto mac = iothub::hmac_sha256(seed, identity);
  return iothub::base64_encode(mac);
}

std::uint64_t global_session_index(const Scenario& scenario, SessionId id) noexcept {
  return id.device_index * (1 + scenario.modules_per_device()) + id.module_slot;
}

std::uint64_t shard_device_count(const Scenario& scenario, std::uint32_t shard_index,
                                 std::uint32_t shard_count) noexcept {
  const std::uint64_t devices = scenario.fleet.devices;
  if (shard_count == 0 || shard_index >= devices) return 0;
  return (devices - shard_index + shard_count - 1) / shard_count;
}

std::uint64_t shard_session_count(const Scenario& scenario, std::uint32_t shard_index,
                                  std::uint32_t shard_count) noexcept {
  return shard_device_count(scenario, shard_index, shard_count) * (1 + scenario.modules_per_device());
}

SessionId shard_session(const Scenario& scenario, std::uint32_t shard_index, std::uint32_t shard_count,
                        std::uint64_t k) noexcept {
  const std::uint64_t per_device = 1 + scenario.modules_per_device();
  return SessionId{shard_index + (k / per_device) * shard_count, static_cast<std::uint32_t>(k % per_device)};
}

Duration open_time(const Scenario& scenario, std::uint32_t shard_count, std::uint64_t k) noexcept {
  const long double rate = scenario.fleet.connect_rate_per_s;
  if (rate <= 0) return Duration{0};
  const long double seconds = static_cast<long double>(k) * shard_count / rate;
  return Duration{static_cast<Duration::rep>(seconds * 1e9L)};
}

bool selects(const Selector& selector, const Scenario& scenario, std::uint32_t module_slot) noexcept {
  switch (selector.kind) {
    case Selector::Kind::device:
      return module_slot == 0;
    case Selector::Kind::module:
      return module_slot != 0 && module_id(scenario, module_slot) == selector.module;
    case Selector::Kind::all_modules:
      return module_slot != 0;
    case Selector::Kind::all:
      return true;
  }
  return false;
}

void for_each_identity(const Scenario& scenario, std::uint32_t shard_index, std::uint32_t shard_count,
                       const std::function<void(std::string_view device_id, std::string_view module_id,
                                                std::string_view key_b64)>& fn) {
  if (shard_count == 0) return;
  std::string device;
  for (std::uint64_t index = shard_index; index < scenario.fleet.devices; index += shard_count) {
    device.clear();
    append_device_id(device, scenario.fleet.id, index);
    fn(device, {}, identity_key(scenario, device, {}));
    for (const std::string& module : scenario.fleet.modules) {
      fn(device, module, identity_key(scenario, device, module));
    }
  }
}

FleetPlan make_fleet_plan(const Scenario& scenario, std::uint32_t shard_index, std::uint32_t shard_count) {
  FleetPlan plan;
  plan.scenario = &scenario;
  plan.shard_index = shard_index;
  plan.shard_count = shard_count;
  plan.telemetry.reserve(scenario.telemetry.size());
  for (const Telemetry& t : scenario.telemetry) plan.telemetry.push_back(make_telemetry_plan(t));
  plan.reported.reserve(scenario.reported.size());
  for (const Reported& r : scenario.reported) plan.reported.push_back(make_reported_plan(r));
  // The loader accepts only the three modes; a hand-built scenario with another word acks nothing.
  if (scenario.desired.enabled) plan.ack = parse_ack_mode(scenario.desired.ack).value_or(AckMode::none);
  plan.mqtt = make_mqtt_target_plan(scenario);
  return plan;
}

}  // namespace fleetsim::sim
