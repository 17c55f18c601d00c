#include "sim/telemetry.hpp"

#include <algorithm>
#include <cmath>

#include "transports/iothub/topics.hpp"
#include "transports/mqtt/properties.hpp"

namespace fleetsim::sim {
namespace {

constexpr Duration kMinGap = std::chrono::microseconds(1);

Duration scaled(Duration d, double factor) noexcept {
  return Duration{static_cast<Duration::rep>(static_cast<double>(d.count()) * factor)};
}

}  // namespace

TelemetryPlan make_telemetry_plan(const Telemetry& spec) {
  TelemetryPlan plan;
  plan.spec = &spec;
  for (const auto& [name, value] : spec.properties) {
    if (!plan.bag.empty()) plan.bag += '&';
    iothub::append_url_encoded(plan.bag, name);
    plan.bag += '=';
    iothub::append_url_encoded(plan.bag, value);
    mqtt::append_user_property(plan.user_properties, name, value);
  }
  plan.uses_values = std::any_of(spec.payload_parts.begin(), spec.payload_parts.end(),
                                 [](const PayloadPart& part) { return part.value >= 0; });
  return plan;
}

TelemetrySchedule::TelemetrySchedule(const Telemetry& spec, std::uint32_t stream, Duration open,
                                     std::uint64_t seed) noexcept
    : rng_{seed}, next_{open}, stream_{stream} {
  next_ += scaled(spec.interval, rng_.uniform01());
}

Duration TelemetrySchedule::gap(const Telemetry& spec) noexcept {
  if (spec.poisson) {
    // Exponential gaps with mean `interval`; 1 - u is in (0, 1], so the log is finite.
    return scaled(spec.interval, -std::log(1.0 - rng_.uniform01()));
  }
  return spec.interval + scaled(spec.jitter, 2.0 * rng_.uniform01() - 1.0);
}

void TelemetrySchedule::advance(const Telemetry& spec) noexcept {
  next_ += std::max(gap(spec), kMinGap);
}

void append_telemetry_payload(std::string& out, const Telemetry& spec, std::span<ValueGenerator> values,
                              Duration since_open) {
  if (!spec.payload_parts.empty()) {
    for (const PayloadPart& part : spec.payload_parts) {
      if (part.value < 0) {
        out += part.literal;
      } else {
        append_json(out, values[static_cast<std::size_t>(part.value)].next(since_open));
      }
    }
    return;
  }
  if (spec.payload) {
    out += *spec.payload;  // a template the loader did not cut has no placeholders
    return;
  }
  if (spec.size) {
    // Printable filler: a hub that logs or inspects bodies sees text, not control bytes.
    const std::size_t start = out.size();
    out.resize(start + *spec.size);
    for (std::size_t i = 0; i < *spec.size; ++i) out[start + i] = static_cast<char>('a' + i % 26);
  }
}

}  // namespace fleetsim::sim
