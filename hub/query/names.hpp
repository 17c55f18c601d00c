// Identity names in query paths (reference 3.7: "identity names match without case and come
// back camelCase"): `DeviceID`, `properties.Reported` and `capabilities.IOTEDGE` name the twin's
// deviceId, properties.reported and capabilities.iotEdge. Names below those (tags, desired and
// reported contents) are the user's own and stay case-sensitive, as twin keys are.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace fleetsim::hub::query {

// The twin's spelling of segment `index` of a path whose earlier segments are `parent` (empty
// for the first segment, else the canonical first segment), or `segment` unchanged when it is
// not an identity name.
std::string_view canonical_segment(std::string_view parent, std::size_t index,
                                   std::string_view segment) noexcept;

}  // namespace fleetsim::hub::query
