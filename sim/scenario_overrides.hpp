// `--set KEY=VALUE`: overrides applied to the TOML tree before it is read, so an overridden value
// meets exactly the checks a written one does. Internal to the scenario loader.
#pragma once

#include <vector>

#include "sim/scenario.hpp"
#include "sim/scenario_context.hpp"

namespace fleetsim::sim::detail {

// KEY is a dotted path checked against the scenario keys (array-of-tables entries by index:
// "reported.0.pmax"); VALUE is read as a TOML value (10, 1.5, true, "x", [..], {..}) or, when it is
// not one, as a plain string ("10s"). Missing tables on the way are created. Errors name the
// override ("--set fleet.devicez=3: unknown key 'devicez' in [fleet]; ...") at "--set:N:1", and the
// values put in place keep that position for later diagnostics.
void apply_overrides(LoadContext& cx, toml::table& root, const std::vector<Override>& overrides);

}  // namespace fleetsim::sim::detail
