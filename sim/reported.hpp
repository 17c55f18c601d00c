// [[reported]] at run time: the observe/notify parameters of each property, and the reported
// PATCH body that carries the properties of one session falling due at the same instant.
//
// Thread safety: ReportedPlan is read-only and shared; append_reported_patch is pure.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "sim/observe.hpp"
#include "sim/scenario.hpp"
#include "sim/values.hpp"

namespace fleetsim::sim {

// One [[reported]] entry, prepared once for the whole fleet. Observers point at `params`, so a
// plan must not move once sessions exist.
struct ReportedPlan {
  const Reported* spec = nullptr;
  ObserveParams params;
};
ReportedPlan make_reported_plan(const Reported& spec);

// One observed property of one session: its observe/notify state and its value generator.
struct ReportedState {
  ReportedState(const ReportedPlan& plan, std::uint32_t property, std::uint64_t seed) noexcept
      : observer(plan.params), generator(plan.spec->value, seed), property(property) {}
  Observer observer;
  ValueGenerator generator;
  std::uint32_t property;  // index into FleetPlan::reported
};

// One property's value in a patch: `path` is dotted ("env.temperature").
struct PathValue {
  std::string_view path;
  const Value* value = nullptr;
};

// Appends one JSON object holding every item at its path, siblings merged:
// {"env":{"temperature":21.3,"humidity":40},"fw":"1.0"}. Sorts `items` by path in place. Of two
// items where one's path is a prefix of the other's ("env" and "env.t"), the deeper one is kept,
// since a JSON object cannot hold both. Path segments are written as given (validated keys).
void append_reported_patch(std::string& out, std::span<PathValue> items);

}  // namespace fleetsim::sim
