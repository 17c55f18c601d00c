// The mqtt target (target.kind = "mqtt"): what sessions say to a plain MQTT broker instead of
// the IoT Hub device protocol, prepared once per run, and the e2e probe that times a sample of
// sessions' own telemetry from publish to delivery.
//
// Topics come from target.topic with {device}, {module} and {stream} filled in; stream is
// "telemetry", "reported" or "desired". A device's own session has no module: the topic level
// that holds {module} is left out ("fleet/{device}/{module}/{stream}" gives
// "fleet/dev-00001/telemetry" for the device and "fleet/dev-00001/sensor/telemetry" for its
// module "sensor"). Validation makes sure such a level holds nothing else that matters.
//
// Thread safety: TopicTemplate and MqttTargetPlan are read-only during the run; an E2eProbe
// belongs to one session.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario.hpp"
#include "transports/mqtt/packets.hpp"

namespace fleetsim::sim {

inline constexpr std::string_view kTelemetryStream = "telemetry";
inline constexpr std::string_view kReportedStream = "reported";
inline constexpr std::string_view kDesiredStream = "desired";

// target.topic cut once at its placeholders, level by level.
class TopicTemplate {
 public:
  enum class Field : std::uint8_t { text, device, module, stream };

  // Placeholders are {NAME} with NAME a letter or '_' then letters, digits or '_' (as in payload
  // templates); any other brace is literal. nullopt when a placeholder is not one of the three
  // fields, its name then in `*unknown`.
  static std::optional<TopicTemplate> parse(std::string_view text, std::string* unknown = nullptr);

  bool uses(Field field) const noexcept;
  // True when a level holding {module} also holds {device} or {stream}: leaving that level out
  // for a device session would lose them.
  bool module_shares_a_level() const noexcept;

  // Appends the topic of one session's stream; `module` empty for a device's own session.
  void append(std::string& out, std::string_view device, std::string_view module,
              std::string_view stream) const;

 private:
  struct Piece {
    Field field = Field::text;
    std::string text;  // when field == text
  };
  struct Level {
    std::vector<Piece> pieces;
    bool has_module = false;
  };
  std::vector<Level> levels_;
};

// What the mqtt target's sessions share.
struct MqttTargetPlan {
  bool enabled = false;  // target.kind == "mqtt"; everything below is meaningful only then
  TopicTemplate topic;
  mqtt::ProtocolVersion version = mqtt::ProtocolVersion::v3_1_1;
  double e2e_sample = 0;                         // target.e2e_sample
  std::vector<std::uint8_t> connect_properties;  // MQTT 5 CONNECT properties, the same for all
};
// The plan of a validated scenario (a scenario of another kind gives enabled = false).
MqttTargetPlan make_mqtt_target_plan(const Scenario& scenario);

// Whether the session with this global index measures e2e: a draw from the run's seed with
// probability e2e_sample, and always the fleet's first session when e2e_sample > 0, so that a
// small fleet measures it too.
bool samples_e2e(const Scenario& scenario, std::uint64_t global_session_index) noexcept;

// FNV-1a over a payload: how a delivery is matched to its send.
std::uint64_t payload_hash(std::span<const std::uint8_t> payload) noexcept;

// Writes `sequence` as hexadecimal digits over the first (up to 16) bytes of `payload` from
// `from`: generated filler is the same in every message, and a sampled session's messages must
// differ for their deliveries to be told apart.
void stamp_sequence(std::string& payload, std::size_t from, std::uint64_t sequence) noexcept;

// The messages of one sampled session that its broker has not delivered back yet: (payload hash,
// intended send time), in send order. Bounded: past kCapacity the oldest is pushed out. Matching
// by content rather than by order means a QoS 0 message the broker dropped costs that one
// message, not the pairing of every later one.
class E2eProbe {
 public:
  static constexpr std::size_t kCapacity = 16;

  // A message went out. Returns the intended time of the entry pushed out to make room, if any
  // (a message that never came back).
  std::optional<Duration> on_sent(std::uint64_t hash, Duration intended) noexcept;
  // A delivery: the intended time of the oldest waiting message with this hash, removed; nullopt
  // when none waits (another session's message, or one already given up).
  std::optional<Duration> on_delivered(std::uint64_t hash) noexcept;
  // Removes the messages intended before `cutoff`; returns how many.
  std::size_t expire(Duration cutoff) noexcept;
  // A new connection: what the last one sent will not come back on this one.
  void clear() noexcept { count_ = 0; }
  std::size_t size() const noexcept { return count_; }
  std::uint64_t next_sequence() noexcept { return sequence_++; }

 private:
  struct Entry {
    std::uint64_t hash = 0;
    Duration intended{0};
  };
  void remove(std::size_t i) noexcept;

  std::array<Entry, kCapacity> entries_{};
  std::uint64_t sequence_ = 0;
  std::uint8_t count_ = 0;
};

}  // namespace fleetsim::sim
