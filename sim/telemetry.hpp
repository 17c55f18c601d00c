// [[telemetry]] at run time: the intended send times of one stream for one session, and the
// message it sends.
//
// Intended times are fixed by the seed alone: the first at open + a seeded phase in
// [0, interval) so a fleet does not send in lockstep, then every interval +- uniform jitter, or
// exponential gaps (poisson arrivals). A late session still reports latency from these times.
//
// Thread safety: TelemetryPlan is read-only and shared; a TelemetrySchedule belongs to one session.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/scenario.hpp"
#include "sim/values.hpp"

namespace fleetsim::sim {

// One [[telemetry]] entry, prepared once for the whole fleet.
struct TelemetryPlan {
  const Telemetry* spec = nullptr;
  std::string bag;  // the properties, URL-encoded: "k1=v1&k2=v2" (IoT Hub: in the topic)
  // The same properties as MQTT 5 user properties (mqtt target, protocol 5: in the PUBLISH).
  std::vector<std::uint8_t> user_properties;
  bool uses_values = false;  // the payload template names [[values]]
};
TelemetryPlan make_telemetry_plan(const Telemetry& spec);

class TelemetrySchedule {
 public:
  // `stream` is the [[telemetry]] index, kept so the session knows which plan this follows.
  TelemetrySchedule(const Telemetry& spec, std::uint32_t stream, Duration open, std::uint64_t seed) noexcept;

  Duration next() const noexcept { return next_; }
  std::uint32_t stream() const noexcept { return stream_; }
  // Moves to the following intended time (always later: at least 1 microsecond).
  void advance(const Telemetry& spec) noexcept;

 private:
  Duration gap(const Telemetry& spec) noexcept;

  Rng rng_;
  Duration next_;
  std::uint32_t stream_;
};

// Appends the message body: the payload template with each {NAME} replaced by the next value of
// the session's generator for that [[values]] entry (`values` is indexed like Scenario::values),
// or `size` filler bytes, or nothing when the stream has neither.
void append_telemetry_payload(std::string& out, const Telemetry& spec, std::span<ValueGenerator> values,
                              Duration since_open);

}  // namespace fleetsim::sim
