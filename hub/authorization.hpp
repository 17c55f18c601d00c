// Which topics and filters an identity may use (reference 2.4, 2.5). Only the fixed filters of
// 2.5 are allowed, and only for the identity itself; wildcards cannot pick other sub-topics.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "hub/connection.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::hub {

// The subscription a SUBSCRIBE filter stands for, or nullopt if the identity may not use it.
std::optional<Subscription> subscription_for_filter(const Identity& identity,
                                                    std::string_view filter) noexcept;

// Telemetry (or a module's) only on the identity's own events topic.
bool owns_telemetry_topic(const Identity& identity, const iothub::ParsedTopic& topic) noexcept;

}  // namespace fleetsim::hub
